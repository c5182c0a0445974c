import type { HostQuadrics } from './quadrics.js';

/** Solves the small symmetric positive definite system A y = r in place (Cholesky); false if singular. */
const solveSpd = (a: Float64Array, r: Float64Array, m: number): boolean => {
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j]!;
    for (let k = 0; k < j; k++) d -= a[j * m + k]! ** 2;
    if (!(d > 1e-24)) return false;
    d = Math.sqrt(d);
    a[j * m + j] = d;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= a[i * m + k]! * a[j * m + k]!;
      a[i * m + j] = s / d;
    }
  }
  for (let i = 0; i < m; i++) {
    let s = r[i]!;
    for (let k = 0; k < i; k++) s -= a[i * m + k]! * r[k]!;
    r[i] = s / a[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = r[i]!;
    for (let k = i + 1; k < m; k++) s -= a[k * m + i]! * r[k]!;
    r[i] = s / a[i * m + i]!;
  }
  return true;
};

/**
 * The point of the model's variety {x : Q_i(x) = 0 for all i} near each seed point, by Gauss–Newton
 * (x ← x − Jᵀ(JJᵀ)⁻¹Q with J the stacked gradients), in float64 on the host: for drawing fitted
 * curves. `undefined` where it does not converge within `maxStep` of the seed.
 */
export const projectToVariety = (h: HostQuadrics, seeds: readonly (readonly number[])[], maxStep = 0.5): (number[] | undefined)[] => {
  const { n, m } = h;
  const q = new Float64Array(m);
  const g = new Float64Array(m * n);
  const evaluate = (x: readonly number[]): void => {
    for (let i = 0; i < m; i++) {
      let v = h.free[i]!;
      for (let j = 0; j < n; j++) {
        let sx = 0;
        for (let k = 0; k < n; k++) sx += h.quadratic[(i * n + j) * n + k]! * x[k]!;
        v += x[j]! * (sx + h.linear[i * n + j]!);
        g[i * n + j] = 2 * sx + h.linear[i * n + j]!;
      }
      q[i] = v;
    }
  };
  return seeds.map((seed) => {
    const x = [...seed];
    for (let it = 0; it < 30; it++) {
      evaluate(x);
      const a = new Float64Array(m * m);
      for (let i = 0; i < m; i++) for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) a[i * m + k]! += g[i * n + j]! * g[k * n + j]!;
      const y = Float64Array.from(q);
      if (!solveSpd(a, y, m)) return undefined;
      for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) x[j]! -= g[i * n + j]! * y[i]!;
    }
    evaluate(x);
    const residual = q.reduce((s, v) => s + Math.abs(v), 0);
    const moved = Math.hypot(...x.map((v, j) => v - seed[j]!));
    return residual < 1e-9 && moved < maxStep ? x : undefined;
  });
};
