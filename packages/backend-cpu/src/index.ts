import type { Backend, DType, FloatArray, KernelTable, OutputInfo, Shape } from '@quadrix/core';
import { abs, add, compare, div, exp, log, maximum, mul, neg, sign, sqrt, sub, where } from './kernels/elementwise.js';
import { broadcastTo, cast, concat, gather, pad, reshape, scatterAdd, slice, sum, transpose } from './kernels/layout.js';
import { matmul } from './kernels/matmul.js';
import { quadric } from './kernels/quadric.js';
import { CpuHandle } from './storage.js';

export { CpuHandle } from './storage.js';

const kernels: KernelTable<CpuHandle> = {
  neg, abs, sign, sqrt, exp, log,
  add, sub, mul, div, maximum, compare, where,
  sum, reshape, broadcastTo, transpose, slice, pad, gather, scatterAdd, concat,
  matmul, cast, quadric,
};

/**
 * A new CPU backend: float32 and float64 on typed arrays. It is a factory so that each instance
 * counts its own live tensors (tests and apps may hold several). Reads are available synchronously.
 */
export const cpuBackend = (): Backend<CpuHandle> => {
  const live = new Set<CpuHandle>();
  const made = (h: CpuHandle): CpuHandle => {
    live.add(h);
    return h;
  };
  const counted = Object.fromEntries(
    Object.entries(kernels).map(([name, k]) => [
      name,
      (inputs: never, attrs: never, out: OutputInfo) => made((k as (...a: unknown[]) => CpuHandle)(inputs, attrs, out)),
    ]),
  ) as unknown as KernelTable<CpuHandle>;
  const readSync = (h: CpuHandle): FloatArray => h.values.slice();
  return {
    name: 'cpu',
    dtypes: ['float32', 'float64'] as readonly DType[],
    upload: (values: FloatArray, _shape: Shape, dtype: DType) => {
      const copy = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
      return made(new CpuHandle(copy));
    },
    read: async (h) => readSync(h),
    readSync,
    dispose: (h) => {
      live.delete(h);
    },
    liveTensors: () => live.size,
    describe: () => 'cpu (JavaScript, typed arrays)',
    kernels: counted,
  };
};
