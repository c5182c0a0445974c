import { fmtShape, ioError } from './errors.js';
import type { Float32NpyArray, Float64NpyArray, FloatNpyArray, Int64NpyArray, NpyArray } from './types.js';

/** A dense row-major matrix: element (i, j) is `data[i * cols + j]`. */
export interface NpyMatrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  rows: number;
  cols: number;
  data: T;
}

/**
 * The 2-D float array `a` as a row-major matrix, sharing `a.data` (no copy).
 *
 * @param name the file name, used in error messages
 * @throws IoError `dtype` unless `a` is `<f4` or `<f8`; `shape` unless it is 2-D (a 1-D array is
 *   not silently taken as a column)
 */
export function matrixFromNpy(a: Float32NpyArray, name?: string): NpyMatrix<Float32Array>;
export function matrixFromNpy(a: Float64NpyArray, name?: string): NpyMatrix<Float64Array>;
export function matrixFromNpy(a: NpyArray, name?: string): NpyMatrix;
export function matrixFromNpy(a: NpyArray, name?: string): NpyMatrix {
  if (a.dtype !== '<f4' && a.dtype !== '<f8') {
    throw ioError('dtype', name, 'matrixFromNpy', `expected a float matrix (dtype <f4 or <f8), got dtype '${a.dtype === '<U' ? `<U${a.itemChars}` : a.dtype}'`);
  }
  if (a.shape.length !== 2) {
    throw ioError('shape', name, 'matrixFromNpy', `expected a 2-D array (rows × columns), got shape ${fmtShape(a.shape)}`);
  }
  const [rows, cols] = a.shape as [number, number];
  return { rows, cols, data: a.data };
}

/**
 * The matrix as a 2-D `NpyArray` (dtype from the typed array), sharing its data, ready for
 * `encodeNpy`.
 *
 * @throws IoError `shape` if `data.length` is not `rows * cols`
 */
export function npyFromMatrix(m: NpyMatrix<Float32Array>): Float32NpyArray;
export function npyFromMatrix(m: NpyMatrix<Float64Array>): Float64NpyArray;
export function npyFromMatrix(m: NpyMatrix): FloatNpyArray;
export function npyFromMatrix(m: NpyMatrix): FloatNpyArray {
  if (!Number.isSafeInteger(m.rows) || !Number.isSafeInteger(m.cols) || m.rows < 0 || m.cols < 0 || m.data.length !== m.rows * m.cols) {
    throw ioError('shape', undefined, 'npyFromMatrix', `a ${m.rows} × ${m.cols} matrix cannot have ${m.data.length} elements`);
  }
  const shape = [m.rows, m.cols];
  return m.data instanceof Float32Array ? { dtype: '<f4', shape, data: m.data } : { dtype: '<f8', shape, data: m.data };
}

/** The multi-index of flat position `i` in a C-order array of `shape`. */
const unravel = (i: number, shape: readonly number[]): number[] => {
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    idx[k] = i % d;
    i = Math.floor(i / d);
  }
  return idx;
};

/**
 * Checks that every element is finite (no NaN, no ±Infinity) and returns `x` unchanged, so it can
 * wrap a read: `checkFinite(matrixFromNpy(a, file), file)`.
 *
 * @param x a matrix or a float array of any shape
 * @param name the file name, used in the message
 * @throws IoError `value` naming the first bad value and its position (row and column for a
 *   matrix or a 2-D array, the index otherwise) and how many bad values there are
 */
export function checkFinite<X extends NpyMatrix | FloatNpyArray>(x: X, name?: string): X {
  const data = x.data;
  let first = -1;
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (first < 0) return x;
  const shape = 'shape' in x ? x.shape : [x.rows, x.cols];
  const idx = unravel(first, shape);
  const where =
    shape.length === 2 ? `row ${idx[0]}, column ${idx[1]}` : shape.length === 0 ? 'the only element' : `index ${fmtShape(idx)}`;
  const of = shape.length === 2 ? `a ${shape[0]} × ${shape[1]} matrix` : `an array of shape ${fmtShape(shape)}`;
  const more = bad === 1 ? `the only non-finite value in ${of}` : `the first of ${bad} non-finite values in ${of}`;
  throw ioError('value', name, 'checkFinite', `${String(data[first])} at ${where} (${more})`);
}

/**
 * int64 elements as numbers, checking that each one is exactly representable (within
 * ±`Number.MAX_SAFE_INTEGER`, i.e. ±(2⁵³ − 1)).
 *
 * @param x an int64 array or its BigInt64Array
 * @param name the file name, used in the message
 * @throws IoError `value` naming the first element out of range, its position and its value
 */
export function int64ToNumbers(x: Int64NpyArray | BigInt64Array, name?: string): Float64Array {
  const data = x instanceof BigInt64Array ? x : x.data;
  const out = new Float64Array(data.length);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v > max || v < -max) {
      const where = x instanceof BigInt64Array ? `element ${i}` : `index ${fmtShape(unravel(i, x.shape))}`;
      throw ioError('value', name, 'int64ToNumbers', `int64 ${where} is ${v}, outside ±${max} (the integers a number holds exactly)`);
    }
    out[i] = Number(v);
  }
  return out;
}
