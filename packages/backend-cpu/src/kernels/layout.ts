import type { FloatArray, Kernel, PrimitiveAttrs } from '@quadrix/core';
import { allocate, sizeOf, stridesOf } from '@quadrix/core';
import { CpuHandle } from '../storage.js';
import { broadcastView, materialize, offsetsOf, viewOf } from '../views.js';

type H = CpuHandle;
type K<P extends keyof PrimitiveAttrs> = Kernel<H, PrimitiveAttrs[P]>;

/** Storage is row-major and immutable, so a reshape shares it. */
export const reshape: K<'reshape'> = ([x]) => new CpuHandle(x!.handle.values);

export const broadcastTo: K<'broadcastTo'> = ([x], { shape }) =>
  new CpuHandle(materialize(broadcastView(x!, shape), x!.handle.values));

export const transpose: K<'transpose'> = ([x], { perm }) =>
  new CpuHandle(materialize(viewOf(x!).transpose(...perm), x!.handle.values));

export const slice: K<'slice'> = ([x], { begin, size }) => {
  const v = viewOf(x!).hi(...begin.map((b, i) => b + size[i]!)).lo(...begin);
  return new CpuHandle(materialize(v, x!.handle.values));
};

export const pad: K<'pad'> = ([x], { before }, out) => {
  const o = allocate(out.dtype, sizeOf(out.shape));
  const stride = stridesOf(out.shape);
  const dest = offsetsOf({ shape: x!.shape, stride, offset: before.reduce((s, b, i) => s + b * stride[i]!, 0) });
  const src = x!.handle.values;
  for (let i = 0; i < dest.length; i++) o[dest[i]!] = src[i]!;
  return new CpuHandle(o);
};

/** Splits a shape around `axis` into (outer, dim, inner) extents for block copies. */
const around = (shape: readonly number[], axis: number): [number, number, number] => [
  sizeOf(shape.slice(0, axis)),
  shape[axis]!,
  sizeOf(shape.slice(axis + 1)),
];

export const gather: K<'gather'> = ([x], { axis, indices }, out) => {
  const [outer, dim, inner] = around(x!.shape, axis);
  const src = x!.handle.values;
  const o = allocate(out.dtype, outer * indices.length * inner);
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < indices.length; j++) {
      const from = (a * dim + indices[j]!) * inner;
      o.set(src.subarray(from, from + inner), (a * indices.length + j) * inner);
    }
  }
  return new CpuHandle(o);
};

export const scatterAdd: K<'scatterAdd'> = ([x], { axis, indices, size }, out) => {
  const [outer, dim, inner] = around(x!.shape, axis);
  const src = x!.handle.values;
  const o = allocate(out.dtype, outer * size * inner);
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < dim; j++) {
      const from = (a * dim + j) * inner;
      const to = (a * size + indices[j]!) * inner;
      for (let i = 0; i < inner; i++) o[to + i]! += src[from + i]!;
    }
  }
  return new CpuHandle(o);
};

export const concat: K<'concat'> = (xs, { axis }, out) => {
  const [outer, total, inner] = around(out.shape, axis);
  const o = allocate(out.dtype, outer * total * inner);
  let at = 0;
  for (const x of xs) {
    const dim = x.shape[axis]!;
    const src = x.handle.values;
    for (let a = 0; a < outer; a++) {
      o.set(src.subarray(a * dim * inner, (a + 1) * dim * inner), (a * total + at) * inner);
    }
    at += dim;
  }
  return new CpuHandle(o);
};

export const cast: K<'cast'> = ([x], { dtype }) => {
  const o: FloatArray = allocate(dtype, x!.handle.values.length);
  o.set(x!.handle.values);
  return new CpuHandle(o);
};

/** Sums in float64 whatever the dtype, so float32 sums are as accurate as one rounding allows. */
export const sum: K<'sum'> = ([x], { axes }, out) => {
  const keptShape = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStride = stridesOf(keptShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const dest = offsetsOf({ shape: x!.shape, stride: keptStride, offset: 0 });
  const acc = new Float64Array(sizeOf(out.shape));
  const src = x!.handle.values;
  for (let i = 0; i < dest.length; i++) acc[dest[i]!]! += src[i]!;
  const o = allocate(out.dtype, acc.length);
  o.set(acc);
  return new CpuHandle(o);
};
