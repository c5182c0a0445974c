// Identification and verification rates against small examples worked by hand (the working is in
// the comments), for every transformation and every protocol, and the α grid search.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { data, tensor, tidy } from '@quadrix/core';
import {
  PROTOCOLS, TRANSFORMS, alphaGridSearch, identificationRate, irEvaluator, splitIdentities, subsetIrData, transformSimilarity,
  type IrData, type IrOptions, type IrResult, type Protocol, type Similarity, type Transform,
} from '../src/index.js';
import { withBackend } from './fixtures.js';

// Five embeddings in R² (dot products are exact in binary) and two distractors.
//   e0 (1, 0) A · e1 (0.75, 0.5) A · e2 (0, 1) B · e3 (0.5, 0.75) B · e4 (0.5, 0.5) C
//   d0 (0.5, 0.25) · d1 (0.25, 1)
// s(ei, ej): 01 .75 · 02 0 · 03 .5 · 04 .5 · 12 .5 · 13 .75 · 14 .625 · 23 .75 · 24 .5 · 34 .625
// s(ei, d0), s(ei, d1): e0 .5, .25 · e1 .5, .6875 · e2 .25, 1 · e3 .4375, .875 · e4 .375, .625
// True pairs: (0,1) (1,0) (2,3) (3,2), all 0.75. Data false pairs: 16 off-diagonal entries minus the
// two zeros s(e0, e2), s(e2, e0) = 14: 0.75 ×2, 0.625 ×4, 0.5 ×8.
// Features o: e 1, 2, 3, 4, 0.5 · d 2.5, 0.25.
const A: IrData = {
  embeddings: { rows: 5, cols: 2, data: Float64Array.from([1, 0, 0.75, 0.5, 0, 1, 0.5, 0.75, 0.5, 0.5]) },
  labels: ['A', 'A', 'B', 'B', 'C'],
  features: [1, 2, 3, 4, 0.5],
  distractors: { rows: 2, cols: 2, data: Float64Array.from([0.5, 0.25, 0.25, 1]) },
  distractorFeatures: [2.5, 0.25],
};

const ir = (d: IrData, similarity: Similarity, protocol: Protocol, fpr: number, extra: { blockElements?: number; cacheElements?: number } = {}): Promise<IrResult> =>
  withBackend((backend) => identificationRate({ backend, dtype: 'float64', ...extra }, d, { similarity, protocol, fpr }));

const expectIr = (r: IrResult, e: Partial<IrResult>): void => {
  for (const [k, v] of Object.entries(e)) assert.equal(r[k as keyof IrResult], v, `${k}: got ${r[k as keyof IrResult]}, expected ${v}`);
};

describe('transformSimilarity: every transformation on a hand-computed block', () => {
  // s = [[.75, .5, .25], [-.5, 1, 0]], o(rows) = [1, 2], o(cols) = [.5, 2, 3]
  // max(o) [[1, 2, 3], [2, 2, 3]] · min(o) [[.5, 1, 1], [.5, 2, 2]] · o·o [[.5, 2, 3], [1, 4, 6]]
  // o(x) − o(y) [[.5, −1, −2], [1.5, 0, −1]] · o(x) + o(y) [[1.5, 3, 4], [2.5, 4, 5]]
  const cases: [Transform, number, number[]][] = [
    ['dot_product', 0.5, [0.5, -0.5, -1.25, -1, -1, -3]], // s − α·o·o
    ['max', 0.5, [0.25, -0.5, -1.25, -1.5, 0, -1.5]], // s − α·max
    ['min', 0.5, [0.5, 0, -0.25, -0.75, 0, -1]], // s − α·min
    ['fraction', 0.5, [0.75 / 1.25, 0.5 / 1.5, 0.25 / 1.5, -0.5 / 1.25, 0.5, 0]], // s / (1 + α·min)
    ['multiplication', 0.5, [0.5625, 0.25, 0.125, -0.375, 0, 0]], // s·(1 − α·min)
    ['sum', 0.5, [0.5, 1, 1.25, -1.25, 1, 0.5]], // s − α·(o(x) − o(y))
    ['sum_threshold', 3.5, [0.75, 0.5, 0, -0.5, 0, 0]], // o(x) + o(y) < 3.5
    ['max_threshold', 2.5, [0.75, 0.5, 0, -0.5, 1, 0]], // max < 2.5
    ['min_threshold', 1, [0.75, 0, 0, -0.5, 0, 0]], // min < 1
    ['max_threshold_below', 2.5, [0, 0, 0.25, 0, 0, 0]], // max > 2.5
    ['min_threshold_below', 1, [0, 0, 0, 0, 1, 0]], // min > 1 (1 is not > 1)
  ];
  it('covers every transformation', () => assert.deepEqual(cases.map((c) => c[0]).sort(), [...TRANSFORMS].sort()));
  for (const [t, alpha, expected] of cases) {
    it(`${t} (α = ${alpha})`, () =>
      withBackend(async (backend) => {
        const o = { backend, dtype: 'float64' } as const;
        const out = tidy(() =>
          transformSimilarity(tensor([[0.75, 0.5, 0.25], [-0.5, 1, 0]], o), tensor([[1], [2]], o), tensor([[0.5, 2, 3]], o), t, alpha),
        );
        assert.deepEqual(Array.from(await data(out)).map((v) => v + 0), expected); // + 0: −0 is 0
        out.backend.dispose(out.handle);
      }),
    );
  }
});

