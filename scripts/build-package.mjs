// Builds the package in the current directory: declarations with tsc, ESM bundles with esbuild.
// Entry points come from package.json "exports": each "source" is bundled to its "default".
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const require = createRequire(import.meta.url);

rmSync('dist', { recursive: true, force: true });
writeFileSync(
  'tsconfig.build.json',
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist/types', emitDeclarationOnly: true },
      include: ['src'],
    },
    null,
    2,
  ) + '\n',
);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// Secondary entries (e.g. core's ./testing) import the main entry; it must stay one shared module
// (one engine, one Tensor class), so those imports point at the main bundle instead of inlining it.
const main = pkg.exports['.'];
const mainSource = resolve(main.source);
const shareMain = (entry) => ({
  name: 'share-main-entry',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (entry === main || target !== mainSource) return undefined;
      return { path: './' + relative(dirname(resolve(entry.default)), resolve(main.default)), external: true };
    });
  },
});

const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].flatMap((d) => [d, `${d}/*`]);
for (const entry of Object.values(pkg.exports)) {
  const result = await build({
    entryPoints: [entry.source],
    outfile: entry.default,
    bundle: true,
    format: 'esm',
    platform: pkg.quadrixPlatform ?? 'neutral',
    target: 'es2022',
    external,
    sourcemap: true,
    metafile: true,
    plugins: [shareMain(entry)],
    logLevel: 'warning',
  });
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`${pkg.name}: ${entry.default} ${(bytes / 1024).toFixed(1)} KiB`);
}
