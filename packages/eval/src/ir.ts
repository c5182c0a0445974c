import {
  data, dispose, keep, matmul, matrixTranspose, permutation, randomKey, slice, tensor, tidy,
  type Backend, type DType, type Tensor,
} from '@quadrix/core';
import { argumentError, shapeError, valueError } from './errors.js';
import { checkMatrix, takeRows, takeValues, toTensor, type Matrix } from './matrix.js';
import { isThresholdTransform, transformSimilarity, type Transform } from './similarity.js';
import { checkFiniteValues, quantile } from './stats.js';

/**
 * The protocols of the reference's `IrBigData`:
 * - `data_distractors_in_false_pairs`: every embedding–distractor similarity is a false pair too, and
 *   a true pair must beat all distractors of its first member;
 * - `data_distractors_no_false_pairs`: distractors only compete with true pairs;
 * - `data_no_distractors`: distractors are not used.
 */
export const PROTOCOLS = ['data_distractors_in_false_pairs', 'data_distractors_no_false_pairs', 'data_no_distractors'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const isProtocol = (p: unknown): p is Protocol => PROTOCOLS.includes(p as Protocol);

/** Plain cosine similarity ⟨x, y⟩, or cosine transformed by per-embedding features. */
export type Similarity =
  | { readonly kind: 'cosine' }
  | { readonly kind: 'features'; readonly transform: Transform; readonly alpha: number };

/** Labelled embeddings, optional distractors, and optional features o(x) (e.g. outlier scores). */
export interface IrData {
  /** [N, n]; used as given (normalise them first for cosine similarity) */
  readonly embeddings: Matrix;
  /** identity of each embedding */
  readonly labels: ArrayLike<string | number>;
  /** o(x) of each embedding (needed by `features` similarity) */
  readonly features?: ArrayLike<number>;
  /** [M, n] */
  readonly distractors?: Matrix;
  /** o(d) of each distractor */
  readonly distractorFeatures?: ArrayLike<number>;
}

export interface IrOptions {
  readonly similarity: Similarity;
  /** target false-positive rate, e.g. 1e-3 */
  readonly fpr: number;
  readonly protocol: Protocol;
}

export interface IrResult {
  /** identification rate: identified true pairs / true pairs */
  readonly ir: number;
  /** verification rate: true pairs whose similarity is not below the threshold / true pairs */
  readonly vr: number;
  /** s_f: the FP-th largest false-pair similarity */
  readonly threshold: number;
  readonly truePairs: number;
  readonly falsePairs: number;
  /** FP = ⌊falsePairs · fpr⌋ */
  readonly falsePositives: number;
  readonly identified: number;
  readonly verified: number;
  /** α of a `features` similarity, null for cosine */
  readonly alpha: number | null;
}

/** Where the similarities are computed: a backend (eval never picks one), dtype and block sizes. */
export interface IrContext {
  readonly backend: Backend;
  readonly dtype?: DType;
  /** elements of one similarity block (rows × columns); default 2^20 */
  readonly blockElements?: number;
  /**
   * raw cosine blocks kept on the backend between evaluations (an α search recomputes only the
   * transformation) while their total stays within this many elements; default 2^24. 0: none.
   */
  readonly cacheElements?: number;
}

/**
 * The k largest values of a stream, in O(1) amortised per value: candidates gather in a buffer of
 * 2k; when it fills it is cut back to its k largest, whose minimum then rejects smaller values.
 */
class TopK {
  private buf: Float64Array;
  private count = 0;
  private bound = -Infinity;

  constructor(private readonly k: number) {
    this.buf = new Float64Array(Math.max(2 * k, 1024));
  }

  push(v: number): void {
    if (v <= this.bound) return;
    if (this.count === this.buf.length) this.compact();
    this.buf[this.count++] = v;
  }

  private compact(): void {
    this.buf.subarray(0, this.count).sort();
    this.buf.copyWithin(0, this.count - this.k, this.count);
    this.count = this.k;
    this.bound = this.buf[0]!;
  }

  /** The r-th largest value pushed (r ≥ 1, r ≤ k and ≤ the number pushed). */
  largest(r: number): number {
    const sorted = this.buf.slice(0, this.count).sort();
    return sorted[this.count - r]!;
  }
}

const labelIdsOf = (labels: ArrayLike<string | number>): Int32Array => {
  const ids = new Map<string | number, number>();
  return Int32Array.from({ length: labels.length }, (_, i) => {
    const l = labels[i]!;
    let id = ids.get(l);
    if (id === undefined) ids.set(l, (id = ids.size));
    return id;
  });
};

/** Σ c(c − 1) over identities of c embeddings: the number of ordered true pairs. */
export const countTruePairs = (labels: ArrayLike<string | number>): number => {
  const ids = labelIdsOf(labels);
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  let t = 0;
  for (const c of counts.values()) t += c * (c - 1);
  return t;
};

const checkData = (op: string, d: IrData): void => {
  checkMatrix(op, 'embeddings', d.embeddings);
  const N = d.embeddings.rows;
  if (d.labels.length !== N) throw shapeError(op, `${d.labels.length} labels for ${N} embeddings`);
  if (d.features !== undefined) {
    if (d.features.length !== N) throw shapeError(op, `${d.features.length} features for ${N} embeddings`);
    checkFiniteValues(op, 'features', d.features);
  }
  if (d.distractors !== undefined) {
    checkMatrix(op, 'distractors', d.distractors);
    if (d.distractors.cols !== d.embeddings.cols) {
      throw shapeError(op, `distractors have dimension ${d.distractors.cols} but embeddings ${d.embeddings.cols}`);
    }
    if (d.distractorFeatures !== undefined) {
      if (d.distractorFeatures.length !== d.distractors.rows) {
        throw shapeError(op, `${d.distractorFeatures.length} distractor features for ${d.distractors.rows} distractors`);
      }
      checkFiniteValues(op, 'distractorFeatures', d.distractorFeatures);
    }
  }
};

const checkOptions = (op: string, d: IrData, o: IrOptions): void => {
  if (!(o.fpr >= 0 && o.fpr <= 1)) throw argumentError(op, `the false-positive rate must be in [0, 1], got ${o.fpr}`);
  if (o.protocol !== 'data_no_distractors' && d.distractors === undefined) {
    throw argumentError(op, `the protocol ${o.protocol} needs distractors`);
  }
  if (o.similarity.kind === 'features') {
    if (!Number.isFinite(o.similarity.alpha)) throw argumentError(op, `alpha must be a finite number, got ${o.similarity.alpha}`);
    if (d.features === undefined) throw argumentError(op, 'features similarity needs the features of the embeddings');
    if (o.protocol !== 'data_no_distractors' && d.distractorFeatures === undefined) {
      throw argumentError(op, 'features similarity with distractors needs the features of the distractors');
    }
  }
};

export interface IrEvaluator {
  readonly data: IrData;
  /** IR, VR and the threshold for one similarity, protocol and false-positive rate. */
  evaluate(options: IrOptions): Promise<IrResult>;
  /** frees the tensors it holds (embeddings, distractors, cached blocks) */
  dispose(): void;
}

/**
 * Prepares the identification-rate computation of the reference's `IrBigData` on `data`:
 *
 * - true pairs are all ordered pairs (a, b), a ≠ b, of embeddings with the same label;
 * - false pairs are the other off-diagonal similarities that are not exactly 0 (the reference drops
 *   zeros, which matters after a threshold transformation), plus every embedding–distractor
 *   similarity under `data_distractors_in_false_pairs`;
 * - the threshold s_f is the FP-th largest false-pair similarity, FP = ⌊#false · fpr⌋ (the largest
 *   one when FP = 0, where the reference has no answer);
 * - (a, b) is identified when s(a, b) > s_f and, under the two distractor protocols, s(a, b) > s(a, d)
 *   for every distractor d; IR = identified / true pairs; VR = #{s(a, b) ≥ s_f} / true pairs.
 *
 * Similarities are computed block by block on the backend (matmul, then the transformation), and
 * reduced on the host as they come: a block of the embedding × distractor matrix is never kept
 * beyond its reduction, except in the bounded cache of raw cosine blocks.
 */
export const irEvaluator = (ctx: IrContext, d: IrData): IrEvaluator => {
  checkData('identificationRate', d);
  const { backend } = ctx;
  const dtype = ctx.dtype ?? 'float32';
  const blockElements = Math.max(1, ctx.blockElements ?? 2 ** 20);
  const cacheLimit = ctx.cacheElements ?? 2 ** 24;
  const N = d.embeddings.rows;
  const n = d.embeddings.cols;
  const M = d.distractors?.rows ?? 0;
  const labelIds = labelIdsOf(d.labels);
  const truePairs = countTruePairs(d.labels);
  const o = { backend, dtype } as const;

  const owned: Tensor[] = [];
  const hold = <T extends Tensor>(t: T): T => {
    owned.push(keep(t));
    return t;
  };
  const x = hold(toTensor(d.embeddings, backend, dtype));
  const xT = hold(tidy(() => matrixTranspose(x)));
  const rowsPerBlock = Math.max(1, Math.min(N, Math.floor(blockElements / Math.max(N, 1))));
  const colsPerBlock = Math.max(1, Math.min(M, Math.floor(blockElements / rowsPerBlock)));
  // Distractors as transposed column blocks [n, C], so every block product is one plain matmul.
  const dBlocks: { start: number; t: Tensor }[] = [];
  if (d.distractors !== undefined) {
    const dist = toTensor(d.distractors, backend, dtype);
    for (let c0 = 0; c0 < M; c0 += colsPerBlock) {
      const c = Math.min(colsPerBlock, M - c0);
      dBlocks.push({ start: c0, t: hold(tidy(() => matrixTranspose(slice(dist, [c0, 0], [c, n])))) });
    }
    dispose(dist);
  }
  let features: { col: Tensor; row: Tensor; dist: Tensor[] } | undefined;
  const featureTensors = () => {
    if (features) return features;
    const f = d.features!;
    features = {
      col: hold(tensor(f, { ...o, shape: [N, 1] })),
      row: hold(tensor(f, { ...o, shape: [1, N] })),
      dist: d.distractorFeatures === undefined
        ? []
        : dBlocks.map(({ start, t }) => hold(tensor(Float64Array.from(d.distractorFeatures!).subarray(start, start + t.shape[1]!), { ...o, shape: [1, t.shape[1]!] }))),
    };
    return features;
  };

  const cache = new Map<string, Tensor>();
  let cached = 0;
  /** The raw cosine block for `key`, from the cache or computed (then cached if it fits). */
  const raw = (key: string, make: () => Tensor): { t: Tensor; temporary: boolean } => {
    const hit = cache.get(key);
    if (hit) return { t: hit, temporary: false };
    const t = tidy(make);
    if (cached + t.size <= cacheLimit) {
      cache.set(key, hold(t));
      cached += t.size;
      return { t, temporary: false };
    }
    return { t, temporary: true };
  };

  /** Host values of the similarity block: raw cosine, transformed on the backend when asked. */
  const block = async (key: string, make: () => Tensor, fa: () => Tensor, fb: () => Tensor, sim: Similarity): Promise<Float32Array | Float64Array> => {
    const r = raw(key, make);
    let values: Float32Array | Float64Array;
    if (sim.kind === 'cosine') {
      values = (await data(r.t)) as Float32Array | Float64Array;
    } else {
      const s = tidy(() => transformSimilarity(r.t, fa(), fb(), sim.transform, sim.alpha));
      values = (await data(s)) as Float32Array | Float64Array;
      dispose(s);
    }
    if (r.temporary) dispose(r.t);
    return values;
  };

  const evaluate = async (opts: IrOptions): Promise<IrResult> => {
    checkOptions('identificationRate', d, opts);
    const sim = opts.similarity;
    const useDistractors = opts.protocol !== 'data_no_distractors';
    const distractorsAreFalse = opts.protocol === 'data_distractors_in_false_pairs';
    if (truePairs === 0) throw valueError('identificationRate', 'no identity has two embeddings: there are no true pairs');
    const maxFalse = N * (N - 1) - truePairs + (distractorsAreFalse ? N * M : 0);
    const top = new TopK(Math.max(1, Math.floor(maxFalse * opts.fpr)));
    const trueValues = new Float64Array(truePairs);
    const trueRows = new Int32Array(truePairs);
    let t = 0;
    let falsePairs = 0;
    const rowMax = new Float64Array(N).fill(-Infinity);
    const f = sim.kind === 'features' ? featureTensors() : undefined;
    const bad = (v: number, what: string): never => {
      throw valueError('identificationRate', `the ${what} similarity is ${v}; the transformation ${sim.kind === 'features' ? sim.transform : ''} with alpha ${sim.kind === 'features' ? sim.alpha : ''} does not give finite values`);
    };

    for (let r0 = 0; r0 < N; r0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, N - r0);
      const vals = await block(`x${r0}`, () => matmul(slice(x, [r0, 0], [rows, n]), xT), () => slice(f!.col, [r0, 0], [rows, 1]), () => f!.row, sim);
      for (let i = r0; i < r0 + rows; i++) {
        const base = (i - r0) * N;
        const li = labelIds[i]!;
        for (let j = 0; j < N; j++) {
          if (j === i) continue;
          const v = vals[base + j]!;
          if (!Number.isFinite(v)) bad(v, 'embedding–embedding');
          if (labelIds[j] === li) {
            trueValues[t] = v;
            trueRows[t++] = i;
          } else if (v !== 0) {
            falsePairs++;
            top.push(v);
          }
        }
      }
      if (useDistractors) {
        for (let b = 0; b < dBlocks.length; b++) {
          const { start, t: dT } = dBlocks[b]!;
          const cols = dT.shape[1]!;
          const vals2 = await block(`d${r0}:${start}`, () => matmul(slice(x, [r0, 0], [rows, n]), dT), () => slice(f!.col, [r0, 0], [rows, 1]), () => f!.dist[b]!, sim);
          for (let i = 0; i < rows; i++) {
            let m = rowMax[r0 + i]!;
            const base = i * cols;
            for (let j = 0; j < cols; j++) {
              const v = vals2[base + j]!;
              if (!Number.isFinite(v)) bad(v, 'embedding–distractor');
              if (v > m) m = v;
              if (distractorsAreFalse) {
                falsePairs++;
                top.push(v);
              }
            }
            rowMax[r0 + i] = m;
          }
        }
      }
    }
    if (falsePairs === 0) throw valueError('identificationRate', 'there are no false pairs to set the threshold with');
    const falsePositives = Math.floor(falsePairs * opts.fpr);
    const threshold = top.largest(Math.max(1, falsePositives));
    let identified = 0;
    let verified = 0;
    for (let k = 0; k < truePairs; k++) {
      const v = trueValues[k]!;
      if (v > threshold && (!useDistractors || v > rowMax[trueRows[k]!]!)) identified++;
      if (!(v < threshold)) verified++;
    }
    return {
      ir: identified / truePairs,
      vr: verified / truePairs,
      threshold,
      truePairs,
      falsePairs,
      falsePositives,
      identified,
      verified,
      alpha: sim.kind === 'features' ? sim.alpha : null,
    };
  };

  return {
    data: d,
    evaluate,
    dispose: () => {
      dispose(owned);
      owned.length = 0;
      cache.clear();
    },
  };
};

