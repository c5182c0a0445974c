import * as E from 'fp-ts/lib/Either.js';
import type { Backend } from './backend.js';
import { allocate, isDType, type DType, type FloatArray } from './dtype.js';
import { getBackend, upload } from './engine.js';
import { QuadrixError, fmtShape } from './errors.js';
import { checkShape, sizeOf, type Shape } from './shape.js';
import type { Tensor } from './tensor.js';

export interface CreateOptions {
  /** Default float32, the dtype every backend supports. */
  readonly dtype?: DType;
  /** Default: the one set with `setBackend`. */
  readonly backend?: Backend;
}

/** Nested arrays of numbers, e.g. `[[1, 2], [3, 4]]`. */
export type NestedNumbers = number | readonly NestedNumbers[];

const inferShape = (v: NestedNumbers): number[] => {
  const shape: number[] = [];
  let cur: NestedNumbers = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedNumbers;
  }
  return shape;
};

const flatten = (v: NestedNumbers, shape: Shape, depth: number, out: number[]): void => {
  if (depth === shape.length) {
    if (typeof v !== 'number') throw new QuadrixError('shape', `tensor: ragged nested array, expected a number at depth ${depth}`);
    out.push(v);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[depth]) {
    throw new QuadrixError('shape', `tensor: ragged nested array, expected ${shape[depth]} entries at depth ${depth}`);
  }
  for (const x of v) flatten(x, shape, depth + 1, out);
};

const resolve = (opts: CreateOptions): { backend: Backend; dtype: DType } => {
  const dtype = opts.dtype ?? 'float32';
  if (!isDType(dtype)) throw new QuadrixError('dtype', `tensor: unknown dtype '${String(dtype)}' (use float32 or float64)`);
  return { backend: opts.backend ?? getBackend(), dtype };
};

/**
 * A tensor from nested arrays, a flat array or typed array with a `shape`, or a number (a scalar).
 * Values are copied.
 */
export const tensor = (
  values: NestedNumbers | ArrayLike<number>,
  opts: CreateOptions & { readonly shape?: Shape } = {},
): Tensor => {
  const { backend, dtype } = resolve(opts);
  let flat: ArrayLike<number>;
  let shape: Shape;
  if (typeof values === 'number') {
    flat = [values];
    shape = opts.shape ?? [];
  } else if (ArrayBuffer.isView(values) || (opts.shape !== undefined && !Array.isArray((values as unknown[])[0]))) {
    flat = values as ArrayLike<number>;
    shape = opts.shape ?? [flat.length];
  } else {
    shape = inferShape(values as NestedNumbers);
    const out: number[] = [];
    flatten(values as NestedNumbers, shape, 0, out);
    flat = out;
    if (opts.shape !== undefined) shape = opts.shape;
  }
  checkShape('tensor', shape);
  if (sizeOf(shape) !== flat.length) {
    throw new QuadrixError('shape', `tensor: ${flat.length} values do not fill shape ${fmtShape(shape)}`);
  }
  const host = allocate(dtype, flat.length);
  host.set(flat);
  return upload(backend, host, shape, dtype);
};

/** `tensor`, with invalid input returned as a `Left` instead of thrown. */
export const tensorE = (
  values: NestedNumbers | ArrayLike<number>,
  opts: CreateOptions & { readonly shape?: Shape } = {},
): E.Either<QuadrixError, Tensor> => attempt(() => tensor(values, opts));

/**
 * Runs `f`, returning its result as `Right` or the `QuadrixError` it raised as `Left`; any other
 * exception is a bug and propagates.
 */
export const attempt = <A>(f: () => A): E.Either<QuadrixError, A> => {
  try {
    return E.right(f());
  } catch (e) {
    if (e instanceof QuadrixError) return E.left(e);
    throw e;
  }
};

export const scalar = (value: number, opts: CreateOptions = {}): Tensor => tensor(value, opts);

export const fill = (shape: Shape, value: number, opts: CreateOptions = {}): Tensor => {
  const { backend, dtype } = resolve(opts);
  checkShape('fill', shape);
  return upload(backend, allocate(dtype, sizeOf(shape)).fill(value), shape, dtype);
};

export const zeros = (shape: Shape, opts: CreateOptions = {}): Tensor => fill(shape, 0, opts);
export const ones = (shape: Shape, opts: CreateOptions = {}): Tensor => fill(shape, 1, opts);
export const zerosLike = (t: Tensor): Tensor => zeros(t.shape, { dtype: t.dtype, backend: t.backend });
export const onesLike = (t: Tensor): Tensor => ones(t.shape, { dtype: t.dtype, backend: t.backend });

/** The n×n identity. */
export const eye = (n: number, opts: CreateOptions = {}): Tensor => {
  const { backend, dtype } = resolve(opts);
  checkShape('eye', [n]);
  const host: FloatArray = allocate(dtype, n * n);
  for (let i = 0; i < n; i++) host[i * n + i] = 1;
  return upload(backend, host, [n, n], dtype);
};
