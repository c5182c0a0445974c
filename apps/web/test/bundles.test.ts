import assert from 'node:assert/strict';
import { it } from 'node:test';

it('every package bundles for the browser on its own, without Node built-ins', async () => {
  // esbuild fails to resolve node:* modules on the browser platform, so a successful build is the check.
  const { bundleSizes, BROWSER_ENTRIES } = (await import(new URL('../../../scripts/bundle-sizes.mjs', import.meta.url).href)) as {
    bundleSizes: () => Promise<{ name: string; bytes: number; gzip: number }[]>;
    BROWSER_ENTRIES: [string, string][];
  };
  const sizes = await bundleSizes();
  assert.deepEqual(sizes.map((s) => s.name), BROWSER_ENTRIES.map(([n]) => n));
  for (const s of sizes) assert.ok(s.bytes > 1000 && s.gzip < s.bytes, `${s.name}: ${s.bytes} bytes`);
});
