import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aucOverDraws, drawSamples, drawSizes, fitOneClassSvm, meanWithHalfWidth, normScorer, ocsvmScorer, outlierDetection, pcaScorer, quadricsScorer,
  rocAuc, type Matrix, type Scorer,
} from '../src/index.js';
import { close, points, sklearn, withBackend } from './fixtures.js';

const m = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0]!.length, data: Float64Array.from(rows.flat()) });

describe('norm scorer', () => {
  it('scores minus the L2 norm of the raw embedding', () =>
    withBackend(async (backend) => {
      const s = normScorer({ backend, dtype: 'float64' });
      await s.fit(m([[1, 0]]));
      assert.deepEqual(Array.from(await s.score(m([[3, 4], [0, 1], [0, 0]]))), [-5, -1, -0]);
      await assert.rejects(s.score(m([[1, 2, 3]])), /dimension 3 .* dimension 2/);
    }));
});

describe('pca scorer', () => {
  // 12 points on the unit circle of the xy-plane (mean 0): the principal plane is z = 0.
  const circle = m(Array.from({ length: 12 }, (_, i) => [Math.cos((i * Math.PI) / 6), Math.sin((i * Math.PI) / 6), 0]));

  it('normalised (the paper): sqrt(1 − ‖Px‖²) on the unit-normalised point', () =>
    withBackend(async (backend) => {
      const s = pcaScorer({ backend, dtype: 'float64' }, { components: 2 });
      await s.fit(circle);
      const r = await s.score(m([[0, 0, 5], [2, 2, 0], [1, 0, 1]]));
      close(r[0]!, 1, 1e-12, 'off the plane');
      close(r[1]!, 0, 1e-7, 'in the plane');
      close(r[2]!, Math.SQRT1_2, 1e-12, 'at 45°'); // (1, 0, 1)/√2 projects to (1/√2, 0, 0)
      s.dispose();
    }));

  it('not normalised: the distance of x − mean to the principal subspace', () =>
    withBackend(async (backend) => {
      const shifted = { ...circle, data: circle.data.map((v, i) => v + (i % 3 === 2 ? 7 : 0)) }; // the plane z = 7
      const s = pcaScorer({ backend, dtype: 'float64' }, { components: 2, normalize: false });
      await s.fit(shifted);
      const r = await s.score(m([[0.3, -2, 7], [0, 0, 10], [1, 1, 4.5]]));
      close(r[0]!, 0, 1e-7);
      close(r[1]!, 3, 1e-12);
      close(r[2]!, 2.5, 1e-12);
      s.dispose();
    }));

  it('refuses k outside 1..n and scoring before fit', () =>
    withBackend(async (backend) => {
      const s = pcaScorer({ backend }, { components: 4 });
      await assert.rejects(s.fit(circle), /integer in 1\.\.3/);
      await assert.rejects(s.score(circle), /score called before fit/);
    }));
});

describe('one-class SVM (libsvm)', () => {
  const train = points(40, 5, 0.3, 1.1);
  const test = points(12, 5, 2.0, 0.7);

  it("finds scikit-learn's OneClassSVM(kernel='poly', degree=3) solution: gamma, support vectors, coefficients", async () => {
    const model = await fitOneClassSvm(train);
    close(model.gamma, sklearn.ocsvm.gamma, 1e-15, 'gamma');
    assert.deepEqual(Array.from(model.supportIndices), sklearn.ocsvm.support);
    model.coefficients.forEach((c, k) => close(c, sklearn.ocsvm.dual_coef[k]!, 1e-9, `coefficient ${k}`));
    close(model.rho, sklearn.ocsvm.offset, 1e-5, 'rho');
  });

  it('its solution satisfies the ν-one-class dual: 0 ≤ α ≤ 1, Σα = νN, and the KKT conditions', async () => {
    const model = await fitOneClassSvm(train, { nu: 0.3 });
    const sum = model.coefficients.reduce((a, b) => a + b, 0);
    close(sum, 0.3 * 40, 1e-9, 'Σα');
    assert.ok(model.coefficients.every((a) => a > 0 && a <= 1));
    // f(x_i) = Σ α_j K(x_j, x_i): free SVs (0 < α < 1) sit at ρ, non-SVs at or above it, bound SVs at or below
    const k = (a: number, b: number) => {
      let dot = 0;
      for (let j = 0; j < 5; j++) dot += train.data[a * 5 + j]! * train.data[b * 5 + j]!;
      return (model.gamma * dot) ** 3;
    };
    const f = (i: number) => model.coefficients.reduce((acc, a, t) => acc + a * k(model.supportIndices[t]!, i), 0);
    const alphaOf = new Map(Array.from(model.supportIndices, (r, t) => [r, model.coefficients[t]!]));
    const free = [...alphaOf].filter(([, a]) => a < 1 - 1e-9).map(([r]) => r);
    assert.ok(free.length > 0);
    const rho = f(free[0]!);
    const tol = 2e-3; // libsvm stops at a KKT violation below its tolerance 1e-3
    for (const r of free) close(f(r), rho, tol, `free SV ${r}`);
    for (let i = 0; i < 40; i++) {
      const a = alphaOf.get(i) ?? 0;
      if (a === 0) assert.ok(f(i) >= rho - tol, `non-SV ${i}: ${f(i)} < ρ ${rho}`);
      if (a === 1) assert.ok(f(i) <= rho + tol, `bound SV ${i}: ${f(i)} > ρ ${rho}`);
    }
  });

  it("scores minus scikit-learn's score_samples, on the backend", () =>
    withBackend(async (backend) => {
      const s = ocsvmScorer({ backend, dtype: 'float64' }, { normalize: false });
      await s.fit(train);
      const r = await s.score(test);
      r.forEach((v, i) => close(v, -sklearn.ocsvm.score_samples_test[i]!, 1e-9, `test point ${i}`));
      const rt = await s.score(train);
      rt.forEach((v, i) => close(v, -sklearn.ocsvm.score_samples_train[i]!, 1e-9, `train point ${i}`));
      s.dispose();
    }));

  it('loading libsvm leaves no process-wide rejection handler behind', async () => {
    await fitOneClassSvm(train);
    const emscripten = process.listeners('unhandledRejection').filter((l) => String(l).includes('process["exit"]'));
    assert.equal(emscripten.length, 0, 'the Emscripten handler that exits silently is still installed');
  });
});

