import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  areaUnder, meanWithHalfWidth, quantile, rocAuc, rocAucLabeled, rocCurve, std, thresholdAtFpr,
} from '../src/index.js';
import { close, sklearn } from './fixtures.js';

describe('rocAuc', () => {
  it('is 1 for perfect separation, 0 for reversed, 0.5 when all scores tie', () => {
    assert.equal(rocAuc([3, 4, 5], [0, 1, 2]), 1);
    assert.equal(rocAuc([0, 1], [2, 3, 4]), 0);
    assert.equal(rocAuc([7, 7], [7, 7, 7]), 0.5);
  });

  it('hand-computed cases with ties count a tied positive–negative pair as one half', () => {
    // positives {0.9, 0.4, 0.4}, negatives {0.1, 0.4}: pairs won 0.9>0.1, 0.9>0.4, 0.4>0.1 twice, two ties → (4 + 2·½)/6
    assert.equal(rocAuc([0.9, 0.4, 0.4], [0.1, 0.4]), 5 / 6);
    // positives {1, 3}, negatives {1, 1, 2}: 1 ties twice (1), 1 < 2; 3 beats all three → (1 + 3)/6
    assert.equal(rocAuc([1, 3], [1, 1, 2]), 4 / 6);
    // average ranks: scores 1,2,2,2,3 with positives at one 2 and the 3: ranks 3 and 5 → U = 8 − 3 = 5 of 6
    assert.equal(rocAuc([2, 3], [1, 2, 2]), 5 / 6);
  });

  it("agrees with scikit-learn's roc_auc_score, ties included", () => {
    for (const c of sklearn.roc_auc) close(rocAucLabeled(c.y, c.s), c.auc, 1e-15, JSON.stringify(c));
  });

  it('equals the trapezoidal area under its own ROC curve', () => {
    const pos = [0.3, 0.8, 0.8, 0.5, 0.9, 0.1];
    const neg = [0.2, 0.8, 0.4, 0.4, 0.05];
    const c = rocCurve(pos, neg);
    close(areaUnder(c.fpr, c.tpr), rocAuc(pos, neg), 1e-15);
  });

  it('refuses an empty class and non-finite scores', () => {
    assert.throws(() => rocAuc([], [1]), /both classes/);
    assert.throws(() => rocAuc([1, NaN], [0]), /positive\[1\] is NaN/);
  });
});

describe('rocCurve and thresholdAtFpr', () => {
  const pos = [0.9, 0.7, 0.7, 0.2];
  const neg = [0.8, 0.7, 0.3, 0.1, 0.05];

  it('has one point per distinct score, from (0, 0) at +∞ to (1, 1)', () => {
    const c = rocCurve(pos, neg);
    assert.deepEqual(Array.from(c.thresholds), [Infinity, 0.9, 0.8, 0.7, 0.3, 0.2, 0.1, 0.05]);
    // score ≥ t: at 0.7 two positives and one negative join at once (a tie)
    assert.deepEqual(Array.from(c.tpr), [0, 0.25, 0.25, 0.75, 0.75, 1, 1, 1]);
    assert.deepEqual(Array.from(c.fpr), [0, 0, 0.2, 0.4, 0.6, 0.6, 0.8, 1]);
  });

  it('picks the lowest threshold whose false-positive rate stays within the target', () => {
    assert.deepEqual(thresholdAtFpr(pos, neg, 0), { threshold: 0.9, fpr: 0, tpr: 0.25 });
    assert.deepEqual(thresholdAtFpr(pos, neg, 0.5), { threshold: 0.7, fpr: 0.4, tpr: 0.75 });
    assert.deepEqual(thresholdAtFpr(pos, neg, 0.6), { threshold: 0.2, fpr: 0.6, tpr: 1 });
    assert.throws(() => thresholdAtFpr(pos, neg, 1.5), /must be in \[0, 1\]/);
  });
});

describe('statistics', () => {
  it("quantile is NumPy's linear quantile", () => {
    const q = [0.3, 1.7, 2.2, 0.9, 5.0, 4.1, 0.0];
    for (const c of sklearn.quantile) assert.equal(quantile(q, c.q), c.value, `level ${c.q}`);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  });

  it('the half-width is 1.96·std/√n with the population std', () => {
    const xs = [0.7, 0.8, 0.9, 1.0];
    close(std(xs), Math.sqrt(0.0125), 1e-15);
    const r = meanWithHalfWidth(xs);
    close(r.mean, 0.85, 1e-15);
    close(r.halfWidth, (1.96 * Math.sqrt(0.0125)) / 2, 1e-15);
    assert.equal(r.n, 4);
  });
});

describe('lineChart', () => {
  it('draws one polyline per series inside the plot, a legend entry each, and escapes text', async () => {
    const { lineChart } = await import('../src/index.js');
    const svg = lineChart({
      title: 'a < b & c', xLabel: 'x', yLabel: 'y', xDomain: [0, 1], yDomain: [0, 1], diagonal: true,
      series: [{ name: 's1', x: [0, 0.5, 1], y: [0, 1, 1] }, { name: 's2', x: [0, 1], y: [1, 0], dashed: true }],
      verticals: [{ x: 0.25, label: 'mark' }],
    });
    assert.match(svg, /^<svg [^>]*width="640" height="440"/);
    assert.ok(svg.includes('a &lt; b &amp; c'));
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' '));
    assert.equal(lines.length, 2);
    // plot area x 64..624, y 36..388: (0, 0) → (64, 388), (0.5, 1) → (344, 36)
    assert.deepEqual(lines[0], ['64.0,388.0', '344.0,36.0', '624.0,36.0']);
    assert.ok(svg.includes('>s1</text>') && svg.includes('>s2</text>') && svg.includes('>mark</text>'));
  });
});
