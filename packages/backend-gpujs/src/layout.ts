/**
 * Host-side index planning. Every tensor is stored flat (row-major) as the 1-D output of a kernel,
 * so an N-d operation is index arithmetic on the flat output index. The planning here reduces each
 * operation to the fewest axes that describe it, so that one compiled kernel per *shape class*
 * (the operation, the number of axes left and how each input is read) serves every shape.
 */
import { sizeOf, stridesOf, type Shape } from '@quadrix/core';

/** How a kernel reads one input at output coordinates c: */
export type Access =
  /** at the output's own flat index */
  | 'same'
  /** at one fixed offset (a single value broadcast everywhere) */
  | 'scalar'
  /** at offset + Σ c_k · stride_k */
  | 'strided';

/** One input seen through the output's coordinates. */
export interface StridedInput {
  readonly strides: readonly number[];
  readonly offset: number;
}

/** The output shape reduced to few axes, with each input's strides over those axes. */
export interface Plan {
  /** dimensions of the collapsed output (at least one axis) */
  readonly dims: readonly number[];
  readonly inputs: readonly StridedInput[];
  readonly access: readonly Access[];
}

/** Strides of `shape` broadcast (NumPy rules) to `out`: 0 on axes it does not have or has as 1. */
export const broadcastStrides = (shape: Shape, out: Shape): number[] => {
  const lead = out.length - shape.length;
  const own = stridesOf(shape);
  return out.map((d, i) => (i < lead || shape[i - lead] !== d ? 0 : own[i - lead]!));
};

/**
 * Drops axes of extent 1 and merges neighbouring axes that every input walks contiguously
 * (stride_outer = stride_inner · dim_inner), then names how each input is read.
 */
export const plan = (out: Shape, inputs: readonly StridedInput[]): Plan => {
  const dims: number[] = [];
  const strides: number[][] = inputs.map(() => []);
  out.forEach((d, axis) => {
    if (d === 1) return;
    const last = dims.length - 1;
    const mergeable = last >= 0 && inputs.every((t, k) => t.strides[axis]! * d === strides[k]![last]!);
    if (mergeable) {
      dims[last] = dims[last]! * d;
      inputs.forEach((t, k) => (strides[k]![last] = t.strides[axis]!));
    } else {
      dims.push(d);
      inputs.forEach((t, k) => strides[k]!.push(t.strides[axis]!));
    }
  });
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  const contiguous = stridesOf(dims);
  const total = sizeOf(dims);
  const access = inputs.map((t, k): Access => {
    const s = strides[k]!;
    if (total === 1 || s.every((v) => v === 0)) return 'scalar';
    return t.offset === 0 && s.every((v, a) => v === contiguous[a]) ? 'same' : 'strided';
  });
  return { dims, inputs: inputs.map((t, k) => ({ strides: strides[k]!, offset: t.offset })), access };
};

/** Splits a shape around `axis` into (outer, dim, inner) extents. */
export const around = (shape: Shape, axis: number): [number, number, number] => [
  sizeOf(shape.slice(0, axis)),
  shape[axis]!,
  sizeOf(shape.slice(axis + 1)),
];

/** The smallest power of two ≥ max(n, 16): loop bounds are compiled in, in a few classes. */
export const loopBound = (n: number): number => {
  let b = 16;
  while (b < n) b *= 2;
  return b;
};

/** Offsets of each batch matrix of `shape` when its batch axes are broadcast to `batch`. */
export const batchOffsets = (shape: Shape, batch: Shape): Float32Array => {
  const own = shape.slice(0, -2);
  const matrix = sizeOf(shape.slice(-2));
  const strides = broadcastStrides(own, batch).map((s) => s * matrix);
  const out = new Float32Array(sizeOf(batch));
  const idx = new Array<number>(batch.length).fill(0);
  for (let t = 0; t < out.length; t++) {
    out[t] = idx.reduce((acc, v, a) => acc + v * strides[a]!, 0);
    for (let a = batch.length - 1; a >= 0; a--) {
      if (++idx[a]! < batch[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
};
