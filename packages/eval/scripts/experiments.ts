// `pnpm experiments`: the paper's two experiments (and the synthetic benchmark) on the real
// embeddings in ../shared/data/arcface-toy/, written as a Markdown report with SVG plots.
// The one place in @quadrix/eval that picks a backend: the library receives it from here.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuBackend } from '@quadrix/backend-cpu';
import { runExperiments } from '../src/experiments.js';
import { loadArcfaceToy, writeReport } from '../src/node.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const usage = `pnpm experiments [options]

  --data DIR          the arcface-toy folder (default ../shared/data/arcface-toy beside the repository)
  --out DIR           where the report goes (default reports/ at the repository root)
  --seed S            seeds every split and draw (default 0)
  --fpr F             false-positive rate of the IR threshold (default 1e-3)
  --train N           CPLFW embeddings to train the outlier detectors on (default 800)
  --experiments N     random draws of the outlier-detection protocol (default 10)
  --proportion P      share of outliers in each draw (default 0.01)
  --quadrics M        quadrics trained here (default 4)
  --epochs E          their training epochs (default 2)
  --dtype T           float32 (default) | float64
  --no-synthetic      skip the synthetic benchmark`;

const num = (v: string | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v === '' || !Number.isFinite(x)) throw new Error(`--${name} must be a number, got '${v}'`);
  return x;
};

/** Runs the experiments for the command line `argv`; resolves to the report's file paths. */
export const main = async (argv: readonly string[], log: (line: string) => void = (l) => console.error(l)): Promise<string[]> => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, fpr: { type: 'string' }, train: { type: 'string' },
      experiments: { type: 'string' }, proportion: { type: 'string' }, quadrics: { type: 'string' }, epochs: { type: 'string' },
      dtype: { type: 'string' }, 'no-synthetic': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    log(usage);
    return [];
  }
  const dataDir = resolve(values.data ?? resolve(repoRoot, '..', 'shared', 'data', 'arcface-toy'));
  const outDir = resolve(values.out ?? resolve(repoRoot, 'reports'));
  if (!existsSync(dataDir)) throw new Error(`the arcface-toy data folder ${dataDir} does not exist (give --data DIR)`);
  const dtype = values.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`--dtype must be float32 or float64, got '${dtype}'`);
  const data = await loadArcfaceToy(dataDir);
  const started = performance.now();
  const report = await runExperiments(data, {
    backend: cpuBackend(),
    dtype,
    fpr: num(values.fpr, 'fpr', 1e-3),
    seed: num(values.seed, 'seed', 0),
    ood: {
      train: num(values.train, 'train', 800),
      experiments: num(values.experiments, 'experiments', 10),
      proportion: num(values.proportion, 'proportion', 0.01),
      quadrics: num(values.quadrics, 'quadrics', 4),
      epochs: num(values.epochs, 'epochs', 2),
    },
    synthetic: values['no-synthetic'] !== true,
    log,
  });
  const paths = await writeReport(outDir, report);
  log(`wrote ${paths.join(', ')} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return paths;
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    await main(process.argv.slice(2));
  } catch (e) {
    console.error(`experiments: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
