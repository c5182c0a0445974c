// The model on WebGPU against the CPU backend in float64: a training step (loss and the gradient
// of every parameter) and scoring, from the same float32 inputs; and a short training run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { data, dispose, normalValues, randomKey, scope, slice, splitKey, tensor, valueAndGrad, type Tensor } from '@quadrix/core';
import { expectNoLeaks } from '@quadrix/core/testing';
import { cpuBackend } from '@quadrix/backend-cpu';
import { DISTANCES, fromHost, initQuadrics, loss, score, toHost, train, type Distance, type QuadricParams } from '@quadrix/models';
import { normwise } from './compare.js';
import { requireAll, sharedBackend } from './device.js';

const { backend: gpu, missing } = await sharedBackend();
const cpu = cpuBackend();
const U = 2 ** -24;

/**
 * The stated tolerance: normwise relative error ‖got − want‖∞ / ‖want‖∞ ≤ C·k·u, u = 2⁻²⁴, with k
 * the longest reduction in the computation: the Gram matrix of the Stiefel penalty sums n² terms,
 * each Q_i sums 2n + 2, the batch mean B, the score m. Inputs are the same float32 numbers on both
 * sides. For the gradients the norm is taken of the larger of the result and the magnitude of its
 * terms (below). C = 4, the shared suite's default; observed: under 0.4 (400 random cases).
 */
const C = 4;
/**
 * One term has no relative accuracy at all: the Stiefel penalty's gradient 4λ·G(GᵀG − I) at an
 * orthonormal start, where GᵀG − I is pure cancellation (its float32 value is rounding noise of size
 * n²·u·(|G|ᵀ|G|)). Its error scale is the magnitude 4λ·|G|(|G|ᵀ|G|), so the gradient of the
 * quadratic parts is measured against the larger of its own norm and that magnitude.
 */
const penaltyMagnitude = (quadratic: ArrayLike<number>, n: number, m: number): number => {
  const nn = n * n;
  const g = (i: number, p: number): number => {
    const [j, k] = [Math.floor(p / n), p % n];
    return Math.abs(quadratic[i * nn + j * n + k]! + quadratic[i * nn + k * n + j]!) / 2;
  };
  const gram = Array.from({ length: m * m }, (_, at) => {
    let acc = 0;
    for (let p = 0; p < nn; p++) acc += g(Math.floor(at / m), p) * g(at % m, p);
    return acc;
  });
  let max = 0;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < nn; p++) {
      let acc = 0;
      for (let l = 0; l < m; l++) acc += gram[i * m + l]! * g(l, p);
      max = Math.max(max, 4 * acc);
    }
  }
  return max;
};
const reductionLength = (n: number, m: number, B: number): number => Math.max(n * n, 2 * n + 2, B, m);

/** The same float32 parameters and points on both backends (CPU side in float64). */
const twin = async (seed: number, n: number, m: number, B: number) => {
  const [kp, kx] = splitKey(randomKey(seed)) as [ReturnType<typeof randomKey>, ReturnType<typeof randomKey>];
  const init = initQuadrics(kp, n, m, { backend: gpu!, dtype: 'float32' });
  const host = await toHost(init);
  dispose(init);
  const x = Float32Array.from(normalValues(kx, B * n)).map((v) => v / Math.sqrt(n));
  return {
    penalty: penaltyMagnitude(host.quadratic, n, m),
    gpu: { params: fromHost(host, { backend: gpu!, dtype: 'float32' }), x: tensor(x, { shape: [B, n], backend: gpu!, dtype: 'float32' }) },
    cpu: { params: fromHost(host, { backend: cpu, dtype: 'float64' }), x: tensor(x, { shape: [B, n], backend: cpu, dtype: 'float64' }) },
  };
};

const stepAndScore = async (p: QuadricParams, x: Tensor, distance: Distance) => {
  const { value, grads } = valueAndGrad((q: QuadricParams) => loss(q, x, { distance, lambda: 1 }))(p);
  return {
    loss: await data(value),
    quadratic: await data(grads.quadratic),
    linear: await data(grads.linear),
    free: await data(grads.free),
    score: await data(score(p, x, distance)),
  };
};

/**
 * The gradients are means over the batch of per-point gradients whose signs vary, so their rounding
 * error scales with Σ_b |∇ℓ_b| / B, not with the (possibly cancelled) mean: that magnitude, computed
 * point by point in float64, is the scale of the gradients' normwise error.
 */
