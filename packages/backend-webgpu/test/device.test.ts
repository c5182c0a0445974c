// Acquisition, errors, device loss, asynchronous reads, pooling and pipeline reuse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  QuadrixError, add, data, dataSync, dispose, exp, matmul, mul, normal, randomKey, sum, tensor, tidy,
} from '@quadrix/core';
import { expectNoLeaks } from '@quadrix/core/testing';
import { webgpuBackend } from '../src/index.js';
import { requestNodeDevice } from '../src/node.js';
import { ownBackend, requireAll, sharedBackend } from './device.js';

const { backend, missing } = await sharedBackend();
const isQuadrix = (kind: string, pattern: RegExp) => (e: unknown) =>
  e instanceof QuadrixError && e.kind === kind && pattern.test(e.message);

describe('webgpu device acquisition', () => {
  it("refuses Dawn's null backend with a clear error", async () => {
    await assert.rejects(requestNodeDevice({ dawnFlags: ['backend=null'] }), isQuadrix('backend', /null backend.*computes nothing/));
  });

  it('reports a missing adapter as an error, not a crash', () => {
    const child = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./fixtures/no-adapter.ts', import.meta.url))], {
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/quadrix-no-driver.json' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const line = child.stdout.trim().split('\n').at(-1)!;
    const r = JSON.parse(line) as { ok: boolean; quadrix?: boolean; kind?: string; message?: string };
    assert.equal(r.ok, false, `found an adapter: ${line}`);
    assert.equal(r.quadrix, true);
    assert.equal(r.kind, 'backend');
    assert.match(r.message!, /no WebGPU adapter/);
  });

  it('webgpuBackend needs a device', () => {
    assert.throws(() => webgpuBackend({ device: undefined as never }), isQuadrix('argument', /GPUDevice/));
  });
});

describe('webgpu backend behaviour', { skip: !requireAll && missing !== undefined ? missing : false }, () => {
  if (backend === undefined) {
    it('has a device', () => assert.fail(missing));
    return;
  }
  const o = { backend, dtype: 'float32' as const };

  it('reads only asynchronously and stores only float32', async () => {
    assert.equal(backend.readSync, undefined);
    assert.deepEqual(backend.dtypes, ['float32']);
    await expectNoLeaks(backend, async () => {
      const x = tensor([1, 2, 3], o);
      assert.throws(() => dataSync(x), isQuadrix('backend', /asynchronously/));
      assert.deepEqual([...(await data(x))], [1, 2, 3]);
      dispose(x);
      assert.throws(() => tensor([1], { backend, dtype: 'float64' }), isQuadrix('dtype', /float64/));
    });
  });

  it('a tensor disposed right after its read is requested still reads its values', async () => {
    await expectNoLeaks(backend, async () => {
      const x = tensor([1, 2, 3, 4], { ...o, shape: [2, 2] });
      const y = matmul(x, x);
      const pending = data(y);
      dispose(y);
      // Reuse the freed buffer at once for other work of the same size.
      const z = tidy(() => add(x, 100));
      assert.deepEqual([...(await pending)], [7, 10, 15, 22]);
      assert.deepEqual([...(await data(z))], [101, 102, 103, 104]);
      dispose([x, z]);
    });
  });

  it('pools buffers: repeating a computation allocates nothing new, and every tensor is released', async () => {
    const step = async () => {
      const r = tidy(() => {
        const a = normal(randomKey(1), [64, 48], o);
        const b = normal(randomKey(2), [48, 32], o);
        return sum(exp(mul(matmul(a, b), 0.01)), [1]);
      });
      const v = await data(r);
      dispose(r);
      return v;
    };
    await expectNoLeaks(backend, async () => {
      const first = await step();
      const { buffers, pipelines } = backend.stats();
      for (let i = 0; i < 3; i++) assert.deepEqual(await step(), first);
      assert.equal(backend.stats().buffers, buffers, 'buffers were allocated on repeats');
      assert.equal(backend.stats().pipelines, pipelines, 'pipelines were compiled on repeats');
      assert.ok(backend.stats().pooledBytes > 0);
    });
  });

  it('compiles one pipeline per kernel, whatever the shapes', async () => {
    await expectNoLeaks(backend, async () => {
      const run = async (m: number, k: number, n: number) => {
        const r = tidy(() => add(matmul(normal(randomKey(m), [m, k], o), normal(randomKey(n), [k, n], o)), 1));
        await data(r);
        dispose(r);
      };
      await run(3, 4, 5);
      const { pipelines } = backend.stats();
      await run(17, 33, 9);
      await run(40, 2, 70);
      assert.equal(backend.stats().pipelines, pipelines);
    });
  });

  it('describes its adapter', () => {
    assert.match(backend.describe!(), /^webgpu \(.+\)/);
  });

  it('turns device loss into clear errors, for new work and for reads in flight', async () => {
    const own = await ownBackend();
    const x = tensor([1, 2, 3], { backend: own, dtype: 'float32' });
    const y = tidy(() => add(x, 1));
    const inFlight = data(y);
    own.device.destroy();
    await own.device.lost;
    await assert.rejects(inFlight.then(() => {
      throw new QuadrixError('backend', 'lost: the read resolved after the device was destroyed');
    }), (e: unknown) => e instanceof QuadrixError && e.kind === 'backend' && /lost/.test(e.message));
    assert.throws(() => add(x, y), isQuadrix('backend', /device was lost/));
    await assert.rejects(data(x), isQuadrix('backend', /device was lost/));
    assert.throws(() => tensor([1], { backend: own, dtype: 'float32' }), isQuadrix('backend', /device was lost/));
    dispose([x, y]);
    assert.equal(own.liveTensors(), 0);
  });
});
