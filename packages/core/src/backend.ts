import type { DType, FloatArray } from './dtype.js';
import type { Shape } from './shape.js';
import type { PrimitiveAttrs, PrimitiveName } from './primitives/attrs.js';

/** What a kernel sees of each input: the backend's opaque storage handle plus its metadata. */
export interface TensorInfo<H> {
  readonly handle: H;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** The output a kernel must produce; core has already validated shapes and dtypes. */
export interface OutputInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * A kernel returns a handle at once. A GPU backend enqueues its work and returns the handle of a
 * buffer that will hold the result; the result becomes observable only through `read`, which is
 * asynchronous, so nothing in core ever waits for a kernel.
 */
export type Kernel<H, A> = (inputs: readonly TensorInfo<H>[], attrs: A, out: OutputInfo) => H;

/** One kernel per primitive: the type makes a backend that forgets one a compile error. */
export type KernelTable<H> = { readonly [P in PrimitiveName]: Kernel<H, PrimitiveAttrs[P]> };

/**
 * The contract a backend implements: storage, lifecycle and the kernel table. Core never imports a
 * backend; a backend package exports a factory returning this plain value.
 */
// The handle type is the backend's own business; `Backend` with no argument accepts any backend.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Backend<H = any> {
  readonly name: string;
  /** The dtypes this backend stores and computes in (GPU backends: float32 only). */
  readonly dtypes: readonly DType[];
  /** Copies host values into backend storage. `values.length` equals the product of `shape`. */
  upload(values: FloatArray, shape: Shape, dtype: DType): H;
  /** Resolves to a fresh host copy of the values, row-major, in the handle's dtype. */
  read(handle: H, info: OutputInfo): Promise<FloatArray>;
  /** Present only where the backend can read without waiting (the CPU backend). */
  readonly readSync?: (handle: H, info: OutputInfo) => FloatArray;
  /** Frees the storage; called exactly once per handle. */
  dispose(handle: H): void;
  /** Handles uploaded or produced by kernels and not yet disposed. */
  liveTensors(): number;
  /** One line on what really runs (device, adapter, kernel mode), for logs and benchmarks. */
  describe?(): string;
  readonly kernels: KernelTable<H>;
}
