/**
 * The kernel table: every primitive of core as one or a few gpu.js kernels over flat storage.
 * Kernels only plan on the host (shapes, strides, offsets, small index tables) and launch; values
 * stay in GPU textures between kernels. Outputs with no elements launch nothing.
 */
import type { Kernel, KernelTable, OutputInfo, PrimitiveAttrs, TensorInfo } from '@quadrix/core';
import { sizeOf, stridesOf } from '@quadrix/core';
import { around, batchOffsets, broadcastStrides, loopBound, plan, type StridedInput } from './layout.js';
import {
  concatSource, fillSource, gatherSource, mapSource, matmulSource, padSource, quadricConstantSource,
  quadricEpilogueSource, quadricProductsSource, rowSumSource, scatterAddSource, type Source,
} from './sources.js';
import type { GpujsHandle } from './storage.js';

type H = GpujsHandle;
type K<P extends keyof PrimitiveAttrs> = Kernel<H, PrimitiveAttrs[P]>;

/** An argument of a launch: a tensor's storage, a small host table (indices, offsets), or a number. */
export type LaunchArg = H | Float32Array | number;

/** What the kernels need from the backend: launching compiled sources and sharing storage. */
export interface Launcher {
  /** Runs the kernel compiled from `source` (cached by its key) with an output of `size` > 0 elements. */
  run(source: Source, args: readonly LaunchArg[], size: number): H;
  /** A handle with no elements. */
  empty(): H;
  /** A new handle on the same storage (reshape, cast). */
  alias(h: H): H;
  /** Frees an intermediate. */
  release(h: H): void;
}

/** Reduction runs per pass: a length-R sum takes ⌈log_CHUNK R⌉ passes of runs of at most CHUNK terms. */
export const SUM_CHUNK = 64;
/** Pieces concatenated by one kernel; more are concatenated in groups. */
const CONCAT_PIECES = 8;

const suffixProducts = (dims: readonly number[]): number[] => stridesOf(dims).slice(0, -1);

export interface KernelOptions {
  /** log through `accurateLog` (GL kernels, whose built-in log is only absolutely accurate near 1) */
  readonly accurateLog: boolean;
}

