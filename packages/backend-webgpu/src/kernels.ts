import { QuadrixError, type Kernel, type KernelTable, type OutputInfo, type PrimitiveAttrs, type TensorInfo } from '@quadrix/core';
import { broadcastStrides, collapse, contiguous, planChunks, product, type Chunk, type Space, type Window } from './plan.js';
import { Storage, type Binding, type Runtime } from './runtime.js';
import {
  BINARY, BINARY_MAP, GATHER, INDEX_WORDS, MAP_WORDS, MATMUL, MATMUL_WORDS, MAX_RANK, QUADRIC, QUADRIC_WORDS,
  SCATTER_ADD, SUM_COLS, SUM_ROWS, SUM_WORDS, TILE, UNARY, UNARY_MAP, WG, WHERE_MAP,
} from './wgsl.js';

/** A tensor's storage on the device: a (possibly shared) buffer and the tensor's element count. */
export class WebGPUHandle {
  constructor(readonly storage: Storage, readonly length: number) {}
}

type H = WebGPUHandle;
type K<P extends keyof PrimitiveAttrs> = Kernel<H, PrimitiveAttrs[P]>;

const whole = (length: number): Window => ({ start: 0, length });

/** Writes a list of up to MAX_RANK values into words[at .. at + 8). */
const putAxes = (words: Uint32Array, at: number, values: readonly number[]): void => {
  for (let j = 0; j < values.length; j++) words[at + j] = values[j]!;
};

const tooManyAxes = (op: string, rank: number): QuadrixError =>
  new QuadrixError('shape', `${op}: ${rank} axes remain after merging contiguous ones; the WebGPU backend handles at most ${MAX_RANK}`);

