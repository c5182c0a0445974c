import { foldIn, normalValues, type Key } from '@quadrix/core';
import type { HostQuadrics } from '@quadrix/models';
import { argumentError, valueError } from './errors.js';
import type { Matrix } from './matrix.js';

/**
 * m random quadrics in R^n with known parameters (float64): S_i symmetric with N(0, 1/n) entries,
 * b_i with N(0, 1/n) entries, c_i = −(x₀ᵀS_i x₀ + b_iᵀx₀) for a random x₀ ~ N(0, I/4), so that
 * the variety they cut out passes through x₀ (returned as `point`) and is not empty.
 */
export const randomQuadrics = (
  key: Key,
  n: number,
  m: number,
): HostQuadrics & { quadratic: Float64Array; linear: Float64Array; free: Float64Array; point: Float64Array } => {
  if (!Number.isInteger(n) || n < 2 || !Number.isInteger(m) || m < 1 || m >= n) {
    throw argumentError('randomQuadrics', `needs integers n ≥ 2 and 1 ≤ m < n, got n = ${n}, m = ${m}`);
  }
  const g = normalValues(foldIn(key, 0), m * n * n);
  const quadratic = new Float64Array(m * n * n);
  const sd = 1 / Math.sqrt(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = j; k < n; k++) {
        const v = (g[(i * n + j) * n + k]! * sd) / (j === k ? 1 : Math.SQRT2);
        quadratic[(i * n + j) * n + k] = v;
        quadratic[(i * n + k) * n + j] = v;
      }
    }
  }
  const linear = normalValues(foldIn(key, 1), m * n).map((v) => v * sd);
  const x0 = normalValues(foldIn(key, 2), n).map((v) => v / 2);
  const free = new Float64Array(m);
  const q = { n, m, quadratic, linear, free };
  const v = quadricValues(q, x0);
  for (let i = 0; i < m; i++) free[i] = -v[i]!;
  return { ...q, point: x0 };
};

/** Q_i(x) for every quadric, in float64. */
export const quadricValues = (q: HostQuadrics, x: ArrayLike<number>): Float64Array => {
  const { n, m } = q;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = q.free[i]!;
    for (let j = 0; j < n; j++) {
      let row = q.linear[i * n + j]!;
      for (let k = 0; k < n; k++) row += q.quadratic[(i * n + j) * n + k]! * x[k]!;
      s += row * x[j]!;
    }
    out[i] = s;
  }
  return out;
};

/** The Jacobian [m, n] of the quadrics at x: row i is ∇Q_i(x) = 2 S_i x + b_i. */
export const quadricJacobian = (q: HostQuadrics, x: ArrayLike<number>): Float64Array => {
  const { n, m } = q;
  const J = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = q.linear[i * n + j]!;
      for (let k = 0; k < n; k++) s += 2 * q.quadratic[(i * n + j) * n + k]! * x[k]!;
      J[i * n + j] = s;
    }
  }
  return J;
};

/** Solves the m×m system A y = r in place (Gaussian elimination with partial pivoting); false if singular. */
const solveSmall = (A: Float64Array, r: Float64Array, m: number): boolean => {
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let i = c + 1; i < m; i++) if (Math.abs(A[i * m + c]!) > Math.abs(A[p * m + c]!)) p = i;
    if (Math.abs(A[p * m + c]!) < 1e-300) return false;
    if (p !== c) {
      for (let k = 0; k < m; k++) [A[c * m + k], A[p * m + k]] = [A[p * m + k]!, A[c * m + k]!];
      [r[c], r[p]] = [r[p]!, r[c]!];
    }
    for (let i = c + 1; i < m; i++) {
      const f = A[i * m + c]! / A[c * m + c]!;
      for (let k = c; k < m; k++) A[i * m + k]! -= f * A[c * m + k]!;
      r[i]! -= f * r[c]!;
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    let s = r[c]!;
    for (let k = c + 1; k < m; k++) s -= A[c * m + k]! * r[k]!;
    r[c] = s / A[c * m + c]!;
  }
  return true;
};

/**
 * Moves x onto the variety {Q = 0} by Gauss–Newton steps x ← x − Jᵀ(JJᵀ)⁻¹Q(x) (the minimum-norm
 * correction, so x lands near where it started). Returns false when it does not converge.
 */
