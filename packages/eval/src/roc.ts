import { argumentError } from './errors.js';
import { checkFiniteValues } from './stats.js';

/**
 * Scores of the two classes: `positive` are the ones to detect (outliers, higher score = more
 * outlying), `negative` the others (inliers).
 */
export interface TwoClassScores {
  readonly positive: ArrayLike<number>;
  readonly negative: ArrayLike<number>;
}

const check = (op: string, { positive, negative }: TwoClassScores): void => {
  if (positive.length === 0 || negative.length === 0) {
    throw argumentError(op, `needs scores of both classes (got ${positive.length} positive and ${negative.length} negative); ROC-AUC is undefined otherwise`);
  }
  checkFiniteValues(op, 'positive', positive);
  checkFiniteValues(op, 'negative', negative);
};

/**
 * Area under the ROC curve, as scikit-learn's `roc_auc_score(y, s)` with y = 1 on `positive`:
 * the Mann–Whitney statistic with tied scores given the average of their ranks, i.e. the
 * probability that a random positive scores above a random negative, ties counting one half.
 */
export const rocAuc = (positive: ArrayLike<number>, negative: ArrayLike<number>): number => {
  check('rocAuc', { positive, negative });
  const nP = positive.length;
  const nN = negative.length;
  const n = nP + nN;
  const scores = new Float64Array(n);
  scores.set(positive instanceof Float64Array ? positive : Float64Array.from(positive), 0);
  for (let i = 0; i < nN; i++) scores[nP + i] = negative[i]!;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Sum of the (1-based, tie-averaged) ranks of the positives.
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const avgRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (order[k]! < nP) rankSum += avgRank;
    start = end;
  }
  return (rankSum - (nP * (nP + 1)) / 2) / (nP * nN);
};

/** `rocAuc` from labels (1 or true = positive) and scores, in scikit-learn's argument order. */
export const rocAucLabeled = (labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number => {
  if (labels.length !== scores.length) throw argumentError('rocAucLabeled', `${labels.length} labels but ${scores.length} scores`);
  const positive: number[] = [];
  const negative: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 || labels[i] === true ? positive : negative).push(scores[i]!);
  return rocAuc(positive, negative);
};

/**
 * The ROC curve: one point per distinct score t (descending), where a point is declared positive
 * when its score is ≥ t, preceded by (0, 0) at t = +∞. As scikit-learn's `roc_curve` with
 * `drop_intermediate=False`.
 */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

export const rocCurve = (positive: ArrayLike<number>, negative: ArrayLike<number>): RocCurve => {
  check('rocCurve', { positive, negative });
  const items: [number, number][] = [];
  for (let i = 0; i < positive.length; i++) items.push([positive[i]!, 1]);
  for (let i = 0; i < negative.length; i++) items.push([negative[i]!, 0]);
  items.sort((a, b) => b[0] - a[0]);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < items.length; ) {
    const t = items[k]![0];
    while (k < items.length && items[k]![0] === t) {
      if (items[k]![1] === 1) tp++;
      else fp++;
      k++;
    }
    fpr.push(fp / negative.length);
    tpr.push(tp / positive.length);
    thresholds.push(t);
  }
  return { fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr), thresholds: Float64Array.from(thresholds) };
};

/** Area under a curve given by points (trapezoids), e.g. `areaUnder(curve.fpr, curve.tpr)`. */
export const areaUnder = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return a;
};

/**
 * The operating point for a target false-positive rate: the lowest threshold t (scores ≥ t are
 * declared positive) whose false-positive rate does not exceed `fpr`, with the rates it gives.
 */
export const thresholdAtFpr = (
  positive: ArrayLike<number>,
  negative: ArrayLike<number>,
  fpr: number,
): { threshold: number; fpr: number; tpr: number } => {
  if (!(fpr >= 0 && fpr <= 1)) throw argumentError('thresholdAtFpr', `the false-positive rate must be in [0, 1], got ${fpr}`);
  const curve = rocCurve(positive, negative);
  let best = 0;
  for (let i = 0; i < curve.fpr.length; i++) if (curve.fpr[i]! <= fpr) best = i;
  return { threshold: curve.thresholds[best]!, fpr: curve.fpr[best]!, tpr: curve.tpr[best]! };
};
