// Runs in headless Chromium (WebGL2 through SwiftShader): the shared suites and the agreement
// tests against the gpu.js backend, which must run WebGL2Kernel there.
import { backendSuite, fusedQuadricSuite } from '@quadrix/core/testing';
import { describe, fail, it, run } from '@quadrix/browser-test/harness';
import { gpujsBackend, type GpujsBackend } from '../../src/index.js';
import { agreementSuite } from '../agreement.js';
import { textureSuite } from '../textures.js';

const t = { describe, it };
const log: string[] = [];
let backend: GpujsBackend | undefined;
try {
  backend = gpujsBackend({ require: 'webgl2' });
} catch (e) {
  fail((e as Error).message, { userAgent: navigator.userAgent });
}
if (backend) {
  const b = backend;
  const start = b.liveTensors();
  // c = 20: GLSL ES 3.00's bounds (see test/env.ts).
  backendSuite(t, { name: 'gpujs WebGL2Kernel float32 (browser)', backend: b, dtype: 'float32', ulps: 20, numRuns: 30 });
  fusedQuadricSuite(t, b, 'float32');
  textureSuite(t, b, { webgl2: true });
  agreementSuite(t, b, { numRuns: 30, log: (line) => log.push(line) });
  // Filled in by the last test, after every kernel has run; published by run().
  const info: Record<string, unknown> = { userAgent: navigator.userAgent, kernelClass: b.kernelClass, log };
  describe('gpujs in Chromium', () => {
    it('ran every kernel on WebGL2Kernel and left no tensor alive', async () => {
      const ran = b.kernelClassesRun();
      Object.assign(info, { kernelClassesRun: ran, describe: b.describe(), compiledKernels: b.compiledKernels() });
      if (ran.length !== 1 || ran[0] !== 'WebGL2Kernel') throw new Error(`kernel classes that ran: ${ran.join(', ')}`);
      if (b.liveTensors() !== start) throw new Error(`${b.liveTensors() - start} tensors left alive`);
    });
  });
  await run(info);
}
