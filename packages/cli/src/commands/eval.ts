import { QuadrixError } from '@quadrix/core';
import {
  PROTOCOLS, TRANSFORMS, alphaGridSearch, identificationRate, isThresholdTransform, normScorer, ocsvmScorer, outlierDetection, pcaScorer,
  quadricsScorer, quantile, rocAuc, type IrData, type Protocol, type Scorer, type Similarity, type Transform,
} from '@quadrix/eval';
import { readLabels, readMatrix, readVector } from '@quadrix/eval/node';
import { BACKEND_LIST, backendOption, resolveBackend } from '../backends.js';
import { choice, numberOption, optionalString, required, UsageError, type Command, type CommandGroup } from '../cli.js';

const json = { json: { type: 'boolean' } } as const;
const f4 = (v: number): string => v.toFixed(4);

/** A comma-separated list of numbers. */
const numberList = (v: Record<string, unknown>, name: string): number[] | undefined => {
  const raw = optionalString(v, name);
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || raw.trim() === '' || values.some((x) => !Number.isFinite(x))) {
    throw new UsageError(`--${name} must be a comma-separated list of numbers, got '${raw}'`);
  }
  return values;
};

const fraction = (v: Record<string, unknown>, name: string, fallback: number, { open = false } = {}): number => {
  const x = numberOption(v, name, fallback);
  if (!(open ? x > 0 && x < 1 : x >= 0 && x <= 1)) throw new UsageError(`--${name} must be in ${open ? '(0, 1)' : '[0, 1]'}, got '${String(v[name])}'`);
  return x;
};

