import type { Backend, OutputInfo } from './backend.js';
import type { DType, FloatArray } from './dtype.js';
import { QuadrixError, fmtShape } from './errors.js';
import type { PrimitiveAttrs, PrimitiveName } from './primitives/attrs.js';
import type { Shape } from './shape.js';
import { Tensor, collectTensors } from './tensor.js';

/** A primitive's rules, written once in core: output shape (with validation), dtype and VJP. */
export interface PrimitiveDef<P extends PrimitiveName> {
  readonly name: P;
  readonly shape: (inputs: readonly Tensor[], attrs: PrimitiveAttrs[P]) => Shape;
  readonly dtype?: (inputs: readonly Tensor[], attrs: PrimitiveAttrs[P]) => DType;
  /**
   * Cotangents of the inputs given the output's cotangent `g`; `undefined` means zero. `needs[i]`
   * says whether input i needs one at all, so a rule can skip work (e.g. the gradient of the data).
   */
  readonly vjp: (
    g: Tensor,
    inputs: readonly Tensor[],
    output: Tensor,
    attrs: PrimitiveAttrs[P],
    needs: readonly boolean[],
  ) => readonly (Tensor | undefined)[];
}

/** One recorded primitive application. */
export interface TapeNode {
  readonly def: PrimitiveDef<PrimitiveName>;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: unknown;
}

/** A gradient tape: records every application that depends on a watched tensor. */
export interface Tape {
  readonly nodes: TapeNode[];
  readonly tracked: Set<number>;
  /** ids of tensors the tape needs for its backward pass; their disposal waits for the tape */
  readonly saved: Set<number>;
}

interface Scope {
  readonly tensors: Tensor[];
}

const state = {
  backend: undefined as Backend | undefined,
  scopes: [] as Scope[],
  tapes: [] as Tape[],
  /** disposals deferred because a live tape still needs the tensor */
  pending: new Map<number, Tensor>(),
};

// ---- default backend -------------------------------------------------------------------------

/** Sets the backend that creation functions use when none is given. */
export const setBackend = (backend: Backend): void => {
  state.backend = backend;
};

export const getBackend = (): Backend => {
  if (state.backend === undefined) {
    throw new QuadrixError(
      'backend',
      'no backend: call setBackend(cpuBackend()) or pass { backend } when creating tensors',
    );
  }
  return state.backend;
};

const checkDType = (op: string, backend: Backend, dtype: DType): void => {
  if (!backend.dtypes.includes(dtype)) {
    throw new QuadrixError(
      'dtype',
      `${op}: backend '${backend.name}' does not support ${dtype} (it supports ${backend.dtypes.join(', ')})`,
    );
  }
};

// ---- making tensors --------------------------------------------------------------------------

const track = (t: Tensor): Tensor => {
  state.scopes[state.scopes.length - 1]?.tensors.push(t);
  return t;
};

/** @internal wraps host values as a tensor on `backend`. */
export const upload = (backend: Backend, values: FloatArray, shape: Shape, dtype: DType): Tensor => {
  checkDType('tensor', backend, dtype);
  return track(new Tensor(backend, backend.upload(values, shape, dtype), shape, dtype));
};

const checkLive = (op: string, t: Tensor): void => {
  if (t.disposed) throw new QuadrixError('disposed', `${op}: input ${t.toString()} has been disposed`);
};

/** Applies a primitive: validates, runs the backend kernel, tracks the result and records it on tapes. */
export const apply = <P extends PrimitiveName>(
  def: PrimitiveDef<P>,
  inputs: readonly Tensor[],
  attrs: PrimitiveAttrs[P],
): Tensor => {
  const op = def.name;
  const first = inputs[0];
  if (first === undefined) throw new QuadrixError('argument', `${op}: needs at least one input`);
  for (const t of inputs) {
    checkLive(op, t);
    if (t.backend !== first.backend) {
      throw new QuadrixError(
        'backend',
        `${op}: inputs live on different backends ('${first.backend.name}' and '${t.backend.name}')`,
      );
    }
    if (t.dtype !== first.dtype) {
      throw new QuadrixError(
        'dtype',
        `${op}: dtype mismatch, ${first.dtype} ${fmtShape(first.shape)} and ${t.dtype} ${fmtShape(t.shape)}`,
      );
    }
  }
  const shape = def.shape(inputs, attrs);
  const dtype = def.dtype ? def.dtype(inputs, attrs) : first.dtype;
  const backend = first.backend;
  checkDType(op, backend, dtype);
  const out: OutputInfo = { shape, dtype };
  const kernel = backend.kernels[op] as (i: readonly unknown[], a: unknown, o: OutputInfo) => unknown;
  const handle = kernel(inputs.map((t) => ({ handle: t.handle, shape: t.shape, dtype: t.dtype })), attrs, out);
  const output = track(new Tensor(backend, handle, shape, dtype));
  for (const tape of state.tapes) {
    if (inputs.some((t) => tape.tracked.has(t.id))) {
      tape.nodes.push({ def: def as unknown as PrimitiveDef<PrimitiveName>, inputs, output, attrs });
      tape.tracked.add(output.id);
      for (const t of inputs) tape.saved.add(t.id);
      tape.saved.add(output.id);
    }
  }
  return output;
};

