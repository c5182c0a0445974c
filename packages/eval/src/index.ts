/**
 * @quadrix/eval: the paper's evaluation protocols, backend-agnostic (every function that computes
 * with tensors receives a backend). Metrics (ROC-AUC as scikit-learn, ROC curve, threshold at a
 * false-positive rate); outlier scorers (norm, PCA, one-class SVM, quadrics) and the
 * outlier-detection protocol; transformed similarities and the identification-rate protocol with α
 * by grid search; the synthetic benchmark; SVG charts; the experiments on the arcface-toy data.
 * Reading files is in `@quadrix/eval/node`.
 *
 * @packageDocumentation
 */
export { areaUnder, rocAuc, rocAucLabeled, rocCurve, thresholdAtFpr, type RocCurve, type TwoClassScores } from './roc.js';
export { checkFiniteValues, mean, meanWithHalfWidth, quantile, quantileSorted, std } from './stats.js';
export { checkMatrix, matrix, normalizeRows, rowRange, takeRows, takeValues, toTensor, type Matrix } from './matrix.js';
export { fitOneClassSvm, resolveGamma, type OneClassSvmModel, type OneClassSvmOptions } from './ocsvm.js';
export {
  normScorer, ocsvmScorer, pcaScorer, quadricsName, quadricsScorer,
  type OcsvmScorerOptions, type PcaOptions, type QuadricsScorerOptions, type Scorer, type ScorerContext,
} from './scorers.js';
export {
  aucOverDraws, drawSamples, drawSizes, outlierDetection,
  type Draw, type MethodResult, type OutlierDetectionOptions, type OutlierDetectionResult,
} from './outliers.js';
export { TRANSFORMS, isThresholdTransform, isTransform, transformSimilarity, type Transform } from './similarity.js';
export {
  DEFAULT_ALPHA_QUANTILES, PROTOCOLS, alphaGridSearch, countTruePairs, identificationRate, irEvaluator, isProtocol, splitIdentities, subsetIrData,
  type AlphaSearchOptions, type AlphaSearchResult, type IrContext, type IrData, type IrEvaluator, type IrOptions, type IrResult, type Protocol,
  type Similarity,
} from './ir.js';
export {
  projectOntoVariety, quadricJacobian, quadricValues, randomQuadrics, syntheticBenchmark, type SyntheticBenchmark, type SyntheticOptions,
} from './synthetic.js';
export { lineChart, niceTicks, type LineChart, type Series } from './svg.js';
export {
  runExperiments, type ArcfaceData, type ExperimentOptions, type ExperimentReport, type IrRow, type OodSummary, type ReferenceCheck,
  type SyntheticSummary,
} from './experiments.js';
