import type { Kernel, OutputInfo, TensorInfo } from '@quadrix/core';
import { sizeOf, stridesOf } from '@quadrix/core';
import { matmul as referenceMatmul } from '../kernels/matmul.js';
import { quadric as referenceQuadric } from '../kernels/quadric.js';
import { CpuHandle, isContiguous, layoutOf } from '../storage.js';
import { handleOf, keepProducts, output, type FastEnv } from './env.js';
import type { MatrixOperand, Runtime } from './runtime.js';

type H = CpuHandle;


/**
 * The operand of a batched matmul as the wasm GEMM reads it: each matrix row-major or transposed
 * with a leading dimension, batch matrices at offsets given by the (broadcast) batch strides. A view
 * that is neither (e.g. a broadcast inside the matrix) is materialised first.
 */
const matrixOperand = (t: TensorInfo<H>, batch: readonly number[], rows: number, cols: number): MatrixOperand => {
  const r = t.shape.length;
  let h = t.handle;
  let v = layoutOf(h, t.shape);
  const sr = v.strides[r - 2]!;
  const sc = v.strides[r - 1]!;
  let trans: boolean;
  let ld: number;
  if ((cols === 1 || sc === 1) && (rows === 1 || sr >= cols)) {
    trans = false;
    ld = rows === 1 ? cols : sr;
  } else if ((rows === 1 || sr === 1) && (cols === 1 || sc >= rows)) {
    trans = true;
    ld = cols === 1 ? rows : sc;
  } else {
    h = new CpuHandle(h.values);
    v = layoutOf(h, t.shape);
    trans = false;
    ld = cols;
  }
  const own = t.shape.slice(0, -2);
  const lead = batch.length - own.length;
  const strides = batch.map((d, i) => (i < lead || own[i - lead] !== d ? 0 : v.strides[i - lead]!));
  const count = sizeOf(batch);
  const offsets = new Int32Array(count);
  const idx = new Array<number>(batch.length).fill(0);
  let o = v.offset;
  for (let b = 0; b < count; b++) {
    offsets[b] = o;
    for (let ax = batch.length - 1; ax >= 0; ax--) {
      o += strides[ax]!;
      if (++idx[ax]! < batch[ax]!) break;
      o -= strides[ax]! * batch[ax]!;
      idx[ax] = 0;
    }
  }
  return { data: h.base as Float32Array, address: h.address, offsets, ld, trans };
};


/**
 * A stored-transposed operand that is square and exactly symmetric is its own transpose: read it
 * row-major (cheaper packing, and it makes Mᵀ·G the same product as M·G for the cache below).
 * Checked only on small matrices, where a pass over them costs nothing.
 */
const untransposeSymmetric = (o: MatrixOperand, T: number, rows: number, cols: number): MatrixOperand => {
  if (!o.trans || rows !== cols || T * rows * cols > 1 << 16) return o;
  for (let t = 0; t < T; t++) {
    const base = o.offsets[t]!;
    for (let i = 0; i < rows; i++) {
      for (let k = i + 1; k < rows; k++) if (o.data[base + k * o.ld + i] !== o.data[base + i * o.ld + k]) return o;
    }
  }
  return { ...o, trans: false };
};

const sameOperand = (p: MatrixOperand, q: MatrixOperand): boolean =>
  p.data === q.data && p.ld === q.ld && p.trans === q.trans && p.offsets.length === q.offsets.length &&
  Array.prototype.every.call(p.offsets, (o: number, i: number) => o === q.offsets[i]);

/** The last product computed, so that an identical one (the Stiefel penalty's dC·G and (Gᵀ·dC)ᵀ, dC symmetric) is not computed twice. */
interface LastProduct {
  readonly dims: string;
  readonly a: MatrixOperand;
  readonly b: MatrixOperand;
  readonly array: Float32Array;
  readonly block: NonNullable<CpuHandle['block']>;
}

