// Shared helpers of the CLI tests: a captured Output, temp folders, seeded numbers, .npy files.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy } from '@quadrix/io/node';
import { parseModel, type ModelFile } from '@quadrix/models';
import type { Output } from '../src/cli.js';
import { run } from '../src/main.js';

/** An Output that records every line (not a terminal, so progress comes as plain lines on err). */
export interface Captured extends Output {
  readonly lines: { readonly out: string[]; readonly err: string[]; readonly status: string[] };
}

export const capture = (): Captured => {
  const lines = { out: [] as string[], err: [] as string[], status: [] as string[] };
  return {
    lines,
    tty: false,
    out: (l) => void lines.out.push(l),
    err: (l) => void lines.err.push(l),
    status: (l) => void lines.status.push(l),
  };
};

/** Runs the command in-process; the exit status and what it printed. */
export const quadrix = async (...argv: string[]): Promise<{ code: number; out: string; err: string; io: Captured }> => {
  const io = capture();
  const code = await run(argv, io);
  return { code, out: io.lines.out.join('\n'), err: io.lines.err.join('\n'), io };
};

/** Like `quadrix`, but fails the test unless the command succeeds. */
export const ok = async (...argv: string[]): Promise<{ out: string; err: string }> => {
  const r = await quadrix(...argv);
  assert.equal(r.code, 0, `quadrix ${argv.join(' ')} exited ${r.code}:\n${r.err}`);
  return r;
};

/** A fresh folder under the OS temp folder, and its removal. */
export const tempDir = async (): Promise<{ dir: string; path: (name: string) => string; remove: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'quadrix-cli-test-'));
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
};

/** mulberry32: a small seeded generator of numbers in [0, 1), so the tests' data is fixed. */
export const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** `count` numbers uniform in [lo, hi). */
export const uniform = (next: () => number, count: number, lo = -1, hi = 1): Float64Array =>
  Float64Array.from({ length: count }, () => lo + (hi - lo) * next());

/** Standard normal numbers (Box–Muller). */
export const normal = (next: () => number, count: number): Float64Array =>
  Float64Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));

export const writeMatrix = (path: string, rows: number, cols: number, data: Float64Array | Float32Array): Promise<void> =>
  writeNpy(path, data instanceof Float64Array ? { dtype: '<f8', shape: [rows, cols], data } : { dtype: '<f4', shape: [rows, cols], data });

/**
 * Points near the intersection of the unit sphere and the plane x_{n-1} = 0.3 in R^n, with a
 * little noise: a manifold quadrics can fit, so training stays well behaved.
 */
export const manifoldPoints = (seed: number, count: number, n: number, noise = 0.02): Float64Array => {
  const next = rng(seed);
  const out = new Float64Array(count * n);
  for (let r = 0; r < count; r++) {
    const v = normal(next, n - 1);
    const len = Math.hypot(...v);
    const radius = Math.sqrt(1 - 0.3 ** 2);
    for (let j = 0; j < n - 1; j++) out[r * n + j] = (radius * v[j]!) / len + noise * normal(next, 1)[0]!;
    out[r * n + n - 1] = 0.3 + noise * normal(next, 1)[0]!;
  }
  return out;
};

export const readModel = async (path: string): Promise<ModelFile> => parseModel(await readFile(path, 'utf8'));

export const readScores = async (path: string) => readNpy(path);

/** All parameters of a model, flat: quadratic, linear, free. */
export const flatParams = (m: ModelFile): number[] => [...m.params.quadratic, ...m.params.linear, ...m.params.free];

/** ‖a − b‖ / ‖b‖ over the whole arrays. */
export const relativeError = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length, 'lengths differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num) / Math.sqrt(den);
};

/** The one error line of a failed command: exactly one line on err, mentioning every fragment. */
export const expectError = async (
  argv: readonly string[],
  code: 1 | 2,
  ...fragments: (string | RegExp)[]
): Promise<string> => {
  const r = await quadrix(...argv);
  assert.equal(r.code, code, `quadrix ${argv.join(' ')} should exit ${code}; it exited ${r.code} with ${JSON.stringify(r.err)}`);
  // fit prints progress lines while it trains; a failure afterwards (e.g. writing --out) follows them
  const errors = r.io.lines.err.filter((l) => !/^epoch \d+\/\d+ step \d+ /.test(l));
  assert.equal(errors.length, 1, `expected one error line, got ${JSON.stringify(r.io.lines.err)}`);
  assert.equal(r.io.lines.err.at(-1), errors[0], 'the error is the last line');
  const line = errors[0]!;
  assert.ok(!/[\r\n]/.test(line), `the error is not a single line: ${JSON.stringify(line)}`);
  // A command group's errors name the subcommand too (quadrix eval ir: …), unless it is unknown.
  const words = argv[0] === 'eval' && /^[a-z]+$/.test(argv[1] ?? '') ? argv.slice(0, 2) : argv.slice(0, 1);
  const named = line.startsWith(`quadrix ${words.join(' ')}: `) || line.startsWith(`quadrix ${argv[0]}: unknown subcommand`);
  assert.ok(named, `the error names the command: ${JSON.stringify(line)}`);
  for (const f of fragments) {
    const hit = typeof f === 'string' ? line.includes(f) : f.test(line);
    assert.ok(hit, `error ${JSON.stringify(line)} lacks ${String(f)}`);
  }
  assert.equal(r.io.lines.out.length, 0, `a failed command printed to out: ${JSON.stringify(r.io.lines.out)}`);
  return line;
};