const batchMagnitude = async (p: QuadricParams, x: Tensor, distance: Distance) => {
  const [B, n] = x.shape as [number, number];
  const acc = { quadratic: new Float64Array(p.quadratic.size), linear: new Float64Array(p.linear.size), free: new Float64Array(p.free.size) };
  for (let b = 0; b < B; b++) {
    await scope(async () => {
      const { grads } = valueAndGrad((q: QuadricParams) => loss(q, slice(x, [b, 0], [1, n]), { distance, lambda: 0 }))(p);
      for (const key of ['quadratic', 'linear', 'free'] as const) {
        const g = await data(grads[key]);
        for (let i = 0; i < g.length; i++) acc[key][i]! += Math.abs(g[i]!) / B;
      }
    });
  }
  const max = (v: Float64Array) => v.reduce((a, b) => Math.max(a, b), 0);
  return { quadratic: max(acc.quadratic), linear: max(acc.linear), free: max(acc.free) };
};

/** Largest normwise error observed, per quantity, in units of k·u (reported at the end). */
const worst: Record<string, number> = {};
/** Largest plain normwise error ‖got − want‖∞ / ‖want‖∞ observed. */
const plain: Record<string, number> = {};

describe('webgpu agrees with the CPU backend in float64', { skip: !requireAll && missing !== undefined ? missing : false }, () => {
  if (gpu === undefined) {
    it('has a device', () => assert.fail(missing));
    return;
  }

  it('a training step (loss, every parameter gradient) and scoring, on random models and data', () =>
    expectNoLeaks(gpu, () =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 16 }).chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 1, max: Math.min(8, (n * (n + 1)) / 2) }), fc.integer({ min: 1, max: 48 }), fc.constantFrom(...DISTANCES), fc.integer({ min: 0, max: 2 ** 30 })),
          ),
          ([n, m, B, distance, seed]) =>
            scope(async () => {
              const t = await twin(seed, n, m, B);
              const got = await stepAndScore(t.gpu.params, t.gpu.x, distance);
              const want = await stepAndScore(t.cpu.params, t.cpu.x, distance);
              const k = reductionLength(n, m, B);
              const mag = await batchMagnitude(t.cpu.params, t.cpu.x, distance);
              const floor = { loss: 0, score: 0, quadratic: mag.quadratic + t.penalty, linear: mag.linear, free: mag.free };
              for (const key of ['loss', 'quadratic', 'linear', 'free', 'score'] as const) {
                const err = normwise(got[key], want[key], floor[key]);
                const units = err / (k * U);
                worst[key] = Math.max(worst[key] ?? 0, units);
                plain[key] = Math.max(plain[key] ?? 0, normwise(got[key], want[key]));
                assert.ok(units <= C, `${distance} n=${n} m=${m} B=${B} seed=${seed}: ${key} normwise error ${err.toExponential(3)} = ${units.toFixed(2)}·k·u > ${C}·k·u (k = ${k})`);
              }
            }),
        ),
        { numRuns: Number(process.env.AGREE_RUNS ?? 40) },
      ),
    ),
  );

  it('a model trained on WebGPU from the same seed matches the CPU model', async () => {
    const n = 8;
    const m = 4;
    const N = 96;
    const t = await twin(7, n, m, N);
    const opts = { distance: 'dist2' as const, epochs: 3, batchSize: 32, lr: 0.05, seed: 3 };
    const a = await train(t.gpu.params, t.gpu.x, opts);
    const b = await train(t.cpu.params, t.cpu.x, opts);
    const ha = await toHost(a.params);
    const hb = await toHost(b.params);
    // 9 SGD steps: each step's update agrees within the step tolerance, and the updates add up.
    const tol = 9 * C * reductionLength(n, m, 32) * U;
    for (const key of ['quadratic', 'linear', 'free'] as const) {
      const err = normwise(ha[key], hb[key]);
      worst[`trained ${key}`] = err / (reductionLength(n, m, 32) * U);
      plain[`trained ${key}`] = err;
      assert.ok(err <= tol, `${key}: normwise ${err.toExponential(3)} > ${tol.toExponential(3)}`);
    }
    assert.ok(Math.abs(a.history.at(-1)!.loss - b.history.at(-1)!.loss) <= tol * Math.abs(b.history.at(-1)!.loss));
    dispose([t, a.params, b.params]);
  });

  it('reports the agreement figures', () => {
    console.log(`# worst normwise error vs CPU float64, in units of k·u (bound ${C}): ${JSON.stringify(Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, Number(v.toFixed(3))])))}`);
    console.log(`# worst plain normwise error ‖got − want‖∞/‖want‖∞: ${JSON.stringify(Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, Number(v.toExponential(2))])))}`);
    assert.ok(Object.keys(worst).length >= 5);
  });
});

