// The real embeddings in ../shared/data/arcface-toy/: the identification rates of the reference's
// ir_toy_example notebook on the same files, and the outlier baselines. Skipped (with the reason)
// when the folder is absent; a failure under QUADRIX_REQUIRE_ALL=1.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { permutation, randomKey } from '@quadrix/core';
import { irEvaluator, normalizeRows, normScorer, pcaScorer, quantile, rocAuc, takeRows, type IrData } from '../src/index.js';
import { loadArcfaceToy } from '../src/node.js';
import { arcfaceDir, needData, skipWithoutData, withBackend } from './fixtures.js';

describe('arcface-toy: identification rate as the reference computes it', { skip: skipWithoutData }, () => {
  it('cosine and max_threshold at FPR 1e-3 give the figures printed by the reference notebook', async () => {
    needData();
    const raw = await loadArcfaceToy(arcfaceDir);
    assert.equal(raw.labels.length, 1009);
    const d: IrData = {
      embeddings: normalizeRows(raw.embeddings),
      labels: raw.labels,
      features: raw.features,
      distractors: normalizeRows(raw.distractors),
      distractorFeatures: raw.distractorFeatures,
    };
    await withBackend(async (backend) => {
      const e = irEvaluator({ backend }, d);
      try {
        // 1986 ordered true pairs; 1009·1008 − 1986 = 1015086 false pairs, FP = 1015 (printed by the notebook)
        const cos = await e.evaluate({ similarity: { kind: 'cosine' }, protocol: 'data_distractors_no_false_pairs', fpr: 1e-3 });
        assert.equal(cos.truePairs, 1986);
        assert.equal(cos.falsePairs, 1015086);
        assert.equal(cos.falsePositives, 1015);
        assert.equal(cos.identified, 1490); // IR 0.7502517623363545
        assert.equal(cos.verified, 1498); // VR 0.7542799597180262
        const at = (level: number) =>
          e.evaluate({ similarity: { kind: 'features', transform: 'max_threshold', alpha: quantile(raw.features, level) }, protocol: 'data_distractors_in_false_pairs', fpr: 1e-3 });
        const q985 = await at(0.985);
        assert.equal(q985.falsePositives, 1184); // printed by the notebook
        assert.equal(q985.identified, 1507); // IR 0.7588116817724069
        assert.equal(q985.verified, 1518); // VR 0.7643504531722054
        const q1 = await at(1);
        assert.equal(q1.falsePositives, 1214);
        assert.equal(q1.identified, 1494); // IR 0.7522658610271903
        assert.equal(q1.verified, 1502); // VR 0.756294058408862
      } finally {
        e.dispose();
      }
    });
  });

  it('baselines on 800 training embeddings separate MegaFace from held-out CPLFW better than chance (PCA) ', async () => {
    needData();
    const raw = await loadArcfaceToy(arcfaceDir);
    const perm = permutation(randomKey(0), 1009);
    const train = takeRows(raw.embeddings, perm.slice(0, 800));
    const held = takeRows(raw.embeddings, perm.slice(800));
    await withBackend(async (backend) => {
      const pca = pcaScorer({ backend }, { components: 170 });
      await pca.fit(train);
      const auc = rocAuc(await pca.score(raw.distractors), await pca.score(held));
      pca.dispose();
      assert.ok(auc > 0.7 && auc < 0.9, `PCA ROC-AUC ${auc}`);
      const norm = normScorer({ backend });
      await norm.fit(train);
      const n = rocAuc(await norm.score(raw.distractors), await norm.score(held));
      assert.ok(n < 0.5, `MegaFace embeddings have larger norms here: ROC-AUC of −‖x‖ is ${n}`);
    });
  });
});
