import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browserUnavailable, requireAll, runInBrowser } from '@quadrix/browser-test';

const missing = browserUnavailable();

// WebGL2 without a GPU: Chromium's SwiftShader through ANGLE.
const WEBGL_FLAGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

describe('gpujs backend in headless Chromium (WebGL2)', { skip: !requireAll && missing }, async () => {
  it('has a browser', () => assert.equal(missing, undefined, missing));
  if (missing) return;
  const run = await runInBrowser(new URL('./browser/suite.entry.ts', import.meta.url), { flags: WEBGL_FLAGS });
  console.log(`gpujs in Chromium: ${String(run.info.describe)}; ${String(run.info.compiledKernels)} kernels compiled`);
  for (const line of (run.info.log as string[] | undefined) ?? []) console.log(`gpujs in Chromium: ${line}`);
  it('gpu.js runs WebGL2Kernel, and only it', () => {
    assert.match(String(run.info.userAgent), /Chrome/);
    assert.equal(run.info.kernelClass, 'WebGL2Kernel', `console:\n${run.console.join('\n')}`);
    assert.deepEqual(run.info.kernelClassesRun, ['WebGL2Kernel']);
  });
  it('ran the shared suites and the agreement tests', () => {
    assert.ok(run.results.length > 25, `only ${run.results.length} results; console:\n${run.console.join('\n')}`);
  });
  for (const r of run.results) it(r.name, () => assert.ok(r.ok, r.error));
});
