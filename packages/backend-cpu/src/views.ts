import ndarray, { type NdArray } from 'ndarray';
import type { FloatArray, Shape, TensorInfo } from '@quadrix/core';
import { sizeOf, stridesOf } from '@quadrix/core';
import type { CpuHandle } from './storage.js';

export type View = NdArray<FloatArray>;

/** A row-major ndarray view over a tensor's storage (no copy). */
export const viewOf = (t: TensorInfo<CpuHandle>): View => ndarray(t.handle.values, [...t.shape]);

/** A view of `t` as if broadcast to `shape` (NumPy rules, already validated by core): stride 0 on broadcast axes. */
export const broadcastView = (t: TensorInfo<CpuHandle>, shape: Shape): View => {
  const lead = shape.length - t.shape.length;
  const own = stridesOf(t.shape);
  const stride = shape.map((d, i) => (i < lead || t.shape[i - lead] !== d ? 0 : own[i - lead]!));
  return ndarray(t.handle.values, [...shape], stride, 0);
};

/**
 * The storage offset of every element of a strided view, in row-major order of its shape. Kernels
 * then run one tight loop over `values[offsets[i]]`, whatever the strides.
 */
export const offsetsOf = (v: { shape: readonly number[]; stride: readonly number[]; offset: number }): Int32Array => {
  const { shape, stride } = v;
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  if (rank === 0) {
    if (n > 0) out[0] = v.offset;
    return out;
  }
  const last = rank - 1;
  const lastDim = shape[last]!;
  const lastStride = stride[last]!;
  const idx = new Array<number>(rank).fill(0);
  let base = v.offset;
  for (let i = 0; i < n; i += lastDim) {
    for (let j = 0; j < lastDim; j++) out[i + j] = base + j * lastStride;
    for (let ax = last - 1; ax >= 0; ax--) {
      base += stride[ax]!;
      if (++idx[ax]! < shape[ax]!) break;
      base -= stride[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
};

/** Copies a strided view into a new contiguous array of the same type. */
export const materialize = (v: View, like: FloatArray): FloatArray => {
  const offsets = offsetsOf(v);
  const out = new (like.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(offsets.length);
  const src = v.data;
  for (let i = 0; i < offsets.length; i++) out[i] = src[offsets[i]!]!;
  return out;
};
