// quadrix demo: the paper's tennis-ball toy example (about 10–15 s for one seed).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { quadrix, tempDir } from './helpers.js';

const STATS = /(\d+\.\d{3}) ± (\d+\.\d{3})\s+\[(\d+\.\d{3}), (\d+\.\d{3})\]/g;

/** The two "mean ± sd [min, max]" groups of a table row, as numbers. */
const rowStats = (line: string): { mean: number; sd: number; min: number; max: number }[] =>
  [...line.matchAll(STATS)].map((g) => ({ mean: Number(g[1]), sd: Number(g[2]), min: Number(g[3]), max: Number(g[4]) }));

describe('quadrix demo', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    t = await tempDir();
  });
  after(() => t.remove());

  it('--seeds 1 prints the comparison table and writes tennis.svg', { timeout: 120_000 }, async () => {
    const r = await quadrix('demo', '--seeds', '1', '--out', t.dir);
    assert.equal(r.code, 0, r.err);
    const lines = r.io.lines.out;
    assert.match(lines[0]!, /Tennis-ball seam, 2 quadrics, 1 seeds?, backend cpu/);

    const kpca = lines.find((l) => l.startsWith('quadratic kernel PCA'));
    assert.ok(kpca, `no kernel PCA row in\n${r.out}`);
    const [d2, nq] = rowStats(kpca);
    assert.ok(d2 && nq, `kernel PCA row without numbers: ${kpca}`);
    // the paper's kernel PCA reaches 0.12 on this example
    assert.ok(d2.mean > 0.05 && d2.mean < 0.3, `kernel PCA mean dist2_full ${d2.mean}`);
    // one seed: no spread, min = max = mean
    assert.equal(d2.sd, 0);
    assert.equal(d2.min, d2.mean);
    assert.equal(d2.max, d2.mean);
    assert.ok(nq.mean > 0);

    // the four recipe rows, each with both numbers finite and positive
    const recipes = ['reference recipe', 'Adam, lr 0.01, 500 epochs', 'exact orthonormality', 'kernel PCA solution'];
    for (const label of recipes) {
      const row = lines.find((l) => l.includes(label) && !l.startsWith('picture'));
      assert.ok(row, `no row for ${label} in\n${r.out}`);
      const stats = rowStats(row);
      assert.equal(stats.length, 2, `row without two statistics: ${row}`);
      for (const s of stats) assert.ok(Number.isFinite(s.mean) && s.mean > 0 && s.mean < 10, row);
    }
    // some recipe fits the curve about as well as kernel PCA or better
    const best = Math.min(...recipes.map((label) => rowStats(lines.find((l) => l.includes(label) && !l.startsWith('picture'))!)[0]!.mean));
    assert.ok(best < 1.5 * d2.mean, `best recipe ${best} vs kernel PCA ${d2.mean}`);
    // progress: one line per seed on err
    assert.match(r.err, /^seed 0: kernel PCA \d+\.\d{3}, reference \d+\.\d{3}/);

    const svgPath = `${t.dir}/tennis.svg`;
    assert.ok(r.out.includes(svgPath), r.out);
    const svg = await readFile(svgPath, 'utf8');
    assert.ok(svg.startsWith('<svg'), svg.slice(0, 80));
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)];
    assert.ok(paths.length >= 3, `${paths.length} <path> elements`);
    for (const [, d] of paths) assert.match(d!, /^M-?[\d.]+,-?[\d.]+L/, 'an empty or degenerate curve');
    // 100 data points and the outlier
    assert.equal([...svg.matchAll(/<circle /g)].length, 101);
  });
});
