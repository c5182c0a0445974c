import type { CompareOp, FloatArray, Kernel, OutputInfo, TensorInfo } from '@quadrix/core';
import { allocate } from '@quadrix/core';
import { CpuHandle } from '../storage.js';
import { broadcastView, offsetsOf } from '../views.js';

type H = CpuHandle;
type Loop1 = (out: FloatArray, x: FloatArray, n: number) => void;

/**
 * How an input broadcast to the output is walked: row r of the output (its last axis) reads the
 * input from `rows[r]` with step `step` (1 along a real axis, 0 along a broadcast one). Offsets are
 * computed per row, not per element, so the inner loops stay tight.
 */
interface Walk {
  readonly values: FloatArray;
  readonly rows: Int32Array;
  readonly step: number;
}

/** The output is walked as `count` rows of `width` elements. */
const walk = (t: TensorInfo<H>, out: OutputInfo): Walk => {
  const v = broadcastView(t, out.shape);
  const rank = out.shape.length;
  if (rank === 0) return { values: t.handle.values, rows: Int32Array.of(0), step: 0 };
  const rows = offsetsOf({ shape: out.shape.slice(0, -1), stride: v.stride.slice(0, -1), offset: 0 });
  return { values: t.handle.values, rows, step: v.stride[rank - 1]! };
};

const widthOf = (out: OutputInfo): number => (out.shape.length === 0 ? 1 : out.shape[out.shape.length - 1]!);

// One tight loop per op (no per-element closure call), written out so each stays monomorphic.

const unary =
  (loop: Loop1): Kernel<H, unknown> =>
  ([x], _, out) => {
    const o = allocate(out.dtype, x!.handle.values.length);
    loop(o, x!.handle.values, o.length);
    return new CpuHandle(o);
  };

export const neg = unary((o, x, n) => { for (let i = 0; i < n; i++) o[i] = -x[i]!; });
export const abs = unary((o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]!); });
export const sign = unary((o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.sign(x[i]!) + 0; });
export const sqrt = unary((o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]!); });
export const exp = unary((o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]!); });
export const log = unary((o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.log(x[i]!); });

/** o[at + j] = f(a[pa + j·sa], b[pb + j·sb]) for j < width */
type Row2 = (o: FloatArray, at: number, a: FloatArray, pa: number, sa: number, b: FloatArray, pb: number, sb: number, width: number) => void;

const binary =
  (row: Row2): Kernel<H, unknown> =>
  (inputs, _, out) => {
    const a = walk(inputs[0]!, out);
    const b = walk(inputs[1]!, out);
    const width = widthOf(out);
    const o = allocate(out.dtype, a.rows.length * width);
    for (let r = 0; r < a.rows.length; r++) row(o, r * width, a.values, a.rows[r]!, a.step, b.values, b.rows[r]!, b.step, width);
    return new CpuHandle(o);
  };

export const add = binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! + b[pb + j * sb]!; });
export const sub = binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! - b[pb + j * sb]!; });
export const mul = binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! * b[pb + j * sb]!; });
export const div = binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! / b[pb + j * sb]!; });
export const maximum = binary((o, at, a, pa, sa, b, pb, sb, w) => {
  for (let j = 0; j < w; j++) o[at + j] = Math.max(a[pa + j * sa]!, b[pb + j * sb]!);
});

const COMPARE: Record<CompareOp, Kernel<H, unknown>> = {
  less: binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! < b[pb + j * sb]! ? 1 : 0; }),
  lessEqual: binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! <= b[pb + j * sb]! ? 1 : 0; }),
  greater: binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! > b[pb + j * sb]! ? 1 : 0; }),
  greaterEqual: binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! >= b[pb + j * sb]! ? 1 : 0; }),
  equal: binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! === b[pb + j * sb]! ? 1 : 0; }),
  notEqual: binary((o, at, a, pa, sa, b, pb, sb, w) => { for (let j = 0; j < w; j++) o[at + j] = a[pa + j * sa]! !== b[pb + j * sb]! ? 1 : 0; }),
};

export const compare: Kernel<H, { readonly op: CompareOp }> = (inputs, { op }, out) => COMPARE[op](inputs, {}, out);

export const where: Kernel<H, unknown> = (inputs, _, out) => {
  const [c, a, b] = inputs.map((t) => walk(t, out)) as [Walk, Walk, Walk];
  const width = widthOf(out);
  const o = allocate(out.dtype, c.rows.length * width);
  for (let r = 0; r < c.rows.length; r++) {
    const [pc, pa, pb, at] = [c.rows[r]!, a.rows[r]!, b.rows[r]!, r * width];
    for (let j = 0; j < width; j++) o[at + j] = c.values[pc + j * c.step] !== 0 ? a.values[pa + j * a.step]! : b.values[pb + j * b.step]!;
  }
  return new CpuHandle(o);
};
