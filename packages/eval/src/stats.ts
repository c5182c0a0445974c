import { argumentError, valueError } from './errors.js';

/** Arithmetic mean (NaN for no values, as NumPy). */
export const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
};

/** Population standard deviation (NumPy's `std` with ddof = 0). */
export const std = (xs: ArrayLike<number>): number => {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / xs.length);
};

/** Mean and the half-width 1.96·std/√n of the 95 % interval, as the paper reports its tables. */
export const meanWithHalfWidth = (xs: ArrayLike<number>): { mean: number; halfWidth: number; std: number; n: number } => {
  if (xs.length === 0) throw argumentError('meanWithHalfWidth', 'no values');
  const s = std(xs);
  return { mean: mean(xs), std: s, halfWidth: (1.96 * s) / Math.sqrt(xs.length), n: xs.length };
};

/**
 * The q-quantile of `values` with NumPy's default (linear) method: h = (n − 1)·q, interpolating
 * between the order statistics around h with NumPy's `_lerp` (so results agree to the last bit).
 */
export const quantile = (values: ArrayLike<number>, q: number): number => {
  if (!(q >= 0 && q <= 1)) throw argumentError('quantile', `the level must be in [0, 1], got ${q}`);
  if (values.length === 0) throw argumentError('quantile', 'no values');
  const sorted = Float64Array.from(values).sort();
  if (Number.isNaN(sorted[sorted.length - 1])) throw valueError('quantile', 'the values contain NaN');
  return quantileSorted(sorted, q);
};

/** `quantile` on values already sorted ascending. */
export const quantileSorted = (sorted: ArrayLike<number>, q: number): number => {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const t = h - lo;
  const a = sorted[lo]!;
  if (lo + 1 >= sorted.length) return a;
  const b = sorted[lo + 1]!;
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
};

/** Throws unless every value is finite, naming the first bad one. */
export const checkFiniteValues = (op: string, what: string, xs: ArrayLike<number>): void => {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!)) throw valueError(op, `${what}[${i}] is ${xs[i]}`);
  }
};

/** `values[idx[k]]` for every k, as a Float64Array. */
export const takeValuesOrdered = (values: ArrayLike<number>, idx: ArrayLike<number>): Float64Array =>
  Float64Array.from({ length: idx.length }, (_, k) => values[idx[k]!]!);
