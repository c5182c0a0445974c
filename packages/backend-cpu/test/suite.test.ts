import { describe, it } from 'node:test';
import { backendSuite, fusedQuadricSuite, gradientSuite } from '@quadrix/core/testing';
import { cpuBackend } from '../src/index.js';

// The shared suites on both kernel sets. The fast backend is told to send every matmul and quadric,
// however small, to WebAssembly on two threads, so that the suites' small random shapes reach it.
const backends = [
  { label: 'reference', backend: cpuBackend({ kernels: 'reference' }) },
  { label: 'fast', backend: cpuBackend({ kernels: 'fast', threads: 2, minWasmWork: 0, minParallelWork: 0 }) },
];
for (const { label, backend } of backends) {
  backendSuite({ describe, it }, { name: `cpu ${label} float32`, backend, dtype: 'float32' });
  backendSuite({ describe, it }, { name: `cpu ${label} float64`, backend, dtype: 'float64' });
  gradientSuite({ describe, it }, backend);
  fusedQuadricSuite({ describe, it }, backend, 'float32');
  fusedQuadricSuite({ describe, it }, backend, 'float64');
}
