// `pnpm bench`: the quadric training step and scoring on every backend in `BACKENDS`, side by side
// with the same computation in TensorFlow.js (wasm backend, explicit transposes), in one run.
// Prints tables of ms, GFLOP/s, % of the machine's float32 peak and ratios to TensorFlow.js, and the
// training throughput on the real 512-d embeddings. Not a test: it only fails if the backends
// disagree. Environment: QUADRIX_BENCH_MS (time budget per measurement, default 1500),
// QUADRIX_PEAK_GFLOPS (default 150: 2 cores × AVX2 FMA, the figure for this machine),
// QUADRIX_BENCH_QUICK=1 (small sizes only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { data, dispose, quadric, quadricComposed, randomKey, tensor, tidy, valueAndGrad, type Backend } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { readNpy } from '@quadrix/io/node';
import { initQuadrics, loss, score, train, type QuadricKernel, type QuadricParams } from '@quadrix/models';
import { B, LAMBDA, disposeProblem, problem, time, timeBoth, type StepResult } from './common.js';

type TfStep = StepResult;
const QUICK = process.env.QUADRIX_BENCH_QUICK === '1';
const PEAK = Number(process.env.QUADRIX_PEAK_GFLOPS ?? 150);
const EMBEDDINGS = new URL('../../shared/data/arcface-toy/embeddings.npy', import.meta.url);

/** A backend in the tables; `maxN` keeps slow ones to the sizes they finish in reasonable time. */
interface BenchBackend {
  readonly name: string;
  readonly create: () => Backend | Promise<Backend>;
  readonly maxN?: number;
  /** also time the composed specification of the fused kernel */
  readonly composed?: boolean;
}

const BACKENDS: readonly BenchBackend[] = [
  { name: 'cpu fast', create: () => cpuBackend({ kernels: 'fast' }), composed: true },
  { name: 'cpu reference', create: () => cpuBackend({ kernels: 'reference' }), maxN: 128 },
];

/** The sizes of the comparison (the issue's) and the smaller ones of the earlier table. */
const SIZES: readonly [number, number][] = QUICK ? [[32, 10], [128, 100]] : [[32, 10], [32, 100], [128, 10], [128, 100], [512, 100]];
const COMPARED = new Set(QUICK ? ['128x100'] : ['128x100', '512x100']);

/** Flops of one training step: three GEMM-shaped passes of the quadrics, three of the Stiefel penalty. */
const stepFlops = (n: number, m: number): number => 3 * 2 * B * n * n * m + 3 * 2 * m * m * n * n;
const gflops = (flops: number, ms: number): number => flops / ms / 1e6;
const pct = (g: number): string => `${((100 * g) / PEAK).toFixed(1)} %`;

/**
 * Wraps a backend so that its matmul and quadric kernels are timed and their flops counted: the
 * GEMM-shaped parts of a step, whose rate is compared with the machine's peak.
 */
const gemmMeter = (backend: Backend) => {
  const acc = { ms: 0, flops: 0 };
  const timed = (name: 'matmul' | 'quadric', flops: (shapes: readonly (readonly number[])[]) => number) => {
    const k = backend.kernels[name] as unknown as (i: { shape: readonly number[] }[], a: unknown, o: { shape: readonly number[] }) => unknown;
    return (i: { shape: readonly number[] }[], a: unknown, o: { shape: readonly number[] }) => {
      const t0 = performance.now();
      const r = k(i, a, o);
      const ms = performance.now() - t0;
      const f = flops([...i.map((x) => x.shape), o.shape]);
      // A product faster than twice the peak was not computed but reused (the fast backend keeps
      // X·S from the forward kernel, and reuses dC·G for Gᵀ·dC when dC is symmetric): it counts as
      // neither flops nor time, so the rate is that of the arithmetic really done.
      if (ms > f / (2 * PEAK * 1e6)) {
        acc.ms += ms;
        acc.flops += f;
      }
      return r;
    };
  };
  const kernels = {
    ...backend.kernels,
    matmul: timed('matmul', (s) => {
      const out = s[2]!;
      const k = s[0]![s[0]!.length - 1]!;
      return 2 * out.reduce((a, b) => a * b, 1) * k;
    }),
    quadric: timed('quadric', (s) => 2 * s[0]![0]! * s[0]![1]! ** 2 * s[1]![0]!),
  };
  return { backend: { ...backend, kernels } as unknown as Backend, acc };
};

