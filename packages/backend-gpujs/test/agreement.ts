/**
 * Agreement of whole model computations with the CPU backend in float64: one training step (the
 * loss and the gradient of every parameter) and scoring, on random models and data, and a short
 * training run from one seed. Shared by the Node tests and the browser entry.
 *
 * The tolerance. Both sides get the same float32-rounded parameters and points, so only the
 * arithmetic differs. Every quantity of the loss is a chain of reductions (the quadric kernel's
 * 2n + 2 terms, the Stiefel penalty's n² and m² terms, the mean over B·m distances) and pointwise
 * ops; in float32 a reduction of length k errs by at most k·u·Σ|terms| (u = 2⁻²⁴) and each
 * pointwise op by a few u (GLSL: 2.5 ulp for a/b and sqrt). We ask for
 *
 *   ‖got − want‖∞ ≤ C · k · u · ‖want‖∞,   k = 2n + 2 + n² + m² + B·m,   C = 64,
 *
 * for the loss, for each gradient and for the scores. C covers the few chained reductions and the
 * conditioning that cancellation adds; that conditioning is kept bounded by drawing only cases
 * where, in float64, every |Q| and every ‖∇Q‖² is at least 10⁻² (away from the kink of |Q| and
 * from the division by ‖∇Q‖, where no float32 computation can agree with float64 normwise).
 */
import fc from 'fast-check';
import { cpuBackend } from '@quadrix/backend-cpu';
import {
  data, dispose, normalValues, quadric, randomKey, scope, splitKey, tensor, uniformValues, valueAndGrad,
  type Backend, type Key,
} from '@quadrix/core';
import { expectNoLeaks, type TestApi } from '@quadrix/core/testing';
import {
  DISTANCES, fromHost, initQuadrics, loss, score, symmetricPart, toHost, train, type Distance, type QuadricParams,
} from '@quadrix/models';

const U = 2 ** -24;
export const AGREEMENT_C = 64;

/** ‖a − b‖∞ / ‖b‖∞ (b the float64 reference; 0/0 counts as 0). */
export const normwise = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Infinity;
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err === 0 ? 0 : err / scale;
};

interface Case {
  readonly n: number;
  readonly m: number;
  readonly points: number;
  readonly distance: Distance;
  readonly seed: number;
  readonly spread: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    m: fc.integer({ min: 1, max: 4 }),
    points: fc.integer({ min: 1, max: 12 }),
    distance: fc.constantFrom(...DISTANCES),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    spread: fc.constantFrom(0.5, 1, 2),
  })
  .map((c) => ({ ...c, m: Math.min(c.m, (c.n * (c.n + 1)) / 2) }));

/** Agreement figures seen so far (max normwise error over the runs), for the report. */
export interface Figures {
  loss: number;
  quadratic: number;
  linear: number;
  free: number;
  score: number;
  /** the same, each divided by its bound C·k·u */
  worstFractionOfBound: number;
  cases: number;
}

