import {
  QuadrixError, data, dispose, foldIn, gather, keep, mean, mul, norm, permutation, randomKey, sum, tidy,
  valueAndGrad, type Key, type Tensor,
} from '@quadrix/core';
import { distanceFrom, type Distance } from './distances.js';
import { adam, sgd, type AdamOptions, type Optimizer, type OptimizerName, type OptimizerState } from './optimizers.js';
import {
  evaluate, fromHost, loss, sizesOf, stiefelError, symmetricPart, toHost, type HostQuadrics, type QuadricParams,
} from './quadrics.js';
import { retract } from './stiefel.js';

export interface TrainOptions {
  readonly distance: Distance;
  /** Stiefel penalty weight (reference: 1). */
  readonly lambda?: number;
  readonly optimizer?: OptimizerName;
  /** learning rate (reference: 0.1) */
  readonly lr?: number;
  /** minibatch size (reference: 32); the last batch of an epoch may be smaller */
  readonly batchSize?: number;
  readonly epochs?: number;
  /** seeds the shuffling; epoch e uses permutation(foldIn(key(seed), e)) */
  readonly seed?: number;
  /** false: batches in data order, as the reference with shuffle=False */
  readonly shuffle?: boolean;
  readonly adam?: AdamOptions;
  /**
   * 'penalty' (reference): λ‖GᵀG − I‖² in the loss. 'retraction': after every step the quadratic
   * parts are mapped back onto the Stiefel manifold (exactly HS-orthonormal), besides the penalty.
   */
  readonly orthonormality?: 'penalty' | 'retraction';
  /** points [V, n]: validation loss (mean distance term) after every epoch */
  readonly validation?: Tensor;
  /** stop after `patience` epochs without a validation improvement of more than `minDelta`; keep the best */
  readonly earlyStopping?: { readonly patience: number; readonly minDelta?: number };
  /** called after every epoch, and every `progressEvery` steps when set */
  readonly onProgress?: (p: Progress) => void | Promise<void>;
  readonly progressEvery?: number;
  /** called with a checkpoint after every `every` epochs (default 1) */
  readonly checkpoint?: { readonly every?: number; readonly save: (c: Checkpoint) => void | Promise<void> };
  /** continue from a checkpoint: same data and options give the same result as an uninterrupted run */
  readonly resume?: Checkpoint;
  /** stops at the next step boundary, keeping the model trained so far */
  readonly signal?: AbortSignal;
}

export interface Progress {
  readonly epoch: number;
  readonly step: number;
  /** mean training loss over the steps since the last report */
  readonly loss: number;
  readonly stiefelError: number;
  readonly validationLoss?: number;
  readonly pointsPerSecond: number;
  /** the current parameters, valid during the callback only (the trainer disposes them later) */
  readonly params: QuadricParams;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly stiefelError: number;
  readonly validationLoss?: number;
}

/** Everything needed to resume: parameters and optimizer state on the host, and the history. */
export interface Checkpoint {
  /** epochs completed */
  readonly epoch: number;
  readonly step: number;
  readonly params: HostQuadrics;
  readonly optimizer: OptimizerState;
  readonly history: readonly EpochRecord[];
  readonly best?: { readonly epoch: number; readonly validationLoss: number; readonly params: HostQuadrics };
}

export interface TrainResult {
  readonly params: QuadricParams;
  readonly history: readonly EpochRecord[];
  readonly steps: number;
  readonly stopped: 'completed' | 'early-stopping' | 'aborted';
  /** with early stopping: the epoch whose parameters were kept */
  readonly bestEpoch?: number;
}

/** Raised when the loss stops being finite; `params` are the last parameters with a finite loss. */
export class TrainingError extends QuadrixError {
  constructor(
    message: string,
    readonly params: QuadricParams,
    readonly history: readonly EpochRecord[],
  ) {
    super('value', message);
    this.name = 'TrainingError';
  }
}

