import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@quadrix/io/node';
import { backendOption, resolveBackend } from '../backends.js';
import { numberOption, optionalString, UsageError, type Command } from '../cli.js';
import { projectToVariety, tennis } from '@quadrix/models';
import { renderSvg, type P3 } from '../demo/svg.js';

const { curve, RECIPES, runSeed } = tennis;
type Recipe = tennis.Recipe;
type SeedResult = tennis.SeedResult;
type FitMetrics = tennis.FitMetrics;

const trace = (model: tennis.SeedResult['kpcaModel'], seeds: readonly P3[]) => projectToVariety(model, seeds) as (P3 | undefined)[];

const DEFAULT_RECIPES: readonly Recipe[] = ['reference', 'adam', 'adam-retraction', 'kpca-warm-start'];

const stats = (xs: readonly number[]): string => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${mean.toFixed(3)} ± ${sd.toFixed(3)}  [${Math.min(...xs).toFixed(3)}, ${Math.max(...xs).toFixed(3)}]`;
};

const triples = (a: ArrayLike<number>): [number, number, number][] =>
  Array.from({ length: a.length / 3 }, (_, i) => [a[3 * i]!, a[3 * i + 1]!, a[3 * i + 2]!]);

export const picture = (r: SeedResult, recipe: Recipe): string => {
  const exact = triples(curve(400));
  const fitted = r.quadrics[recipe]!;
  return renderSvg(`Tennis-ball seam, seed ${r.seed}: data, true curve and fitted intersections`, [
    { label: 'true curve', color: '#888888', curve: [...exact, exact[0]!], dash: '4 4' },
    { label: `2 quadrics, ${RECIPES[recipe].label} (mean dist2_full ${fitted.dist2Full.toFixed(3)})`, color: '#d9480f', curve: trace(fitted.model, [...exact, exact[0]!]) },
    { label: `quadratic kernel PCA (mean dist2_full ${r.kpca.dist2Full.toFixed(3)})`, color: '#2b8a3e', curve: trace(r.kpcaModel, [...exact, exact[0]!]) },
    { label: 'data (100 noisy points)', color: '#1c7ed6', points: triples(r.data.points.subarray(0, (r.data.count - r.data.outliers) * 3)) },
    { label: 'outlier', color: '#c2255c', points: triples(r.data.points.subarray((r.data.count - r.data.outliers) * 3)) },
  ]);
};

export const demo: Command = {
  name: 'demo',
  summary: "the paper's toy example: quadrics vs kernel PCA on a tennis ball's seam line",
  usage: `quadrix demo [--out DIR] [--seeds K] [--recipes R,…] [--backend NAME]

  Fits 2 quadrics (dist2_full, 500 epochs, batch 20) to 100 noisy points of the seam line of a
  tennis ball plus one outlier, with several optimisation recipes, and quadratic kernel PCA;
  prints, over K seeds (default 5), the mean dist2_full and mean Σ|Q|/‖S‖ on 200 points of the
  exact curve, and writes tennis.svg into DIR (default: the current folder).
  Recipes: ${Object.keys(RECIPES).join(', ')} (default ${DEFAULT_RECIPES.join(',')}).`,
  options: { out: { type: 'string' }, seeds: { type: 'string' }, recipes: { type: 'string' }, ...backendOption },
  run: async (v, io) => {
    const dir = optionalString(v, 'out') ?? '.';
    const seeds = numberOption(v, 'seeds', 5, { integer: true, min: 1 });
    const { backend } = await resolveBackend({ ...v, dtype: v.dtype ?? 'float32' });
    const recipes = (optionalString(v, 'recipes')?.split(',') ?? DEFAULT_RECIPES) as Recipe[];
    const unknown = recipes.find((r) => !(r in RECIPES));
    if (unknown !== undefined) throw new UsageError(`unknown recipe '${unknown}' (recipes: ${Object.keys(RECIPES).join(', ')})`);
    const results: SeedResult[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const r = await runSeed(seed, backend, recipes);
      results.push(r);
      io.err(`seed ${seed}: kernel PCA ${r.kpca.dist2Full.toFixed(3)}, ` + recipes.map((k) => `${k} ${r.quadrics[k]!.dist2Full.toFixed(3)}`).join(', '));
    }
    const row = (label: string, get: (r: SeedResult) => FitMetrics) =>
      `${label.padEnd(44)} ${stats(results.map((r) => get(r).dist2Full)).padEnd(32)} ${stats(results.map((r) => get(r).normalizedQ))}`;
    io.out(`Tennis-ball seam, 2 quadrics, ${seeds} seeds, backend ${backend.name}: mean ± sd [min, max] on 200 points of the exact curve`);
    io.out(`${'method'.padEnd(44)} ${'mean dist2_full (sum of 2)'.padEnd(32)} mean Σ|Q|/‖S‖`);
    io.out(row('quadratic kernel PCA', (r) => r.kpca));
    for (const k of recipes) io.out(row(RECIPES[k].label, (r) => r.quadrics[k]!));
    await mkdir(dir, { recursive: true });
    const best = recipes.reduce((a, b) =>
      results.reduce((s, r) => s + r.quadrics[b]!.dist2Full, 0) < results.reduce((s, r) => s + r.quadrics[a]!.dist2Full, 0) ? b : a);
    const file = join(dir, 'tennis.svg');
    await writeFileAtomic(file, new TextEncoder().encode(picture(results[0]!, best)));
    io.out(`picture (seed 0, ${RECIPES[best].label} and kernel PCA) → ${file}`);
  },
};