export const projectOntoVariety = (q: HostQuadrics, x: Float64Array, { steps = 30, tolerance = 1e-12 } = {}): boolean => {
  const { n, m } = q;
  for (let s = 0; s < steps; s++) {
    const v = quadricValues(q, x);
    let worst = 0;
    for (const e of v) worst = Math.max(worst, Math.abs(e));
    if (worst < tolerance) return true;
    const J = quadricJacobian(q, x);
    const JJ = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < m; k++) {
        let t = 0;
        for (let j = 0; j < n; j++) t += J[i * n + j]! * J[k * n + j]!;
        JJ[i * m + k] = t;
      }
    }
    if (!solveSmall(JJ, v, m)) return false;
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let i = 0; i < m; i++) t += J[i * n + j]! * v[i]!;
      x[j]! -= t;
    }
    if (!x.every(Number.isFinite)) return false;
  }
  const v = quadricValues(q, x);
  return v.every((e) => Math.abs(e) < tolerance);
};

export interface SyntheticOptions {
  /** ambient dimension (default 16) */
  readonly n?: number;
  /** number of quadrics (default 4): the variety has dimension n − m */
  readonly m?: number;
  readonly train?: number;
  readonly inliers?: number;
  readonly outliers?: number;
  /** outliers are points of the variety moved off it along a normal direction by this much (default 0.25) */
  readonly offset?: number;
  /** inliers get Gaussian noise of this standard deviation per coordinate (default 0) */
  readonly noise?: number;
}

export interface SyntheticBenchmark {
  readonly quadrics: HostQuadrics;
  readonly train: Matrix;
  readonly inliers: Matrix;
  readonly outliers: Matrix;
}

/**
 * A benchmark with ground truth: points on the intersection of m random quadrics in R^n, drawn by
 * projecting Gaussian points (centred on a point of the variety) onto it with Gauss–Newton steps;
 * outliers are further points of the variety pushed off it by `offset` along a random unit normal
 * (a combination of the gradients), so they lie in the same region as the inliers: their first and
 * second moments are close to the inliers', which a linear method cannot tell apart.
 */
export const syntheticBenchmark = (key: Key, o: SyntheticOptions = {}): SyntheticBenchmark => {
  const n = o.n ?? 16;
  const m = o.m ?? 4;
  const sizes = { train: o.train ?? 1000, inliers: o.inliers ?? 300, outliers: o.outliers ?? 300 };
  const offset = o.offset ?? 0.25;
  const noise = o.noise ?? 0;
  const quadrics = randomQuadrics(foldIn(key, 0), n, m);
  // the point the variety was made to pass through is the centre of the sampled region
  const centre = quadrics.point;
  let draws = 0;
  let seq = 0;
  const stream = foldIn(key, 1);
  const onVariety = (): Float64Array => {
    for (;;) {
      if (draws++ > 50 * (sizes.train + sizes.inliers + sizes.outliers) + 1000) {
        throw valueError('syntheticBenchmark', 'Gauss–Newton projection keeps failing for these quadrics');
      }
      const g = normalValues(foldIn(stream, seq++), n);
      const x = Float64Array.from(g, (v, j) => centre[j]! + v);
      if (projectOntoVariety(quadrics, x)) return x;
    }
  };
  const make = (count: number, kind: 'inlier' | 'outlier'): Matrix => {
    const data = new Float64Array(count * n);
    for (let r = 0; r < count; r++) {
      const x = onVariety();
      const extra = normalValues(foldIn(stream, seq++), Math.max(n, m));
      if (kind === 'outlier') {
        // a random unit vector in the row space of the Jacobian: normal to the variety at x
        const J = quadricJacobian(quadrics, x);
        const dir = new Float64Array(n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) dir[j]! += extra[i]! * J[i * n + j]!;
        const len = Math.hypot(...dir);
        for (let j = 0; j < n; j++) x[j]! += (offset * dir[j]!) / len;
      } else if (noise > 0) {
        for (let j = 0; j < n; j++) x[j]! += noise * extra[j]!;
      }
      data.set(x, r * n);
    }
    return { rows: count, cols: n, data };
  };
  return { quadrics, train: make(sizes.train, 'inlier'), inliers: make(sizes.inliers, 'inlier'), outliers: make(sizes.outliers, 'outlier') };
};
