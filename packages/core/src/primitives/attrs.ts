import type { DType } from '../dtype.js';
import type { Shape } from '../shape.js';

export type CompareOp = 'less' | 'lessEqual' | 'greater' | 'greaterEqual' | 'equal' | 'notEqual';

type NoAttrs = Record<string, never>;

/**
 * The primitive set: everything a backend must implement. Each entry's attributes are already
 * validated and normalised by core (axes non-negative and sorted, shapes complete) when a kernel
 * receives them.
 */
export interface PrimitiveAttrs {
  neg: NoAttrs;
  abs: NoAttrs;
  sign: NoAttrs;
  sqrt: NoAttrs;
  exp: NoAttrs;
  log: NoAttrs;
  /** Binary ops broadcast their two inputs to the output shape, NumPy style. */
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  maximum: NoAttrs;
  /** 1 where the comparison holds, else 0, in the inputs' dtype. */
  compare: { readonly op: CompareOp };
  /** Inputs (cond, a, b), broadcast together; picks a where cond ≠ 0. */
  where: NoAttrs;
  sum: { readonly axes: readonly number[]; readonly keepDims: boolean };
  reshape: { readonly shape: Shape };
  broadcastTo: { readonly shape: Shape };
  transpose: { readonly perm: readonly number[] };
  slice: { readonly begin: readonly number[]; readonly size: readonly number[] };
  /** Zero padding: `before[i]` and `after[i]` zeros on axis i. */
  pad: { readonly before: readonly number[]; readonly after: readonly number[] };
  /** out[..., j, ...] = x[..., indices[j], ...] along `axis`. */
  gather: { readonly axis: number; readonly indices: Int32Array };
  /** The adjoint of gather: out has `size` entries along `axis`; x[..., j, ...] is added at indices[j]. */
  scatterAdd: { readonly axis: number; readonly indices: Int32Array; readonly size: number };
  concat: { readonly axis: number };
  /** Batched matrix product of rank ≥ 2 inputs; batch axes broadcast. */
  matmul: NoAttrs;
  cast: { readonly dtype: DType };
  /**
   * The fused quadric kernel. Inputs X [B, n], S [m, n, n] (symmetric), b [m, n], c [m]; output
   * [2, B, m]: at [0, β, i] the value Q_i(x_β) = xᵀS_i x + b_iᵀx + c_i and at [1, β, i] the squared
   * gradient norm ‖2 S_i x + b_i‖².
   */
  quadric: NoAttrs;
}

export type PrimitiveName = keyof PrimitiveAttrs;

export const PRIMITIVE_NAMES: readonly PrimitiveName[] = [
  'neg', 'abs', 'sign', 'sqrt', 'exp', 'log',
  'add', 'sub', 'mul', 'div', 'maximum', 'compare', 'where',
  'sum', 'reshape', 'broadcastTo', 'transpose', 'slice', 'pad', 'gather', 'scatterAdd', 'concat',
  'matmul', 'cast', 'quadric',
];
