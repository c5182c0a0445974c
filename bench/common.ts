// What the benchmark's processes share: the problem (same seed, same parameters and points on every
// backend and in TensorFlow.js) and the timing policy.
import { dispose, normal, randomKey, splitKey, tidy, type Backend } from '@quadrix/core';
import { initQuadrics, type QuadricParams } from '@quadrix/models';

export const B = 256;
export const LAMBDA = 1;
export const BUDGET_MS = Number(process.env.QUADRIX_BENCH_MS ?? 1500);

/**
 * Wall time of `fn` over repeats that fit the budget (at least 3 after a warm-up call): the median,
 * and the minimum, which other processes on a shared machine can only push up.
 */
export const timeBoth = async (fn: () => Promise<void>): Promise<{ median: number; min: number }> => {
  await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < BUDGET_MS && times.length < 50)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
};

/** Median wall time (see timeBoth). */
export const time = async (fn: () => Promise<void>): Promise<number> => (await timeBoth(fn)).median;

/** HS-orthonormal quadrics and B points with entries of size 1/√n, from a seed given by the size. */
export const problem = (backend: Backend, n: number, m: number): { params: QuadricParams; x: ReturnType<typeof normal> } => {
  const [kp, kx] = splitKey(randomKey(n * 1000 + m));
  const params = initQuadrics(kp!, n, m, { backend });
  const x = tidy(() => normal(kx!, [B, n], { backend, std: 1 / Math.sqrt(n) }));
  return { params, x };
};

/** Loss and gradients of one step, on the host. */
export interface StepResult {
  readonly loss: number;
  readonly quadratic: Float32Array;
  readonly linear: Float32Array;
  readonly free: Float32Array;
}

export const disposeProblem = (p: { params: QuadricParams; x: unknown }): void => dispose([p.params, p.x]);
