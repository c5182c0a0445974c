import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataSync, randomKey, tensor, tidy } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { parseNpy } from '@quadrix/io';
import { writeNpy } from '@quadrix/io/node';
import { fromHost, initQuadrics, parseModel, score, tennis, toHost, train } from '@quadrix/models';
import { browserUnavailable, requireAll, withPage } from '@quadrix/browser-test';

const app = new URL('../', import.meta.url).pathname;
const missing = browserUnavailable();
/** Software WebGL2 and WebGPU (SwiftShader), so that every backend of the page can run. */
const FLAGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu'];

/** What the page does for the seam with these settings, done in Node: the number it must show. */
const nodeSeamMetric = async (seed: number, epochs: number): Promise<number> => {
  const backend = cpuBackend();
  const data = tennis.toyData(randomKey(seed), 100, 0.12, 1);
  const x = tensor(Float32Array.from(data.points), { backend, shape: [data.count, 3] });
  const init = initQuadrics(randomKey(seed), 3, 2, { backend });
  const r = await train(init, x, { distance: 'dist2_full', optimizer: 'adam', lr: 0.01, epochs, batchSize: 20, seed });
  return tennis.fitMetrics(await toHost(r.params), backend).dist2Full;
};

describe('the demo page in headless Chromium', { skip: !requireAll && missing }, () => {
  let server: Server;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'quadrix-web-'));

  before(async () => {
    assert.equal(missing, undefined, missing);
    execFileSync(process.execPath, ['build.mjs'], { cwd: app });
    const { serve } = (await import(new URL('../serve.mjs', import.meta.url).href)) as { serve: (port: number) => Promise<Server> };
    server = await serve(0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fits the seam line on every available backend, matching Node for the same seed, and can be stopped', () =>
    withPage(FLAGS, async (page) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width: 1100, height: 1000 });
      await page.goto(url);
      await page.waitForSelector('body[data-ready=true]');
      const options = await page.$$eval('#seam-form select.backend option', (os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled, label: o.textContent })));
      const available = options.filter((o) => !o.disabled).map((o) => o.value);
      assert.ok(available.includes('cpu'), JSON.stringify(options));
      // With SwiftShader every backend can run; CI must see all of them.
      if (requireAll) assert.deepEqual(available, ['cpu', 'gpujs', 'webgpu'], JSON.stringify(options));
      const expected = await nodeSeamMetric(0, 60);
      for (const backend of available) {
        await page.fill('#seam-form [name=epochs]', '60');
        await page.selectOption('#seam-form select.backend', backend);
        await page.click('#seam-fit');
        const metric = Number(await page.waitForSelector('#seam-metric[data-dist2-full]').then((h) => h.getAttribute('data-dist2-full')));
        // Same seed, same float32 arithmetic: the CPU backend reproduces Node bit for bit; GPU
        // backends within float32 training drift (measured: 0.6 % after 360 Adam steps).
        const tol = backend === 'cpu' ? 1e-12 : 0.02;
        assert.ok(Math.abs(metric - expected) <= tol * expected, `${backend}: page ${metric}, Node ${expected}`);
        assert.match((await page.textContent('#seam-status'))!, /completed after 360 steps/);
        assert.ok((await page.$$eval('#curves polyline', (ls) => ls.length)) === 2, 'loss and Stiefel curves drawn');
      }
      // Stop keeps the model trained so far.
      await page.fill('#seam-form [name=epochs]', '5000');
      await page.selectOption('#seam-form select.backend', 'cpu');
      await page.click('#seam-fit');
      await page.waitForFunction(() => /epoch \d+\/5000/.test(document.querySelector('#seam-status')!.textContent ?? ''));
      await page.click('#seam-form .stop');
      await page.waitForSelector('#seam-metric[data-dist2-full]');
      assert.match((await page.textContent('#seam-status'))!, /^aborted after \d+ steps/);
      assert.deepEqual(errors, []);
    }));

  it('fits uploaded embeddings, lists the outliers and offers a model that scores the same in Node', () =>
    withPage(FLAGS, async (page) => {
      // 300 points near a circle in R^6 and 3 outliers off it (rows 300-302).
      const rows = 303;
      const n = 6;
      const values = new Float32Array(rows * n);
      for (let r = 0; r < rows; r++) {
        if (r < 300) {
          values[r * n] = Math.cos(r * 0.37);
          values[r * n + 1] = Math.sin(r * 0.37);
          for (let c = 2; c < n; c++) values[r * n + c] = 0.02 * Math.sin(r * c);
        } else {
          for (let c = 0; c < n; c++) values[r * n + c] = 2 * Math.cos(r * 3.1 + c);
        }
      }
      const file = join(dir, 'emb.npy');
      await writeNpy(file, { dtype: '<f4', shape: [rows, n], data: values });
      await page.setViewportSize({ width: 1100, height: 1000 });
      await page.goto(url);
      await page.waitForSelector('body[data-ready=true]');
      await page.fill('#seam-form [name=epochs]', '60');
      await page.click('#seam-fit');
      await page.waitForSelector('#seam-metric[data-dist2-full]');
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => /303 embeddings of dimension 6/.test(document.querySelector('#own-status')!.textContent ?? ''));
      await page.fill('#own-form [name=quadrics]', '3');
      await page.fill('#own-form [name=epochs]', '15');
      await page.selectOption('#own-form [name=distance]', 'dist1');
      await page.uncheck('#own-form [name=normalize]');
      await page.click('#own-fit');
      await page.waitForSelector('#download-model:not([hidden])');
      const top = await page.$$eval('#outlying tbody tr td:first-child', (tds) => tds.map((t) => Number(t.textContent)));
      assert.deepEqual(top.slice(0, 3).sort(), [300, 301, 302]);
      const [modelDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
      const modelPath = join(dir, 'model.json');
      await modelDownload.saveAs(modelPath);
      const [scoresDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-scores')]);
      const scoresPath = join(dir, 'scores.npy');
      await scoresDownload.saveAs(scoresPath);

      // The page after both fits: the README's screenshot (QUADRIX_UPDATE_SCREENSHOT=1 refreshes it).
      mkdirSync(join(app, 'test/output'), { recursive: true });
      const shot = join(app, 'test/output/web.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.equal(readFileSync(shot).subarray(1, 4).toString(), 'PNG');
      if (process.env.QUADRIX_UPDATE_SCREENSHOT === '1') copyFileSync(shot, new URL('../../../docs/web.png', import.meta.url).pathname);

      const model = parseModel(readFileSync(modelPath, 'utf8'));
      assert.equal(model.n, n);
      assert.equal(model.m, 3);
      const backend = cpuBackend();
      const inNode = tidy(() => dataSync(score(fromHost(model.params, { backend }), tensor(values, { backend, shape: [rows, n] }), 'dist1')));
      const fromPage = parseNpy(readFileSync(scoresPath));
      assert.deepEqual(fromPage.shape, [rows]);
      assert.deepEqual([...(fromPage.data as Float32Array)], [...inNode]);

      // A file that is not .npy gets a clear error in the page.
      const text = join(dir, 'text.npy');
      writeFileSync(text, 'not numpy');
      await page.setInputFiles('#file', text);
      await page.waitForSelector('#own-status.error');
      assert.match((await page.textContent('#own-status'))!, /^text\.npy: .*\.npy/);
    }));
});