export const makeKernels = (gpu: Launcher, opts: KernelOptions): KernelTable<H> => {
  const fill = (size: number, value: number): H => gpu.run(fillSource(), [value], size);

  /** Elementwise over inputs read through strides (broadcast, transposed, sliced, ...). */
  const strided = (name: string, expr: string, inputs: readonly TensorInfo<H>[], views: readonly StridedInput[], out: OutputInfo): H => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    const p = plan(out.shape, views);
    const source = mapSource(name, expr, p.dims.length, p.access);
    const args: LaunchArg[] = inputs.map((t) => t.handle);
    if (p.access.includes('strided')) args.push(...suffixProducts(p.dims));
    p.access.forEach((a, k) => {
      if (a === 'strided') args.push(...p.inputs[k]!.strides);
      if (a !== 'same') args.push(p.inputs[k]!.offset);
    });
    return gpu.run(source, args, size);
  };

  /** NumPy-broadcasting elementwise op. */
  const elementwise =
    (name: string, expr: string): Kernel<H, unknown> =>
    (inputs, _, out) =>
      strided(name, expr, inputs, inputs.map((t) => ({ strides: broadcastStrides(t.shape, out.shape), offset: 0 })), out);

  const COMPARE_EXPR: Record<PrimitiveAttrs['compare']['op'], string> = {
    less: 'v0 < v1',
    lessEqual: 'v0 <= v1',
    greater: 'v0 > v1',
    greaterEqual: 'v0 >= v1',
    equal: 'v0 === v1',
    notEqual: 'v0 !== v1',
  };

  const copy = (x: TensorInfo<H>, strides: readonly number[], offset: number, out: OutputInfo): H =>
    strided('copy', 'v0', [x], [{ strides, offset }], out);

  const alias: Kernel<H, unknown> = ([x]) => gpu.alias(x!.handle);

  const sum: K<'sum'> = ([x], { axes }, out) => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    if (axes.length === 0) return gpu.alias(x!.handle);
    const length = axes.reduce((n, a) => n * x!.shape[a]!, 1);
    if (length === 0) return fill(size, 0);
    const rank = x!.shape.length;
    const trailing = axes.every((a, i) => a === rank - axes.length + i);
    // Bring the summed axes last and contiguous: [kept..., summed...] as [size, length].
    let rows: H = x!.handle;
    if (!trailing) {
      const kept = x!.shape.map((_, a) => a).filter((a) => !axes.includes(a));
      const perm = [...kept, ...axes];
      const own = stridesOf(x!.shape);
      rows = copy(x!, perm.map((a) => own[a]!), 0, { shape: perm.map((a) => x!.shape[a]!), dtype: out.dtype });
    }
    let remaining = length;
    for (;;) {
      const groups = Math.ceil(remaining / SUM_CHUNK);
      const next = gpu.run(rowSumSource(SUM_CHUNK), [rows, remaining, groups], size * groups);
      if (rows !== x!.handle) gpu.release(rows);
      rows = next;
      remaining = groups;
      if (groups === 1) return rows;
    }
  };

  const pad: K<'pad'> = ([x], { before }, out) => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    if (x!.shape.length === 0) return gpu.alias(x!.handle);
    if (sizeOf(x!.shape) === 0) return fill(size, 0);
    const own = stridesOf(x!.shape);
    const args: LaunchArg[] = [x!.handle, ...suffixProducts(out.shape)];
    x!.shape.forEach((d, k) => args.push(before[k]!, d, own[k]!));
    return gpu.run(padSource(x!.shape.length), args, size);
  };

  const gather: K<'gather'> = ([x], { axis, indices }, out) => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    const [, dim, inner] = around(x!.shape, axis);
    return gpu.run(gatherSource(), [x!.handle, Float32Array.from(indices), indices.length, inner, dim], size);
  };

  const scatterAdd: K<'scatterAdd'> = ([x], { axis, indices, size: extent }, out) => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    if (sizeOf(x!.shape) === 0) return fill(size, 0);
    const [, dim, inner] = around(x!.shape, axis);
    // Positions grouped by target (a CSR table), ascending within each group: the sums run in
    // the order the CPU backend adds them.
    const starts = new Float32Array(extent + 1);
    for (const t of indices) starts[t + 1]!++;
    let longest = 0;
    for (let t = 0; t < extent; t++) {
      longest = Math.max(longest, starts[t + 1]!);
      starts[t + 1]! += starts[t]!;
    }
    const order = new Float32Array(indices.length);
    const next = starts.slice(0, extent);
    indices.forEach((t, j) => (order[next[t]!++] = j));
    return gpu.run(scatterAddSource(loopBound(longest)), [x!.handle, starts, order, extent, inner, dim], size);
  };

  const concat: K<'concat'> = (xs, { axis }, out) => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    const pieces = xs.filter((x) => sizeOf(x.shape) > 0);
    if (pieces.length === 1) return gpu.alias(pieces[0]!.handle);
    const [outer, , inner] = around(out.shape, axis);
    const join = (group: readonly { handle: H; width: number }[]): { handle: H; width: number } => {
      const args: LaunchArg[] = group.map((g) => g.handle);
      args.push(...group.map((g) => g.width));
      let end = 0;
      for (const g of group.slice(0, -1)) args.push((end += g.width));
      const total = group.reduce((s, g) => s + g.width, 0);
      args.push(total);
      return { handle: gpu.run(concatSource(group.length), args, outer * total), width: total };
    };
    let parts = pieces.map((x) => ({ handle: x.handle, width: x.shape[axis]! * inner }));
    const owned = new Set<H>();
    while (parts.length > 1) {
      const joined: { handle: H; width: number }[] = [];
      for (let i = 0; i < parts.length; i += CONCAT_PIECES) {
        const group = parts.slice(i, i + CONCAT_PIECES);
        if (group.length === 1) {
          joined.push(group[0]!);
          continue;
        }
        const j = join(group);
        for (const g of group) if (owned.delete(g.handle)) gpu.release(g.handle);
        owned.add(j.handle);
        joined.push(j);
      }
      parts = joined;
    }
    return parts[0]!.handle;
  };

  const matmul: Kernel<H, unknown> = ([a, b], _, out) => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    const k = a!.shape[a!.shape.length - 1]!;
    if (k === 0) return fill(size, 0);
    const rows = out.shape[out.shape.length - 2]!;
    const n = out.shape[out.shape.length - 1]!;
    const batch = out.shape.slice(0, -2);
    const args = [a!.handle, b!.handle, batchOffsets(a!.shape, batch), batchOffsets(b!.shape, batch), rows, n, k];
    return gpu.run(matmulSource(loopBound(k)), args, size);
  };

  const quadric: Kernel<H, unknown> = ([x, s, b, c], _, out) => {
    const size = sizeOf(out.shape);
    if (size === 0) return gpu.empty();
    const [points, n] = x!.shape as [number, number];
    const m = s!.shape[0]!;
    if (n === 0) return gpu.run(quadricConstantSource(), [c!.handle, points, m], size);
    const loop = loopBound(n);
    const t = gpu.run(quadricProductsSource(loop), [x!.handle, s!.handle, points, n], m * points * n);
    try {
      return gpu.run(quadricEpilogueSource(loop), [x!.handle, t, b!.handle, c!.handle, points, m, n], size);
    } finally {
      gpu.release(t);
    }
  };

  return {
    neg: elementwise('neg', '-v0'),
    abs: elementwise('abs', 'Math.abs(v0)'),
    sign: elementwise('sign', 'v0 > 0 ? 1 : (v0 < 0 ? -1 : 0)'),
    sqrt: elementwise('sqrt', 'Math.sqrt(v0)'),
    exp: elementwise('exp', 'Math.exp(v0)'),
    log: opts.accurateLog ? elementwise('accurateLog', 'accurateLog(v0)') : elementwise('log', 'Math.log(v0)'),
    add: elementwise('add', 'v0 + v1'),
    sub: elementwise('sub', 'v0 - v1'),
    mul: elementwise('mul', 'v0 * v1'),
    div: elementwise('div', 'v0 / v1'),
    maximum: elementwise('maximum', 'Math.max(v0, v1)'),
    compare: (inputs, { op }, out) => elementwise(`compare-${op}`, `${COMPARE_EXPR[op]} ? 1 : 0`)(inputs, {}, out),
    where: elementwise('where', 'v0 !== 0 ? v1 : v2'),
    sum,
    reshape: alias,
    broadcastTo: ([x], _, out) => copy(x!, broadcastStrides(x!.shape, out.shape), 0, out),
    transpose: ([x], { perm }, out) => {
      const own = stridesOf(x!.shape);
      return copy(x!, perm.map((p) => own[p]!), 0, out);
    },
    slice: ([x], { begin }, out) => {
      const own = stridesOf(x!.shape);
      return copy(x!, own, begin.reduce((s, b, a) => s + b * own[a]!, 0), out);
    },
    pad,
    gather,
    scatterAdd,
    concat,
    matmul,
    // float32 is this backend's only dtype: a cast is float32 → float32.
    cast: alias,
    quadric,
  };
};