const resolveOptions = (o: TrainOptions) => ({
  lambda: o.lambda ?? 1,
  optimizer: o.optimizer ?? 'sgd',
  lr: o.lr ?? 0.1,
  batchSize: o.batchSize ?? 32,
  epochs: o.epochs ?? 1,
  seed: o.seed ?? 0,
  shuffle: o.shuffle ?? true,
  orthonormality: o.orthonormality ?? 'penalty',
});

const checkOptions = (o: ReturnType<typeof resolveOptions>, n: number): void => {
  const bad = (what: string): never => {
    throw new QuadrixError('argument', `train: ${what}`);
  };
  if (!(o.lr > 0 && Number.isFinite(o.lr))) bad(`the learning rate must be positive, got ${o.lr}`);
  if (!(o.lambda >= 0 && Number.isFinite(o.lambda))) bad(`lambda must be ≥ 0, got ${o.lambda}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) bad(`the batch size must be a positive integer, got ${o.batchSize}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 0) bad(`epochs must be a non-negative integer, got ${o.epochs}`);
  if (n === 0) bad('the training data has no points');
};

/** Mean distance term over `x` in batches (no penalty): the validation loss. */
const dataLoss = async (p: QuadricParams, x: Tensor, distance: Distance, batchSize: number): Promise<number> => {
  const N = x.shape[0]!;
  let total = 0;
  for (let start = 0; start < N; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, N - start) }, (_, i) => start + i);
    const part = tidy(() => {
      const s = symmetricPart(p.quadratic);
      const { values, gradSq } = evaluate(p, gather(x, idx), s);
      const d = distanceFrom(distance, values, gradSq, distance === 'dist2' ? norm(s, [1, 2]) : 1);
      // dist0's loss averages over quadrics too
      return sum(distance === 'dist0' ? mean(d, 1) : sum(d, 1));
    });
    total += (await data(part))[0]!;
    dispose(part);
  }
  return total / N;
};

const copyParams = (p: QuadricParams): QuadricParams =>
  tidy(() => ({ quadratic: keep(mul(p.quadratic, 1)), linear: keep(mul(p.linear, 1)), free: keep(mul(p.free, 1)) }));

/**
 * Minibatch training of the quadrics on the rows of `x` [N, n], starting from `init` (which is not
 * disposed). Deterministic: the same data, options, seed and backend give a bit-identical model.
 */
