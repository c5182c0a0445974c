import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { encodeNpy } from '@quadrix/io';
import { serializeModel } from '@quadrix/models';
import { browserUnavailable, requireAll, withPage } from '@quadrix/browser-test';

const missing = browserUnavailable();
const root = new URL('../../../', import.meta.url);

it("the README's browser example is examples/browser.ts, and it runs in a page", { skip: !requireAll && missing }, async () => {
  assert.equal(missing, undefined, missing);
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  assert.equal(/## In a browser\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1], readFileSync(new URL('examples/browser.ts', root), 'utf8'));

  const dir = await mkdtemp(join(tmpdir(), 'quadrix-example-'));
  await build({ entryPoints: [new URL('examples/browser.ts', root).pathname], outfile: join(dir, 'example.js'), bundle: true, format: 'esm', platform: 'browser', conditions: ['source'], logLevel: 'warning' });
  await writeFile(join(dir, 'index.html'), '<!doctype html><input type="file"><output></output><script type="module" src="example.js"></script>');
  // The unit sphere of R³ as one quadric; rows 2 and 4 are far from it.
  await writeFile(join(dir, 'model.json'), serializeModel({ n: 3, m: 1, distance: 'dist1', dtype: 'float32', params: { n: 3, m: 1, quadratic: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), linear: new Float32Array(3), free: Float32Array.of(-1) } }));
  const rows = [[1, 0, 0], [0, 1, 0], [3, 0, 0], [0, 0, 1], [0, 0, 5], [0.6, 0.8, 0]];
  await writeFile(join(dir, 'x.npy'), encodeNpy({ dtype: '<f4', shape: [6, 3], data: Float32Array.from(rows.flat()) }));
  const server = createServer(async (req, res) => {
    const file = (req.url ?? '/') === '/' ? 'index.html' : req.url!.slice(1);
    try {
      const body = readFileSync(join(dir, file));
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.html') ? 'text/html' : 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await withPage([], async (page) => {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.setInputFiles('input[type=file]', join(dir, 'x.npy'));
      await page.waitForFunction(() => document.querySelector('output')!.textContent !== '');
      assert.match((await page.textContent('output'))!, /^most outlying rows: (4, 2|2, 4), /);
    });
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
