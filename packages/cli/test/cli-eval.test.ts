// quadrix eval-ir, eval-auc and eval-ood in-process, on small files whose answers are worked by hand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeNpy } from '@quadrix/io/node';
import { expectError, manifoldPoints, ok, quadrix, rng, normal, tempDir, writeMatrix } from './helpers.js';

type Temp = Awaited<ReturnType<typeof tempDir>>;

const vector = (path: string, values: number[]) => writeNpy(path, { dtype: '<f4', shape: [values.length], data: Float32Array.from(values) });

describe('quadrix eval-auc', () => {
  let t: Temp;
  before(async () => {
    t = await tempDir();
    await vector(t.path('in.npy'), [0.1, 0.4]);
    await vector(t.path('out.npy'), [0.9, 0.4, 0.4]);
  });
  after(() => t.remove());

  it('prints the ROC-AUC with outliers as the positive class, ties counting one half', async () => {
    // pairs: 0.9 beats both inliers, each 0.4 beats 0.1 and ties 0.4 → (2 + 2·1.5)/6 = 5/6
    const r = await ok('eval', 'auc', '--inliers', t.path('in.npy'), '--outliers', t.path('out.npy'), '--json');
    assert.deepEqual(JSON.parse(r.out), { auc: 5 / 6, inliers: 2, outliers: 3 });
    const table = await ok('eval', 'auc', '--inliers', t.path('in.npy'), '--outliers', t.path('out.npy'));
    assert.equal(table.out, 'ROC-AUC 0.8333 (3 outliers against 2 inliers)');
  });

  it('a 2-D file or a missing one is a one-line error', async () => {
    await writeMatrix(t.path('m.npy'), 2, 2, Float64Array.from([1, 2, 3, 4]));
    await expectError(['eval', 'auc', '--inliers', t.path('m.npy'), '--outliers', t.path('out.npy')], 1, 'expected a vector', 'shape [2, 2]');
    await expectError(['eval', 'auc', '--inliers', t.path('none.npy'), '--outliers', t.path('out.npy')], 1, 'no such file');
    await expectError(['eval', 'auc', '--inliers', t.path('in.npy')], 2, '--outliers is required');
  });
});

