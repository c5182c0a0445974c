// The synthetic benchmark with ground truth: points on the intersection of 4 random quadrics in
// R^16 and outliers pushed off it. Quadrics fitted here separate them; PCA cannot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomKey } from '@quadrix/core';
import { pcaScorer, quadricValues, quadricsScorer, rocAuc, syntheticBenchmark } from '../src/index.js';
import { withBackend } from './fixtures.js';

describe('synthetic benchmark (n = 16, m = 4)', () => {
  const b = syntheticBenchmark(randomKey(1), { n: 16, m: 4, train: 600, inliers: 200, outliers: 200 });

  it('draws inliers on the variety (|Q_i| < 1e-12) and outliers off it by the offset', () => {
    assert.equal(b.train.rows, 600);
    assert.equal(b.inliers.cols, 16);
    for (const set of [b.train, b.inliers]) {
      for (let r = 0; r < set.rows; r++) {
        const q = quadricValues(b.quadrics, set.data.subarray(r * 16, (r + 1) * 16));
        assert.ok(q.every((v) => Math.abs(v) < 1e-12), `row ${r}: Q = ${Array.from(q)}`);
      }
    }
    // to first order an outlier at distance 0.25 along the normal has |Q| ≈ 0.25·|∇Q·u| > 0: check it is clearly off
    let off = 0;
    for (let r = 0; r < b.outliers.rows; r++) {
      const q = quadricValues(b.quadrics, b.outliers.data.subarray(r * 16, (r + 1) * 16));
      if (Math.max(...q.map(Math.abs)) > 1e-3) off++;
    }
    assert.equal(off, b.outliers.rows);
    assert.deepEqual(syntheticBenchmark(randomKey(1), { n: 16, m: 4, train: 600, inliers: 200, outliers: 200 }), b, 'seeded');
  });

  it('PCA cannot separate the outliers (ROC-AUC < 0.75 for 8 and 12 components)', () =>
    withBackend(async (backend) => {
      for (const components of [8, 12]) {
        const s = pcaScorer({ backend, dtype: 'float64' }, { components, normalize: false });
        await s.fit(b.train);
        const auc = rocAuc(await s.score(b.outliers), await s.score(b.inliers));
        s.dispose();
        assert.ok(auc < 0.75, `PCA with ${components} components reached ROC-AUC ${auc}`);
      }
    }));

  it('quadrics fitted here separate them with ROC-AUC ≥ 0.99 (Q-FULL and Q-SUB)', () =>
    withBackend(async (backend) => {
      for (const distance of ['dist2', 'dist0'] as const) {
        // kernel PCA start, then the trainer (SGD on the paper's loss)
        const s = quadricsScorer({ backend, dtype: 'float64' }, { quadrics: 4, distance, normalize: false, init: 'kpca', epochs: 3, lr: 0.01, seed: 0 });
        await s.fit(b.train);
        const auc = rocAuc(await s.score(b.outliers), await s.score(b.inliers));
        s.dispose();
        assert.ok(auc >= 0.99, `${s.name}: ROC-AUC ${auc}`);
      }
    }));
});
