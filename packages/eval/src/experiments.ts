import { data, dispose, permutation, randomKey, tidy, type Backend, type DType } from '@quadrix/core';
import { fromHost, score as quadricScore } from '@quadrix/models';
import { alphaGridSearch, irEvaluator, PROTOCOLS, type AlphaSearchResult, type IrResult, type Protocol } from './ir.js';
import { normalizeRows, takeRows, takeValues, toTensor, type Matrix } from './matrix.js';
import { aucOverDraws, outlierDetection, type MethodResult, type OutlierDetectionResult } from './outliers.js';
import { rocAuc, rocCurve } from './roc.js';
import { normScorer, ocsvmScorer, pcaScorer, quadricsScorer, type Scorer } from './scorers.js';
import { meanWithHalfWidth, quantile } from './stats.js';
import { lineChart } from './svg.js';
import { syntheticBenchmark } from './synthetic.js';

/** The arcface-toy files: embeddings as stored (not normalised), labels, distractors, the authors' features. */
export interface ArcfaceData {
  readonly embeddings: Matrix;
  readonly labels: readonly string[];
  readonly distractors: Matrix;
  readonly features: Float64Array;
  readonly distractorFeatures: Float64Array;
}

export interface ExperimentOptions {
  readonly backend: Backend;
  readonly dtype?: DType;
  /** false-positive rate of the IR threshold (default 1e-3) */
  readonly fpr?: number;
  /** quantile level of the features giving α without search (default 0.99) */
  readonly alphaQuantile?: number;
  /** seeds the identity split, the train/held-out split and the draws (default 0) */
  readonly seed?: number;
  /** the protocol of the IR(α) plot (default data_distractors_no_false_pairs) */
  readonly plotProtocol?: Protocol;
  /** outlier detection */
  readonly ood?: {
    readonly train?: number;
    readonly experiments?: number;
    readonly proportion?: number;
    readonly pcaComponents?: number;
    readonly quadrics?: number;
    readonly epochs?: number;
    readonly lr?: number;
    readonly batchSize?: number;
  };
  /** the synthetic benchmark (default on) */
  readonly synthetic?: boolean;
  readonly log?: (line: string) => void;
}

export interface ExperimentReport {
  readonly markdown: string;
  /** file name → contents: report.md, SVG plots, results.json */
  readonly files: Readonly<Record<string, string>>;
  readonly results: {
    readonly ir: readonly IrRow[];
    readonly search: Readonly<Record<string, AlphaSearchResult>>;
    readonly reference: readonly ReferenceCheck[];
    readonly ood: OodSummary;
    readonly synthetic?: SyntheticSummary;
  };
}

export interface IrRow {
  readonly protocol: Protocol;
  readonly similarity: string;
  readonly alpha: number | null;
  readonly result: IrResult;
}

export interface ReferenceCheck {
  readonly what: string;
  readonly ir: number;
  readonly vr: number;
  readonly referenceIr: number;
  readonly referenceVr: number;
}

export interface OodSummary {
  readonly train: number;
  readonly heldOut: number;
  readonly outliers: number;
  readonly sample: { readonly inliers: number; readonly outliers: number };
  readonly experiments: number;
  readonly proportion: number;
  readonly methods: readonly { readonly name: string; readonly mean: number; readonly halfWidth: number; readonly fullAuc: number; readonly fitSeconds: number }[];
}

export interface SyntheticSummary {
  readonly n: number;
  readonly m: number;
  readonly methods: readonly { readonly name: string; readonly auc: number }[];
}

const f4 = (v: number): string => v.toFixed(4);

/** Figures of the reference's ir_toy_example notebook on the same files (FPR 1e-3, normalised embeddings). */
const REFERENCE_FIGURES = [
  { what: 'cosine, data_distractors_no_false_pairs', protocol: 'data_distractors_no_false_pairs', level: null, ir: 0.7502517623363545, vr: 0.7542799597180262 },
  { what: 'max_threshold, α = 0.985 quantile, data_distractors_in_false_pairs', protocol: 'data_distractors_in_false_pairs', level: 0.985, ir: 0.7588116817724069, vr: 0.7643504531722054 },
  { what: 'max_threshold, α = 1.0 quantile (max), data_distractors_in_false_pairs', protocol: 'data_distractors_in_false_pairs', level: 1, ir: 0.7522658610271903, vr: 0.756294058408862 },
] as const;

