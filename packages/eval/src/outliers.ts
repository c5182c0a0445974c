import { foldIn, permutation, randomKey } from '@quadrix/core';
import { argumentError } from './errors.js';
import { checkMatrix, type Matrix } from './matrix.js';
import { rocAuc, rocCurve, type RocCurve } from './roc.js';
import type { Scorer } from './scorers.js';
import { meanWithHalfWidth, takeValuesOrdered } from './stats.js';

/** One random draw of the protocol: which held-out inliers and which outliers make the sample. */
export interface Draw {
  readonly inliers: Int32Array;
  readonly outliers: Int32Array;
}

/**
 * Sample sizes for a draw in which outliers make `proportion` of the sample, as large as the
 * available points allow: o = min(outliers, round(inliers·p/(1 − p))) (at least 1), then
 * i = min(inliers, round(o·(1 − p)/p)).
 */
export const drawSizes = (inliers: number, outliers: number, proportion: number): { inliers: number; outliers: number } => {
  if (!(proportion > 0 && proportion < 1)) throw argumentError('outlierDetection', `the proportion of outliers must be in (0, 1), got ${proportion}`);
  if (inliers < 1 || outliers < 1) throw argumentError('outlierDetection', `needs inliers and outliers, got ${inliers} and ${outliers}`);
  const o = Math.max(1, Math.min(outliers, Math.round((inliers * proportion) / (1 - proportion))));
  const i = Math.max(1, Math.min(inliers, Math.round((o * (1 - proportion)) / proportion)));
  return { inliers: i, outliers: o };
};

/**
 * `experiments` random draws without replacement (seeded: draw j uses foldIn(key(seed), j)), the
 * same for every method so that methods are compared on the same samples.
 */
export const drawSamples = (
  inliers: number,
  outliers: number,
  { experiments = 10, proportion = 0.01, seed = 0 }: { experiments?: number; proportion?: number; seed?: number } = {},
): Draw[] => {
  if (!Number.isInteger(experiments) || experiments < 1) throw argumentError('outlierDetection', `experiments must be a positive integer, got ${experiments}`);
  const size = drawSizes(inliers, outliers, proportion);
  const key = randomKey(seed);
  return Array.from({ length: experiments }, (_, j) => {
    const k = foldIn(key, j);
    return {
      inliers: permutation(foldIn(k, 0), inliers).slice(0, size.inliers),
      outliers: permutation(foldIn(k, 1), outliers).slice(0, size.outliers),
    };
  });
};

/** The ROC-AUC of every draw, outliers being the positive class. */
export const aucOverDraws = (inlierScores: ArrayLike<number>, outlierScores: ArrayLike<number>, draws: readonly Draw[]): Float64Array =>
  Float64Array.from(draws, (d) => rocAuc(takeValuesOrdered(outlierScores, d.outliers), takeValuesOrdered(inlierScores, d.inliers)));

export interface MethodResult {
  readonly name: string;
  /** ROC-AUC of each draw */
  readonly aucs: Float64Array;
  readonly mean: number;
  readonly std: number;
  /** 1.96·std/√n: the half-width of the 95 % interval */
  readonly halfWidth: number;
  /** ROC-AUC on all held-out inliers against all outliers */
  readonly fullAuc: number;
  /** the ROC curve of the full sets (for plots) */
  readonly curve: RocCurve;
  readonly inlierScores: Float64Array;
  readonly outlierScores: Float64Array;
  readonly fitSeconds: number;
}

export interface OutlierDetectionOptions {
  readonly scorers: readonly Scorer[];
  /** in-distribution training points */
  readonly train: Matrix;
  /** held-out in-distribution points */
  readonly inliers: Matrix;
  readonly outliers: Matrix;
  /** random draws (the paper: 10) */
  readonly experiments?: number;
  /** the share of outliers in each sample (the paper: 0.01) */
  readonly proportion?: number;
  readonly seed?: number;
  /** called when a method starts fitting and when it is done */
  readonly onProgress?: (event: { method: string; stage: 'fit' | 'score' | 'done'; seconds?: number }) => void;
}

export interface OutlierDetectionResult {
  readonly methods: readonly MethodResult[];
  /** the sample size of every draw */
  readonly sample: { readonly inliers: number; readonly outliers: number };
  readonly experiments: number;
  readonly proportion: number;
  /** the draws, the same for every method */
  readonly draws: readonly Draw[];
}

/**
 * The paper's outlier-detection protocol (its Table 1): every scorer is fitted on `train`, scores the
 * held-out inliers and the outliers once, and the ROC-AUC is taken over `experiments` random draws
 * in which outliers make `proportion` of the sample; reported as mean and 1.96·std/√n.
 */
export const outlierDetection = async (o: OutlierDetectionOptions): Promise<OutlierDetectionResult> => {
  checkMatrix('outlierDetection', 'train', o.train);
  checkMatrix('outlierDetection', 'inliers', o.inliers);
  checkMatrix('outlierDetection', 'outliers', o.outliers);
  if (o.inliers.cols !== o.train.cols || o.outliers.cols !== o.train.cols) {
    throw argumentError('outlierDetection', `dimensions differ: train ${o.train.cols}, inliers ${o.inliers.cols}, outliers ${o.outliers.cols}`);
  }
  if (o.scorers.length === 0) throw argumentError('outlierDetection', 'no methods to evaluate');
  const experiments = o.experiments ?? 10;
  const proportion = o.proportion ?? 0.01;
  const draws = drawSamples(o.inliers.rows, o.outliers.rows, { experiments, proportion, seed: o.seed ?? 0 });
  const methods: MethodResult[] = [];
  for (const scorer of o.scorers) {
    o.onProgress?.({ method: scorer.name, stage: 'fit' });
    const t0 = performance.now();
    await scorer.fit(o.train);
    const fitSeconds = (performance.now() - t0) / 1000;
    o.onProgress?.({ method: scorer.name, stage: 'score', seconds: fitSeconds });
    const inlierScores = await scorer.score(o.inliers);
    const outlierScores = await scorer.score(o.outliers);
    const aucs = aucOverDraws(inlierScores, outlierScores, draws);
    const stats = meanWithHalfWidth(aucs);
    methods.push({
      name: scorer.name,
      aucs,
      mean: stats.mean,
      std: stats.std,
      halfWidth: stats.halfWidth,
      fullAuc: rocAuc(outlierScores, inlierScores),
      curve: rocCurve(outlierScores, inlierScores),
      inlierScores,
      outlierScores,
      fitSeconds,
    });
    o.onProgress?.({ method: scorer.name, stage: 'done', seconds: (performance.now() - t0) / 1000 });
  }
  return { methods, sample: { inliers: draws[0]!.inliers.length, outliers: draws[0]!.outliers.length }, experiments, proportion, draws };
};
