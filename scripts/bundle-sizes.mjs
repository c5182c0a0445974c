// Bundles each package's browser entry on its own (esbuild, platform browser, minified) and
// reports its size; fails if a browser entry pulls in a Node built-in. `pnpm sizes` prints the
// README's table.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

export const BROWSER_ENTRIES = [
  ['@quadrix/core', 'packages/core/src/index.ts'],
  ['@quadrix/backend-cpu', 'packages/backend-cpu/src/index.ts'],
  ['@quadrix/models', 'packages/models/src/index.ts'],
  ['@quadrix/io', 'packages/io/src/index.ts'],
];

/** Sizes in bytes of each entry bundled with its dependencies (the others of the list external). */
export const bundleSizes = async () => {
  const names = BROWSER_ENTRIES.map(([name]) => name);
  const rows = [];
  for (const [name, entry] of BROWSER_ENTRIES) {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      conditions: ['source'],
      external: names.filter((n) => n !== name),
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    rows.push({ name, bytes: code.length, gzip: gzipSync(code).length });
  }
  return rows;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('| package (browser entry, minified, own dependencies included) | size | gzip |\n|---|---|---|');
  for (const r of await bundleSizes()) console.log(`| \`${r.name}\` | ${(r.bytes / 1024).toFixed(1)} KiB | ${(r.gzip / 1024).toFixed(1)} KiB |`);
}