describe('identificationRate: protocols (cosine similarity)', () => {
  const cos: Similarity = { kind: 'cosine' };

  it('data_no_distractors: FP = ⌊14·0.1⌋ = 1 → s_f = 0.75; no true pair is > 0.75, all are ≥', async () => {
    expectIr(await ir(A, cos, 'data_no_distractors', 0.1), { truePairs: 4, falsePairs: 14, falsePositives: 1, threshold: 0.75, ir: 0, vr: 1, alpha: null });
  });

  it('data_no_distractors: FP = ⌊14·0.3⌋ = 4 → s_f = 0.625 (4th largest: .75 .75 .625 .625); every pair identified', async () => {
    expectIr(await ir(A, cos, 'data_no_distractors', 0.3), { falsePairs: 14, falsePositives: 4, threshold: 0.625, ir: 1, vr: 1, identified: 4, verified: 4 });
  });

  it('FP = 0 takes the largest false similarity as the threshold', async () => {
    expectIr(await ir(A, cos, 'data_no_distractors', 0), { falsePositives: 0, threshold: 0.75 });
  });

  it('data_distractors_no_false_pairs: same threshold; rows 0 and 1 beat their distractors (max .5, .6875), rows 2 and 3 do not (1, .875)', async () => {
    expectIr(await ir(A, cos, 'data_distractors_no_false_pairs', 0.3), { falsePairs: 14, threshold: 0.625, ir: 0.5, vr: 1, identified: 2 });
  });

  it('data_distractors_in_false_pairs: 14 + 10 distractor similarities; FP = ⌊24·0.25⌋ = 6 → s_f = 0.625', async () => {
    // false, descending: 1, .875, .75, .75, .6875, .625 (6th), .625 ×4, .5 ×10, .4375, .375, .25 ×2
    expectIr(await ir(A, cos, 'data_distractors_in_false_pairs', 0.25), { falsePairs: 24, falsePositives: 6, threshold: 0.625, ir: 0.5, vr: 1 });
  });

  it('data_distractors_in_false_pairs: FP = ⌊24·0.1⌋ = 2 → s_f = 0.875, above every true pair: IR = VR = 0', async () => {
    expectIr(await ir(A, cos, 'data_distractors_in_false_pairs', 0.1), { falsePositives: 2, threshold: 0.875, ir: 0, vr: 0 });
  });

  it('the distractor protocols need distractors; features similarity needs features', async () => {
    const { distractors: _d, distractorFeatures: _f, ...noDistractors } = A;
    await assert.rejects(ir(noDistractors, cos, 'data_distractors_no_false_pairs', 0.1), /needs distractors/);
    const { features: _g, ...noFeatures } = A;
    await assert.rejects(ir(noFeatures, { kind: 'features', transform: 'max', alpha: 1 }, 'data_no_distractors', 0.1), /needs the features/);
    await assert.rejects(ir({ ...A, labels: ['A', 'B', 'C', 'D', 'E'] }, cos, 'data_no_distractors', 0.1), /no true pairs/);
  });
});

