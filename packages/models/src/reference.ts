import { QuadrixError, fmtShape } from '@quadrix/core';
import { checkSizes, packQuadratic, unpackQuadratic, type HostQuadrics } from './quadrics.js';

/** A dense row-major array with its shape, e.g. what an .npy reader returns. */
export interface DenseArray {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

const expectShape = (name: string, a: DenseArray, shape: readonly number[]): void => {
  if (a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
    throw new QuadrixError('shape', `reference ${name}: shape ${fmtShape(a.shape)}, expected ${fmtShape(shape)}`);
  }
};

/** Column i of a row-major (rows, m) array, for every i: transposed to (m, rows). */
const columnsToRows = (a: DenseArray, rows: number, m: number): Float64Array => {
  const out = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) for (let i = 0; i < m; i++) out[i * rows + r] = a.data[r * m + i]!;
  return out;
};

const rowsToColumns = (a: ArrayLike<number>, rows: number, m: number): Float64Array => {
  const out = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) for (let i = 0; i < m; i++) out[r * m + i] = a[i * rows + r]!;
  return out;
};

/** The reference's trainable parameters: q_coefs (n(n+1)/2, m), l_coefs (n, m), free_coefs (1, m). */
export interface ReferencePacked {
  readonly q_coefs: DenseArray;
  readonly l_coefs: DenseArray;
  readonly free_coefs: DenseArray;
}

/** The reference's save() layout: quadratic (n, n, m) monomial coefficients, linear (n, m), free (1, m). */
export interface ReferenceSaved {
  readonly quadratic: DenseArray;
  readonly linear: DenseArray;
  readonly free: DenseArray;
}

export const fromReferencePacked = ({ q_coefs, l_coefs, free_coefs }: ReferencePacked): HostQuadrics => {
  const [p, m] = q_coefs.shape as [number, number];
  const n = (Math.sqrt(8 * p + 1) - 1) / 2;
  if (q_coefs.shape.length !== 2 || !Number.isInteger(n)) {
    throw new QuadrixError('shape', `reference q_coefs: shape ${fmtShape(q_coefs.shape)} is not (n(n+1)/2, m)`);
  }
  checkSizes('reference', n, m);
  expectShape('l_coefs', l_coefs, [n, m]);
  expectShape('free_coefs', free_coefs, [1, m]);
  return { n, m, quadratic: unpackQuadratic(q_coefs.data, n, m), linear: columnsToRows(l_coefs, n, m), free: Float64Array.from(free_coefs.data) };
};

export const fromReferenceSaved = ({ quadratic, linear, free }: ReferenceSaved): HostQuadrics => {
  const [n, n2, m] = quadratic.shape as [number, number, number];
  if (quadratic.shape.length !== 3 || n !== n2) {
    throw new QuadrixError('shape', `reference quadratic: shape ${fmtShape(quadratic.shape)} is not (n, n, m)`);
  }
  checkSizes('reference', n, m);
  expectShape('linear', linear, [n, m]);
  expectShape('free', free, [1, m]);
  // Monomial coefficients: S_jj = quadratic_jj, S_jk = quadratic_jk / 2 off the diagonal.
  const s = new Float64Array(m * n * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        const v = quadratic.data[(j * n + k) * m + i]!;
        s[(i * n + j) * n + k] = j === k ? v : v / 2;
      }
    }
  }
  return { n, m, quadratic: s, linear: columnsToRows(linear, n, m), free: Float64Array.from(free.data) };
};

/** Both reference layouts of a model, as float64 arrays ready for an .npz. */
export const toReference = (h: HostQuadrics): ReferencePacked & ReferenceSaved => {
  const { n, m } = h;
  const saved = new Float64Array(n * n * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        const sym = (h.quadratic[(i * n + j) * n + k]! + h.quadratic[(i * n + k) * n + j]!) / 2;
        saved[(j * n + k) * m + i] = j === k ? sym : 2 * sym;
      }
    }
  }
  const linear = { shape: [n, m], data: rowsToColumns(h.linear, n, m) };
  const free = { shape: [1, m], data: Float64Array.from(h.free) };
  return {
    q_coefs: { shape: [(n * (n + 1)) / 2, m], data: packQuadratic(h.quadratic, n, m) },
    l_coefs: linear,
    free_coefs: free,
    quadratic: { shape: [n, n, m], data: saved },
    linear,
    free,
  };
};
