// Where a quadric training step's time goes, primitive by primitive (not part of `pnpm bench`):
//   node --conditions=source --import tsx bench/profile.ts [n = 128] [m = 100]
// Environment: REPS (steps, default 3; the table is the last one's), DETAIL=1 (one row per input
// shapes and views), QUADRIX_CPU_OPTS (JSON options of cpuBackend, e.g. '{"kernels":"reference"}').
import { data, dispose, normal, randomKey, splitKey, tidy, valueAndGrad, type Backend } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { initQuadrics, loss, type QuadricParams } from '@quadrix/models';

const n = Number(process.argv[2] ?? 128);
const m = Number(process.argv[3] ?? 100);
const B = 256;
const base = cpuBackend(JSON.parse(process.env.QUADRIX_CPU_OPTS ?? '{}') as Parameters<typeof cpuBackend>[0]);
const stats = new Map<string, { ms: number; calls: number; shapes: Set<string> }>();
const kernels = Object.fromEntries(
  Object.entries(base.kernels).map(([name, k]) => [
    name,
    (i: { shape: readonly number[] }[], a: unknown, o: unknown) => {
      const t0 = performance.now();
      const r = (k as (...x: unknown[]) => unknown)(i, a, o);
      const key = process.env.DETAIL ? name + ' ' + i.map((x) => `[${x.shape}]${(x as unknown as { handle: { view?: { strides: number[] } } }).handle.view ? 'v' + JSON.stringify((x as unknown as { handle: { view: { strides: number[] } } }).handle.view.strides) : ''}`).join('·') : name;
      const s = stats.get(key) ?? { ms: 0, calls: 0, shapes: new Set<string>() };
      s.ms += performance.now() - t0;
      s.calls++;
      s.shapes.add(i.map((x) => `[${x.shape}]`).join('·') + (a && (a as { perm?: number[] }).perm ? ` perm ${(a as { perm: number[] }).perm}` : ''));
      stats.set(key, s);
      return r;
    },
  ]),
);
const backend = { ...base, kernels } as unknown as Backend;
const [kp, kx] = splitKey(randomKey(1));
const params: QuadricParams = initQuadrics(kp!, n, m, { backend });
const x = tidy(() => normal(kx!, [B, n], { backend, std: 1 / Math.sqrt(n) }));
const step = valueAndGrad((p: QuadricParams) => loss(p, x, { distance: 'dist2', lambda: 1 }));
for (let rep = 0; rep < Number(process.env.REPS ?? 3); rep++) {
  stats.clear();
  const t0 = performance.now();
  const { value, grads } = step(params);
  await data(value);
  await Promise.all([data(grads.quadratic), data(grads.linear), data(grads.free)]);
  dispose([value, grads]);
  console.log(`step ${rep}: ${(performance.now() - t0).toFixed(1)} ms`);
}
for (const [name, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${name.padEnd(process.env.DETAIL ? 60 : 12)} ${s.ms.toFixed(1).padStart(9)} ms ${String(s.calls).padStart(4)} calls  ${process.env.DETAIL ? '' : [...s.shapes].slice(0, 6).join(' | ')}`);
}