describe('identificationRate: every transformation (data_no_distractors, o = 1, 2, 3, 4, 0.5)', () => {
  // Each case: α, fpr and the worked values of the true pairs (0,1), (2,3) and of the false pairs.
  const cases: [Transform, number, number, Partial<IrResult>][] = [
    // s − α·o·o, α = 1/8: true .5, −.75; false 02 −.375, 03 0 (dropped), 04 .4375, 12 −.25, 13 −.25, 14 .5, 24 .3125, 34 .375
    // 14 false, FP = ⌊3.5⌋ = 3: .5 .5 .4375 → s_f = .4375; (0,1) identified twice
    ['dot_product', 0.125, 0.25, { falsePairs: 14, threshold: 0.4375, ir: 0.5, vr: 0.5 }],
    // s − α·max, α = 1/8: true .5, .25; false 02 −.375, 03 0 (dropped), 04 .375, 12 .125, 13 .25, 14 .375, 24 .125, 34 .125
    // 14 false, FP = 3: .375 ×4 → s_f = .375
    ['max', 0.125, 0.25, { falsePairs: 14, threshold: 0.375, ir: 0.5, vr: 0.5 }],
    // s − α·min, α = 1/4: true .5, 0; false 02 −.25, 03 .25, 04 .375, 12 0 (dropped), 13 .25, 14 .5, 24 .375, 34 .5
    // 14 false, FP = 3: .5 ×4 → s_f = .5: no true pair is > .5, (0,1) twice is ≥
    ['min', 0.25, 0.25, { falsePairs: 14, threshold: 0.5, ir: 0, vr: 0.5 }],
    // s / (1 + α·min), α = 1: true .375, .1875; false 02 0 (dropped), 03 .25, 04 1/3, 12 1/6, 13 .25, 14 .625/1.5, 24 1/3, 34 .625/1.5
    // 14 false, FP = ⌊14·0.5⌋ = 7: .4167 ×4, 1/3 ×4 → s_f = 1/3
    ['fraction', 1, 0.5, { falsePairs: 14, threshold: 0.5 / 1.5, ir: 0.5, vr: 0.5 }],
    // s·(1 − α·min), α = 1/4: true .5625, .1875; false 02 0 (dropped), 03 .375, 04 .4375, 12 .25, 13 .375, 14 .546875, 24 .4375, 34 .546875
    // 14 false, FP = 3 → s_f = .546875
    ['multiplication', 0.25, 0.25, { falsePairs: 14, threshold: 0.546875, ir: 0.5, vr: 0.5 }],
    // s − α·(o(x) − o(y)), α = 1/4, not symmetric: true (0,1) 1, (1,0) .5, (2,3) 1, (3,2) .5;
    // false (i,j)/(j,i): 02 .5/−.5, 03 1.25/−.25, 04 .375/.625, 12 .75/.25, 13 1.25/.25, 14 .25/1, 24 −.125/1.125, 34 −.25/1.5
    // 16 false (none is 0), FP = ⌊16·0.32⌋ = 5: 1.5 1.25 1.25 1.125 1 → s_f = 1: 1 is not > 1 but is ≥
    ['sum', 0.25, 0.32, { falsePairs: 16, threshold: 1, ir: 0, vr: 0.5 }],
    // s if o(x) + o(y) < 4.5: true (0,1) .75 (sum 3), (2,3) 0 (sum 7); false kept 04 .5, 14 .625, 24 .5 (34: 4.5 is not < 4.5)
    // 6 false, FP = 3: .625 .625 .5 → s_f = .5
    ['sum_threshold', 4.5, 0.5, { falsePairs: 6, threshold: 0.5, ir: 0.5, vr: 0.5 }],
    // s if max < 3.5: true (0,1) .75, (2,3) 0; false kept 04 .5, 12 .5, 14 .625, 24 .5 (02 is 0): 8, FP = 2 → s_f = .625
    ['max_threshold', 3.5, 0.25, { falsePairs: 8, threshold: 0.625, ir: 0.5, vr: 0.5 }],
    // s if min < 1.5: true (0,1) .75, (2,3) 0; false kept 03 .5, 04 .5, 14 .625, 24 .5, 34 .625: 10, FP = 2 → s_f = .625
    ['min_threshold', 1.5, 0.25, { falsePairs: 10, threshold: 0.625, ir: 0.5, vr: 0.5 }],
    // s if max > 2.5: true (0,1) 0, (2,3) .75; false kept 03 .5, 12 .5, 13 .75, 24 .5, 34 .625: 10, FP = ⌊4.5⌋ = 4 → s_f = .625
    ['max_threshold_below', 2.5, 0.45, { falsePairs: 10, threshold: 0.625, ir: 0.5, vr: 0.5 }],
    // s if min > 1.5: true (0,1) 0, (2,3) .75; false kept 12 .5, 13 .75: 4, FP = 3: .75 .75 .5 → s_f = .5
    ['min_threshold_below', 1.5, 0.75, { falsePairs: 4, threshold: 0.5, ir: 0.5, vr: 0.5 }],
  ];
  it('covers every transformation', () => assert.deepEqual(cases.map((c) => c[0]).sort(), [...TRANSFORMS].sort()));
  for (const [transform, alpha, fpr, expected] of cases) {
    it(`${transform} (α = ${alpha}, fpr ${fpr})`, async () => {
      expectIr(await ir(A, { kind: 'features', transform, alpha }, 'data_no_distractors', fpr), { ...expected, truePairs: 4, alpha });
    });
  }
});

