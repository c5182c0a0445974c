// Runs in headless Chromium: the shared suites against the CPU backend in a browser, with the
// reference kernels and with the fast ones. The test page is not cross-origin isolated, so the fast
// backend runs its WebAssembly SIMD kernels on the page's thread, in a memory of its own (no
// SharedArrayBuffer): the fallback a plain web page gets. Every matmul and quadric goes to
// WebAssembly (minWasmWork 0), so the suites' small random shapes reach it.
import { backendSuite, fusedQuadricSuite } from '@quadrix/core/testing';
import { describe, it, run } from '@quadrix/browser-test/harness';
import { cpuBackend } from '../../src/index.js';

const reference = cpuBackend({ kernels: 'reference' });
const fast = cpuBackend({ kernels: 'fast', minWasmWork: 0, minParallelWork: 0 });
const t = { describe, it };
backendSuite(t, { name: 'cpu reference float32 (browser)', backend: reference, dtype: 'float32', numRuns: 25 });
fusedQuadricSuite(t, reference, 'float32');
backendSuite(t, { name: 'cpu fast float32 (browser)', backend: fast, dtype: 'float32', numRuns: 25 });
fusedQuadricSuite(t, fast, 'float32');
await run({ userAgent: navigator.userAgent, fast: fast.describe?.() ?? '', crossOriginIsolated: globalThis.crossOriginIsolated === true });
