import { basename } from 'node:path';
import { QuadrixError, tensor, type Backend, type DType, type Tensor } from '@quadrix/core';
import { checkFinite, matrixFromNpy } from '@quadrix/io';
import { readNpy } from '@quadrix/io/node';

export interface Points {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array | Float64Array;
}

/**
 * Reads a 2-D float .npy of points, refusing empty data and NaN/Inf with the file and position
 * named; `normalize` scales each row to unit L2 norm (as the paper's protocols do).
 */
export const readPoints = async (path: string, normalize: boolean): Promise<Points> => {
  const m = checkFinite(matrixFromNpy(await readNpy(path), basename(path)), basename(path));
  if (m.rows === 0 || m.cols === 0) {
    throw new QuadrixError('shape', `${basename(path)}: the data is empty (shape [${m.rows}, ${m.cols}])`);
  }
  if (!normalize) return { rows: m.rows, cols: m.cols, values: m.data };
  const values = m.data.slice();
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += values[r * m.cols + c]! ** 2;
    if (s === 0) throw new QuadrixError('value', `${basename(path)}: row ${r} is zero and cannot be normalised`);
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < m.cols; c++) values[r * m.cols + c]! *= inv;
  }
  return { rows: m.rows, cols: m.cols, values };
};

export const toTensor = (p: Points, backend: Backend, dtype: DType): Tensor =>
  tensor(p.values, { backend, dtype, shape: [p.rows, p.cols] });

export const checkDimension = (p: Points, n: number, what: string): void => {
  if (p.cols !== n) {
    throw new QuadrixError('shape', `${what} has dimension ${p.cols} but the model has dimension ${n}`);
  }
};