export const evalIr: Command = {
  name: 'ir',
  summary: 'identification and verification rates, plain or robustified similarity',
  usage: `quadrix eval ir --embeddings E.npy --labels L.npy [options]

  --embeddings FILE          embeddings, a 2-D float .npy [N, n]
  --labels FILE              identity of each embedding, .npy of strings or integers [N]
  --distractors FILE         distractor embeddings [M, n] (needed by the distractor protocols)
  --normalize                scale embeddings and distractors to unit length first
  --similarity S             cosine (default) | features
  --features FILE            o(x) of each embedding [N] (features similarity)
  --distractor-features FILE o(d) of each distractor [M]
  --transform T              ${TRANSFORMS.join(' | ')}
                             (default max_threshold)
  --alpha A                  the transformation's parameter
  --alpha-quantile Q         α = the Q-quantile of the embeddings' features (e.g. 0.99)
  --alpha-search             α by grid search on one half of the identities, IR reported on the other
  --alpha-grid A,B,…         α values to search (default: quantiles, see --alpha-quantiles)
  --alpha-quantiles Q,R,…    quantile levels to search (default 0.95, 0.9525, …, 1)
  --seed S                   seeds the split of the identities (default 0)
  --fpr F                    false-positive rate of the threshold (default 1e-3)
  --protocol P               ${PROTOCOLS.join(' | ')}
                             (default data_distractors_no_false_pairs)
  --json                     one JSON object instead of a table
  --backend NAME             ${BACKEND_LIST}
  --dtype T                  float32 (default) | float64`,
  options: {
    embeddings: { type: 'string' },
    labels: { type: 'string' },
    distractors: { type: 'string' },
    normalize: { type: 'boolean' },
    similarity: { type: 'string' },
    features: { type: 'string' },
    'distractor-features': { type: 'string' },
    transform: { type: 'string' },
    alpha: { type: 'string' },
    'alpha-quantile': { type: 'string' },
    'alpha-search': { type: 'boolean' },
    'alpha-grid': { type: 'string' },
    'alpha-quantiles': { type: 'string' },
    seed: { type: 'string' },
    fpr: { type: 'string' },
    protocol: { type: 'string' },
    ...json,
    ...backendOption,
  },
  run: async (v, io) => {
    const embeddingsPath = required(v, 'embeddings');
    const labelsPath = required(v, 'labels');
    const kind = choice(v, 'similarity', ['cosine', 'features'] as const, 'cosine');
    const transform = choice<Transform>(v, 'transform', TRANSFORMS, 'max_threshold');
    const protocol = choice<Protocol>(v, 'protocol', PROTOCOLS, 'data_distractors_no_false_pairs');
    const fpr = fraction(v, 'fpr', 1e-3);
    const seed = numberOption(v, 'seed', 0, { integer: true, min: 0 });
    const distractorsPath = optionalString(v, 'distractors');
    const featuresPath = optionalString(v, 'features');
    const distractorFeaturesPath = optionalString(v, 'distractor-features');
    const search = v['alpha-search'] === true;
    const alphaGiven = [v.alpha !== undefined, v['alpha-quantile'] !== undefined, search].filter(Boolean).length;
    if (protocol !== 'data_no_distractors' && distractorsPath === undefined) throw new UsageError(`--protocol ${protocol} needs --distractors`);
    if (kind === 'features') {
      if (featuresPath === undefined) throw new UsageError('--similarity features needs --features');
      if (protocol !== 'data_no_distractors' && distractorFeaturesPath === undefined) throw new UsageError('--similarity features with distractors needs --distractor-features');
      if (alphaGiven !== 1) throw new UsageError('--similarity features needs one of --alpha, --alpha-quantile, --alpha-search');
    } else if (alphaGiven > 0) {
      throw new UsageError('--alpha, --alpha-quantile and --alpha-search need --similarity features');
    }
    const grid = numberList(v, 'alpha-grid');
    const levels = numberList(v, 'alpha-quantiles');
    if ((grid || levels) && !search) throw new UsageError('--alpha-grid and --alpha-quantiles go with --alpha-search');
    if (grid && levels) throw new UsageError('give --alpha-grid or --alpha-quantiles, not both');
    if (levels?.some((q) => q < 0 || q > 1)) throw new UsageError('--alpha-quantiles must be levels in [0, 1]');
    if (search && !grid && !isThresholdTransform(transform)) {
      throw new UsageError(`--alpha-search with --transform ${transform} needs --alpha-grid (quantile levels suit the threshold transformations)`);
    }
    const alphaLevel = v['alpha-quantile'] === undefined ? undefined : fraction(v, 'alpha-quantile', 0.99);
    const alphaValue = v.alpha === undefined ? undefined : numberOption(v, 'alpha', 0);
    const { backend, dtype } = await resolveBackend(v);

    const normalize = v.normalize === true;
    const embeddings = await readMatrix(embeddingsPath, { normalize });
    const labels = await readLabels(labelsPath);
    const distractors = distractorsPath === undefined || protocol === 'data_no_distractors' ? undefined : await readMatrix(distractorsPath, { normalize });
    const features = kind === 'features' ? await readVector(featuresPath!) : undefined;
    const distractorFeatures = kind === 'features' && distractors ? await readVector(distractorFeaturesPath!) : undefined;
    const d: IrData = {
      embeddings,
      labels,
      ...(features ? { features } : {}),
      ...(distractors ? { distractors } : {}),
      ...(distractorFeatures ? { distractorFeatures } : {}),
    };
    const ctx = { backend, dtype };
    let out: Record<string, unknown>;
    if (search) {
      const s = await alphaGridSearch(ctx, d, { transform, protocol, fpr, seed, grid: grid ? { values: grid } : levels ? { quantiles: levels } : {} });
      const r = s.report;
      out = {
        ir: r.ir, vr: r.vr, threshold: r.threshold, truePairs: r.truePairs, falsePairs: r.falsePairs, alpha: s.alpha,
        similarity: 'features', transform, protocol, fpr, falsePositives: r.falsePositives,
        search: {
          level: s.level,
          identities: s.identities,
          embeddings: s.embeddings,
          grid: s.search,
          cosine: { ir: s.baseline.ir, vr: s.baseline.vr, threshold: s.baseline.threshold },
        },
      };
    } else {
      let similarity: Similarity = { kind: 'cosine' };
      if (kind === 'features') {
        const alpha = alphaValue ?? quantile(features!, alphaLevel!);
        similarity = { kind: 'features', transform, alpha };
      }
      const r = await identificationRate(ctx, d, { similarity, fpr, protocol });
      out = {
        ir: r.ir, vr: r.vr, threshold: r.threshold, truePairs: r.truePairs, falsePairs: r.falsePairs, alpha: r.alpha,
        similarity: kind, ...(kind === 'features' ? { transform } : {}), protocol, fpr, falsePositives: r.falsePositives,
        ...(alphaLevel === undefined ? {} : { alphaQuantile: alphaLevel }),
      };
    }
    if (v.json === true) {
      io.out(JSON.stringify(out));
      return;
    }
    const alpha = out.alpha === null ? '—' : (out.alpha as number).toPrecision(6);
    io.out(`${kind === 'features' ? `${transform} similarity` : 'cosine similarity'}, ${protocol}, FPR ${fpr}${search ? ' (α by grid search; rates on the other half of the identities)' : ''}`);
    io.out(['IR', 'VR', 'threshold', 'true pairs', 'false pairs', 'alpha'].map((h) => h.padEnd(12)).join(' '));
    io.out([f4(out.ir as number), f4(out.vr as number), (out.threshold as number).toPrecision(6), String(out.truePairs), String(out.falsePairs), alpha].map((c) => c.padEnd(12)).join(' '));
    if (search) {
      const s = out.search as { cosine: { ir: number; vr: number } };
      io.out(`cosine on the same half: IR ${f4(s.cosine.ir)}, VR ${f4(s.cosine.vr)}`);
    }
  },
};