// ---- reading ---------------------------------------------------------------------------------

/** Resolves to a host copy of the tensor's values (row-major). Works on every backend. */
export const data = async (t: Tensor): Promise<FloatArray> => {
  checkLive('data', t);
  return t.backend.read(t.handle, t);
};

/** Reads without waiting; only on backends that offer it (CPU), otherwise a 'backend' error. */
export const dataSync = (t: Tensor): FloatArray => {
  checkLive('dataSync', t);
  const { readSync } = t.backend;
  if (readSync === undefined) {
    throw new QuadrixError('backend', `dataSync: backend '${t.backend.name}' reads asynchronously; use await data(t)`);
  }
  return readSync(t.handle, t);
};

/** The value of a one-element tensor. */
export const item = async (t: Tensor): Promise<number> => {
  if (t.size !== 1) throw new QuadrixError('shape', `item: expected one element, got shape ${fmtShape(t.shape)}`);
  return (await data(t))[0]!;
};

// ---- memory ----------------------------------------------------------------------------------

const release = (t: Tensor): void => {
  if (t.disposed) return;
  if (state.tapes.some((tape) => tape.saved.has(t.id))) {
    state.pending.set(t.id, t);
    return;
  }
  t.disposed = true;
  t.backend.dispose(t.handle);
};

/** Releases the storage of every tensor in `value` (a tensor, array or record of tensors). */
export const dispose = (value: unknown): void => {
  for (const t of collectTensors(value)) release(t);
};

/** Exempts a tensor from disposal by the enclosing scopes; it is the caller's to dispose. */
export const keep = <T extends Tensor>(t: T): T => {
  t.kept = true;
  return t;
};

const openScope = (): Scope => {
  const scope: Scope = { tensors: [] };
  state.scopes.push(scope);
  return scope;
};

const closeScope = (scope: Scope, result: unknown): void => {
  const at = state.scopes.lastIndexOf(scope);
  if (at >= 0) state.scopes.splice(at, 1);
  const survivors = new Set(collectTensors(result));
  const parent = state.scopes[state.scopes.length - 1];
  for (const t of scope.tensors) {
    // What a scope made and returns belongs to the scope around it.
    if (survivors.has(t)) parent?.tensors.push(t);
    else if (!t.kept) release(t);
  }
};

/**
 * Runs `fn` and disposes every tensor it created, except those in its result and those `keep`-ed.
 * Synchronous, like tfjs `tidy`.
 */
export const tidy = <T>(fn: () => T): T => {
  const scope = openScope();
  let result: T | undefined;
  try {
    result = fn();
    return result;
  } finally {
    closeScope(scope, result);
  }
};

/**
 * `tidy` for async code: tensors created while the scope is open and not returned are disposed when
 * the promise settles. Tensor ops are synchronous and only reads await, so a scope sees exactly the
 * tensors its own code made, unless other code runs tensor ops concurrently during its awaits;
 * such tensors would belong to this scope too (`keep` them, or do not overlap scopes).
 */
export const scope = async <T>(fn: () => Promise<T>): Promise<T> => {
  const s = openScope();
  let result: T | undefined;
  try {
    result = await fn();
    return result;
  } finally {
    closeScope(s, result);
  }
};

// ---- tapes (used by autodiff) -----------------------------------------------------------------

/** @internal */
export const pushTape = (watched: readonly Tensor[]): Tape => {
  const tape: Tape = { nodes: [], tracked: new Set(watched.map((t) => t.id)), saved: new Set() };
  state.tapes.push(tape);
  return tape;
};

/** @internal stops recording on `tape` (it stays readable for the backward pass). */
export const popTape = (tape: Tape): void => {
  const at = state.tapes.indexOf(tape);
  if (at >= 0) state.tapes.splice(at, 1);
};

/** @internal after a backward pass: performs the disposals the tape was holding back. */
export const releaseTape = (tape: Tape): void => {
  tape.nodes.length = 0;
  tape.saved.clear();
  for (const [id, t] of state.pending) {
    if (!state.tapes.some((tp) => tp.saved.has(id))) {
      state.pending.delete(id);
      release(t);
    }
  }
};
