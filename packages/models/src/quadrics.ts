import {
  QuadrixError, add, cast, div, eye, fmtShape, matmul, matrixTranspose, mean, mul, norm, orthonormalValues,
  quadric, reshape, slice, splitKey, sub, sum, sumSquares, tensor, uniformValues, data,
  type Backend, type DType, type FloatArray, type Key, type Tensor,
} from '@quadrix/core';
import { distanceFrom, type Distance } from './distances.js';

/**
 * The trainable parameters of m quadrics in R^n. `quadratic` [m, n, n] holds W_i with
 * S_i = (W_i + W_iᵀ)/2: an SGD step on W is then exactly an SGD step on the reference's packed
 * coordinates (DESIGN.md, "Matching the reference's training trajectory"). `linear` [m, n] holds
 * b_i, `free` [m] holds c_i.
 */
export interface QuadricParams {
  readonly quadratic: Tensor;
  readonly linear: Tensor;
  readonly free: Tensor;
}

export interface InitOptions {
  readonly backend?: Backend;
  readonly dtype?: DType;
}

/** Index of the monomial x_j x_k (j ≤ k) in the reference's packed layout. */
export const packedRow = (n: number, j: number, k: number): number => j * n - (j * (j - 1)) / 2 + (k - j);

/**
 * Unpacks reference coordinates q [n(n+1)/2, m] (row-major, column i = quadric i) into symmetric
 * S [m, n, n]: S_jj = q, S_jk = S_kj = q/√2, so that Σ q² = ‖S‖²_F.
 */
export const unpackQuadratic = (q: ArrayLike<number>, n: number, m: number): Float64Array => {
  const s = new Float64Array(m * n * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = j; k < n; k++) {
        const v = q[packedRow(n, j, k) * m + i]!;
        const w = j === k ? v : v / Math.SQRT2;
        s[(i * n + j) * n + k] = w;
        s[(i * n + k) * n + j] = w;
      }
    }
  }
  return s;
};

/** The inverse of `unpackQuadratic` (symmetrising first): q [n(n+1)/2, m]. */
export const packQuadratic = (s: ArrayLike<number>, n: number, m: number): Float64Array => {
  const q = new Float64Array(((n * (n + 1)) / 2) * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = j; k < n; k++) {
        const sym = (s[(i * n + j) * n + k]! + s[(i * n + k) * n + j]!) / 2;
        q[packedRow(n, j, k) * m + i] = j === k ? sym : sym * Math.SQRT2;
      }
    }
  }
  return q;
};

export const checkSizes = (op: string, n: number, m: number): void => {
  if (!Number.isInteger(n) || n < 1) throw new QuadrixError('argument', `${op}: the dimension n must be a positive integer, got ${n}`);
  if (!Number.isInteger(m) || m < 1) throw new QuadrixError('argument', `${op}: the number of quadrics m must be a positive integer, got ${m}`);
  const p = (n * (n + 1)) / 2;
  if (m > p) {
    throw new QuadrixError('argument', `${op}: ${m} quadrics cannot be Hilbert–Schmidt orthonormal in dimension ${n} (at most n(n+1)/2 = ${p})`);
  }
};

/**
 * Hilbert–Schmidt orthonormal quadratic parts (orthonormal columns in the packed coordinates, as
 * the reference's orthogonal initialisation), b and c uniform in [-1, 1). Drawn on the host in
 * float64 from `key`, so the same key gives the same model on every backend.
 */
export const initQuadrics = (key: Key, n: number, m: number, opts: InitOptions = {}): QuadricParams => {
  checkSizes('initQuadrics', n, m);
  const [kq, kb, kc] = splitKey(key, 3) as [Key, Key, Key];
  const p = (n * (n + 1)) / 2;
  return fromHost(
    {
      n,
      m,
      quadratic: unpackQuadratic(orthonormalValues(kq, p, m), n, m),
      linear: uniformValues(kb, m * n, -1, 1),
      free: uniformValues(kc, m, -1, 1),
    },
    opts,
  );
};

/** Parameters as host arrays (row-major, float64), the form files and interop use. */
export interface HostQuadrics {
  readonly n: number;
  readonly m: number;
  readonly quadratic: ArrayLike<number>;
  readonly linear: ArrayLike<number>;
  readonly free: ArrayLike<number>;
}