/** One evaluation (prepares, evaluates and frees). */
export const identificationRate = async (ctx: IrContext, d: IrData, options: IrOptions): Promise<IrResult> => {
  const e = irEvaluator(ctx, d);
  try {
    return await e.evaluate(options);
  } finally {
    e.dispose();
  }
};

/** The data restricted to the embeddings `rows` (distractors unchanged). */
export const subsetIrData = (d: IrData, rows: ArrayLike<number>): IrData => ({
  embeddings: takeRows(d.embeddings, rows),
  labels: Array.from({ length: rows.length }, (_, k) => d.labels[rows[k]!]!),
  ...(d.features === undefined ? {} : { features: takeValues(d.features, rows) }),
  ...(d.distractors === undefined ? {} : { distractors: d.distractors }),
  ...(d.distractorFeatures === undefined ? {} : { distractorFeatures: d.distractorFeatures }),
});

/**
 * Splits the identities in two halves at random (seeded): the rows of the first ⌈L/2⌉ identities of
 * a random order, and the rows of the others; each keeps the data order.
 */
export const splitIdentities = (labels: ArrayLike<string | number>, seed = 0): { search: Int32Array; report: Int32Array } => {
  const ids = labelIdsOf(labels);
  const count = ids.reduce((m, id) => Math.max(m, id + 1), 0);
  const order = permutation(randomKey(seed), count);
  const inSearch = new Uint8Array(count);
  for (let k = 0; k < Math.ceil(count / 2); k++) inSearch[order[k]!] = 1;
  const search: number[] = [];
  const report: number[] = [];
  ids.forEach((id, i) => (inSearch[id] ? search : report).push(i));
  return { search: Int32Array.from(search), report: Int32Array.from(report) };
};