export const evalAuc: Command = {
  name: 'auc',
  summary: 'ROC-AUC of outlier scores (outliers are the positive class)',
  usage: `quadrix eval auc --inliers S_in.npy --outliers S_out.npy [--json]

  --inliers FILE    scores of in-distribution points, a 1-D .npy (higher = more outlying)
  --outliers FILE   scores of outliers, a 1-D .npy
  --json            one JSON object instead of a line`,
  options: { inliers: { type: 'string' }, outliers: { type: 'string' }, ...json },
  run: async (v, io) => {
    const inliersPath = required(v, 'inliers');
    const outliersPath = required(v, 'outliers');
    const inliers = await readVector(inliersPath);
    const outliers = await readVector(outliersPath);
    if (inliers.length === 0 || outliers.length === 0) {
      throw new QuadrixError('value', `ROC-AUC needs scores of both classes: ${inliers.length} inliers, ${outliers.length} outliers`);
    }
    const auc = rocAuc(outliers, inliers);
    if (v.json === true) io.out(JSON.stringify({ auc, inliers: inliers.length, outliers: outliers.length }));
    else io.out(`ROC-AUC ${f4(auc)} (${outliers.length} outliers against ${inliers.length} inliers)`);
  },
};

const METHODS = ['quadrics', 'qfull', 'qsub', 'pca', 'ocsvm', 'norm'] as const;

