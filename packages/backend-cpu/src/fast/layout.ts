import { stridesOf, type Kernel, type PrimitiveAttrs } from '@quadrix/core';
import { CpuHandle, isContiguous, layoutOf, type Strided } from '../storage.js';

type K<P extends keyof PrimitiveAttrs> = Kernel<CpuHandle, PrimitiveAttrs[P]>;

// Layout primitives as views: O(1), no copy. A kernel that needs contiguous values gets them from
// `handle.values` (materialised once); the fast kernels read views in place.

/** The view of `t` broadcast to `shape` (NumPy rules, validated by core): stride 0 on broadcast axes. */
export const broadcastLayout = (h: CpuHandle, own: readonly number[], shape: readonly number[]): Strided => {
  const v = layoutOf(h, own);
  const lead = shape.length - own.length;
  return {
    shape,
    strides: shape.map((d, i) => (i < lead || own[i - lead] !== d ? 0 : v.strides[i - lead]!)),
    offset: v.offset,
  };
};

export const transpose: K<'transpose'> = ([x], { perm }) => {
  const v = layoutOf(x!.handle, x!.shape);
  return new CpuHandle(x!.handle.base, { shape: perm.map((p) => v.shape[p]!), strides: perm.map((p) => v.strides[p]!), offset: v.offset }, x!.handle.block);
};

export const broadcastTo: K<'broadcastTo'> = ([x], { shape }) =>
  new CpuHandle(x!.handle.base, broadcastLayout(x!.handle, x!.shape, shape), x!.handle.block);

export const slice: K<'slice'> = ([x], { begin, size }) => {
  const v = layoutOf(x!.handle, x!.shape);
  const offset = begin.reduce((o, b, i) => o + b * v.strides[i]!, v.offset);
  return new CpuHandle(x!.handle.base, { shape: size, strides: v.strides, offset }, x!.handle.block);
};

/** A row-major reshape shares storage: directly, or as a view of a contiguous region. */
export const reshape: K<'reshape'> = ([x], { shape }) => {
  const h = x!.handle;
  if (h.view === undefined) return new CpuHandle(h.base, undefined, h.block);
  if (isContiguous(h.view)) return new CpuHandle(h.base, { shape, strides: stridesOf(shape), offset: h.view.offset }, h.block);
  return new CpuHandle(h.values); // a fresh copy of its own
};
