import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispose, grad, mul, randomKey, sub, tensor, tidy, dataSync, type Tensor } from '@quadrix/core';
import { expectNoLeaks } from '@quadrix/core/testing';
import { cpuBackend } from '@quadrix/backend-cpu';
import {
  initQuadrics, loss, stiefelError, toHost, train, TrainingError, type Checkpoint, type Progress, type QuadricParams,
  type TrainOptions,
} from '../src/index.js';

const backend = cpuBackend();

/** Points near the circle x² + y² = 1 in the plane z = 0.5 of R³, on `backend`. */
const circle = (count: number, dtype: 'float32' | 'float64' = 'float32'): Tensor =>
  tensor(
    Array.from({ length: count }, (_, i) => {
      const t = (2 * Math.PI * i) / count;
      return [Math.cos(t) * (1 + 0.05 * Math.sin(7 * t)), Math.sin(t), 0.5 + 0.02 * Math.cos(3 * t)];
    }),
    { backend, dtype },
  );

const bits = async (p: QuadricParams): Promise<number[]> => {
  const h = await toHost(p);
  return [...h.quadratic, ...h.linear, ...h.free];
};

const base: TrainOptions = { distance: 'dist2', epochs: 3, batchSize: 8, lr: 0.05, seed: 11 };

describe('train', () => {
  it('is deterministic: same seed, same data, same bits', () =>
    expectNoLeaks(backend, async () => {
      const x = circle(40);
      const init = initQuadrics(randomKey(1), 3, 2, { backend });
      const a = await train(init, x, base);
      const b = await train(init, x, base);
      assert.deepEqual(await bits(a.params), await bits(b.params));
      const c = await train(init, x, { ...base, seed: 12 });
      assert.notDeepEqual(await bits(a.params), await bits(c.params));
      dispose([x, init, a.params, b.params, c.params]);
    }));

  it('takes plain SGD steps: one full batch equals W − lr·∇L', () =>
    expectNoLeaks(backend, async () => {
      const x = circle(16, 'float64');
      const init = initQuadrics(randomKey(2), 3, 2, { backend, dtype: 'float64' });
      const r = await train(init, x, { distance: 'dist1', epochs: 1, batchSize: 16, lr: 0.1, shuffle: false });
      const manual = tidy(() => {
        const g = grad((p: QuadricParams) => loss(p, x, { distance: 'dist1', lambda: 1 }))(init);
        return [...dataSync(sub(init.quadratic, mul(g.quadratic, 0.1))), ...dataSync(sub(init.linear, mul(g.linear, 0.1))), ...dataSync(sub(init.free, mul(g.free, 0.1)))];
      });
      assert.deepEqual(await bits(r.params), manual);
      assert.equal(r.steps, 1);
      dispose([x, init, r.params]);
    }));

  it('lowers the loss, reports progress, and validates', () =>
    expectNoLeaks(backend, async () => {
      const x = circle(64);
      const v = circle(16);
      const init = initQuadrics(randomKey(3), 3, 2, { backend });
      const seen: Progress[] = [];
      const r = await train(init, x, { ...base, epochs: 30, optimizer: 'adam', lr: 0.02, validation: v, onProgress: (p) => void seen.push(p) });
      assert.equal(seen.length, 30);
      assert.ok(seen.every((p, i) => p.epoch === i + 1 && p.pointsPerSecond > 0 && Number.isFinite(p.validationLoss!)));
      assert.ok(r.history.at(-1)!.loss < r.history[0]!.loss / 2, `loss ${r.history[0]!.loss} → ${r.history.at(-1)!.loss}`);
      assert.ok(r.history.at(-1)!.validationLoss! < r.history[0]!.validationLoss!);
      dispose([x, v, init, r.params]);
    }));

  it('stops with a TrainingError holding finite parameters when the loss diverges', () =>
    expectNoLeaks(backend, async () => {
      const x = tensor(Array.from({ length: 30 }, (_, i) => [100 * Math.cos(i), 100 * Math.sin(i), 50]), { backend });
      const init = initQuadrics(randomKey(4), 3, 2, { backend });
      const err = await train(init, x, { distance: 'dist0', epochs: 50, batchSize: 10, lr: 1e6 }).then(
        () => assert.fail('training should have diverged'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof TrainingError, String(err));
      assert.match(err.message, /the loss became (NaN|Infinity|-Infinity) at epoch \d+, step \d+/);
      assert.ok((await bits(err.params)).every(Number.isFinite));
      dispose([x, init, err.params]);
    }));

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`${optimizer}: resuming from a checkpoint gives the uninterrupted result`, () =>
      expectNoLeaks(backend, async () => {
        const x = circle(40);
        const init = initQuadrics(randomKey(5), 3, 2, { backend });
        const checkpoints: Checkpoint[] = [];
        const opts = { ...base, optimizer, epochs: 4, checkpoint: { every: 2, save: (c: Checkpoint) => void checkpoints.push(c) } };
        const full = await train(init, x, opts);
        assert.deepEqual(checkpoints.map((c) => c.epoch), [2, 4]);
        const resumed = await train(init, x, { ...opts, checkpoint: undefined, resume: checkpoints[0] });
        assert.deepEqual(await bits(resumed.params), await bits(full.params));
        assert.deepEqual(resumed.history, full.history);
        dispose([x, init, full.params, resumed.params]);
      }));
  }

  it('early stopping keeps the best epoch', () =>
    expectNoLeaks(backend, async () => {
      const x = circle(32);
      const init = initQuadrics(randomKey(6), 3, 2, { backend });
      // No later epoch can beat the first by 1e9: training stops after `patience` more epochs.
      const r = await train(init, x, { ...base, epochs: 20, validation: x, earlyStopping: { patience: 2, minDelta: 1e9 } });
      assert.equal(r.stopped, 'early-stopping');
      assert.equal(r.bestEpoch, 1);
      assert.equal(r.history.length, 3);
      const one = await train(init, x, { ...base, epochs: 1 });
      assert.deepEqual(await bits(r.params), await bits(one.params));
      dispose([x, init, r.params, one.params]);
    }));

  it('retraction keeps the quadratic parts exactly orthonormal', () =>
    expectNoLeaks(backend, async () => {
      const x = circle(32, 'float64');
      const init = initQuadrics(randomKey(7), 3, 2, { backend, dtype: 'float64' });
      const penalty = await train(init, x, { ...base, lr: 0.2, lambda: 0.01 });
      const retracted = await train(init, x, { ...base, lr: 0.2, lambda: 0.01, orthonormality: 'retraction' });
      const err = (p: QuadricParams): number => tidy(() => dataSync(stiefelError(p))[0]!);
      assert.ok(err(retracted.params) < 1e-20, `retraction: ${err(retracted.params)}`);
      assert.ok(err(penalty.params) > 1e-8, `penalty only: ${err(penalty.params)}`);
      dispose([x, init, penalty.params, retracted.params]);
    }));

  it('an abort signal stops at a step boundary with the model so far', () =>
    expectNoLeaks(backend, async () => {
      const x = circle(32);
      const init = initQuadrics(randomKey(8), 3, 2, { backend });
      const stop = new AbortController();
      const r = await train(init, x, { ...base, epochs: 10, progressEvery: 3, onProgress: (p) => (p.step >= 3 ? stop.abort() : undefined), signal: stop.signal });
      assert.equal(r.stopped, 'aborted');
      assert.equal(r.steps, 3);
      dispose([x, init, r.params]);
    }));

  it('rejects bad options and data with clear errors', () =>
    expectNoLeaks(backend, async () => {
      const init = initQuadrics(randomKey(9), 3, 2, { backend });
      const x = circle(8);
      const empty = tensor([], { backend, shape: [0, 3] });
      const wide = tensor(new Array(16).fill(0), { backend, shape: [4, 4] });
      await assert.rejects(train(init, x, { ...base, batchSize: 0 }), /batch size must be a positive integer/);
      await assert.rejects(train(init, x, { ...base, lr: -1 }), /learning rate must be positive/);
      await assert.rejects(train(init, empty, base), /no points/);
      await assert.rejects(train(init, wide, base), /shape \[4, 4\] but the model expects \[N, 3\]/);
      dispose([init, x, empty, wide]);
    }));
});
