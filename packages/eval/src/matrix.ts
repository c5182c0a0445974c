import { tensor, type Backend, type DType, type Tensor } from '@quadrix/core';
import { shapeError, valueError } from './errors.js';

/**
 * A dense row-major matrix on the host: element (i, j) is `data[i * cols + j]`. The same shape as
 * `NpyMatrix` of `@quadrix/io`, so a matrix read from a .npy file can be passed as it is.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

export const checkMatrix = (op: string, what: string, m: Matrix): void => {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0 || m.data.length !== m.rows * m.cols) {
    throw shapeError(op, `${what}: ${m.data.length} values do not make a ${m.rows} × ${m.cols} matrix`);
  }
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i]!)) {
      throw valueError(op, `${what}: ${m.data[i]} at row ${Math.floor(i / m.cols)}, column ${i % m.cols}`);
    }
  }
};

/** A matrix of `rows` × `cols` from a flat array (copied into a Float64Array). */
export const matrix = (rows: number, cols: number, values: ArrayLike<number>): Matrix => {
  const m = { rows, cols, data: Float64Array.from(values) };
  checkMatrix('matrix', 'values', m);
  return m;
};

/** Each row scaled to unit L2 norm (as scikit-learn's `normalize`), in the same precision. */
export const normalizeRows = (m: Matrix, what = 'the data'): Matrix => {
  const data = m.data.slice();
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += data[r * m.cols + c]! ** 2;
    if (s === 0) throw valueError('normalizeRows', `${what}: row ${r} is zero and cannot be normalised`);
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < m.cols; c++) data[r * m.cols + c]! *= inv;
  }
  return { rows: m.rows, cols: m.cols, data };
};

/** The rows `idx` of `m`, in that order. */
export const takeRows = (m: Matrix, idx: ArrayLike<number>): Matrix => {
  const data = m.data instanceof Float32Array ? new Float32Array(idx.length * m.cols) : new Float64Array(idx.length * m.cols);
  for (let k = 0; k < idx.length; k++) {
    const r = idx[k]!;
    if (!(r >= 0 && r < m.rows)) throw shapeError('takeRows', `row ${r} is outside 0..${m.rows - 1}`);
    data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), k * m.cols);
  }
  return { rows: idx.length, cols: m.cols, data };
};

/** Rows [start, end) as a view (no copy). */
export const rowRange = (m: Matrix, start: number, end: number): Matrix => ({
  rows: end - start,
  cols: m.cols,
  data: m.data.subarray(start * m.cols, end * m.cols),
});

/** The matrix as a [rows, cols] tensor on `backend`. */
export const toTensor = (m: Matrix, backend: Backend, dtype: DType): Tensor =>
  tensor(m.data, { backend, dtype, shape: [m.rows, m.cols] });

/** Elements of a vector taken at `idx`. */
export const takeValues = (v: ArrayLike<number>, idx: ArrayLike<number>): Float64Array =>
  Float64Array.from({ length: idx.length }, (_, k) => v[idx[k]!]!);