describe('identificationRate: transformed distractor similarities', () => {
  // max_threshold, α = 3.5, with distractor features 2.5 and .25: every e3 row is zeroed (o = 4).
  // distractor similarities: e0 .5 .25 · e1 .5 .6875 · e2 .25 1 · e3 0 0 · e4 .375 .625
  const sim: Similarity = { kind: 'features', transform: 'max_threshold', alpha: 3.5 };

  it('in_false_pairs counts all ten distractor similarities, zeros included: 8 + 10 = 18, FP = 4 → s_f = .625', async () => {
    // false descending: 1, .6875, .625, .625 (4th), .625, .5 ×…; (0,1) beats .5 and (1,0) beats .6875 → identified
    expectIr(await ir(A, sim, 'data_distractors_in_false_pairs', 0.25), { falsePairs: 18, falsePositives: 4, threshold: 0.625, ir: 0.5, vr: 0.5 });
  });

  it('no_false_pairs keeps the 8 data false pairs; FP = 2 → s_f = .625', async () => {
    expectIr(await ir(A, sim, 'data_distractors_no_false_pairs', 0.25), { falsePairs: 8, threshold: 0.625, ir: 0.5, vr: 0.5 });
  });

  it('a distractor whose similarity ties the true pair blocks it (strictly greater is needed)', async () => {
    // d0 moved to (0.75, 0): s(e0, d0) = .75 = s(e0, e1), so (0,1) is no longer identified; (1,0) still is (.5625, .6875 < .75)
    const tied = { ...A, distractors: { rows: 2, cols: 2, data: Float64Array.from([0.75, 0, 0.25, 1]) } };
    const r = await ir(tied, { kind: 'cosine' }, 'data_distractors_no_false_pairs', 0.3);
    expectIr(r, { threshold: 0.625, identified: 1, ir: 0.25 });
  });
});

describe('identificationRate: blocks and cache', () => {
  it('gives the same answer in blocks of 3 elements without a cache as in one block, for every protocol', async () => {
    const sim: Similarity = { kind: 'features', transform: 'max_threshold', alpha: 3.5 };
    for (const protocol of PROTOCOLS) {
      const whole = await ir(A, sim, protocol, 0.25);
      const blocked = await ir(A, sim, protocol, 0.25, { blockElements: 3, cacheElements: 0 });
      assert.deepEqual(blocked, whole, protocol);
    }
  });

  it('an evaluator reuses its cached blocks across α and frees everything on dispose', () =>
    withBackend(async (backend) => {
      const e = irEvaluator({ backend, dtype: 'float64', blockElements: 4 }, A);
      const opts = (alpha: number): IrOptions => ({ similarity: { kind: 'features', transform: 'max_threshold', alpha }, protocol: 'data_no_distractors', fpr: 0.25 });
      const first = await e.evaluate(opts(3.5));
      const live = backend.liveTensors();
      await e.evaluate(opts(10));
      assert.equal(backend.liveTensors(), live, 'a second evaluation allocates nothing that stays');
      assert.deepEqual(await e.evaluate(opts(3.5)), first);
      e.dispose();
    }));

  it('float32 gives the same rates on the exact example', async () => {
    const r = await withBackend((backend) => identificationRate({ backend }, A, { similarity: { kind: 'cosine' }, protocol: 'data_distractors_in_false_pairs', fpr: 0.25 }));
    expectIr(r, { threshold: 0.625, ir: 0.5, vr: 1, falsePairs: 24 });
  });
});

