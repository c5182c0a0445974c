/**
 * @quadrix/models: the quadric manifold model of Pavutnitskiy et al. (AISTATS 2022). m quadrics
 * Q_i(x) = xᵀS_i x + b_iᵀx + c_i in R^n, their distances, the training loss, the trainer and the
 * model file formats. Backend-agnostic: every function takes tensors or a backend.
 */
export { DISTANCES, distanceFrom, isDistance, type Distance } from './distances.js';
export {
  checkSizes, distances, evaluate, fromHost, initQuadrics, loss, packQuadratic, packedRow, score, sizesOf,
  stiefelError, symmetricPart, unpackQuadratic, type HostQuadrics, type InitOptions, type LossOptions, type QuadricKernel, type QuadricParams,
} from './quadrics.js';
export { toHost } from './quadrics.js';
export { adam, sgd, type AdamOptions, type Optimizer, type OptimizerName, type OptimizerState } from './optimizers.js';
export { retract } from './stiefel.js';
export {
  train, TrainingError, type Checkpoint, type EpochRecord, type Progress, type TrainOptions, type TrainResult,
} from './trainer.js';
export {
  CHECKPOINT_FORMAT, MODEL_FORMAT, MODEL_VERSION, parseCheckpoint, parseModel, serializeCheckpoint, serializeModel,
  type ModelFile, type TrainingRecord,
} from './format.js';
export {
  fromReferencePacked, fromReferenceSaved, toReference, type DenseArray, type ReferencePacked, type ReferenceSaved,
} from './reference.js';
export { fitKernelPca } from './baselines/kpca.js';
export { projectToVariety } from './variety.js';
export * as tennis from './toy/tennis.js';