interface Row {
  readonly scoreMs: number;
  readonly stepMs: number;
  readonly stepMin: number;
  readonly gemm?: { ms: number; flops: number };
  readonly step?: TfStep;
}

const quadrixRow = async (raw: Backend, n: number, m: number, kernel: QuadricKernel, meter: boolean): Promise<Row> => {
  const metered = gemmMeter(raw);
  const backend = meter ? metered.backend : raw;
  const prob = problem(backend, n, m);
  const { params, x } = prob;
  const step = valueAndGrad((p: QuadricParams) => loss(p, x, { distance: 'dist2', lambda: LAMBDA, kernel }));
  const scoreMs = await time(async () => {
    const s = tidy(() => score(params, x, 'dist2', kernel));
    await data(s);
    dispose(s);
  });
  let last: TfStep | undefined;
  let steps = 0;
  metered.acc.ms = 0;
  metered.acc.flops = 0;
  const { median: stepMs, min: stepMin } = await timeBoth(async () => {
    const { value, grads } = step(params);
    steps++;
    last = {
      loss: (await data(value))[0]!,
      quadratic: (await data(grads.quadratic)) as Float32Array,
      linear: (await data(grads.linear)) as Float32Array,
      free: (await data(grads.free)) as Float32Array,
    };
    dispose([value, grads]);
  });
  disposeProblem(prob);
  const gemm = meter ? { ms: metered.acc.ms / steps, flops: metered.acc.flops / steps } : undefined;
  return { scoreMs, stepMs, stepMin, ...(gemm ? { gemm } : {}), ...(last ? { step: last } : {}) };
};

/** The TensorFlow.js peer, in a child process (see tfjs-run.ts). */
const tfjsRow = (n: number, m: number): Row => {
  const dir = mkdtempSync(join(tmpdir(), 'quadrix-bench-'));
  const out = join(dir, 'tfjs.bin');
  const script = fileURLToPath(new URL('./tfjs-run.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', script, String(n), String(m), out], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  if (r.status !== 0) throw new Error(`the TensorFlow.js run at n = ${n}, m = ${m} failed (exit ${r.status})`);
  const bytes = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  const header = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 48));
  const [ms, lossValue, nq, nl, nf, min] = [...header] as [number, number, number, number, number, number];
  const body = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 48, bytes.byteOffset + 48 + 4 * (nq + nl + nf)));
  return {
    scoreMs: NaN,
    stepMs: ms,
    stepMin: min,
    step: { loss: lossValue, quadratic: body.subarray(0, nq), linear: body.subarray(nq, nq + nl), free: body.subarray(nq + nl) },
  };
};

/**
 * The float64 oracle: the same step on the reference kernels in float64, from the float32 values of
 * the same parameters and points (so that only the arithmetic differs).
 */
const oracleStep = async (n: number, m: number): Promise<TfStep> => {
  const f32 = cpuBackend({ kernels: 'reference' });
  const f64 = cpuBackend({ kernels: 'reference' });
  const prob = problem(f32, n, m);
  const as64 = async (t: Parameters<typeof data>[0]) => tensor(await data(t), { shape: t.shape, dtype: 'float64', backend: f64 });
  const params: QuadricParams = { quadratic: await as64(prob.params.quadratic), linear: await as64(prob.params.linear), free: await as64(prob.params.free) };
  const x = await as64(prob.x);
  disposeProblem(prob);
  const { value, grads } = valueAndGrad((p: QuadricParams) => loss(p, x, { distance: 'dist2', lambda: LAMBDA }))(params);
  const r = {
    loss: (await data(value))[0]!,
    quadratic: Float32Array.from(await data(grads.quadratic)),
    linear: Float32Array.from(await data(grads.linear)),
    free: Float32Array.from(await data(grads.free)),
  };
  dispose([value, grads, params, x]);
  return r;
};

