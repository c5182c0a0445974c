import { QuadrixError, fmtShape } from '../errors.js';
import { normalizeAxes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { compare, div, maximum, mul, neg, sqrt, where } from '../primitives/elementwise.js';
import { reshape, sum } from '../primitives/layout.js';
import { matmul } from '../primitives/matmul.js';

// Composite ops: built from primitives only, so every backend and the autodiff get them for free.

export const square = (x: Tensor): Tensor => mul(x, x);

export const minimum = (a: Tensor, b: Tensor): Tensor => neg(maximum(neg(a), neg(b)));

/** Mean over `axes` (default: all). The mean over zero elements is NaN, as in NumPy. */
export const mean = (x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor => {
  const ax = normalizeAxes('mean', axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  return div(sum(x, ax, keepDims), count);
};

export const sumSquares = (x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor =>
  sum(square(x), axes, keepDims);

/**
 * Euclidean norm over `axes` (default: all, i.e. the Frobenius norm of a matrix). Its gradient at a
 * zero vector is defined as zero rather than NaN, so that a norm can sit inside a loss safely.
 */
export const norm = (x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor => {
  const ss = sumSquares(x, axes, keepDims);
  const isZero = compare(ss, 0, 'equal');
  // sqrt of a positive stand-in keeps the derivative 1/(2·sqrt) finite where ss = 0.
  return where(isZero, 0, sqrt(where(isZero, 1, ss)));
};

/** ‖x‖_F over all elements. */
export const frobenius = (x: Tensor): Tensor => norm(x);

/** Outer product of two vectors: [m] × [n] → [m, n]. */
export const outer = (a: Tensor, b: Tensor): Tensor => {
  if (a.rank !== 1 || b.rank !== 1) {
    throw new QuadrixError('shape', `outer: expects two vectors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return mul(reshape(a, [a.shape[0]!, 1]), reshape(b, [1, b.shape[0]!]));
};

/** Inner product of two vectors. */
export const dot = (a: Tensor, b: Tensor): Tensor => {
  if (a.rank !== 1 || b.rank !== 1) {
    throw new QuadrixError('shape', `dot: expects two vectors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return matmul(a, b);
};