describe('alpha grid search', () => {
  // Eight identities of two embeddings on the unit circle, near each other; identity H is an outlier
  // pair (o = 9) whose members sit close to everyone. Distractors: none needed (data_no_distractors).
  const angles = [0, 0.05, 0.8, 0.85, 1.6, 1.65, 2.4, 2.45, 3.2, 3.25, 4.0, 4.05, 4.8, 4.85, 0.4, 1.2];
  const labels = ['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'E', 'E', 'F', 'F', 'G', 'G', 'H', 'H'];
  const d: IrData = {
    embeddings: { rows: 16, cols: 2, data: Float64Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) },
    labels,
    features: labels.map((l, i) => (l === 'H' ? 9 : 1 + i / 100)),
  };

  it('splitIdentities puts every identity wholly in one half, half of them in each', () => {
    const s = splitIdentities(labels, 3);
    const all = [...s.search, ...s.report].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 16 }, (_, i) => i));
    const ids = (rows: Int32Array) => new Set(Array.from(rows, (r) => labels[r]));
    assert.equal(ids(s.search).size, 4);
    assert.equal(ids(s.report).size, 4);
    for (const l of ids(s.search)) assert.ok(!ids(s.report).has(l), `identity ${l} is in both halves`);
    assert.deepEqual(splitIdentities(labels, 3), s, 'the split is seeded');
  });

  it('searches α on one half, reports the best on the other half, beside cosine on that half', () =>
    withBackend(async (backend) => {
      const ctx = { backend, dtype: 'float64' as const };
      const values = [2, 10];
      const r = await alphaGridSearch(ctx, d, { transform: 'max_threshold', protocol: 'data_no_distractors', fpr: 0.1, seed: 3, grid: { values } });
      const split = splitIdentities(labels, 3);
      const searchHalf = subsetIrData(d, split.search);
      const reportHalf = subsetIrData(d, split.report);
      const at = (half: IrData, alpha: number) =>
        identificationRate(ctx, half, { similarity: { kind: 'features', transform: 'max_threshold', alpha }, protocol: 'data_no_distractors', fpr: 0.1 });
      for (const [k, alpha] of values.entries()) assert.equal(r.search[k]!.ir, (await at(searchHalf, alpha)).ir, `α = ${alpha}`);
      assert.equal(r.search.length, 2);
      assert.deepEqual(r.report, await at(reportHalf, r.alpha));
      assert.deepEqual(r.baseline, await identificationRate(ctx, reportHalf, { similarity: { kind: 'cosine' }, protocol: 'data_no_distractors', fpr: 0.1 }));
      assert.deepEqual(r.identities, { search: 4, report: 4 });
      assert.deepEqual(r.embeddings, { search: 8, report: 8 });
      // α below every feature zeroes every similarity: no false pairs to set a threshold with
      await assert.rejects(
        alphaGridSearch(ctx, d, { transform: 'max_threshold', protocol: 'data_no_distractors', fpr: 0.1, seed: 3, grid: { values: [0.5] } }),
        /no false pairs/,
      );
    }));

  it('prefers the α that removes the outlier identity when it sits among the others', () =>
    withBackend(async (backend) => {
      const r = await alphaGridSearch({ backend, dtype: 'float64' }, d, {
        transform: 'max_threshold', protocol: 'data_no_distractors', fpr: 0.05, seed: 1, grid: { values: [2, 10] },
      });
      const hInSearch = splitIdentities(labels, 1).search.includes(14);
      const [low, high] = r.search;
      if (hInSearch) {
        // with H present, α = 2 drops its pairs (o = 9) and the false pairs they make; α = 10 keeps them
        assert.ok(low!.ir >= high!.ir, `IR at α = 2 (${low!.ir}) should not be below IR at α = 10 (${high!.ir})`);
        assert.equal(r.alpha, 2);
      } else {
        assert.equal(low!.ir, high!.ir, 'without H every feature is below 2: both α keep every similarity');
        assert.equal(r.alpha, 2, 'ties go to the first α of the grid');
      }
      assert.ok(r.report.ir >= 0 && r.report.ir <= 1);
    }));

  it('quantile grids need features; non-threshold transformations need explicit values', () =>
    withBackend(async (backend) => {
      await assert.rejects(alphaGridSearch({ backend }, d, { transform: 'max', protocol: 'data_no_distractors', fpr: 0.1 }), /give alpha values for max/);
      const { features: _f, ...plain } = d;
      await assert.rejects(alphaGridSearch({ backend }, plain, { transform: 'max_threshold', protocol: 'data_no_distractors', fpr: 0.1 }), /needs the features/);
    }));
});