export const makeKernels = (rt: Runtime): KernelTable<H> => {
  const budget = (countAxes?: readonly boolean[]) => ({
    window: rt.limits.window,
    align: rt.limits.align,
    count: WG * rt.limits.groups * rt.limits.groups,
    ...(countAxes ? { countAxes } : {}),
  });

  const output = (op: string, out: OutputInfo): H => {
    rt.check(op);
    const length = product(out.shape);
    return new WebGPUHandle(rt.acquire(length * 4), length);
  };

  /**
   * The strided map: for every element of `dims`, out[...] = op(inputs[...]), each binding with its
   * own strides and offset (binding 0 is the output). Split into chunks that fit the device.
   */
  const map = (op: string, code: string, opCode: number, dims: readonly number[], bindings: readonly { storage: Storage; strides: readonly number[]; offset: number }[]): void => {
    const space: Space = { dims, strides: bindings.map((b) => b.strides), offsets: bindings.map((b) => b.offset) };
    for (const chunk of planChunks(space, budget())) {
      const c = collapse(chunk);
      if (c.dims.length > MAX_RANK) throw tooManyAxes(op, c.dims.length);
      const count = product(c.dims);
      const words = new Uint32Array(MAP_WORDS);
      words[0] = count;
      words[1] = c.dims.length;
      words[2] = opCode;
      putAxes(words, 4, c.dims);
      c.strides.forEach((s, b) => putAxes(words, 12 + 8 * b, s));
      c.offsets.forEach((o, b) => (words[44 + b] = o));
      rt.dispatch(code, words, bindings.map((b, i) => ({ storage: b.storage, window: chunk.windows[i]! })), rt.grid(count));
    }
  };

  const unary = (name: keyof typeof UNARY): K<'neg'> => ([x], _, out) => {
    const o = output(name, out);
    const dims = [o.length];
    map(name, UNARY_MAP, UNARY[name], dims, [
      { storage: o.storage, strides: [1], offset: 0 },
      { storage: x!.handle.storage, strides: [1], offset: 0 },
    ]);
    return o;
  };

  const binaryOp = (name: string, code: number, [a, b]: readonly TensorInfo<H>[], out: OutputInfo): H => {
    const o = output(name, out);
    map(name, BINARY_MAP, code, out.shape, [
      { storage: o.storage, strides: contiguous(out.shape), offset: 0 },
      { storage: a!.handle.storage, strides: broadcastStrides(a!.shape, out.shape), offset: 0 },
      { storage: b!.handle.storage, strides: broadcastStrides(b!.shape, out.shape), offset: 0 },
    ]);
    return o;
  };
  const binary = (name: keyof typeof BINARY): K<'add'> => (inputs, _, out) => binaryOp(name, BINARY[name], inputs, out);

  /** out = x viewed through `strides` and `offset` over out's shape (a strided copy). */
  const copyView = (op: string, x: TensorInfo<H>, strides: readonly number[], offset: number, out: OutputInfo): H => {
    const o = output(op, out);
    map(op, UNARY_MAP, UNARY.copy, out.shape, [
      { storage: o.storage, strides: contiguous(out.shape), offset: 0 },
      { storage: x.handle.storage, strides, offset },
    ]);
    return o;
  };

  /** A new handle on the same (immutable) storage. */
  const share = (op: string, x: TensorInfo<H>): H => {
    rt.check(op);
    x.handle.storage.refs++;
    return new WebGPUHandle(x.handle.storage, x.handle.length);
  };

  const sum: K<'sum'> = ([x], { axes }, out) => {
    const o = output('sum', out);
    if (o.length === 0) return o;
    const shape = x!.shape;
    const reduced = shape.map((_, j) => axes.includes(j));
    const keptShape = shape.filter((_, j) => !reduced[j]);
    const keptStrides = contiguous(keptShape);
    let at = 0;
    const outStrides = shape.map((_, j) => (reduced[j] ? 0 : keptStrides[at++]!));
    const inStrides = contiguous(shape);
    if (product(shape.filter((_, j) => reduced[j])) === 0) {
      rt.clear(o.storage, 0, o.length * 4);
      return o;
    }
    const space: Space = { dims: shape, strides: [outStrides, inStrides], offsets: [0, 0] };
    const g = rt.limits.groups;
    const chunks = planChunks(space, { ...budget(shape.map((_, j) => !reduced[j])), count: g * g });
    const partial = (c: Chunk): boolean => c.box.some(([lo, hi], j) => reduced[j] && (lo > 0 || hi < shape[j]!));
    const accumulate = chunks.some(partial);
    if (accumulate) rt.clear(o.storage, 0, o.length * 4);
    for (const chunk of chunks) {
      const kept = collapse({
        dims: chunk.dims.filter((_, j) => !reduced[j]),
        strides: [inStrides.filter((_, j) => !reduced[j]), outStrides.filter((_, j) => !reduced[j])],
        offsets: [0, 0],
      });
      const red = collapse({ dims: chunk.dims.filter((_, j) => reduced[j]), strides: [inStrides.filter((_, j) => reduced[j])], offsets: [0] });
      if (kept.dims.length > MAX_RANK || red.dims.length > MAX_RANK) throw tooManyAxes('sum', Math.max(kept.dims.length, red.dims.length));
      const outputs = product(kept.dims);
      const length = product(red.dims);
      const words = new Uint32Array(SUM_WORDS);
      words.set([outputs, kept.dims.length, length, red.dims.length, accumulate ? 1 : 0, chunk.offsets[0]!, chunk.offsets[1]!]);
      putAxes(words, 8, kept.dims);
      putAxes(words, 16, kept.strides[0]!);
      putAxes(words, 24, kept.strides[1]!);
      putAxes(words, 32, red.dims);
      putAxes(words, 40, red.strides[0]!);
      const innermost = red.strides[0]![red.dims.length - 1] ?? 1;
      const rows = length >= 64 && (outputs <= 4096 || innermost === 1);
      const bindings: Binding[] = [
        { storage: o.storage, window: chunk.windows[0]! },
        { storage: x!.handle.storage, window: chunk.windows[1]! },
      ];
      rt.dispatch(rows ? SUM_ROWS : SUM_COLS, words, bindings, rows ? rt.grid(outputs, 1) : rt.grid(outputs));
    }
    return o;
  };

  const matmul: K<'matmul'> = ([a, b], _, out) => {
    const o = output('matmul', out);
    if (o.length === 0) return o;
    const r = out.shape.length;
    const M = out.shape[r - 2]!;
    const N = out.shape[r - 1]!;
    const Kd = a!.shape[a!.shape.length - 1]!;
    if (Kd === 0) {
      rt.clear(o.storage, 0, o.length * 4);
      return o;
    }
    const batch = out.shape.slice(0, -2);
    const batchA = broadcastStrides(a!.shape.slice(0, -2), batch).map((s) => s * M * Kd);
    const batchB = broadcastStrides(b!.shape.slice(0, -2), batch).map((s) => s * Kd * N);
    const batchC = contiguous(batch).map((s) => s * M * N);
    const count = product(batch);
    const { window, groups } = rt.limits;
    const sa = a!.handle.storage;
    const sb = b!.handle.storage;
    const params = (p: { M: number; N: number; K: number; acc: boolean; lda: number; ldb: number; ldc: number; offs: [number, number, number]; base: number; batched: boolean }) => {
      const words = new Uint32Array(MATMUL_WORDS);
      const bs = p.batched ? collapse({ dims: batch, strides: [batchA, batchB, batchC], offsets: [0, 0, 0] }) : { dims: [], strides: [[], [], []] };
      if (bs.dims.length > MAX_RANK) throw tooManyAxes('matmul', bs.dims.length);
      words.set([p.M, p.N, p.K, p.acc ? 1 : 0, p.lda, p.ldb, p.ldc, bs.dims.length, ...p.offs, p.base]);
      putAxes(words, 16, bs.dims);
      putAxes(words, 24, bs.strides[0]!);
      putAxes(words, 32, bs.strides[1]!);
      putAxes(words, 40, bs.strides[2]!);
      return words;
    };
    const tilesM = Math.ceil(M / TILE);
    const tilesN = Math.ceil(N / TILE);
    const fits = a!.handle.length <= window && b!.handle.length <= window && o.length <= window;
    if (fits && tilesM <= groups && tilesN <= groups) {
      // Everything bound whole; batches along z, in runs of at most `groups`.
      const bindings: Binding[] = [
        { storage: o.storage, window: whole(o.length) },
        { storage: sa, window: whole(a!.handle.length) },
        { storage: sb, window: whole(b!.handle.length) },
      ];
      for (let base = 0; base < count; base += groups) {
        const words = params({ M, N, K: Kd, acc: false, lda: Kd, ldb: N, ldc: N, offs: [0, 0, 0], base, batched: true });
        rt.dispatch(MATMUL, words, bindings, [tilesN, tilesM, Math.min(groups, count - base)]);
      }
      return o;
    }
    // Split: one batch matrix at a time, blocks of rows, columns and k (accumulating over k).
    const room = window - rt.limits.align + 1;
    let rc = M;
    let kc = Kd;
    let cc = N;
    for (;;) {
      const fitC = (rc - 1) * N + cc <= room;
      const fitA = (rc - 1) * Kd + kc <= room;
      const fitB = (kc - 1) * N + cc <= room;
      const gridOk = Math.ceil(rc / TILE) <= groups && Math.ceil(cc / TILE) <= groups;
      if (fitC && fitA && fitB && gridOk) break;
      if (!fitC) {
        if (rc > 1) rc = Math.ceil(rc / 2);
        else cc = Math.ceil(cc / 2);
      } else if (!fitA) {
        if (rc > 1) rc = Math.ceil(rc / 2);
        else kc = Math.ceil(kc / 2);
      } else if (!fitB) {
        if (kc > 1) kc = Math.ceil(kc / 2);
        else cc = Math.ceil(cc / 2);
      } else {
        if (Math.ceil(rc / TILE) > groups) rc = Math.ceil(rc / 2);
        if (Math.ceil(cc / TILE) > groups) cc = Math.ceil(cc / 2);
      }
    }
    const align = rt.limits.align;
    const win = (lo: number, hi: number): Window => {
      const start = Math.floor(lo / align) * align;
      return { start, length: hi + 1 - start };
    };
    const batchDims = batch;
    const idx = new Array<number>(batchDims.length).fill(0);
    for (let g = 0; g < count; g++) {
      let rem = g;
      let oa = 0;
      let ob = 0;
      for (let d = batchDims.length - 1; d >= 0; d--) {
        idx[d] = rem % batchDims[d]!;
        rem = Math.floor(rem / batchDims[d]!);
        oa += idx[d]! * batchA[d]!;
        ob += idx[d]! * batchB[d]!;
      }
      const oc = g * M * N;
      for (let r0 = 0; r0 < M; r0 += rc) {
        const r1 = Math.min(M, r0 + rc);
        for (let c0 = 0; c0 < N; c0 += cc) {
          const c1 = Math.min(N, c0 + cc);
          for (let k0 = 0; k0 < Kd; k0 += kc) {
            const k1 = Math.min(Kd, k0 + kc);
            const wa = win(oa + r0 * Kd + k0, oa + (r1 - 1) * Kd + k1 - 1);
            const wb = win(ob + k0 * N + c0, ob + (k1 - 1) * N + c1 - 1);
            const wc = win(oc + r0 * N + c0, oc + (r1 - 1) * N + c1 - 1);
            const words = params({
              M: r1 - r0, N: c1 - c0, K: k1 - k0, acc: k0 > 0, lda: Kd, ldb: N, ldc: N,
              offs: [oa + r0 * Kd + k0 - wa.start, ob + k0 * N + c0 - wb.start, oc + r0 * N + c0 - wc.start], base: 0, batched: false,
            });
            rt.dispatch(MATMUL, words, [
              { storage: o.storage, window: wc },
              { storage: sa, window: wa },
              { storage: sb, window: wb },
            ], [Math.ceil((c1 - c0) / TILE), Math.ceil((r1 - r0) / TILE), 1]);
          }
        }
      }
    }
    return o;
  };

  const quadric: K<'quadric'> = ([x, s, b, c], _, out) => {
    const o = output('quadric', out);
    const [B, n] = x!.shape as [number, number];
    const m = s!.shape[0]!;
    if (o.length === 0) return o;
    const { window, groups, align } = rt.limits;
    const room = window - align + 1;
    if (o.length > room) {
      throw new QuadrixError('backend', `quadric: the output [2, ${B}, ${m}] exceeds this device's maxStorageBufferBindingSize; score fewer points at a time`);
    }
    if (n * n > room) {
      throw new QuadrixError('backend', `quadric: one ${n}×${n} quadratic part exceeds this device's maxStorageBufferBindingSize`);
    }
    // Quadrics in runs whose S, b, c fit one binding; points in runs whose X fits one binding.
    const mc = Math.max(1, Math.min(m, groups, Math.floor(room / Math.max(1, n * n))));
    const pc = Math.max(1, Math.min(B, groups * TILE, Math.floor(room / Math.max(1, n))));
    const win = (lo: number, len: number): Window => {
      const start = Math.floor(lo / align) * align;
      return { start, length: lo + Math.max(len, 1) - start };
    };
    for (let i0 = 0; i0 < m; i0 += mc) {
      const mi = Math.min(mc, m - i0);
      const ws = win(i0 * n * n, mi * n * n);
      const wb = win(i0 * n, mi * n);
      const wc = win(i0, mi);
      for (let p0 = 0; p0 < B; p0 += pc) {
        const pn = Math.min(pc, B - p0);
        const wx = win(p0 * n, pn * n);
        const words = new Uint32Array(QUADRIC_WORDS);
        words.set([pn, n, mi, m, p0 * n - wx.start, i0 * n * n - ws.start, i0 * n - wb.start, i0 - wc.start, p0 * m + i0, B * m]);
        rt.dispatch(QUADRIC, words, [
          { storage: o.storage, window: whole(o.length) },
          { storage: x!.handle.storage, window: wx },
          { storage: s!.handle.storage, window: ws },
          { storage: b!.handle.storage, window: wb },
          { storage: c!.handle.storage, window: wc },
        ], [Math.ceil(pn / TILE), mi, 1]);
      }
    }
    return o;
  };

  /** Splits a shape around `axis` into (outer, dim, inner). */
  const around = (shape: readonly number[], axis: number): [number, number, number] => [
    product(shape.slice(0, axis)),
    shape[axis]!,
    product(shape.slice(axis + 1)),
  ];

  /** Runs an index kernel (gather / scatter) over a contiguous output in runs that fit the device. */
  const indexed = (code: string, o: H, x: H, table: Storage, head: readonly [number, number, number]): void => {
    const room = rt.limits.window - rt.limits.align + 1;
    const run = Math.min(room, WG * rt.limits.groups * rt.limits.groups);
    for (let o0 = 0; o0 < o.length; o0 += run) {
      const count = Math.min(run, o.length - o0);
      const start = Math.floor(o0 / rt.limits.align) * rt.limits.align;
      const words = new Uint32Array(INDEX_WORDS);
      words.set([count, ...head, 0, o0 - start, o0]);
      rt.dispatch(code, words, [
        { storage: o.storage, window: { start, length: o0 + count - start } },
        { storage: x.storage, window: whole(x.length) },
        { storage: table, window: whole(Math.max(1, table.bytes / 4)) },
      ], rt.grid(count));
    }
  };

  const gather: K<'gather'> = ([x], { axis, indices }, out) => {
    const o = output('gather', out);
    if (o.length === 0) return o;
    const [outer, dim, inner] = around(x!.shape, axis);
    const J = indices.length;
    if (x!.handle.length <= rt.limits.window - rt.limits.align + 1) {
      const table = rt.temporary(Uint32Array.from(indices));
      indexed(GATHER, o, x!.handle, table, [inner, J, dim]);
      return o;
    }
    // x too large to bind: copy rows (outer × J of them, `inner` elements each).
    if (outer * J > 1_000_000) throw new QuadrixError('backend', `gather: ${outer * J} row copies of a tensor larger than one binding; gather fewer rows`);
    for (let a = 0; a < outer; a++) {
      for (let j = 0; j < J; j++) rt.copy(x!.handle.storage, (a * dim + indices[j]!) * inner * 4, o.storage, (a * J + j) * inner * 4, inner * 4);
    }
    return o;
  };

  const scatterAdd: K<'scatterAdd'> = ([x], { axis, indices, size }, out) => {
    const o = output('scatterAdd', out);
    if (o.length === 0) return o;
    const [outer, dim, inner] = around(x!.shape, axis);
    if (x!.handle.length <= rt.limits.window - rt.limits.align + 1) {
      // The inverse of the indices, as CSR: starts[s] .. starts[s + 1] into a list of j's.
      const table = new Uint32Array(size + 1 + dim);
      for (let j = 0; j < dim; j++) table[indices[j]! + 1]!++;
      for (let s = 0; s < size; s++) table[s + 1]! += table[s]!;
      const fill = table.slice(0, size);
      for (let j = 0; j < dim; j++) table[size + 1 + fill[indices[j]!]!++] = j;
      indexed(SCATTER_ADD, o, x!.handle, rt.temporary(table), [inner, size, dim]);
      return o;
    }
    // x too large to bind: zero, then add each row into place.
    if (outer * dim > 100_000) throw new QuadrixError('backend', `scatterAdd: ${outer * dim} row updates of a tensor larger than one binding`);
    rt.clear(o.storage, 0, o.length * 4);
    for (let a = 0; a < outer; a++) {
      for (let j = 0; j < dim; j++) {
        map('scatterAdd', UNARY_MAP, UNARY.accumulate, [inner], [
          { storage: o.storage, strides: [1], offset: (a * size + indices[j]!) * inner },
          { storage: x!.handle.storage, strides: [1], offset: (a * dim + j) * inner },
        ]);
      }
    }
    return o;
  };

  const concat: K<'concat'> = (xs, { axis }, out) => {
    const o = output('concat', out);
    if (o.length === 0) return o;
    const outStrides = contiguous(out.shape);
    let at = 0;
    for (const x of xs) {
      if (x.handle.length > 0) {
        map('concat', UNARY_MAP, UNARY.copy, x.shape, [
          { storage: o.storage, strides: outStrides, offset: at * outStrides[axis]! },
          { storage: x.handle.storage, strides: contiguous(x.shape), offset: 0 },
        ]);
      }
      at += x.shape[axis]!;
    }
    return o;
  };

  const pad: K<'pad'> = ([x], { before }, out) => {
    const o = output('pad', out);
    if (o.length === 0) return o;
    rt.clear(o.storage, 0, o.length * 4);
    if (x!.handle.length === 0) return o;
    const outStrides = contiguous(out.shape);
    map('pad', UNARY_MAP, UNARY.copy, x!.shape, [
      { storage: o.storage, strides: outStrides, offset: before.reduce((s, b, j) => s + b * outStrides[j]!, 0) },
      { storage: x!.handle.storage, strides: contiguous(x!.shape), offset: 0 },
    ]);
    return o;
  };

  return {
    neg: unary('neg'), abs: unary('abs'), sign: unary('sign'), sqrt: unary('sqrt'), exp: unary('exp'), log: unary('log'),
    add: binary('add'), sub: binary('sub'), mul: binary('mul'), div: binary('div'), maximum: binary('maximum'),
    compare: (inputs, { op }, out) => binaryOp('compare', BINARY[op], inputs, out),
    where: ([c, a, b], _, out) => {
      const o = output('where', out);
      map('where', WHERE_MAP, 0, out.shape, [
        { storage: o.storage, strides: contiguous(out.shape), offset: 0 },
        ...[c!, a!, b!].map((t) => ({ storage: t.handle.storage, strides: broadcastStrides(t.shape, out.shape), offset: 0 })),
      ]);
      return o;
    },
    sum,
    reshape: ([x]) => share('reshape', x!),
    cast: ([x]) => share('cast', x!),
    broadcastTo: ([x], { shape }, out) => copyView('broadcastTo', x!, broadcastStrides(x!.shape, shape), 0, out),
    transpose: ([x], { perm }, out) => {
      const own = contiguous(x!.shape);
      return copyView('transpose', x!, perm.map((p) => own[p]!), 0, out);
    },
    slice: ([x], { begin }, out) => {
      const own = contiguous(x!.shape);
      return copyView('slice', x!, own, begin.reduce((s, b, j) => s + b * own[j]!, 0), out);
    },
    pad, gather, scatterAdd, concat, matmul, quadric,
  };
};