export const agreementSuite = (t: TestApi, backend: Backend, opts: { numRuns?: number; log?: (line: string) => void } = {}): Figures => {
  const oracle = cpuBackend();
  const figures: Figures = { loss: 0, quadratic: 0, linear: 0, free: 0, score: 0, worstFractionOfBound: 0, cases: 0 };

  t.describe(`backend ${backend.name}: a training step and scoring agree with cpu float64`, () => {
    t.it('loss, every parameter gradient and the scores, normwise within 64·k·2⁻²⁴', async () => {
      await expectNoLeaks(backend, () =>
        fc.assert(
          fc.asyncProperty(caseArb, async (c) => {
            const [kp, kx, kb] = splitKey(randomKey(c.seed), 3) as [Key, Key, Key];
            const made = initQuadrics(kp, c.n, c.m, { backend: oracle, dtype: 'float64' });
            const host = await toHost(made);
            dispose(made);
            const round = (v: ArrayLike<number>): number[] => Array.from(v, Math.fround);
            const params = {
              n: c.n,
              m: c.m,
              quadratic: round(host.quadratic),
              // b, c spread like the data so that Q takes both signs
              linear: round(uniformValues(kb, c.m * c.n, -c.spread, c.spread)),
              free: round(host.free),
            };
            const points = round(normalValues(kx, c.points * c.n).map((v) => v * c.spread));
            const on = async (b: Backend, dtype: 'float32' | 'float64') =>
              scope(async () => {
                const p = fromHost(params, { backend: b, dtype });
                const x = tensor(points, { backend: b, dtype, shape: [c.points, c.n] });
                const q = await data(quadric(x, symmetricPart(p.quadratic), p.linear, p.free));
                const { value, grads } = valueAndGrad((pp: QuadricParams) => loss(pp, x, { distance: c.distance, lambda: 1 }))(p);
                return {
                  q,
                  loss: await data(value),
                  quadratic: await data(grads.quadratic),
                  linear: await data(grads.linear),
                  free: await data(grads.free),
                  score: await data(score(p, x, c.distance)),
                };
              });
            const want = await on(oracle, 'float64');
            const half = c.points * c.m;
            let minQ = Infinity;
            let minG = Infinity;
            for (let i = 0; i < half; i++) {
              minQ = Math.min(minQ, Math.abs(want.q[i]!));
              minG = Math.min(minG, want.q[half + i]!);
            }
            fc.pre(minQ >= 1e-2 && minG >= 1e-2);
            const got = await on(backend, 'float32');
            const k = 2 * c.n + 2 + c.n * c.n + c.m * c.m + c.points * c.m;
            const bound = AGREEMENT_C * k * U;
            figures.cases++;
            for (const what of ['loss', 'quadratic', 'linear', 'free', 'score'] as const) {
              const err = normwise(got[what], want[what]);
              figures[what] = Math.max(figures[what], err);
              figures.worstFractionOfBound = Math.max(figures.worstFractionOfBound, err / bound);
              if (!(err <= bound)) {
                throw new Error(
                  `${what} (n ${c.n}, m ${c.m}, B ${c.points}, ${c.distance}, seed ${c.seed}): normwise error ${err.toExponential(3)} > bound ${bound.toExponential(3)}`,
                );
              }
            }
          }),
          { numRuns: opts.numRuns ?? 40 },
        ),
      );
      if (oracle.liveTensors() !== 0) throw new Error(`the cpu backend leaked ${oracle.liveTensors()} tensors`);
      if (figures.cases < (opts.numRuns ?? 40) / 2) throw new Error(`only ${figures.cases} cases met the conditioning precondition`);
      opts.log?.(
        `agreement with cpu float64 over ${figures.cases} cases (max normwise error): loss ${figures.loss.toExponential(2)}, ` +
          `∂S ${figures.quadratic.toExponential(2)}, ∂b ${figures.linear.toExponential(2)}, ∂c ${figures.free.toExponential(2)}, ` +
          `score ${figures.score.toExponential(2)}; worst ${(100 * figures.worstFractionOfBound).toFixed(1)}% of its bound`,
      );
    });

    t.it('a model trained from the same seed matches the cpu float64 model', async () => {
      await expectNoLeaks(backend, async () => {
        const n = 4;
        const m = 3;
        const N = 96;
        const [kp, kx] = splitKey(randomKey(7));
        const made = initQuadrics(kp!, n, m, { backend: oracle, dtype: 'float64' });
        const host = await toHost(made);
        dispose(made);
        const round = (v: ArrayLike<number>): number[] => Array.from(v, Math.fround);
        // Points near the unit sphere in R⁴, a manifold three quadrics can describe.
        const raw = normalValues(kx!, N * n);
        for (let i = 0; i < N; i++) {
          let r = 0;
          for (let j = 0; j < n; j++) r += raw[i * n + j]! ** 2;
          for (let j = 0; j < n; j++) raw[i * n + j] = raw[i * n + j]! / Math.sqrt(r) + 0.01 * Math.sin(i + j);
        }
        const start = { n, m, quadratic: round(host.quadratic), linear: round(host.linear), free: round(host.free) };
        const run = async (b: Backend, dtype: 'float32' | 'float64') => {
          const p = fromHost(start, { backend: b, dtype });
          const x = tensor(round(raw), { backend: b, dtype, shape: [N, n] });
          const result = await train(p, x, { distance: 'dist1', epochs: 3, batchSize: 16, lr: 0.05, seed: 3 });
          const trained = await toHost(result.params);
          dispose([p, x, result.params]);
          return { trained, losses: result.history.map((h) => h.loss) };
        };
        const want = await run(oracle, 'float64');
        const got = await run(backend, 'float32');
        // 18 SGD steps, each within the step bound above; lr·(Lipschitz constant) < 1 keeps the
        // trajectories from amplifying the differences, so the same C·k·u holds per step, summed.
        const k = 2 * n + 2 + n * n + m * m + 16 * m;
        const bound = 18 * AGREEMENT_C * k * U;
        for (const what of ['quadratic', 'linear', 'free'] as const) {
          const err = normwise(got.trained[what], want.trained[what]);
          opts.log?.(`trained ${what}: normwise error ${err.toExponential(2)} (bound ${bound.toExponential(2)})`);
          if (!(err <= bound)) throw new Error(`trained ${what}: normwise error ${err.toExponential(3)} > ${bound.toExponential(3)}`);
        }
        const lossErr = normwise(got.losses, want.losses);
        if (!(lossErr <= bound)) throw new Error(`epoch losses differ: ${got.losses} vs ${want.losses}`);
        if (!(want.losses[2]! < want.losses[0]!)) throw new Error(`training did not reduce the loss: ${want.losses}`);
      });
      if (oracle.liveTensors() !== 0) throw new Error(`the cpu backend leaked ${oracle.liveTensors()} tensors`);
    });
  });
  return figures;
};
