// The WebGPU backend in headless Chromium (--enable-unsafe-webgpu: SwiftShader where there is no GPU).
// A page that finds no adapter, or Dawn's null one, fails here; without Chromium the tests skip
// unless QUADRIX_REQUIRE_ALL=1.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserUnavailable, requireAll, runInBrowser } from '@quadrix/browser-test';

const missing = browserUnavailable();

describe('webgpu backend in headless Chromium', { skip: !requireAll && missing }, async () => {
  it('has a browser', () => assert.equal(missing, undefined, missing));
  if (missing) return;
  const run = await runInBrowser(new URL('./browser/suite.entry.ts', import.meta.url), { flags: ['--enable-unsafe-webgpu'] });
  it('found a WebGPU adapter that computes (not missing, not the null backend)', () => {
    const setup = run.results.find((r) => r.name === 'setup');
    assert.equal(setup, undefined, setup?.error);
    assert.match(String(run.info.userAgent), /Chrome/);
    assert.equal(run.info.nullAdapter, false);
    assert.ok(String(run.info.vendor ?? '') !== '', `adapter: ${String(run.info.adapter)}`);
    console.log(`# browser adapter: ${String(run.info.adapter)}`);
  });
  it('ran the suites in the browser', () => {
    assert.ok(run.results.length > 25, `only ${run.results.length} results; console:\n${run.console.join('\n')}`);
  });
  for (const r of run.results) it(r.name, () => assert.ok(r.ok, r.error));
});