export const train = async (init: QuadricParams, x: Tensor, options: TrainOptions): Promise<TrainResult> => {
  const o = resolveOptions(options);
  const { n } = sizesOf(init);
  if (x.rank !== 2 || x.shape[1] !== n) {
    throw new QuadrixError('shape', `train: the data has shape [${x.shape.join(', ')}] but the model expects [N, ${n}]`);
  }
  const N = x.shape[0]!;
  checkOptions(o, N);
  const distance = options.distance;
  const resume = options.resume;
  const backend = init.quadratic.backend;
  const dtype = init.quadratic.dtype;

  let params = resume ? fromHost(resume.params, { backend, dtype }) : copyParams(init);
  const optimizer: Optimizer =
    o.optimizer === 'adam' ? adam(o.lr, params, options.adam, resume?.optimizer) : sgd(o.lr);
  const history: EpochRecord[] = [...(resume?.history ?? [])];
  let best = resume?.best ? { ...resume.best, params: fromHost(resume.best.params, { backend, dtype }) } : undefined;
  let step = resume?.step ?? 0;
  const key: Key = randomKey(o.seed);
  let batchIdx: Int32Array = new Int32Array(0);
  const lossAndGrad = valueAndGrad((p: QuadricParams) => loss(p, gather(x, batchIdx), { distance, lambda: o.lambda }));

  const finish = (stopped: TrainResult['stopped']): TrainResult => {
    optimizer.dispose();
    if (stopped === 'early-stopping' && best) {
      dispose(params);
      return { params: best.params, history, steps: step, stopped, bestEpoch: best.epoch };
    }
    if (best) dispose(best.params);
    return { params, history, steps: step, stopped };
  };

  let sinceReport = { loss: 0, steps: 0, points: 0, start: performance.now() };
  const report = async (epoch: number, validationLoss?: number): Promise<number> => {
    const error = tidy(() => stiefelError(params));
    const stiefel = (await data(error))[0]!;
    dispose(error);
    const elapsed = (performance.now() - sinceReport.start) / 1000;
    await options.onProgress?.({
      epoch,
      step,
      loss: sinceReport.loss / Math.max(1, sinceReport.steps),
      stiefelError: stiefel,
      ...(validationLoss === undefined ? {} : { validationLoss }),
      pointsPerSecond: elapsed > 0 ? sinceReport.points / elapsed : 0,
      params,
    });
    sinceReport = { loss: 0, steps: 0, points: 0, start: performance.now() };
    return stiefel;
  };

  for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= o.epochs; epoch++) {
    const order = o.shuffle ? permutation(foldIn(key, epoch), N) : Int32Array.from({ length: N }, (_, i) => i);
    let epochLoss = 0;
    let epochSteps = 0;
    let previous: QuadricParams | undefined;
    for (let start = 0; start < N; start += o.batchSize) {
      if (options.signal?.aborted) {
        dispose(previous);
        return finish('aborted');
      }
      batchIdx = order.subarray(start, Math.min(start + o.batchSize, N));
      const { value, grads } = lossAndGrad(params);
      const lossValue = (await data(value))[0]!;
      dispose(value);
      if (!Number.isFinite(lossValue)) {
        dispose(grads);
        optimizer.dispose();
        const good = previous ?? params;
        if (previous) dispose(params);
        if (best) dispose(best.params);
        throw new TrainingError(
          `train: the loss became ${lossValue} at epoch ${epoch}, step ${step + 1}; the parameters of the last finite loss are kept ` +
            `(try a smaller learning rate)`,
          good,
          history,
        );
      }
      dispose(previous);
      let next = optimizer.step(params, grads);
      dispose(grads);
      if (o.orthonormality === 'retraction') {
        const retracted = retract(next);
        dispose(next);
        next = retracted;
      }
      previous = params;
      params = next;
      step++;
      epochLoss += lossValue;
      epochSteps++;
      sinceReport.loss += lossValue;
      sinceReport.steps++;
      sinceReport.points += batchIdx.length;
      if (options.progressEvery && step % options.progressEvery === 0) await report(epoch);
    }
    dispose(previous);

    const validationLoss = options.validation ? await dataLoss(params, options.validation, distance, 1024) : undefined;
    const stiefel = await report(epoch, validationLoss);
    history.push({ epoch, loss: epochLoss / Math.max(1, epochSteps), stiefelError: stiefel, ...(validationLoss === undefined ? {} : { validationLoss }) });

    let stop = false;
    if (options.earlyStopping && validationLoss !== undefined) {
      const minDelta = options.earlyStopping.minDelta ?? 0;
      if (!best || validationLoss < best.validationLoss - minDelta) {
        if (best) dispose(best.params);
        best = { epoch, validationLoss, params: copyParams(params) };
      } else if (epoch - best.epoch >= options.earlyStopping.patience) {
        stop = true;
      }
    }
    const every = options.checkpoint?.every ?? 1;
    if (options.checkpoint && (epoch % every === 0 || epoch === o.epochs || stop)) {
      await options.checkpoint.save({
        epoch,
        step,
        params: await toHost(params),
        optimizer: await optimizer.saveState(),
        history: [...history],
        ...(best ? { best: { epoch: best.epoch, validationLoss: best.validationLoss, params: await toHost(best.params) } } : {}),
      });
    }
    if (stop) return finish('early-stopping');
  }
  return finish('completed');
};
