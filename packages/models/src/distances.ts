import {
  abs, add, compare, div, maximum, mul, sqrt, where, type DType, type Tensor,
} from '@quadrix/core';

/** The distances of the paper and the reference implementation. */
export type Distance = 'dist0' | 'dist1' | 'dist2' | 'dist2_full';

export const DISTANCES: readonly Distance[] = ['dist0', 'dist1', 'dist2', 'dist2_full'];

export const isDistance = (d: unknown): d is Distance => DISTANCES.includes(d as Distance);

/**
 * Denominators are kept above √(smallest normal): a quotient stays finite for any |Q| we can meet,
 * and so does its gradient.
 */
const floorOf = (dtype: DType): number => (dtype === 'float32' ? 2 ** -63 : 2 ** -511);

/** sqrt with value and gradient 0 at 0 (instead of an infinite slope that would poison a loss). */
const safeSqrt = (x: Tensor): Tensor => {
  const positive = compare(x, 0, 'greater');
  return where(positive, sqrt(where(positive, x, 1)), 0);
};

/**
 * Per-quadric distances [B, m] from the values Q [B, m], squared gradient norms G [B, m] and the
 * Frobenius norms ‖S_i‖ [m] (used by dist2 only).
 *
 * dist2 is the positive root of ‖S‖d² + ‖∇Q‖d − |Q| = 0, computed in the rationalised form
 * |Q| / (sqrt(‖∇Q‖²/4 + |Q|‖S‖) + ‖∇Q‖/2): the same number without the cancellation of
 * sqrt(g²/4 + |Q|‖S‖) − g/2, never negative, and equal to dist1 in the limit ‖S‖ → 0. It also
 * makes dist2 ≤ dist1 hold exactly.
 */
export const distanceFrom = (distance: Distance, q: Tensor, gradSq: Tensor, sNorm: Tensor | number): Tensor => {
  const aq = abs(q);
  if (distance === 'dist0') return aq;
  const floor = floorOf(q.dtype);
  const g = safeSqrt(gradSq);
  if (distance === 'dist1') return div(aq, maximum(g, floor));
  const s = distance === 'dist2_full' ? 1 : sNorm;
  const root = safeSqrt(add(div(gradSq, 4), mul(aq, s)));
  return div(aq, maximum(add(root, div(g, 2)), floor));
};
