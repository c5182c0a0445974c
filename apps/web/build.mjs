// Builds the demo page into dist/: the page script and the training worker (ESM, bundled).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const out = new URL('./dist/', import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(new URL('./static/', import.meta.url).pathname, out, { recursive: true });
await build({
  entryPoints: { main: 'src/main.ts', worker: 'src/worker.ts' },
  absWorkingDir: new URL('.', import.meta.url).pathname,
  outdir: out,
  bundle: true,
  format: 'esm',
  // gpu.js and other backends load as separate chunks, only when chosen.
  splitting: true,
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  conditions: ['source'],
  logLevel: 'warning',
});
console.log(`built the demo page into ${out}`);
