import type { DType } from '../dtype.js';
import { apply, type PrimitiveDef } from '../engine.js';
import { QuadrixError, argumentError, fmtShape, shapeError } from '../errors.js';
import { checkShape, normalizeAxes, normalizeAxis, shapesEqual, sizeOf, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { sumTo } from './elementwise.js';

// ---- sum --------------------------------------------------------------------------------------

const SUM: PrimitiveDef<'sum'> = {
  name: 'sum',
  shape: ([x], { axes, keepDims }) =>
    keepDims ? x!.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x!.shape.filter((_, i) => !axes.includes(i)),
  vjp: (g, [x], _, { axes }) => [broadcastTo(reshape(g, x!.shape.map((d, i) => (axes.includes(i) ? 1 : d))), x!.shape)],
};

/** Sum over `axes` (default: all; negative axes count from the end). */
export const sum = (x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor =>
  apply(SUM, [x], { axes: normalizeAxes('sum', axes, x.rank), keepDims });

// ---- reshape, broadcastTo, transpose ----------------------------------------------------------

const RESHAPE: PrimitiveDef<'reshape'> = {
  name: 'reshape',
  shape: (_, { shape }) => shape,
  vjp: (g, [x]) => [reshape(g, x!.shape)],
};

/** New shape, same row-major values. One dimension may be -1 (inferred). */
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => {
  const inferred = shape.indexOf(-1);
  let target = [...shape];
  if (inferred >= 0) {
    const rest = sizeOf(shape.filter((_, i) => i !== inferred));
    if (shape.indexOf(-1, inferred + 1) >= 0 || rest === 0 || x.size % rest !== 0) {
      throw shapeError('reshape', `cannot reshape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    }
    target[inferred] = x.size / rest;
  }
  checkShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw shapeError('reshape', `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
  }
  if (shapesEqual(target, x.shape)) return x;
  return apply(RESHAPE, [x], { shape: target });
};

const BROADCAST_TO: PrimitiveDef<'broadcastTo'> = {
  name: 'broadcastTo',
  shape: ([x], { shape }) => {
    const lead = shape.length - x!.rank;
    if (lead < 0 || x!.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
      throw shapeError('broadcastTo', `cannot broadcast ${fmtShape(x!.shape)} to ${fmtShape(shape)}`);
    }
    return shape;
  },
  vjp: (g, [x]) => [sumTo(g, x!.shape)],
};

export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => {
  checkShape('broadcastTo', shape);
  return shapesEqual(x.shape, shape) ? x : apply(BROADCAST_TO, [x], { shape: [...shape] });
};

const inversePerm = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
};

const TRANSPOSE: PrimitiveDef<'transpose'> = {
  name: 'transpose',
  shape: ([x], { perm }) => perm.map((p) => x!.shape[p]!),
  vjp: (g, _, __, { perm }) => [transpose(g, inversePerm(perm))],
};

/** Permutes axes: output axis i is input axis perm[i]. Default: reverse all axes. */
export const transpose = (x: Tensor, perm?: readonly number[]): Tensor => {
  const p = perm ? perm.map((a) => normalizeAxis('transpose', a, x.rank)) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== p.length) {
    throw new QuadrixError('axis', `transpose: [${perm?.join(', ')}] is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
  }
  return p.every((a, i) => a === i) ? x : apply(TRANSPOSE, [x], { perm: p });
};

// ---- slice and pad ----------------------------------------------------------------------------

const SLICE: PrimitiveDef<'slice'> = {
  name: 'slice',
  shape: (_, { size }) => size,
  vjp: (g, [x], __, { begin, size }) => [pad(g, begin, x!.shape.map((d, i) => d - begin[i]! - size[i]!))],
};

/** The block starting at `begin` of extent `size` (-1: to the end of that axis). */
export const slice = (x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor => {
  if (begin.length !== x.rank || (size && size.length !== x.rank)) {
    throw argumentError('slice', `begin/size must have one entry per axis of ${fmtShape(x.shape)}`);
  }
  const sz = x.shape.map((d, i) => {
    const s = size?.[i] ?? -1;
    return s === -1 ? d - begin[i]! : s;
  });
  x.shape.forEach((d, i) => {
    const b = begin[i]!;
    const s = sz[i]!;
    if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 || b + s > d) {
      throw shapeError('slice', `begin [${begin.join(', ')}] size [${sz.join(', ')}] is out of bounds for ${fmtShape(x.shape)}`);
    }
  });
  return shapesEqual(sz, x.shape) ? x : apply(SLICE, [x], { begin: [...begin], size: sz });
};

const PAD: PrimitiveDef<'pad'> = {
  name: 'pad',
  shape: ([x], { before, after }) => x!.shape.map((d, i) => d + before[i]! + after[i]!),
  vjp: (g, [x], __, { before }) => [slice(g, before, x!.shape)],
};

/** Zero padding: `before[i]` zeros ahead of and `after[i]` zeros behind axis i. */
export const pad = (x: Tensor, before: readonly number[], after: readonly number[]): Tensor => {
  if (before.length !== x.rank || after.length !== x.rank) {
    throw argumentError('pad', `before/after must have one entry per axis of ${fmtShape(x.shape)}`);
  }
  checkShape('pad', [...before, ...after]);
  return [...before, ...after].every((p) => p === 0) ? x : apply(PAD, [x], { before: [...before], after: [...after] });
};

// ---- gather and scatterAdd --------------------------------------------------------------------

const toIndices = (op: string, indices: ArrayLike<number>, bound: number): Int32Array => {
  const out = Int32Array.from(indices as ArrayLike<number>);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= bound) {
      throw new QuadrixError('argument', `${op}: index ${v} at position ${i} is out of range [0, ${bound})`);
    }
  }
  return out;
};

const GATHER: PrimitiveDef<'gather'> = {
  name: 'gather',
  shape: ([x], { axis, indices }) => x!.shape.map((d, i) => (i === axis ? indices.length : d)),
  vjp: (g, [x], __, { axis, indices }) => [apply(SCATTER_ADD, [g], { axis, indices, size: x!.shape[axis]! })],
};

const SCATTER_ADD: PrimitiveDef<'scatterAdd'> = {
  name: 'scatterAdd',
  shape: ([x], { axis, size }) => x!.shape.map((d, i) => (i === axis ? size : d)),
  vjp: (g, _, __, { axis, indices }) => [apply(GATHER, [g], { axis, indices })],
};

/** Picks entries `indices` along `axis` (repeats allowed), e.g. the rows of a minibatch. */
export const gather = (x: Tensor, indices: ArrayLike<number>, axis = 0): Tensor => {
  const ax = normalizeAxis('gather', axis, x.rank);
  return apply(GATHER, [x], { axis: ax, indices: toIndices('gather', indices, x.shape[ax]!) });
};

/** Adds slice j of `x` along `axis` into position `indices[j]` of a zero tensor with `size` entries there. */
export const scatterAdd = (x: Tensor, indices: ArrayLike<number>, size: number, axis = 0): Tensor => {
  const ax = normalizeAxis('scatterAdd', axis, x.rank);
  if (indices.length !== x.shape[ax]) {
    throw shapeError('scatterAdd', `${indices.length} indices for axis ${ax} of ${fmtShape(x.shape)}`);
  }
  checkShape('scatterAdd', [size]);
  return apply(SCATTER_ADD, [x], { axis: ax, indices: toIndices('scatterAdd', indices, size), size });
};

// ---- concat -----------------------------------------------------------------------------------

const CONCAT: PrimitiveDef<'concat'> = {
  name: 'concat',
  shape: (xs, { axis }) => {
    const first = xs[0]!;
    for (const t of xs) {
      if (t.rank !== first.rank || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw shapeError('concat', `shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)} differ off axis ${axis}`);
      }
    }
    return first.shape.map((d, i) => (i === axis ? xs.reduce((s, t) => s + t.shape[axis]!, 0) : d));
  },
  vjp: (g, xs, __, { axis }) => {
    let at = 0;
    return xs.map((t) => {
      const begin = g.shape.map((_, i) => (i === axis ? at : 0));
      at += t.shape[axis]!;
      return slice(g, begin, t.shape);
    });
  },
};

/** Joins tensors of equal shape off `axis` along `axis`. */
export const concat = (xs: readonly Tensor[], axis = 0): Tensor => {
  if (xs.length === 0) throw argumentError('concat', 'needs at least one tensor');
  const ax = normalizeAxis('concat', axis, xs[0]!.rank);
  return xs.length === 1 ? xs[0]! : apply(CONCAT, xs, { axis: ax });
};

// ---- cast -------------------------------------------------------------------------------------

const CAST: PrimitiveDef<'cast'> = {
  name: 'cast',
  shape: ([x]) => x!.shape,
  dtype: (_, { dtype }) => dtype,
  vjp: (g, [x]) => [cast(g, x!.dtype)],
};

/** Converts to another dtype (float64 → float32 rounds to nearest). */
export const cast = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : apply(CAST, [x], { dtype }));
