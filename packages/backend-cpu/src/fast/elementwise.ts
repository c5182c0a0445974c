import type { FloatArray, Kernel, OutputInfo, TensorInfo } from '@quadrix/core';
import { sizeOf } from '@quadrix/core';
import { CpuHandle, isContiguous, type Strided } from '../storage.js';
import { handleOf, output, type FastEnv } from './env.js';
import { broadcastLayout } from './layout.js';

type H = CpuHandle;

/** Loops of one binary op, written out per op so that each stays monomorphic. */
interface Loops {
  /** o[i] = f(a[ao + i], b[bo + i]) */
  readonly dense: (o: FloatArray, a: FloatArray, ao: number, b: FloatArray, bo: number, n: number) => void;
  /** o[i] = f(a[ao + i], s) */
  readonly right: (o: FloatArray, a: FloatArray, ao: number, s: number, n: number) => void;
  /** o[i] = f(s, b[bo + i]) */
  readonly left: (o: FloatArray, s: number, b: FloatArray, bo: number, n: number) => void;
  /** o[at + j] = f(a[pa + j·sa], b[pb + j·sb]) for j < w */
  readonly row: (o: FloatArray, at: number, a: FloatArray, pa: number, sa: number, b: FloatArray, pb: number, sb: number, w: number) => void;
}

const isScalar = (v: Strided): boolean => v.strides.every((s, i) => s === 0 || v.shape[i] === 1);

/** An operand as the output walks it: its base array and its layout broadcast to the output shape. */
const operand = (t: TensorInfo<H>, shape: readonly number[]): { base: FloatArray; v: Strided } => ({
  base: t.handle.base,
  v: broadcastLayout(t.handle, t.shape, shape),
});

const TILE = 32;