/** max |a − b| / max |b| */
const normwise = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
};

const agreement = (a: TfStep, b: TfStep): number =>
  Math.max(Math.abs(a.loss - b.loss) / Math.abs(b.loss), normwise(a.quadratic, b.quadratic), normwise(a.linear, b.linear), normwise(a.free, b.free));

// ---- run ------------------------------------------------------------------------------------------

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(', ');
console.log(`quadric training step: B = ${B}, float32, dist2 loss with Stiefel penalty (λ = ${LAMBDA}); median of repeats`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; peak taken as ${PEAK} GFLOP/s; load average at start ${load()}`);
const made = await Promise.all(BACKENDS.map(async (b) => ({ ...b, backend: await b.create() })));
for (const b of made) console.log(`${b.name}: ${b.backend.describe?.() ?? b.backend.name}`);
console.log('tfjs: TensorFlow.js wasm backend in a child process per size, matMul with explicit transposes (custom gradient), one GEMM X·[S_1 … S_m]');
console.log();

const results = new Map<string, { quadrix: Map<string, Row>; tfjs?: Row; oracle?: TfStep }>();
console.log('| backend | n | m | kernel | score ms | train step ms | step GFLOP/s | % of peak | GEMM parts GFLOP/s | GEMM % of peak |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [n, m] of SIZES) {
  const key = `${n}x${m}`;
  const entry = { quadrix: new Map<string, Row>() } as { quadrix: Map<string, Row>; tfjs?: Row; oracle?: TfStep };
  results.set(key, entry);
  for (const b of made) {
    if (b.maxN !== undefined && n > b.maxN) continue;
    const kernels: [string, QuadricKernel][] = b.composed && n <= 128 ? [['fused', quadric], ['composed', quadricComposed]] : [['fused', quadric]];
    for (const [kname, kernel] of kernels) {
      const r = await quadrixRow(b.backend, n, m, kernel, kname === 'fused');
      if (kname === 'fused') entry.quadrix.set(b.name, r);
      const g = gflops(stepFlops(n, m), r.stepMs);
      const gg = r.gemm ? gflops(r.gemm.flops, r.gemm.ms) : undefined;
      console.log(
        `| ${b.name} | ${n} | ${m} | ${kname} | ${r.scoreMs.toFixed(1)} | ${r.stepMs.toFixed(1)} | ${g.toFixed(2)} | ${pct(g)} | ` +
          `${gg === undefined ? '' : gg.toFixed(2)} | ${gg === undefined ? '' : pct(gg)} |`,
      );
    }
  }
  if (COMPARED.has(key)) {
    entry.oracle = await oracleStep(n, m);
    entry.tfjs = tfjsRow(n, m);
    const g = gflops(stepFlops(n, m), entry.tfjs.stepMs);
    console.log(`| tfjs wasm | ${n} | ${m} | explicit transposes | | ${entry.tfjs.stepMs.toFixed(1)} | ${g.toFixed(2)} | ${pct(g)} | | |`);
  }
}

console.log();
console.log(`ratio: TensorFlow.js wasm step time / quadrix step time, same run (load average now ${load()})`);
console.log('agreement: max |difference| / max |float64 value| over the loss and each gradient, against the float64 oracle (the reference kernels in float64 on the same float32 inputs) and between the two');
console.log('| n | m | backend | quadrix ms (median / min) | tfjs ms (median / min) | speed-up (median) | speed-up (min) | quadrix vs float64 | tfjs vs float64 | quadrix vs tfjs |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
let disagree = false;
for (const [key, { quadrix: rows, tfjs, oracle }] of results) {
  if (!tfjs || !oracle) continue;
  const [n, m] = key.split('x');
  const tfErr = tfjs.step ? agreement(tfjs.step, oracle) : NaN;
  for (const [name, r] of rows) {
    const err = r.step ? agreement(r.step, oracle) : NaN;
    const between = r.step && tfjs.step ? agreement(r.step, tfjs.step) : NaN;
    // float32 against float64: the Stiefel penalty's gradient 4(GGᵀ − I)G is mostly rounding noise of
    // GGᵀ ≈ I at an orthonormal start, so 5e-2 normwise (TensorFlow.js and quadrix's reference
    // kernels land near 2e-2 at n = 512; the fast kernels, with blocked FMA sums, near 2e-5).
    if (!(err <= 5e-2)) disagree = true;
    console.log(
      `| ${n} | ${m} | ${name} | ${r.stepMs.toFixed(1)} / ${r.stepMin.toFixed(1)} | ${tfjs.stepMs.toFixed(1)} / ${tfjs.stepMin.toFixed(1)} | ` +
        `${(tfjs.stepMs / r.stepMs).toFixed(2)}× | ${(tfjs.stepMin / r.stepMin).toFixed(2)}× | ` +
        `${err.toExponential(1)} | ${tfErr.toExponential(1)} | ${between.toExponential(1)} |`,
    );
  }
  if (!(tfErr <= 5e-2)) disagree = true;
}

// Training throughput on the real embeddings (L2-normalised, as in the paper's protocols).
console.log();
if (!existsSync(EMBEDDINGS)) {
  console.log(`throughput on real embeddings skipped: ${EMBEDDINGS.pathname} is absent`);
} else {
  const npy = await readNpy(EMBEDDINGS);
  const [N, n] = npy.shape as [number, number];
  const rows = Float32Array.from(npy.data as ArrayLike<number>);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += rows[i * n + j]! ** 2;
    for (let j = 0; j < n; j++) rows[i * n + j]! /= Math.sqrt(s);
  }
  const m = 100;
  const epochs = QUICK ? 1 : 3;
  console.log(`training throughput on arcface-toy embeddings (${N} × ${n}, L2-normalised), m = ${m}, batch ${B}, SGD, dist2, ${epochs} epochs after one warm-up epoch`);
  console.log('| backend | points/s |');
  console.log('|---|---|');
  for (const b of made) {
    if (b.maxN !== undefined && n > b.maxN) continue;
    const x = tensor(rows, { shape: [N, n], backend: b.backend });
    const init = initQuadrics(randomKey(7), n, m, { backend: b.backend });
    const warm = await train(init, x, { distance: 'dist2', epochs: 1, batchSize: B, seed: 1 });
    const t0 = performance.now();
    const { params } = await train(warm.params, x, { distance: 'dist2', epochs, batchSize: B, seed: 2 });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`| ${b.name} | ${((N * epochs) / seconds).toFixed(0)} |`);
    dispose([x, init, warm.params, params]);
  }
  const tf512 = results.get('512x100')?.tfjs;
  if (tf512) console.log(`| tfjs wasm (from its step time at n = 512, m = 100) | ${((1000 * B) / tf512.stepMs).toFixed(0)} |`);
}
console.log();
console.log(`load average at the end: ${load()}`);
console.log('GFLOP/s count 6·B·n²·m + 6·m²·n² flops per training step (three GEMM-shaped passes each for the quadrics and the Stiefel penalty).');
console.log('"GEMM parts" time only the matmul and fused quadric kernels inside the step, with the flops they really execute (products reused from earlier in the step count as neither).');
if (disagree) {
  console.error('a float32 step differs from the float64 oracle by more than 5e-2 (normwise): see the ratio table');
  process.exit(1);
}