/** Quantile levels of the features tried by default: 0.95, 0.9525, …, 1 (21 levels). */
export const DEFAULT_ALPHA_QUANTILES: readonly number[] = Array.from({ length: 21 }, (_, i) => Math.round((0.95 + 0.0025 * i) * 1e4) / 1e4);

export interface AlphaSearchOptions {
  readonly transform: Transform;
  readonly protocol: Protocol;
  readonly fpr: number;
  /**
   * α values to try: `values` as given, or the `quantiles` of the search half's features (default
   * DEFAULT_ALPHA_QUANTILES, meant for the threshold transformations).
   */
  readonly grid?: { readonly values?: readonly number[]; readonly quantiles?: readonly number[] };
  /** seeds the split of the identities */
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AlphaSearchResult {
  /** the α with the best IR on the search half (the first of equals) */
  readonly alpha: number;
  /** its quantile level when the grid is given by quantiles */
  readonly level: number | null;
  readonly search: readonly { readonly alpha: number; readonly level: number | null; readonly ir: number; readonly vr: number }[];
  /** IR and VR on the other half with the chosen α */
  readonly report: IrResult;
  /** cosine similarity on the same report half, for comparison */
  readonly baseline: IrResult;
  readonly identities: { readonly search: number; readonly report: number };
  readonly embeddings: { readonly search: number; readonly report: number };
}

/**
 * α by grid search, as in the paper: IR is computed for every α of the grid on the embeddings of one
 * half of the identities, and the best α is reported by its IR on the other half (the distractors
 * serve both halves).
 */
export const alphaGridSearch = async (ctx: IrContext, d: IrData, o: AlphaSearchOptions): Promise<AlphaSearchResult> => {
  checkData('alphaGridSearch', d);
  if (d.features === undefined) throw argumentError('alphaGridSearch', 'the search needs the features of the embeddings');
  const split = splitIdentities(d.labels, o.seed ?? 0);
  const searchData = subsetIrData(d, split.search);
  const reportData = subsetIrData(d, split.report);
  const given = o.grid?.values;
  if (given === undefined && o.grid?.quantiles === undefined && !isThresholdTransform(o.transform)) {
    throw argumentError('alphaGridSearch', `give alpha values for ${o.transform} (quantile levels of the features suit the threshold transformations)`);
  }
  const levels = given ? null : (o.grid?.quantiles ?? DEFAULT_ALPHA_QUANTILES);
  if ((given ?? levels)!.length === 0) throw argumentError('alphaGridSearch', 'the grid is empty');
  const alphas = levels ? levels.map((q) => quantile(searchData.features!, q)) : [...o.grid!.values!];
  const search: { alpha: number; level: number | null; ir: number; vr: number }[] = [];
  const searchEval = irEvaluator(ctx, searchData);
  try {
    for (let k = 0; k < alphas.length; k++) {
      const r = await searchEval.evaluate({ similarity: { kind: 'features', transform: o.transform, alpha: alphas[k]! }, fpr: o.fpr, protocol: o.protocol });
      search.push({ alpha: alphas[k]!, level: levels ? levels[k]! : null, ir: r.ir, vr: r.vr });
      o.onProgress?.(k + 1, alphas.length + 2);
    }
  } finally {
    searchEval.dispose();
  }
  const best = search.reduce((b, s) => (s.ir > b.ir ? s : b), search[0]!);
  const reportEval = irEvaluator(ctx, reportData);
  try {
    const report = await reportEval.evaluate({ similarity: { kind: 'features', transform: o.transform, alpha: best.alpha }, fpr: o.fpr, protocol: o.protocol });
    o.onProgress?.(alphas.length + 1, alphas.length + 2);
    const baseline = await reportEval.evaluate({ similarity: { kind: 'cosine' }, fpr: o.fpr, protocol: o.protocol });
    o.onProgress?.(alphas.length + 2, alphas.length + 2);
    return {
      alpha: best.alpha,
      level: best.level,
      search,
      report,
      baseline,
      identities: { search: new Set(Array.from(searchData.labels)).size, report: new Set(Array.from(reportData.labels)).size },
      embeddings: { search: split.search.length, report: split.report.length },
    };
  } finally {
    reportEval.dispose();
  }
};

