// `pnpm bench`: the quadric training step and scoring, fused kernel vs composed primitives, on
// every backend available here; prints a table of ms and GFLOP/s (not a test: nothing asserted).
import { data, dispose, normal, quadric, quadricComposed, randomKey, splitKey, tidy, valueAndGrad, type Backend } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { initQuadrics, loss, score, type QuadricKernel, type QuadricParams } from '@quadrix/models';

const B = 256;
const SIZES: readonly [number, number][] = [[32, 10], [32, 100], [128, 10], [128, 100], [512, 10], [512, 100]];
const BUDGET_MS = Number(process.env.QUADRIX_BENCH_MS ?? 1500);

/** Median wall time of `fn` over repeats that fit the budget (at least 1 after a warm-up call). */
const time = async (fn: () => Promise<void>): Promise<number> => {
  await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < BUDGET_MS && times.length < 50)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    if (times[0]! > BUDGET_MS) break;
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
};

const row = async (backend: Backend, n: number, m: number, kernel: QuadricKernel) => {
  const [kp, kx] = splitKey(randomKey(n * 1000 + m));
  const params: QuadricParams = initQuadrics(kp!, n, m, { backend });
  const x = tidy(() => normal(kx!, [B, n], { backend, std: 1 / Math.sqrt(n) }));
  const step = valueAndGrad((p: QuadricParams) => loss(p, x, { distance: 'dist2', lambda: 1, kernel }));
  const scoreMs = await time(async () => {
    const s = tidy(() => score(params, x, 'dist2', kernel));
    await data(s);
    dispose(s);
  });
  const stepMs = await time(async () => {
    const { value, grads } = step(params);
    await data(value);
    await Promise.all([data(grads.quadratic), data(grads.linear), data(grads.free)]);
    dispose([value, grads]);
  });
  dispose([params, x]);
  return { scoreMs, stepMs };
};

const forwardFlops = (n: number, m: number): number => 2 * B * n * n * m;

const backends: Backend[] = [cpuBackend()];
console.log(`quadric kernel, B = ${B}, float32, dist2 loss with Stiefel penalty; median of repeats`);
console.log('| backend | n | m | kernel | score ms | score GFLOP/s | train step ms | step GFLOP/s | fused speed-up (step) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const backend of backends) {
  for (const [n, m] of SIZES) {
    const fused = await row(backend, n, m, quadric);
    const composed = await row(backend, n, m, quadricComposed);
    for (const [name, r] of [['fused', fused], ['composed', composed]] as const) {
      const gf = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(2);
      console.log(
        `| ${backend.name} | ${n} | ${m} | ${name} | ${r.scoreMs.toFixed(2)} | ${gf(forwardFlops(n, m), r.scoreMs)} | ` +
          `${r.stepMs.toFixed(2)} | ${gf(3 * forwardFlops(n, m), r.stepMs)} | ${name === 'fused' ? (composed.stepMs / fused.stepMs).toFixed(2) + '×' : ''} |`,
      );
    }
  }
}
console.log('GFLOP/s count 2·B·n²·m flops per scoring pass and three times that per training step.');