/** Whether the data has the shapes of the arcface-toy files (for which reference figures exist). */
const isArcfaceToy = (d: ArcfaceData): boolean => d.embeddings.rows === 1009 && d.embeddings.cols === 512 && d.distractors.rows === 200;

/**
 * Both experiments of the paper on the arcface-toy data, with the backend given: similarity
 * robustification (IR/VR, α at a quantile and by grid search, IR as a function of α) and outlier
 * detection (quadrics trained here against norm, PCA and one-class SVM), plus the synthetic
 * benchmark. Returns the Markdown report, its SVG plots and the figures as JSON.
 */
export const runExperiments = async (raw: ArcfaceData, o: ExperimentOptions): Promise<ExperimentReport> => {
  const log = o.log ?? (() => undefined);
  const ctx = { backend: o.backend, dtype: o.dtype ?? 'float32' } as const;
  const fpr = o.fpr ?? 1e-3;
  const level = o.alphaQuantile ?? 0.99;
  const seed = o.seed ?? 0;
  const plotProtocol = o.plotProtocol ?? 'data_distractors_no_false_pairs';
  const embeddings = normalizeRows(raw.embeddings, 'embeddings');
  const distractors = normalizeRows(raw.distractors, 'distractors');
  const irData = { embeddings, labels: raw.labels, features: raw.features, distractors, distractorFeatures: raw.distractorFeatures };
  const alphaQ = quantile(raw.features, level);
  const files: Record<string, string> = {};
  const md: string[] = [];

  // ---- similarity robustification ---------------------------------------------------------------
  log(`IR: ${embeddings.rows} embeddings of ${new Set(raw.labels).size} identities, ${distractors.rows} distractors, FPR ${fpr}`);
  const rows: IrRow[] = [];
  const search: Record<string, AlphaSearchResult> = {};
  const reference: ReferenceCheck[] = [];
  const curveLevels = Array.from({ length: 41 }, (_, i) => Math.round((0.9 + 0.0025 * i) * 1e4) / 1e4);
  const curve: { level: number; alpha: number; ir: number; vr: number }[] = [];
  let cosinePlot: IrResult | undefined;
  const full = irEvaluator(ctx, irData);
  try {
    for (const protocol of PROTOCOLS) {
      const cos = await full.evaluate({ similarity: { kind: 'cosine' }, fpr, protocol });
      rows.push({ protocol, similarity: 'cosine', alpha: null, result: cos });
      const thr = await full.evaluate({ similarity: { kind: 'features', transform: 'max_threshold', alpha: alphaQ }, fpr, protocol });
      rows.push({ protocol, similarity: `max_threshold, α = ${level} quantile`, alpha: alphaQ, result: thr });
      if (protocol === plotProtocol) cosinePlot = cos;
      log(`IR ${protocol}: cosine ${f4(cos.ir)}, max_threshold ${f4(thr.ir)}`);
    }
    for (const r of isArcfaceToy(raw) ? REFERENCE_FIGURES : []) {
      const res = await full.evaluate({
        similarity: r.level === null ? { kind: 'cosine' } : { kind: 'features', transform: 'max_threshold', alpha: quantile(raw.features, r.level) },
        fpr: 1e-3,
        protocol: r.protocol,
      });
      reference.push({ what: r.what, ir: res.ir, vr: res.vr, referenceIr: r.ir, referenceVr: r.vr });
    }
    for (const q of curveLevels) {
      const alpha = quantile(raw.features, q);
      const r = await full.evaluate({ similarity: { kind: 'features', transform: 'max_threshold', alpha }, fpr, protocol: plotProtocol });
      curve.push({ level: q, alpha, ir: r.ir, vr: r.vr });
    }
  } finally {
    full.dispose();
  }
  for (const protocol of PROTOCOLS) {
    const s = await alphaGridSearch(ctx, irData, { transform: 'max_threshold', protocol, fpr, seed });
    search[protocol] = s;
    log(`α search ${protocol}: α = ${f4(s.alpha)} (level ${s.level}), IR on the other half ${f4(s.report.ir)} (cosine ${f4(s.baseline.ir)})`);
  }

  md.push('# quadrix experiments on arcface-toy', '');
  md.push(
    `Data: ${embeddings.rows} CPLFW ArcFace embeddings of ${new Set(raw.labels).size} identities and ${distractors.rows} MegaFace distractors ` +
      '(`../shared/data/arcface-toy/`), L2-normalised; features o(x) are the supplied `cplfw_quadrics_features.npy` / ' +
      "`megaface_quadrics_features.npy` (sum of dist2 under the authors' 300-quadric model trained on MS1M). " +
      `Backend: ${o.backend.describe?.() ?? o.backend.name}, ${ctx.dtype}.`,
    '',
  );
  md.push('## 1. Similarity robustification: identification and verification rates', '');
  md.push(
    `FPR ${fpr}. \`max_threshold\`: s(x, y) if max(o(x), o(y)) < α, else 0. α at the ${level} quantile of the features is ${alphaQ.toPrecision(6)}.`,
    '',
  );
  md.push('| protocol | similarity | IR | VR | threshold s_f | true pairs | false pairs |', '|---|---|---|---|---|---|---|');
  for (const r of rows) {
    md.push(`| ${r.protocol} | ${r.similarity} | ${f4(r.result.ir)} | ${f4(r.result.vr)} | ${r.result.threshold.toFixed(5)} | ${r.result.truePairs} | ${r.result.falsePairs} |`);
  }
  md.push('');
  md.push('### α by grid search', '');
  md.push(
    'The identities are split at random into two halves; IR with `max_threshold` is computed on the first half for α at the ' +
      'quantile levels 0.95, 0.9525, …, 1 of its features, and the best α is reported by its IR on the other half, beside cosine ' +
      'similarity on that same half.',
    '',
  );
  md.push('| protocol | α (level) | search-half IR | report-half IR | report-half VR | cosine IR | cosine VR |', '|---|---|---|---|---|---|---|');
  for (const protocol of PROTOCOLS) {
    const s = search[protocol]!;
    const best = s.search.find((x) => x.alpha === s.alpha)!;
    md.push(`| ${protocol} | ${s.alpha.toPrecision(5)} (${s.level}) | ${f4(best.ir)} | ${f4(s.report.ir)} | ${f4(s.report.vr)} | ${f4(s.baseline.ir)} | ${f4(s.baseline.vr)} |`);
  }
  const anySearch = search[PROTOCOLS[0]]!;
  md.push('', `Halves: ${anySearch.identities.search} identities (${anySearch.embeddings.search} embeddings) to search, ${anySearch.identities.report} (${anySearch.embeddings.report}) to report.`, '');
  if (reference.length > 0) {
    md.push('### Agreement with the reference implementation', '');
    md.push("The reference's notebook `ir_toy_example` printed these figures for the same files:", '');
    md.push('| setting | IR here | IR reference | VR here | VR reference |', '|---|---|---|---|---|');
    for (const r of reference) md.push(`| ${r.what} | ${f4(r.ir)} | ${f4(r.referenceIr)} | ${f4(r.vr)} | ${f4(r.referenceVr)} |`);
    md.push('');
  }
  files['ir-alpha.svg'] = lineChart({
    title: `IR and VR with max_threshold vs α (${plotProtocol}, FPR ${fpr})`,
    xLabel: 'quantile level of α among the CPLFW features',
    yLabel: 'rate',
    series: [
      { name: 'IR, max_threshold', x: curve.map((c) => c.level), y: curve.map((c) => c.ir), markers: true },
      { name: 'VR, max_threshold', x: curve.map((c) => c.level), y: curve.map((c) => c.vr), markers: true },
      { name: 'IR, cosine', x: [curve[0]!.level, curve.at(-1)!.level], y: [cosinePlot!.ir, cosinePlot!.ir], dashed: true },
      { name: 'VR, cosine', x: [curve[0]!.level, curve.at(-1)!.level], y: [cosinePlot!.vr, cosinePlot!.vr], dashed: true },
    ],
    verticals: [
      { x: level, label: `${level} quantile` },
      ...(search[plotProtocol]?.level != null ? [{ x: search[plotProtocol]!.level!, label: 'α by grid search' }] : []),
    ],
  });
  md.push('![IR and VR as functions of α](ir-alpha.svg)', '');

  // ---- outlier detection ----------------------------------------------------------------------
  const oo = o.ood ?? {};
  const nTrain = Math.min(oo.train ?? 800, raw.embeddings.rows - 1);
  const perm = permutation(randomKey(seed), raw.embeddings.rows);
  const trainRows = perm.slice(0, nTrain);
  const heldRows = perm.slice(nTrain);
  const train = takeRows(raw.embeddings, trainRows);
  const held = takeRows(raw.embeddings, heldRows);
  const m = oo.quadrics ?? 4;
  const epochs = oo.epochs ?? 2;
  const qOptions = { quadrics: m, epochs, lr: oo.lr ?? 0.1, batchSize: oo.batchSize ?? 32, seed };
  const scorers: Scorer[] = [
    normScorer(ctx),
    pcaScorer(ctx, { components: Math.min(oo.pcaComponents ?? 170, raw.embeddings.cols) }),
    ocsvmScorer(ctx, {}),
    quadricsScorer(ctx, { ...qOptions, distance: 'dist2' }),
    quadricsScorer(ctx, { ...qOptions, distance: 'dist0' }),
  ];
  log(`outlier detection: ${nTrain} training, ${heldRows.length} held-out CPLFW embeddings, ${raw.distractors.rows} MegaFace outliers`);
  let ood: OutlierDetectionResult;
  try {
    ood = await outlierDetection({
      scorers,
      train,
      inliers: held,
      outliers: raw.distractors,
      experiments: oo.experiments ?? 10,
      proportion: oo.proportion ?? 0.01,
      seed,
      onProgress: (e) => log(`  ${e.method}: ${e.stage}${e.seconds === undefined ? '' : ` (${e.seconds.toFixed(1)} s)`}`),
    });
  } finally {
    for (const s of scorers) s.dispose();
  }
  // The authors' model, through the supplied features: the same draws on its scores.
  const supplied = suppliedFeatureResult(takeValues(raw.features, heldRows), raw.distractorFeatures, ood);
  const methods = [...ood.methods, supplied];
  md.push('## 2. Outlier detection: ROC-AUC', '');
  md.push(
    `Training: ${nTrain} CPLFW embeddings drawn at random (seed ${seed}); scored: the other ${heldRows.length} CPLFW embeddings (inliers) ` +
      `against the ${raw.distractors.rows} MegaFace distractors (outliers, the positive class). Protocol: ${ood.experiments} random draws of ` +
      `${ood.sample.inliers} inliers and ${ood.sample.outliers} outliers (outliers ${100 * ood.proportion} % of the sample); mean ROC-AUC ± 1.96·std/√n. ` +
      "The last column is the AUC of all held-out inliers against all outliers. Embeddings are L2-normalised for PCA, the SVM and the quadrics; `norm` uses the raw norm.",
    '',
  );
  md.push(
    `Methods: \`norm\` = −‖x‖; \`pca\` = sqrt(1 − ‖Px‖²) on ${Math.min(oo.pcaComponents ?? 170, raw.embeddings.cols)} components; \`ocsvm\` = one-class SVM, polynomial kernel of degree 3, ν = 0.5, γ = 'scale' (libsvm); ` +
      `Q-FULL / Q-SUB = ${m} quadrics trained here (${epochs} epochs of SGD, lr ${qOptions.lr}, batch ${qOptions.batchSize}, λ = 1) with dist2 / dist0, scored by the sum of that distance; ` +
      "the last row scores with the supplied features of the authors' 300-quadric MS1M model.",
    '',
  );
  md.push('| method | ROC-AUC (mean ± half-width) | ROC-AUC, full sets | fit time (s) |', '|---|---|---|---|');
  for (const r of methods) md.push(`| ${r.name} | ${f4(r.mean)} ± ${f4(r.halfWidth)} | ${f4(r.fullAuc)} | ${r.fitSeconds.toFixed(1)} |`);
  md.push('');
  files['roc.svg'] = lineChart({
    title: 'ROC curves: held-out CPLFW (negative) vs MegaFace (positive)',
    xLabel: 'false-positive rate',
    yLabel: 'true-positive rate',
    xDomain: [0, 1],
    yDomain: [0, 1],
    diagonal: true,
    series: methods.map((r) => ({ name: `${r.name} (AUC ${r.fullAuc.toFixed(3)})`, x: r.curve.fpr, y: r.curve.tpr })),
  });
  md.push('![ROC curves](roc.svg)', '');

  // ---- synthetic benchmark ----------------------------------------------------------------------
  let synthetic: SyntheticSummary | undefined;
  if (o.synthetic ?? true) {
    log('synthetic benchmark: n = 16, m = 4');
    synthetic = await runSynthetic(ctx, seed);
    md.push('## 3. Synthetic benchmark with ground truth', '');
    md.push(
      'Points on the intersection of 4 random quadrics in R^16 (Gauss–Newton projection of Gaussian points onto the variety): ' +
        '1000 to train, 300 held-out inliers, 300 outliers pushed 0.25 off the variety along a random normal. ROC-AUC of all outliers against all inliers:',
      '',
    );
    md.push('| method | ROC-AUC |', '|---|---|');
    for (const r of synthetic.methods) md.push(`| ${r.name} | ${f4(r.auc)} |`);
    md.push('');
  }

  const results = {
    ir: rows,
    search,
    reference,
    ood: {
      train: nTrain,
      heldOut: heldRows.length,
      outliers: raw.distractors.rows,
      sample: ood.sample,
      experiments: ood.experiments,
      proportion: ood.proportion,
      methods: methods.map((r) => ({ name: r.name, mean: r.mean, halfWidth: r.halfWidth, fullAuc: r.fullAuc, fitSeconds: r.fitSeconds })),
    },
    ...(synthetic ? { synthetic } : {}),
  };
  files['results.json'] = JSON.stringify(results, (_, v) => (v instanceof Float64Array || v instanceof Int32Array ? Array.from(v) : v), 2) + '\n';
  const markdown = md.join('\n');
  files['report.md'] = markdown;
  return { markdown, files, results };
};

