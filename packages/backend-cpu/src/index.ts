import type { Backend, DType, FloatArray, KernelTable, OutputInfo, Shape } from '@quadrix/core';
import { abs, add, compare, div, exp, log, maximum, mul, neg, sign, sqrt, sub, where } from './kernels/elementwise.js';
import { broadcastTo, cast, concat, gather, pad, reshape, scatterAdd, slice, sum, transpose } from './kernels/layout.js';
import { matmul } from './kernels/matmul.js';
import { quadric } from './kernels/quadric.js';
import { binaryKernels, negKernel, whereKernel } from './fast/elementwise.js';
import { blocks, dropProducts, handleOf, output, type FastEnv, type Thresholds } from './fast/env.js';
import * as fastLayout from './fast/layout.js';
import { fastMatmul, fastQuadric } from './fast/matmul.js';
import { hardwareThreads, runtime } from './fast/runtime.js';
import { sumKernel } from './fast/sum.js';
import { CpuHandle } from './storage.js';

export { CpuHandle } from './storage.js';

/** The reference kernels: plain loops over typed arrays, the oracle the fast kernels are held to. */
const reference: KernelTable<CpuHandle> = {
  neg, abs, sign, sqrt, exp, log,
  add, sub, mul, div, maximum, compare, where,
  sum, reshape, broadcastTo, transpose, slice, pad, gather, scatterAdd, concat,
  matmul, cast, quadric,
};

export interface CpuBackendOptions {
  /**
   * 'fast' (default): layout ops as strided views (no copies), elementwise ops and sums that read
   * them in place, and float32 matmul and the fused quadric kernel in WebAssembly SIMD on several
   * threads. 'reference': the plain JavaScript kernels, the oracle of the tests. float64 always
   * uses the reference arithmetic (the fast kernels change only where values are stored).
   */
  readonly kernels?: 'fast' | 'reference';
  /**
   * Threads for the WebAssembly kernels, the calling one included. Default: every hardware thread
   * where the calling thread may block (Node; a cross-origin-isolated Web Worker), else 1.
   */
  readonly threads?: number;
  /** Use relaxed SIMD (fused multiply-add) where the engine has it (default true). */
  readonly relaxedSimd?: boolean;
  /**
   * Use WebAssembly (default true). false gives the plain JavaScript path that engines without
   * WebAssembly SIMD get anyway: views and the reference arithmetic.
   */
  readonly webAssembly?: boolean;
  /**
   * Smallest matmul or quadric (in multiply-adds; default 4096) or elementwise op (in elements;
   * default 2¹⁴) sent to WebAssembly, and smallest run on more than one thread (default 2¹⁸).
   * Tests set both to 0 to exercise every path on small, odd sizes.
   */
  readonly minWasmWork?: number;
  readonly minParallelWork?: number;
}

const fastTable = (env: FastEnv): { table: KernelTable<CpuHandle>; what: string } => {
  const views = { ...reference, ...fastLayout, ...binaryKernels(env), neg: negKernel(env, neg as never), where: whereKernel(env, where as never), sum: sumKernel(env) };
  const rt = env.rt;
  if (!rt) return { table: views, what: 'fast views, plain JavaScript arithmetic (no WebAssembly SIMD here)' };
  const info = rt.info(env.threads);
  return {
    table: { ...views, matmul: fastMatmul(env, rt), quadric: fastQuadric(env, rt) },
    what:
      `WebAssembly SIMD${info.relaxed ? ' with relaxed FMA' : ''}, ${info.threads} thread${info.threads > 1 ? 's' : ''}` +
      `${info.shared ? ', tensors in shared memory' : ' (no shared memory)'}`,
  };
};

/**
 * A new CPU backend: float32 and float64 on typed arrays. It is a factory so that each instance
 * counts its own live tensors (tests and apps may hold several). Reads are available synchronously.
 */
export const cpuBackend = (options: CpuBackendOptions = {}): Backend<CpuHandle> => {
  const mode = options.kernels ?? 'fast';
  const threads = Math.max(1, Math.floor(options.threads ?? hardwareThreads()));
  const at: Thresholds = {
    wasm: options.minWasmWork ?? 4096,
    parallel: options.minParallelWork ?? 1 << 18,
    elementwise: options.minWasmWork ?? 1 << 14,
  };
  const rt = mode === 'fast' && options.webAssembly !== false ? runtime(options.relaxedSimd ?? true) : undefined;
  const env: FastEnv = { rt, threads, at, products: new WeakMap() };
  const { table, what } = mode === 'fast' ? fastTable(env) : { table: reference, what: 'reference JavaScript kernels' };
  const live = new Set<CpuHandle>();
  const made = (h: CpuHandle): CpuHandle => {
    live.add(h);
    if (h.block) {
      h.block.refs++;
      blocks.register(h, h.block, h);
    }
    return h;
  };
  const counted = Object.fromEntries(
    Object.entries(table).map(([name, k]) => [
      name,
      (inputs: never, attrs: never, out: OutputInfo) => made((k as (...a: unknown[]) => CpuHandle)(inputs, attrs, out)),
    ]),
  ) as unknown as KernelTable<CpuHandle>;
  const readSync = (h: CpuHandle): FloatArray => h.values.slice();
  return {
    name: 'cpu',
    dtypes: ['float32', 'float64'] as readonly DType[],
    upload: (values: FloatArray, _shape: Shape, dtype: DType) => {
      const o = output(env, dtype, values.length);
      o.array.set(values);
      return made(handleOf(o));
    },
    read: async (h) => readSync(h),
    readSync,
    dispose: (h) => {
      live.delete(h);
      dropProducts(env, h);
      if (h.block && blocks.unregister(h)) h.block.release();
    },
    liveTensors: () => live.size,
    describe: () => `cpu (${what})`,
    kernels: counted,
  };
};
