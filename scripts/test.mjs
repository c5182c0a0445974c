// Runs every package's tests (packages/*/test/**/*.test.ts) from source with Node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });

const filter = process.argv.slice(2);
const files = readdirSync('packages')
  .map((pkg) => join('packages', pkg, 'test'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(walk)
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();

const { status } = spawnSync(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(status ?? 1);
