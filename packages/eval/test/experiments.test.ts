// `pnpm experiments` end to end on a small stand-in for the arcface-toy folder (same file names and
// kinds), so the runner is checked without the real data and in a few seconds.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normalValues, randomKey } from '@quadrix/core';
import { writeNpy } from '@quadrix/io/node';
import { main } from '../scripts/experiments.js';
import type { ExperimentReport } from '../src/index.js';

describe('experiments runner', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quadrix-eval-test-'));
    const data = join(dir, 'data');
    await import('node:fs/promises').then((fs) => fs.mkdir(data));
    // 30 identities × 3 embeddings in R^8 around identity centres, 30 distractors, features
    const n = 8;
    const centres = normalValues(randomKey(1), 30 * n);
    const noise = normalValues(randomKey(2), 90 * n);
    const emb = Float32Array.from({ length: 90 * n }, (_, k) => 10 * centres[Math.floor(k / (3 * n)) * n + (k % n)]! + 2 * noise[k]!);
    const dis = Float32Array.from(normalValues(randomKey(3), 30 * n), (v) => 12 * v);
    const feat = Float32Array.from(normalValues(randomKey(4), 90), (v) => 1 + 0.1 * v);
    const dfeat = Float32Array.from(normalValues(randomKey(5), 30), (v) => 1.2 + 0.1 * v);
    await writeNpy(join(data, 'embeddings.npy'), { dtype: '<f4', shape: [90, n], data: emb });
    await writeNpy(join(data, 'distractors.npy'), { dtype: '<f4', shape: [30, n], data: dis });
    await writeNpy(join(data, 'labels.npy'), { dtype: '<U', itemChars: 6, shape: [90], data: Array.from({ length: 90 }, (_, i) => `id_${Math.floor(i / 3)}`) });
    await writeNpy(join(data, 'cplfw_quadrics_features.npy'), { dtype: '<f4', shape: [90], data: feat });
    await writeNpy(join(data, 'megaface_quadrics_features.npy'), { dtype: '<f4', shape: [30], data: dfeat });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes the Markdown report, the ROC and IR(α) plots and the figures as JSON', async () => {
    const log: string[] = [];
    const out = join(dir, 'report');
    const paths = await main(
      ['--data', join(dir, 'data'), '--out', out, '--train', '60', '--quadrics', '1', '--epochs', '1', '--experiments', '3', '--proportion', '0.1', '--no-synthetic'],
      (l) => log.push(l),
    );
    assert.deepEqual(paths.map((p) => p.slice(out.length + 1)).sort(), ['ir-alpha.svg', 'report.md', 'results.json', 'roc.svg']);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    for (const h of ['## 1. Similarity robustification', '### α by grid search', '## 2. Outlier detection', '![ROC curves](roc.svg)']) assert.ok(md.includes(h), h);
    assert.ok(!md.includes('## 3. Synthetic'), 'the synthetic benchmark was skipped');
    assert.ok(!md.includes('Agreement with the reference'), 'reference figures belong to the real files only');
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as ExperimentReport['results'];
    assert.equal(results.ir.length, 6, 'cosine and max_threshold under three protocols');
    for (const r of results.ir) {
      assert.ok(r.result.ir >= 0 && r.result.ir <= r.result.vr && r.result.vr <= 1, `identified pairs are verified: ${JSON.stringify(r)}`);
      assert.equal(r.result.truePairs, 180);
    }
    assert.deepEqual(results.ood.methods.map((m) => m.name), ['norm', 'pca', 'ocsvm', 'Q-FULL', 'Q-SUB', "Q-FULL, authors' model (supplied features)"]);
    assert.deepEqual(results.ood.sample, { inliers: 27, outliers: 3 });
    for (const m of results.ood.methods) assert.ok(m.fullAuc >= 0 && m.fullAuc <= 1 && Number.isFinite(m.halfWidth), JSON.stringify(m));
    // the identities are well separated: cosine identifies most true pairs
    assert.ok(results.ir[0]!.result.ir > 0.5, `IR ${results.ir[0]!.result.ir}`);
    for (const svg of ['roc.svg', 'ir-alpha.svg']) {
      const text = await readFile(join(out, svg), 'utf8');
      assert.match(text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(text, /<\/svg>\n$/);
      assert.ok((text.match(/<polyline/g) ?? []).length >= 4, `${svg} has its curves`);
    }
    assert.ok(log.some((l) => l.startsWith('wrote ')), log.join('\n'));
  });

  it('fails with a clear message when the data folder is missing', async () => {
    await assert.rejects(main(['--data', join(dir, 'nope')], () => undefined), /arcface-toy data folder .*nope does not exist/);
  });
});