/** Element offsets of each leading block (all axes but the last two) of a layout. */
const leadOffsets = (v: Strided, lead: readonly number[]): Int32Array => {
  const count = sizeOf(lead);
  const out = new Int32Array(count);
  const idx = new Array<number>(lead.length).fill(0);
  let o = v.offset;
  for (let l = 0; l < count; l++) {
    out[l] = o;
    for (let ax = lead.length - 1; ax >= 0; ax--) {
      o += v.strides[ax]!;
      if (++idx[ax]! < lead[ax]!) break;
      o -= v.strides[ax]! * lead[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
};

const STAGE_MAX = 1 << 16;

/**
 * The WebAssembly path: float32 operands and output in the runtime's memory, big enough to pay for
 * a job; false when it does not apply (the JavaScript loops run instead).
 */
const viaWasm = (env: FastEnv, code: number, x: TensorInfo<H>, y: TensorInfo<H>, shape: readonly number[], n: number, out: number | undefined): boolean => {
  const rt = env.rt;
  // Operands outside the runtime's memory are copied in when small (a scalar, a broadcast row).
  const usable = (t: TensorInfo<H>): boolean => t.handle.address !== undefined || t.handle.base.length <= STAGE_MAX;
  if (!rt || out === undefined || n < env.at.elementwise || !usable(x) || !usable(y)) return false;
  const rank = shape.length;
  const a = broadcastLayout(x.handle, x.shape, shape);
  const b = broadcastLayout(y.handle, y.shape, shape);
  const C = rank >= 1 ? shape[rank - 1]! : 1;
  const R = rank >= 2 ? shape[rank - 2]! : 1;
  const lead = shape.slice(0, Math.max(0, rank - 2));
  const last = (v: Strided, back: number): number => (rank >= back ? v.strides[rank - back]! : 0);
  return rt.elementwise(
    code, sizeOf(lead), R, C,
    { data: x.handle.base as Float32Array, address: x.handle.address, lead: leadOffsets(a, lead), r: last(a, 2), s: last(a, 1) },
    { data: y.handle.base as Float32Array, address: y.handle.address, lead: leadOffsets(b, lead), r: last(b, 2), s: last(b, 1) },
    out, n < env.at.parallel ? 1 : env.threads,
  );
};

const binary =
  (f: Loops, code: number, env: FastEnv): Kernel<H, unknown> =>
  ([x, y], _, out: OutputInfo) => {
    const shape = out.shape;
    const n = sizeOf(shape);
    const made = output(env, out.dtype, n);
    const o = made.array;
    if (n === 0) return handleOf(made);
    if (out.dtype === 'float32' && viaWasm(env, code, x!, y!, shape, n, made.block?.address)) return handleOf(made);
    const a = operand(x!, shape);
    const b = operand(y!, shape);
    const aDense = isContiguous(a.v);
    const bDense = isContiguous(b.v);
    if (aDense && bDense) f.dense(o, a.base, a.v.offset, b.base, b.v.offset, n);
    else if (aDense && isScalar(b.v)) f.right(o, a.base, a.v.offset, b.base[b.v.offset]!, n);
    else if (bDense && isScalar(a.v)) f.left(o, a.base[a.v.offset]!, b.base, b.v.offset, n);
    else {
      // Leading axes by an odometer on both operands' offsets; the last two axes row by row, or in
      // 32×32 tiles when an operand's last axis is strided (a transposed view), so that both the
      // strided reads and the contiguous writes stay in cache.
      const rank = shape.length;
      const C = shape[rank - 1]!;
      const R = rank >= 2 ? shape[rank - 2]! : 1;
      const sa = a.v.strides[rank - 1]!;
      const sb = b.v.strides[rank - 1]!;
      const ra = rank >= 2 ? a.v.strides[rank - 2]! : 0;
      const rb = rank >= 2 ? b.v.strides[rank - 2]! : 0;
      const tiled = R > 1 && ((sa !== 0 && sa !== 1) || (sb !== 0 && sb !== 1));
      const lead = shape.slice(0, Math.max(0, rank - 2));
      const idx = new Array<number>(lead.length).fill(0);
      let pa = a.v.offset;
      let pb = b.v.offset;
      for (let at = 0; at < n; at += R * C) {
        if (tiled) {
          for (let i0 = 0; i0 < R; i0 += TILE) {
            const i1 = Math.min(i0 + TILE, R);
            for (let j0 = 0; j0 < C; j0 += TILE) {
              const w = Math.min(TILE, C - j0);
              for (let i = i0; i < i1; i++) f.row(o, at + i * C + j0, a.base, pa + i * ra + j0 * sa, sa, b.base, pb + i * rb + j0 * sb, sb, w);
            }
          }
        } else {
          for (let i = 0; i < R; i++) f.row(o, at + i * C, a.base, pa + i * ra, sa, b.base, pb + i * rb, sb, C);
        }
        for (let ax = lead.length - 1; ax >= 0; ax--) {
          pa += a.v.strides[ax]!;
          pb += b.v.strides[ax]!;
          if (++idx[ax]! < lead[ax]!) break;
          pa -= a.v.strides[ax]! * lead[ax]!;
          pb -= b.v.strides[ax]! * lead[ax]!;
          idx[ax] = 0;
        }
      }
    }
    return handleOf(made);
  };

const ADD: Loops = {
  dense: (o, a, ao, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! + b[bo + i]!; },
  right: (o, a, ao, s, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! + s; },
  left: (o, s, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = s + b[bo + i]!; },
  row: (o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! + b[pb + j * sb]!; },
};
const SUB: Loops = {
  dense: (o, a, ao, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! - b[bo + i]!; },
  right: (o, a, ao, s, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! - s; },
  left: (o, s, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = s - b[bo + i]!; },
  row: (o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! - b[pb + j * sb]!; },
};
const MUL: Loops = {
  dense: (o, a, ao, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! * b[bo + i]!; },
  right: (o, a, ao, s, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! * s; },
  left: (o, s, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = s * b[bo + i]!; },
  row: (o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! * b[pb + j * sb]!; },
};
const DIV: Loops = {
  dense: (o, a, ao, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! / b[bo + i]!; },
  right: (o, a, ao, s, n) => { for (let i = 0; i < n; i++) o[i] = a[ao + i]! / s; },
  left: (o, s, b, bo, n) => { for (let i = 0; i < n; i++) o[i] = s / b[bo + i]!; },
  row: (o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! / b[pb + j * sb]!; },
};

/** The fast binary kernels of one backend (their outputs allocated through `env`). */
export const binaryKernels = (env: FastEnv): Record<'add' | 'sub' | 'mul' | 'div', Kernel<H, unknown>> => ({
  add: binary(ADD, 0, env),
  sub: binary(SUB, 1, env),
  mul: binary(MUL, 2, env),
  div: binary(DIV, 3, env),
});

/** neg as 0 − x on the WebAssembly path when it applies, else the reference loop. */
export const negKernel = (env: FastEnv, reference: Kernel<H, unknown>): Kernel<H, unknown> => (inputs, attrs, out) => {
  const x = inputs[0]!;
  const n = sizeOf(out.shape);
  if (out.dtype === 'float32' && n > 0) {
    const made = output(env, out.dtype, n);
    const zero: TensorInfo<H> = { handle: new CpuHandle(new Float32Array(1)), shape: [], dtype: 'float32' };
    if (viaWasm(env, 1, zero, x, out.shape, n, made.block?.address)) return handleOf(made);
    made.block?.rt.free(made.block);
  }
  return reference(inputs, attrs, out);
};

/**
 * where(cond, a, b) when each operand is dense or a scalar (the common case in losses): one loop
 * with a stride of 1 or 0 per operand; otherwise the reference kernel.
 */
export const whereKernel = (env: FastEnv, reference: Kernel<H, unknown>): Kernel<H, unknown> => (inputs, attrs, out) => {
  const n = sizeOf(out.shape);
  const ops = inputs.map((t) => operand(t, out.shape));
  const strides = ops.map(({ v }) => (isContiguous(v) ? 1 : isScalar(v) ? 0 : -1));
  if (n === 0 || strides.includes(-1)) return reference(inputs, attrs, out);
  const made = output(env, out.dtype, n);
  const o = made.array;
  const [c, a, b] = ops as [{ base: FloatArray; v: Strided }, { base: FloatArray; v: Strided }, { base: FloatArray; v: Strided }];
  const [sc, sa, sb] = strides as [number, number, number];
  const cb = c.base;
  const ab = a.base;
  const bb = b.base;
  const co = c.v.offset;
  const ao = a.v.offset;
  const bo = b.v.offset;
  for (let i = 0; i < n; i++) o[i] = cb[co + i * sc] !== 0 ? ab[ao + i * sa]! : bb[bo + i * sb]!;
  return handleOf(made);
};