export const fastMatmul = (env: FastEnv, rt: Runtime): Kernel<H, unknown> => {
  let last: LastProduct | undefined;
  const remember = (entry: LastProduct | undefined): void => {
    if (last) last.block.release();
    last = entry;
    if (last) last.block.refs++;
  };
  /** C = A·B (T, M, N, K as given), from the last product when it is the same one. */
  const product = (T: number, M: number, N: number, K: number, a: MatrixOperand, b: MatrixOperand, wanted: number) => {
    const dims = `${T} ${M} ${N} ${K}`;
    if (last && last.dims === dims && sameOperand(last.a, a) && sameOperand(last.b, b)) return { array: last.array, block: last.block };
    const c = output(env, 'float32', T * M * N);
    if (!rt.gemm(T, M, N, K, a, b, c.array as Float32Array, c.block?.address, wanted)) {
      c.block?.rt.free(c.block);
      return undefined;
    }
    // Only results in WebAssembly memory, whose blocks count references, are remembered.
    remember(c.block && a.address !== undefined && b.address !== undefined ? { dims, a, b, array: c.array as Float32Array, block: c.block } : undefined);
    return c;
  };
  return (inputs, attrs, out: OutputInfo) => {
    const { threads, at } = env;
    const [x, y] = inputs as [TensorInfo<H>, TensorInfo<H>];
    const rank = out.shape.length;
    const M = out.shape[rank - 2]!;
    const N = out.shape[rank - 1]!;
    const K = x.shape[x.shape.length - 1]!;
    const batch = out.shape.slice(0, -2);
    const T = sizeOf(batch);
    const work = T * M * N * K;
    if (out.dtype !== 'float32' || work === 0 || work < at.wasm) return referenceMatmul(inputs, attrs, out);
    // X·S right after quadric(X, S, …) computed it: the backward pass of the fused kernel.
    const kept = env.products.get(y.handle);
    if (kept && kept.x === x.handle && x.shape.length === 2 && y.shape.length === 3) return new CpuHandle(kept.array, undefined, kept.block);
    const a = untransposeSymmetric(matrixOperand(x, batch, M, K), T, M, K);
    const b = untransposeSymmetric(matrixOperand(y, batch, K, N), T, K, N);
    const wanted = work < at.parallel ? 1 : threads;
    // Aᵀ·B with a tall result (an autodiff pattern: the gradient of the right operand of a product,
    // transposed back right after) is computed as (Bᵀ·A)ᵀ and returned as a transposed view: the
    // same sums in the same order, and the transpose that follows is free.
    if (a.trans && !b.trans && M >= 4 * N) {
      const flip = (o: MatrixOperand): MatrixOperand => ({ ...o, trans: !o.trans });
      const c = product(T, N, M, K, untransposeSymmetric(flip(b), T, N, K), flip(a), wanted);
      if (!c) return referenceMatmul(inputs, attrs, out);
      const batchStrides = stridesOf(batch).map((st) => st * M * N);
      return new CpuHandle(c.array, { shape: out.shape, strides: [...batchStrides, 1, M], offset: 0 }, c.block);
    }
    const c = product(T, M, N, K, a, b, wanted);
    if (!c) return referenceMatmul(inputs, attrs, out);
    return handleOf(c);
  };
};

export const fastQuadric = (env: FastEnv, rt: Runtime): Kernel<H, unknown> => (inputs, attrs, out: OutputInfo) => {
  const { threads, at } = env;
  const [x, s, b, c] = inputs as [TensorInfo<H>, TensorInfo<H>, TensorInfo<H>, TensorInfo<H>];
  const [B, n] = x.shape as [number, number];
  const m = s.shape[0]!;
  const work = B * n * n * m;
  if (out.dtype !== 'float32' || work === 0 || work < at.wasm) return referenceQuadric(inputs, attrs, out);
  const o = output(env, 'float32', 2 * B * m);
  // Contiguous inputs: a resident contiguous view is used in place, anything else as a copy.
  const arg = (t: TensorInfo<H>) => {
    const h = t.handle;
    const v = h.view;
    if (h.address !== undefined && (v === undefined || isContiguous(v))) {
      const offset = v?.offset ?? 0;
      return { data: h.base.subarray(offset) as Float32Array, address: h.address + 4 * offset };
    }
    return { data: h.values as Float32Array };
  };
  // Keep T = X·S for the backward pass when X and S are plain arrays in WebAssembly memory.
  const keep = x.handle.view === undefined && s.handle.view === undefined && x.handle.address !== undefined && s.handle.address !== undefined
    ? rt.alloc(m * B * n)
    : undefined;
  if (!rt.quadric(B, n, m, arg(x), arg(s), arg(b), arg(c), o.array as Float32Array, o.block?.address, work < at.parallel ? 1 : threads, keep?.block.address)) {
    o.block?.rt.free(o.block);
    if (keep) rt.free(keep.block);
    return referenceQuadric(inputs, attrs, out);
  }
  if (keep) keepProducts(env, s.handle, { x: x.handle, ...keep });
  return handleOf(o);
};
