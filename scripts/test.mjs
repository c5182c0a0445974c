// Runs every package's tests ({packages,apps,tools}/*/test/**/*.test.ts) from source with Node's test runner.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });

const filter = process.argv.slice(2);
const files = ['packages', 'apps', 'tools']
  .filter((top) => statSync(top, { throwIfNoEntry: false })?.isDirectory())
  .flatMap((top) => readdirSync(top).map((pkg) => join(top, pkg, 'test')))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(walk)
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();

// Spec output for people; a TAP copy whose own counts end the run as `N passed, N failed`.
const tap = join(mkdtempSync(join(tmpdir(), 'quadrix-test-')), 'report.tap');
const { status } = spawnSync(
  process.execPath,
  [
    '--conditions=source', '--import', 'tsx', '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
const report = readFileSync(tap, 'utf8');
const count = (name) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
console.log(`${count('pass')} passed, ${count('fail')} failed`);
process.exit(status ?? 1);