describe('quadrix eval-ir', () => {
  let t: Temp;
  // The hand-worked example of packages/eval/test/ir.test.ts: five embeddings, two distractors.
  before(async () => {
    t = await tempDir();
    await writeMatrix(t.path('e.npy'), 5, 2, Float32Array.from([1, 0, 0.75, 0.5, 0, 1, 0.5, 0.75, 0.5, 0.5]));
    await writeMatrix(t.path('d.npy'), 2, 2, Float32Array.from([0.5, 0.25, 0.25, 1]));
    await writeNpy(t.path('l.npy'), { dtype: '<U', itemChars: 1, shape: [5], data: ['A', 'A', 'B', 'B', 'C'] });
    await vector(t.path('f.npy'), [1, 2, 3, 4, 0.5]);
    await vector(t.path('df.npy'), [2.5, 0.25]);
    // 12 identities × 3 embeddings in R^4 for the α search
    const next = rng(5);
    const centres = normal(next, 12 * 4);
    const emb = Float64Array.from({ length: 36 * 4 }, (_, k) => centres[Math.floor(k / 12) * 4 + (k % 4)]! + 0.3 * normal(next, 1)[0]!);
    await writeMatrix(t.path('e36.npy'), 36, 4, emb);
    await writeNpy(t.path('l36.npy'), { dtype: '<i8', shape: [36], data: BigInt64Array.from({ length: 36 }, (_, i) => BigInt(Math.floor(i / 3))) });
    await vector(t.path('f36.npy'), Array.from({ length: 36 }, (_, i) => (i * 7) % 11));
    await writeMatrix(t.path('d36.npy'), 10, 4, normal(next, 40));
    await vector(t.path('df36.npy'), Array.from({ length: 10 }, (_, i) => i));
  });
  after(() => t.remove());

  const base = () => ['eval', 'ir', '--embeddings', t.path('e.npy'), '--labels', t.path('l.npy'), '--distractors', t.path('d.npy')];

  it('cosine, data_distractors_no_false_pairs: IR 0.5, VR 1 at s_f = 0.625 (FP = ⌊14·0.3⌋ = 4)', async () => {
    const r = await ok(...base(), '--fpr', '0.3', '--protocol', 'data_distractors_no_false_pairs', '--json');
    const j = JSON.parse(r.out);
    assert.deepEqual(
      { ir: j.ir, vr: j.vr, threshold: j.threshold, truePairs: j.truePairs, falsePairs: j.falsePairs, alpha: j.alpha },
      { ir: 0.5, vr: 1, threshold: 0.625, truePairs: 4, falsePairs: 14, alpha: null },
    );
  });

  it('max_threshold with α = 3.5 under data_distractors_in_false_pairs: 18 false pairs (distractor zeros kept), IR 0.5', async () => {
    const r = await ok(...base(), '--similarity', 'features', '--features', t.path('f.npy'), '--distractor-features', t.path('df.npy'),
      '--transform', 'max_threshold', '--alpha', '3.5', '--protocol', 'data_distractors_in_false_pairs', '--fpr', '0.25', '--json');
    const j = JSON.parse(r.out);
    assert.deepEqual([j.ir, j.vr, j.threshold, j.falsePairs, j.alpha, j.transform], [0.5, 0.5, 0.625, 18, 3.5, 'max_threshold']);
  });

  it('--alpha-quantile takes α from the features (NumPy quantile: the median of 0.5, 1, 2, 3, 4 is 2)', async () => {
    const r = await ok(...base(), '--similarity', 'features', '--features', t.path('f.npy'), '--distractor-features', t.path('df.npy'),
      '--alpha-quantile', '0.5', '--protocol', 'data_no_distractors', '--fpr', '0.3', '--json');
    const j = JSON.parse(r.out);
    assert.equal(j.alpha, 2);
    assert.equal(j.alphaQuantile, 0.5);
    // max < 2 keeps only pairs among e0 (o = 1) and e4 (0.5): false 04 twice, true pairs all zeroed
    assert.deepEqual([j.falsePairs, j.ir, j.vr], [2, 0, 0]);
  });

  it('prints a table without --json', async () => {
    const r = await ok(...base(), '--fpr', '0.3', '--protocol', 'data_no_distractors');
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'cosine similarity, data_no_distractors, FPR 0.3');
    assert.match(lines[1]!, /^IR\s+VR\s+threshold\s+true pairs\s+false pairs\s+alpha/);
    assert.match(lines[2]!, /^1\.0000\s+1\.0000\s+0\.625000\s+4\s+14\s+—/);
  });

  it('--alpha-search searches one half of the identities and reports the other (integer labels)', async () => {
    const r = await ok('eval', 'ir', '--embeddings', t.path('e36.npy'), '--labels', t.path('l36.npy'), '--distractors', t.path('d36.npy'), '--normalize',
      '--similarity', 'features', '--features', t.path('f36.npy'), '--distractor-features', t.path('df36.npy'), '--alpha-search',
      '--alpha-quantiles', '0.5,0.9,1', '--fpr', '0.05', '--json');
    const j = JSON.parse(r.out);
    assert.deepEqual(j.search.identities, { search: 6, report: 6 });
    assert.deepEqual(j.search.embeddings, { search: 18, report: 18 });
    assert.deepEqual(j.search.grid.map((g: { level: number }) => g.level), [0.5, 0.9, 1]);
    const best = j.search.grid.reduce((b: { ir: number }, g: { ir: number }) => (g.ir > b.ir ? g : b));
    assert.equal(j.alpha, best.alpha);
    assert.equal(j.truePairs, 36, '6 identities × 3 · 2 ordered pairs');
    assert.ok(j.ir >= 0 && j.ir <= j.vr && j.vr <= 1);
    assert.ok(j.search.cosine.ir >= 0 && j.search.cosine.ir <= 1);
  });

  it('usage errors name the missing piece (exit 2)', async () => {
    await expectError([...base(), '--similarity', 'features', '--alpha', '1'], 2, '--similarity features needs --features');
    await expectError([...base(), '--alpha', '1'], 2, 'need --similarity features');
    await expectError([...base(), '--protocol', 'nope'], 2, '--protocol must be one of');
    await expectError(['eval', 'ir', '--embeddings', t.path('e.npy'), '--labels', t.path('l.npy')], 2, 'needs --distractors');
    await expectError([...base(), '--similarity', 'features', '--features', t.path('f.npy'), '--distractor-features', t.path('df.npy'), '--transform', 'max', '--alpha-search'], 2, 'needs --alpha-grid');
    await expectError([...base(), '--fpr', '2'], 2, '--fpr must be in [0, 1]');
  });

  it('data errors are one line (exit 1): labels of the wrong length', async () => {
    await writeNpy(t.path('l3.npy'), { dtype: '<U', itemChars: 1, shape: [3], data: ['A', 'A', 'B'] });
    await expectError(['eval', 'ir', '--embeddings', t.path('e.npy'), '--labels', t.path('l3.npy'), '--protocol', 'data_no_distractors'], 1, '3 labels for 5 embeddings');
  });
});

