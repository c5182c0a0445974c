import { QuadrixError, fmtShape, shapeError } from './errors.js';

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major (C order) strides, in elements. */
export const stridesOf = (shape: Shape): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
};

export const shapesEqual = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

export const checkShape = (op: string, shape: Shape): void => {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw shapeError(op, `invalid shape ${fmtShape(shape)}: dimensions must be non-negative integers`);
    }
  }
};

/** NumPy broadcasting: align trailing axes; each pair must be equal or contain a 1. */
export const broadcastShapes = (op: string, a: Shape, b: Shape): number[] => {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw shapeError(op, `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
};

/** Normalises one axis (negative counts from the end) or throws naming the op and the rank. */
export const normalizeAxis = (op: string, axis: number, rank: number): number => {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new QuadrixError('axis', `${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
};

/** Sorted, de-duplicated, non-negative axes; `undefined` means every axis. */
export const normalizeAxes = (op: string, axes: number | readonly number[] | undefined, rank: number): number[] => {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) {
    throw new QuadrixError('axis', `${op}: repeated axis in [${list.join(', ')}]`);
  }
  return out.sort((x, y) => x - y);
};

/** The axes along which `from` was broadcast to reach `to` (to sum a cotangent back). */
export const broadcastedAxes = (from: Shape, to: Shape): number[] => {
  const lead = to.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) {
    if (i < lead || (from[i - lead] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
};