export const evalOod: Command = {
  name: 'ood',
  summary: 'outlier detection: ROC-AUC of quadrics and baselines over random draws',
  usage: `quadrix eval ood --train X.npy --inliers X_in.npy --outliers X_out.npy [options]

  --train FILE          in-distribution training embeddings [N, n]
  --inliers FILE        held-out in-distribution embeddings
  --outliers FILE       outlier embeddings
  --methods LIST        comma-separated: quadrics (= qfull and qsub), qfull (dist2), qsub (dist0),
                        pca, ocsvm, norm (default quadrics,pca,ocsvm,norm)
  --experiments N       random draws (default 10)
  --proportion P        share of outliers in each draw (default 0.01)
  --seed S              seeds the draws and the quadrics (default 0)
  --components K        PCA components (default min(170, n))
  --quadrics M          number of quadrics (default 4)
  --epochs E            training epochs of the quadrics (default 2)
  --lr LR               learning rate (default 0.1)
  --batch-size B        default 32
  --nu NU               the one-class SVM's ν (default 0.5)
  --json                one JSON object instead of a table
  --backend NAME        ${BACKEND_LIST}
  --dtype T             float32 (default) | float64

Embeddings are scaled to unit length for pca, ocsvm and the quadrics; norm scores the raw norm.`,
  options: {
    train: { type: 'string' },
    inliers: { type: 'string' },
    outliers: { type: 'string' },
    methods: { type: 'string' },
    experiments: { type: 'string' },
    proportion: { type: 'string' },
    seed: { type: 'string' },
    components: { type: 'string' },
    quadrics: { type: 'string' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    'batch-size': { type: 'string' },
    nu: { type: 'string' },
    ...json,
    ...backendOption,
  },
  run: async (v, io) => {
    const trainPath = required(v, 'train');
    const inliersPath = required(v, 'inliers');
    const outliersPath = required(v, 'outliers');
    const names = (optionalString(v, 'methods') ?? 'quadrics,pca,ocsvm,norm').split(',').map((s) => s.trim());
    for (const nm of names) {
      if (!METHODS.includes(nm as (typeof METHODS)[number])) throw new UsageError(`--methods: unknown method '${nm}' (known: ${METHODS.join(', ')})`);
    }
    const experiments = numberOption(v, 'experiments', 10, { integer: true, min: 1 });
    const proportion = fraction(v, 'proportion', 0.01, { open: true });
    const seed = numberOption(v, 'seed', 0, { integer: true, min: 0 });
    const m = numberOption(v, 'quadrics', 4, { integer: true, min: 1 });
    const epochs = numberOption(v, 'epochs', 2, { integer: true, min: 0 });
    const lr = numberOption(v, 'lr', 0.1, { min: Number.MIN_VALUE });
    const batchSize = numberOption(v, 'batch-size', 32, { integer: true, min: 1 });
    const nu = fraction(v, 'nu', 0.5);
    const { backend, dtype } = await resolveBackend(v);
    const train = await readMatrix(trainPath);
    const inliers = await readMatrix(inliersPath);
    const outliers = await readMatrix(outliersPath);
    const components = numberOption(v, 'components', Math.min(170, train.cols), { integer: true, min: 1 });
    if (components > train.cols) throw new UsageError(`--components must be at most the dimension ${train.cols}, got ${components}`);
    const ctx = { backend, dtype };
    const q = { quadrics: m, epochs, lr, batchSize, seed };
    const wanted = new Set(names.flatMap((nm) => (nm === 'quadrics' ? ['qfull', 'qsub'] : [nm])));
    const scorers: Scorer[] = [];
    for (const nm of ['qfull', 'qsub', 'pca', 'ocsvm', 'norm']) {
      if (!wanted.has(nm)) continue;
      if (nm === 'qfull') scorers.push(quadricsScorer(ctx, { ...q, distance: 'dist2' }));
      if (nm === 'qsub') scorers.push(quadricsScorer(ctx, { ...q, distance: 'dist0' }));
      if (nm === 'pca') scorers.push(pcaScorer(ctx, { components }));
      if (nm === 'ocsvm') scorers.push(ocsvmScorer(ctx, { nu }));
      if (nm === 'norm') scorers.push(normScorer(ctx));
    }
    try {
      const r = await outlierDetection({
        scorers, train, inliers, outliers, experiments, proportion, seed,
        onProgress: (e) => {
          if (e.stage === 'fit' && v.json !== true) io.err(`${e.method}: fitting on ${train.rows} points`);
        },
      });
      if (v.json === true) {
        io.out(JSON.stringify({
          methods: r.methods.map((x) => ({ name: x.name, mean: x.mean, halfWidth: x.halfWidth, std: x.std, fullAuc: x.fullAuc, aucs: Array.from(x.aucs) })),
          sample: r.sample,
          experiments: r.experiments,
          proportion: r.proportion,
        }));
        return;
      }
      io.out(`ROC-AUC over ${r.experiments} draws of ${r.sample.inliers} inliers and ${r.sample.outliers} outliers (mean ± 1.96·std/√n; full: all points)`);
      io.out(`${'method'.padEnd(10)} ${'ROC-AUC'.padEnd(18)} full`);
      for (const x of r.methods) io.out(`${x.name.padEnd(10)} ${`${f4(x.mean)} ± ${f4(x.halfWidth)}`.padEnd(18)} ${f4(x.fullAuc)}`);
    } finally {
      for (const s of scorers) s.dispose();
    }
  },
};

/** The evaluation commands, in the order `quadrix --help` lists them. */
export const evalGroup: CommandGroup = {
  name: 'eval',
  summary: "the paper's evaluation protocols: identification rate, ROC-AUC, outlier detection",
  subcommands: [evalIr, evalAuc, evalOod],
};
