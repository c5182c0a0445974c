// `--backend gpujs` and `--backend webgpu`: the same fit as on the CPU, within float32 drift.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { flatParams, manifoldPoints, ok, readModel, relativeError, tempDir, writeMatrix } from './helpers.js';

type Temp = Awaited<ReturnType<typeof tempDir>>;

const requireAll = process.env.QUADRIX_REQUIRE_ALL === '1';

describe('quadrix fit and score on the GPU backends', () => {
  let t: Temp;
  before(async () => {
    t = await tempDir();
    await writeMatrix(t.path('train.npy'), 48, 4, manifoldPoints(7, 48, 4));
  });
  after(() => t.remove());

  const fit = (backend: string, out: string) =>
    ok('fit', '--data', t.path('train.npy'), '--quadrics', '2', '--epochs', '2', '--batch-size', '16', '--seed', '3', '--backend', backend, '--out', t.path(out));

  for (const backend of ['gpujs', 'webgpu']) {
    it(`fit --backend ${backend} matches the CPU model, and score runs there`, async (ctx) => {
      await fit('cpu', 'cpu.json');
      let r: { out: string };
      try {
        r = await fit(backend, `${backend}.json`);
      } catch (e) {
        // No WebGPU adapter on a user's machine is a skip; CI (QUADRIX_REQUIRE_ALL=1) must have one.
        if (!requireAll && backend === 'webgpu' && /adapter/i.test(String(e))) return ctx.skip(String(e));
        throw e;
      }
      assert.match(r.out, new RegExp(`fitted 2 quadrics .* on ${backend}`), r.out);
      const cpu = flatParams(await readModel(t.path('cpu.json')));
      const gpu = flatParams(await readModel(t.path(`${backend}.json`)));
      // 6 SGD steps in float32: normwise drift of a few ulps times the steps.
      assert.ok(relativeError(gpu, cpu) < 1e-5, `${backend}: relative difference ${relativeError(gpu, cpu)}`);
      const s = await ok('score', '--model', t.path(`${backend}.json`), '--data', t.path('train.npy'), '--backend', backend, '--out', t.path(`${backend}.npy`));
      assert.match(s.out, /scored 48 points/);
    });
  }
});
