import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const root = new URL('../../../', import.meta.url);

it("the README's Node example is examples/fit-and-score.ts, and it runs", () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const block = /## In Node\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  const file = readFileSync(new URL('examples/fit-and-score.ts', root), 'utf8');
  assert.equal(block, file);
  const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'examples/fit-and-score.ts'], { cwd: root, encoding: 'utf8' });
  const scores = /Float32Array\(2\) \[ ([\d.e-]+), ([\d.e-]+) \]/.exec(out);
  assert.ok(scores, out);
  assert.ok(Number(scores[1]) < 0.05 && Number(scores[2]) > 0.5, `scores on and off the circle: ${scores[1]}, ${scores[2]}`);
});