export const fromHost = (h: HostQuadrics, opts: InitOptions = {}): QuadricParams => {
  const { n, m } = h;
  const expect = (name: string, got: number, want: number): void => {
    if (got !== want) throw new QuadrixError('shape', `${name}: ${got} values for n = ${n}, m = ${m} (expected ${want})`);
  };
  expect('quadratic', h.quadratic.length, m * n * n);
  expect('linear', h.linear.length, m * n);
  expect('free', h.free.length, m);
  const o = { dtype: opts.dtype ?? 'float32', ...(opts.backend ? { backend: opts.backend } : {}) } as const;
  return {
    quadratic: tensor(h.quadratic, { ...o, shape: [m, n, n] }),
    linear: tensor(h.linear, { ...o, shape: [m, n] }),
    free: tensor(h.free, { ...o, shape: [m] }),
  };
};

/** Host copies of the parameters, in their own dtype (exact). */
export const toHost = async (p: QuadricParams): Promise<HostQuadrics & { readonly quadratic: FloatArray; readonly linear: FloatArray; readonly free: FloatArray }> => {
  const { n, m } = sizesOf(p);
  return { n, m, quadratic: await data(p.quadratic), linear: await data(p.linear), free: await data(p.free) };
};

export const sizesOf = (p: QuadricParams): { n: number; m: number } => ({ m: p.quadratic.shape[0]!, n: p.quadratic.shape[1]! });

/** S = (W + Wᵀ)/2. */
export const symmetricPart = (w: Tensor): Tensor => div(add(w, matrixTranspose(w)), 2);

/** Checks that X is [B, n] for this model and brings it to the parameters' dtype. */
const asData = (p: QuadricParams, x: Tensor): Tensor => {
  const { n } = sizesOf(p);
  if (x.rank !== 2 || x.shape[1] !== n) {
    throw new QuadrixError('shape', `the data has shape ${fmtShape(x.shape)} but the model expects points of dimension ${n} ([B, ${n}])`);
  }
  return cast(x, p.quadratic.dtype);
};

/**
 * How values and gradient norms are computed: the fused primitive (default), or its composed
 * specification `quadricComposed` (for benchmarks and backend research).
 */
export type QuadricKernel = typeof quadric;

/** Values Q [B, m] and squared gradient norms ‖∇Q‖² [B, m] at the rows of X. */
export const evaluate = (
  p: QuadricParams,
  x: Tensor,
  s: Tensor = symmetricPart(p.quadratic),
  kernel: QuadricKernel = quadric,
): { values: Tensor; gradSq: Tensor } => {
  const out = kernel(asData(p, x), s, p.linear, p.free);
  const [, B, m] = out.shape as [number, number, number];
  return {
    values: reshape(slice(out, [0, 0, 0], [1, B, m]), [B, m]),
    gradSq: reshape(slice(out, [1, 0, 0], [1, B, m]), [B, m]),
  };
};

/** Per-quadric distances [B, m] of the rows of X. */
export const distances = (p: QuadricParams, x: Tensor, distance: Distance, kernel: QuadricKernel = quadric): Tensor => {
  const s = symmetricPart(p.quadratic);
  const { values, gradSq } = evaluate(p, x, s, kernel);
  return distanceFrom(distance, values, gradSq, distance === 'dist2' ? norm(s, [1, 2]) : 1);
};

/** The outlier score [B]: the sum over quadrics of the per-quadric distances. */
export const score = (p: QuadricParams, x: Tensor, distance: Distance, kernel: QuadricKernel = quadric): Tensor =>
  sum(distances(p, x, distance, kernel), 1);

/** ‖GᵀG − I‖²_F with column i of G the flattened S_i: zero iff the S_i are HS-orthonormal. */
export const stiefelError = (p: QuadricParams, s: Tensor = symmetricPart(p.quadratic)): Tensor => {
  const { n, m } = sizesOf(p);
  const g = reshape(s, [m, n * n]);
  return sumSquares(sub(matmul(g, matrixTranspose(g)), eye(m, { dtype: s.dtype, backend: s.backend })));
};

export interface LossOptions {
  readonly distance: Distance;
  /** weight of the Stiefel penalty (reference: 1) */
  readonly lambda: number;
  readonly kernel?: QuadricKernel;
}

/**
 * The training loss of the reference: mean over points of the sum over quadrics of the distance
 * (for dist0 the mean over both), plus λ‖GᵀG − I‖²_F.
 */
export const loss = (p: QuadricParams, x: Tensor, { distance, lambda, kernel = quadric }: LossOptions): Tensor => {
  const s = symmetricPart(p.quadratic);
  const { values, gradSq } = evaluate(p, x, s, kernel);
  const d = distanceFrom(distance, values, gradSq, distance === 'dist2' ? norm(s, [1, 2]) : 1);
  const fit = distance === 'dist0' ? mean(d) : mean(sum(d, 1));
  return lambda === 0 ? fit : add(fit, mul(stiefelError(p, s), lambda));
};
