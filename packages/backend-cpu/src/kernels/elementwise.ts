import type { CompareOp, FloatArray, Kernel, OutputInfo, TensorInfo } from '@quadrix/core';
import { allocate } from '@quadrix/core';
import { CpuHandle } from '../storage.js';
import { broadcastView, offsetsOf } from '../views.js';

type H = CpuHandle;
type Loop1 = (out: FloatArray, x: FloatArray, n: number) => void;
type Loop2 = (out: FloatArray, a: FloatArray, oa: Int32Array, b: FloatArray, ob: Int32Array, n: number) => void;

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

/** Offsets of each input broadcast to the output shape. */
const operandOffsets = (inputs: readonly TensorInfo<H>[], out: OutputInfo): Int32Array[] =>
  inputs.map((t) => offsetsOf(broadcastView(t, out.shape)));

const binary =
  (loop: Loop2): Kernel<H, unknown> =>
  (inputs, _, out) => {
    const [oa, ob] = operandOffsets(inputs, out) as [Int32Array, Int32Array];
    const o = allocate(out.dtype, oa.length);
    loop(o, inputs[0]!.handle.values, oa, inputs[1]!.handle.values, ob, o.length);
    return new CpuHandle(o);
  };

export const add = binary((o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! + b[ob[i]!]!; });
export const sub = binary((o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! - b[ob[i]!]!; });
export const mul = binary((o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! * b[ob[i]!]!; });
export const div = binary((o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! / b[ob[i]!]!; });
export const maximum = binary((o, a, oa, b, ob, n) => {
  for (let i = 0; i < n; i++) o[i] = Math.max(a[oa[i]!]!, b[ob[i]!]!);
});

const COMPARE_LOOPS: Record<CompareOp, Loop2> = {
  less: (o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! < b[ob[i]!]! ? 1 : 0; },
  lessEqual: (o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! <= b[ob[i]!]! ? 1 : 0; },
  greater: (o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! > b[ob[i]!]! ? 1 : 0; },
  greaterEqual: (o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! >= b[ob[i]!]! ? 1 : 0; },
  equal: (o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! === b[ob[i]!]! ? 1 : 0; },
  notEqual: (o, a, oa, b, ob, n) => { for (let i = 0; i < n; i++) o[i] = a[oa[i]!]! !== b[ob[i]!]! ? 1 : 0; },
};

export const compare: Kernel<H, { readonly op: CompareOp }> = (inputs, { op }, out) =>
  binary(COMPARE_LOOPS[op])(inputs, {}, out);

export const where: Kernel<H, unknown> = (inputs, _, out) => {
  const [oc, oa, ob] = operandOffsets(inputs, out) as [Int32Array, Int32Array, Int32Array];
  const [c, a, b] = inputs.map((t) => t.handle.values) as [FloatArray, FloatArray, FloatArray];
  const o = allocate(out.dtype, oc.length);
  for (let i = 0; i < o.length; i++) o[i] = c[oc[i]!] !== 0 ? a[oa[i]!]! : b[ob[i]!]!;
  return new CpuHandle(o);
};
