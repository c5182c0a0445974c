// Runs in headless Chromium: the shared suites against the WebGPU backend on navigator.gpu, and a
// training step against the CPU backend in float64.
import { data, normalValues, randomKey, scope, tensor, valueAndGrad } from '@quadrix/core';
import { backendSuite, fusedQuadricSuite } from '@quadrix/core/testing';
import { cpuBackend } from '@quadrix/backend-cpu';
import { fromHost, initQuadrics, loss, score, toHost, type QuadricParams } from '@quadrix/models';
import { describe, fail, it, run } from '@quadrix/browser-test/harness';
import { adapterDescription, isNullAdapter, requestDevice, webgpuBackend } from '../../src/index.js';

const acquired = await requestDevice().catch((e: Error) => e);
if (acquired instanceof Error) {
  fail(acquired.message, { userAgent: navigator.userAgent });
} else {
  const { device, info } = acquired;
  const backend = webgpuBackend({ device, adapterInfo: info, ownsDevice: true });
  const t = { describe, it };
  // ulps 6: WGSL division is specified to 2.5 ULP = 5u (see the Node suite).
  backendSuite(t, { name: 'webgpu float32 (browser)', backend, dtype: 'float32', ulps: 6, numRuns: 25 });
  fusedQuadricSuite(t, backend, 'float32');
  describe('webgpu (browser) agrees with the CPU backend in float64', () => {
    const cpu = cpuBackend();
    for (const distance of ['dist0', 'dist1', 'dist2', 'dist2_full'] as const) {
      it(`training step and score, ${distance}`, () =>
        scope(async () => {
          const [n, m, B] = [6, 3, 20];
          const init = initQuadrics(randomKey(5), n, m, { backend, dtype: 'float32' });
          const host = await toHost(init);
          const x = Float32Array.from(normalValues(randomKey(6), B * n)).map((v) => v / Math.sqrt(n));
          const run = async (p: QuadricParams, xs: ReturnType<typeof tensor>) => {
            const { value, grads } = valueAndGrad((q: QuadricParams) => loss(q, xs, { distance, lambda: 1 }))(p);
            return [await data(value), await data(grads.linear), await data(grads.free), await data(score(p, xs, distance))];
          };
          const got = await run(fromHost(host, { backend }), tensor(x, { shape: [B, n], backend }));
          const want = await run(fromHost(host, { backend: cpu, dtype: 'float64' }), tensor(x, { shape: [B, n], backend: cpu, dtype: 'float64' }));
          // Normwise within 4·k·u with k = max(n², B) (see agreement.test.ts for the derivation).
          const bound = 4 * Math.max(n * n, B) * 2 ** -24;
          got.forEach((g, q) => {
            const w = want[q]!;
            const scale = Math.max(...Array.from(w, Math.abs));
            const err = Math.max(...Array.from(g, (v, i) => Math.abs(v - w[i]!)));
            if (!(err <= bound * scale * 4)) throw new Error(`quantity ${q}: normwise error ${err / scale} > ${bound * 4}`);
          });
        }),
      );
    }
  });
  await run({ userAgent: navigator.userAgent, adapter: adapterDescription(info), vendor: info.vendor, architecture: info.architecture, nullAdapter: isNullAdapter(info) });
}
