import { add, compare, div, maximum, minimum, mul, sub, where, type Tensor } from '@quadrix/core';

/**
 * The transformations of the reference's `similarity_transformed`: s is the cosine similarity
 * ⟨x, y⟩ of (normalised) embeddings, o(x) and o(y) their features (outlier scores), α the parameter.
 *
 * | name | s_α(x, y) |
 * |---|---|
 * | dot_product | s − α·o(x)·o(y) |
 * | max | s − α·max(o(x), o(y)) |
 * | min | s − α·min(o(x), o(y)) |
 * | fraction | s / (1 + α·min(o(x), o(y))) |
 * | multiplication | s·(1 − α·min(o(x), o(y))) |
 * | sum | s − α·(o(x) − o(y)) (a difference, as in the reference) |
 * | sum_threshold | s if o(x) + o(y) < α, else 0 |
 * | max_threshold | s if max(o(x), o(y)) < α, else 0 |
 * | min_threshold | s if min(o(x), o(y)) < α, else 0 |
 * | max_threshold_below | s if max(o(x), o(y)) > α, else 0 |
 * | min_threshold_below | s if min(o(x), o(y)) > α, else 0 |
 */
export const TRANSFORMS = [
  'dot_product', 'max', 'min', 'fraction', 'multiplication', 'sum',
  'sum_threshold', 'max_threshold', 'min_threshold', 'max_threshold_below', 'min_threshold_below',
] as const;

export type Transform = (typeof TRANSFORMS)[number];

export const isTransform = (t: unknown): t is Transform => TRANSFORMS.includes(t as Transform);

/** The transformations that zero a similarity past a threshold α on the features. */
export const isThresholdTransform = (t: Transform): boolean => t.includes('threshold');

/**
 * The transformed similarity of a block on the backend: `s` [B, C] the cosine similarities, `fa`
 * [B, 1] the features of the rows, `fb` [1, C] those of the columns.
 */
export const transformSimilarity = (s: Tensor, fa: Tensor, fb: Tensor, transform: Transform, alpha: number): Tensor => {
  switch (transform) {
    case 'dot_product':
      return sub(s, mul(mul(fa, fb), alpha));
    case 'max':
      return sub(s, mul(maximum(fa, fb), alpha));
    case 'min':
      return sub(s, mul(minimum(fa, fb), alpha));
    case 'fraction':
      return div(s, add(mul(minimum(fa, fb), alpha), 1));
    case 'multiplication':
      return mul(s, sub(1, mul(minimum(fa, fb), alpha)));
    case 'sum':
      return sub(s, mul(sub(fa, fb), alpha));
    case 'sum_threshold':
      return where(compare(add(fa, fb), alpha, 'less'), s, 0);
    case 'max_threshold':
      return where(compare(maximum(fa, fb), alpha, 'less'), s, 0);
    case 'min_threshold':
      return where(compare(minimum(fa, fb), alpha, 'less'), s, 0);
    case 'max_threshold_below':
      return where(compare(maximum(fa, fb), alpha, 'greater'), s, 0);
    case 'min_threshold_below':
      return where(compare(minimum(fa, fb), alpha, 'greater'), s, 0);
  }
};