/** The protocol's statistics for precomputed scores, on the draws the methods used. */
const suppliedFeatureResult = (inlier: Float64Array, outlier: Float64Array, ood: OutlierDetectionResult): MethodResult => {
  const aucs = aucOverDraws(inlier, outlier, ood.draws);
  const s = meanWithHalfWidth(aucs);
  return {
    name: "Q-FULL, authors' model (supplied features)",
    aucs,
    mean: s.mean,
    std: s.std,
    halfWidth: s.halfWidth,
    fullAuc: rocAuc(outlier, inlier),
    curve: rocCurve(outlier, inlier),
    inlierScores: inlier,
    outlierScores: outlier,
    fitSeconds: 0,
  };
};

const runSynthetic = async (ctx: { backend: Backend; dtype: DType }, seed: number): Promise<SyntheticSummary> => {
  const b = syntheticBenchmark(randomKey(seed + 1), { n: 16, m: 4, train: 1000, inliers: 300, outliers: 300 });
  const methods: { name: string; auc: number }[] = [];
  const truth = tidy(() => {
    const p = fromHost(b.quadrics, { backend: ctx.backend, dtype: 'float32' });
    const x = toTensor({ rows: b.inliers.rows + b.outliers.rows, cols: 16, data: Float64Array.from([...b.inliers.data, ...b.outliers.data]) }, ctx.backend, 'float32');
    return quadricScore(p, x, 'dist0');
  });
  const t = await data(truth);
  dispose(truth);
  methods.push({ name: 'ground-truth quadrics (dist0)', auc: rocAuc(t.subarray(b.inliers.rows), t.subarray(0, b.inliers.rows)) });
  const scorers: Scorer[] = [
    pcaScorer(ctx, { components: 12, normalize: false }),
    pcaScorer(ctx, { components: 8, normalize: false }),
    quadricsScorer(ctx, { quadrics: 4, distance: 'dist2', normalize: false, init: 'kpca', epochs: 5, optimizer: 'sgd', lr: 0.01, name: 'Q-FULL (kernel-PCA start, 5 epochs SGD)' }),
    quadricsScorer(ctx, { quadrics: 4, distance: 'dist0', normalize: false, init: 'kpca', epochs: 5, optimizer: 'sgd', lr: 0.01, name: 'Q-SUB (kernel-PCA start, 5 epochs SGD)' }),
    quadricsScorer(ctx, { quadrics: 4, distance: 'dist2', normalize: false, epochs: 100, optimizer: 'adam', lr: 0.005, batchSize: 100, seed, name: 'Q-FULL (random start, 100 epochs Adam)' }),
  ];
  const names = ['PCA, 12 components', 'PCA, 8 components'];
  for (const [k, s] of scorers.entries()) {
    try {
      await s.fit(b.train);
      methods.push({ name: names[k] ?? s.name, auc: rocAuc(await s.score(b.outliers), await s.score(b.inliers)) });
    } finally {
      s.dispose();
    }
  }
  return { n: 16, m: 4, methods };
};