describe('quadrics scorer', () => {
  it('trains with @quadrix/models and scores points off a circle above points on it', () =>
    withBackend(async (backend) => {
      // the unit circle of the plane z = 0.5 in R³ (a quadric intersection), normalised or not
      const on = m(Array.from({ length: 64 }, (_, i) => [Math.cos(i / 10), Math.sin(i / 10), 0.5]));
      const off = m(Array.from({ length: 16 }, (_, i) => [1.4 * Math.cos(i), 1.4 * Math.sin(i), 0.5 + (i % 2 ? 0.4 : -0.4)]));
      const s: Scorer = quadricsScorer({ backend, dtype: 'float64' }, { quadrics: 2, distance: 'dist2', normalize: false, init: 'kpca', epochs: 2, lr: 0.01 });
      assert.equal(s.name, 'Q-FULL');
      await s.fit(on);
      const auc = rocAuc(await s.score(off), await s.score(m(Array.from({ length: 16 }, (_, i) => [Math.cos(i + 0.5), Math.sin(i + 0.5), 0.5]))));
      assert.equal(auc, 1);
      s.dispose();
      assert.equal(quadricsScorer({ backend }, { quadrics: 1, distance: 'dist0' }).name, 'Q-SUB');
    }));
});

describe('outlier-detection protocol', () => {
  it('draw sizes: outliers make the proportion of the sample, as large as the data allow', () => {
    assert.deepEqual(drawSizes(209, 200, 0.01), { inliers: 198, outliers: 2 }); // round(209·0.01/0.99) = 2, round(2·99) = 198
    assert.deepEqual(drawSizes(100, 5, 0.5), { inliers: 5, outliers: 5 });
    assert.deepEqual(drawSizes(1000, 3, 0.1), { inliers: 27, outliers: 3 });
    assert.throws(() => drawSizes(10, 10, 1), /in \(0, 1\)/);
  });

  it('draws are seeded, without replacement, and the same for every method', () => {
    const a = drawSamples(50, 20, { experiments: 4, proportion: 0.1, seed: 7 });
    assert.deepEqual(drawSamples(50, 20, { experiments: 4, proportion: 0.1, seed: 7 }), a);
    assert.notDeepEqual(drawSamples(50, 20, { experiments: 4, proportion: 0.1, seed: 8 }), a);
    for (const d of a) {
      assert.equal(d.outliers.length, 6);
      assert.equal(d.inliers.length, 50);
      assert.equal(new Set(d.outliers).size, 6);
    }
  });

  it('reports mean ROC-AUC and 1.96·std/√n over the draws, the full-set AUC and the ROC curve', () =>
    withBackend(async () => {
      // a scorer that scores by the first coordinate
      const first: Scorer = {
        name: 'first',
        fit: async () => undefined,
        score: async (x) => Float64Array.from({ length: x.rows }, (_, r) => x.data[r * x.cols]!),
        dispose: () => undefined,
      };
      const inl = m(Array.from({ length: 30 }, (_, i) => [i / 30, 0]));
      const out = m(Array.from({ length: 10 }, (_, i) => [0.5 + i / 10, 1]));
      const r = await outlierDetection({ scorers: [first], train: inl, inliers: inl, outliers: out, experiments: 5, proportion: 0.25, seed: 2 });
      assert.deepEqual(r.sample, { inliers: 30, outliers: 10 });
      const method = r.methods[0]!;
      const aucs = aucOverDraws(await first.score(inl), await first.score(out), r.draws);
      assert.deepEqual(Array.from(method.aucs), Array.from(aucs));
      const stats = meanWithHalfWidth(aucs);
      assert.equal(method.mean, stats.mean);
      assert.equal(method.halfWidth, stats.halfWidth);
      // 30 inliers in [0, 1), outliers 0.5..1.4: outliers above all inliers except the 15 at ≥ 0.5
      assert.equal(method.fullAuc, rocAuc(await first.score(out), await first.score(inl)));
      assert.ok(method.fullAuc > 0.8 && method.fullAuc < 1);
      assert.equal(method.curve.tpr.at(-1), 1);
    }));
});
