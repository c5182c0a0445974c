import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendSuite, fusedQuadricSuite } from '@quadrix/core/testing';
import { gpujsBackend, type GpujsMode } from '../src/index.js';
import { expectedNodeClass, ulpsFor } from './env.js';

// gpu.js's fallbacks where no GL context exists, forced, so that they stay correct even where the
// default run (suite.test.ts) is on HeadlessGLKernel. Fewer runs: these are the slow modes' checks.
const modes: GpujsMode[] = ['webasm', 'cpu'];
for (const mode of modes) {
  const backend = gpujsBackend({ mode });
  if (backend.kernelClass === expectedNodeClass()) continue; // suite.test.ts runs it in full
  const name = `gpujs ${backend.kernelClass} (mode '${mode}') float32`;
  backendSuite({ describe, it }, { name, backend, dtype: 'float32', ulps: ulpsFor(backend.kernelClass), numRuns: 15 });
  fusedQuadricSuite({ describe, it }, backend, 'float32');
  describe(`${name}: only the kernel class it names ran`, () => {
    it('ran no other class', () => assert.deepEqual(backend.kernelClassesRun(), [backend.kernelClass]));
  });
}
