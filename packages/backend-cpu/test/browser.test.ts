import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserUnavailable, requireAll, runInBrowser } from '@quadrix/browser-test';

const missing = browserUnavailable();

describe('cpu backend in headless Chromium', { skip: !requireAll && missing }, async () => {
  it('has a browser', () => assert.equal(missing, undefined, missing));
  if (missing) return;
  const run = await runInBrowser(new URL('./browser/suite.entry.ts', import.meta.url));
  it('ran the shared suites in a browser', () => {
    assert.match(String(run.info.userAgent), /Chrome/);
    assert.ok(run.results.length > 40, `only ${run.results.length} results; console:\n${run.console.join('\n')}`);
  });
  it('ran the fast kernels as WebAssembly SIMD on one thread without shared memory (a page that is not cross-origin isolated)', () => {
    assert.equal(run.info.crossOriginIsolated, false);
    assert.match(String(run.info.fast), /WebAssembly SIMD.*1 thread.*no shared memory/);
  });
  for (const r of run.results) it(r.name, () => assert.ok(r.ok, r.error));
});
