import { QuadrixError, type Backend, type DType } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import type { GpujsOptions } from '@quadrix/backend-gpujs';
import { UsageError } from './cli.js';

/**
 * Backends the command can run on. Factories are async: acquiring a GPU device is, and a backend
 * that cannot start must fail here with a clear error, not later inside a kernel.
 */
const BACKENDS: Readonly<Record<string, () => Promise<Backend>>> = {
  cpu: async () => cpuBackend(),
  // gpu.js loads only when chosen; `fit` prints describe(), which names the kernel class that runs.
  // QUADRIX_GPUJS_REQUIRE=gpu refuses gpu.js's silent WebAssembly/CPU fallbacks.
  gpujs: async () => {
    const { gpujsBackend } = await import('@quadrix/backend-gpujs');
    const need = process.env.QUADRIX_GPUJS_REQUIRE as GpujsOptions['require'];
    return gpujsBackend(need ? { require: need } : {});
  },
  // Dawn on the system's GPU driver, else SwiftShader; a missing adapter rejects with a QuadrixError.
  webgpu: async () => (await import('@quadrix/backend-webgpu/node')).nodeWebGPUBackend(),
};

export const BACKEND_NAMES = Object.keys(BACKENDS);

/** For usage texts: the backends, the default first. */
export const BACKEND_LIST = `${BACKEND_NAMES[0]} (default) | ${BACKEND_NAMES.slice(1).join(' | ')}`;

export const backendOption = { backend: { type: 'string', default: 'cpu' }, dtype: { type: 'string', default: 'float32' } } as const;

export const resolveBackend = async (values: Record<string, unknown>): Promise<{ backend: Backend; dtype: DType }> => {
  const name = String(values.backend ?? 'cpu');
  const make = BACKENDS[name];
  if (!make) throw new UsageError(`unknown backend '${name}' (available: ${BACKEND_NAMES.join(', ')})`);
  const dtype = String(values.dtype ?? 'float32');
  if (dtype !== 'float32' && dtype !== 'float64') throw new UsageError(`--dtype must be float32 or float64; got '${dtype}'`);
  const backend = await make();
  if (!backend.dtypes.includes(dtype)) {
    throw new QuadrixError('dtype', `backend '${name}' does not support ${dtype} (it supports ${backend.dtypes.join(', ')})`);
  }
  return { backend, dtype };
};