describe('quadrix eval-ood', () => {
  let t: Temp;
  before(async () => {
    t = await tempDir();
    await writeMatrix(t.path('train.npy'), 60, 4, manifoldPoints(1, 60, 4));
    await writeMatrix(t.path('in.npy'), 20, 4, manifoldPoints(2, 20, 4));
    // outliers: the same sphere but off the plane x₃ = 0.3 (normalised embeddings differ in direction)
    const far = manifoldPoints(3, 20, 4).map((v, i) => (i % 4 === 3 ? -0.9 : v));
    await writeMatrix(t.path('out.npy'), 20, 4, far);
  });
  after(() => t.remove());

  it('reports mean ROC-AUC ± half-width per method over the draws, as JSON', async () => {
    const r = await ok('eval', 'ood', '--train', t.path('train.npy'), '--inliers', t.path('in.npy'), '--outliers', t.path('out.npy'),
      '--methods', 'pca,norm,ocsvm,qfull', '--components', '3', '--quadrics', '2', '--epochs', '1', '--experiments', '4', '--proportion', '0.2', '--json');
    const j = JSON.parse(r.out);
    assert.deepEqual(j.methods.map((m: { name: string }) => m.name), ['Q-FULL', 'pca', 'ocsvm', 'norm']);
    assert.deepEqual(j.sample, { inliers: 20, outliers: 5 });
    assert.equal(j.experiments, 4);
    for (const m of j.methods) {
      assert.equal(m.aucs.length, 4);
      const mean = m.aucs.reduce((a: number, b: number) => a + b, 0) / 4;
      assert.ok(Math.abs(m.mean - mean) < 1e-12);
      assert.ok(m.halfWidth >= 0);
    }
    const pca = j.methods.find((m: { name: string }) => m.name === 'pca');
    // PCA's 3 components span the hyperplane x₃ = const of the inliers: the score is |x₃|, 0.3 for inliers, ~0.9 for outliers
    assert.equal(pca.fullAuc, 1);
  });

  it('prints a table, and rejects unknown methods', async () => {
    const r = await ok('eval', 'ood', '--train', t.path('train.npy'), '--inliers', t.path('in.npy'), '--outliers', t.path('out.npy'),
      '--methods', 'norm', '--experiments', '2', '--proportion', '0.5');
    assert.match(r.out, /^ROC-AUC over 2 draws of 20 inliers and 20 outliers/);
    assert.match(r.out, /\nnorm\s+\d\.\d{4} ± \d\.\d{4}\s+\d\.\d{4}$/);
    await expectError(['eval', 'ood', '--train', t.path('train.npy'), '--inliers', t.path('in.npy'), '--outliers', t.path('out.npy'), '--methods', 'svm'], 2, "unknown method 'svm'");
  });

  it('is listed by quadrix --help, and quadrix eval lists its subcommands', async () => {
    assert.match((await quadrix('--help')).out, /\n  eval {2,}/);
    const r = await quadrix('eval', '--help');
    for (const c of ['ir', 'auc', 'ood']) assert.match(r.out, new RegExp(`\\n  ${c} `));
    await expectError(['eval', 'roc'], 2, "unknown subcommand 'roc'");
  });
});
