import type { Backend } from './backend.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import { sizeOf } from './shape.js';

let nextId = 0;

/**
 * An immutable tensor: a shape, a dtype and the backend storage that holds its values. No operation
 * changes a tensor; `dispose` only releases its storage early (otherwise a scope does it).
 */
export class Tensor {
  readonly id: number;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly backend: Backend;
  readonly size: number;
  /** @internal the backend's storage handle */
  readonly handle: unknown;
  /** @internal */
  disposed = false;
  /** @internal exempt from scope disposal (see `keep`) */
  kept = false;

  /** @internal tensors are made by ops and creation functions, never directly */
  constructor(backend: Backend, handle: unknown, shape: Shape, dtype: DType) {
    this.id = nextId++;
    this.backend = backend;
    this.handle = handle;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}], ${this.backend.name})`;
  }
}

/** A tree of tensors in arrays and records: what `tidy`, `grad` and `dispose` walk. */
export type TensorTree = Tensor | readonly TensorTree[] | { readonly [k: string]: TensorTree };

export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;

/** Every tensor in an arbitrary value (arrays, plain objects), depth first. */
export const collectTensors = (value: unknown, out: Tensor[] = []): Tensor[] => {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, out);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out);
  }
  return out;
};
