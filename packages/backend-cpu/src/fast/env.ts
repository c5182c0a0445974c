import type { DType, FloatArray } from '@quadrix/core';
import { allocate } from '@quadrix/core';
import { CpuHandle } from '../storage.js';
import type { Block, Runtime } from './runtime.js';

/** When the WebAssembly kernels are worth it, in multiply-adds or elements (see CpuBackendOptions). */
export interface Thresholds {
  /** below this, the JavaScript kernel: a job's fixed costs (a call, waking threads) outweigh it */
  readonly wasm: number;
  /** below this, one thread */
  readonly parallel: number;
  /** elementwise ops on fewer elements stay in JavaScript */
  readonly elementwise: number;
}

/**
 * T = X·[S_1 … S_m] as the fused quadric kernel computed it on the way (same operands, same order of
 * operations, so the same bits as matmul(X, S)), kept for the backward pass, whose first product is
 * exactly matmul(X, S): keyed by S's handle, valid for that X's handle.
 */
export interface Products {
  readonly x: CpuHandle;
  readonly array: Float32Array;
  readonly block: Block;
}

/** What the fast kernels of one backend share. */
export interface FastEnv {
  readonly rt: Runtime | undefined;
  readonly threads: number;
  readonly at: Thresholds;
  readonly products: WeakMap<CpuHandle, Products>;
}

/**
 * Blocks of WebAssembly memory held by a handle (or by a cache entry keyed by one) are given back
 * when the handle is disposed, or when the garbage collector reclaims one that never was.
 */
export const blocks = new FinalizationRegistry<Block>((block) => block.release());

/** Keeps T for (x, s), replacing what s held before. */
export const keepProducts = (env: FastEnv, s: CpuHandle, entry: Products): void => {
  dropProducts(env, s);
  entry.block.refs++;
  env.products.set(s, entry);
  blocks.register(s, entry.block, entry);
};

export const dropProducts = (env: FastEnv, s: CpuHandle): void => {
  const old = env.products.get(s);
  if (!old) return;
  env.products.delete(s);
  if (blocks.unregister(old)) old.block.release();
};

/** Arrays smaller than this stay ordinary JavaScript arrays (the allocator is for big ones). */
const RESIDENT_MIN = 1024;

/** A new output array: in the runtime's shared memory when float32 and not tiny, else a typed array. */
export const output = (env: FastEnv, dtype: DType, n: number): { array: FloatArray; block?: Block } => {
  if (dtype === 'float32' && n >= RESIDENT_MIN && env.rt?.resident) {
    const r = env.rt.alloc(n);
    if (r) return r;
  }
  return { array: allocate(dtype, n) };
};

export const handleOf = (o: { array: FloatArray; block?: Block }): CpuHandle => new CpuHandle(o.array, undefined, o.block);
