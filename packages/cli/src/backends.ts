import { QuadrixError, type Backend, type DType } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { UsageError } from './cli.js';

/** Backends the command can run on; later backends register here. */
const BACKENDS: Readonly<Record<string, () => Backend>> = {
  cpu: cpuBackend,
};

export const BACKEND_NAMES = Object.keys(BACKENDS);

export const backendOption = { backend: { type: 'string', default: 'cpu' }, dtype: { type: 'string', default: 'float32' } } as const;

export const resolveBackend = (values: Record<string, unknown>): { backend: Backend; dtype: DType } => {
  const name = String(values.backend ?? 'cpu');
  const make = BACKENDS[name];
  if (!make) throw new UsageError(`unknown backend '${name}' (available: ${BACKEND_NAMES.join(', ')})`);
  const dtype = String(values.dtype ?? 'float32');
  if (dtype !== 'float32' && dtype !== 'float64') throw new UsageError(`--dtype must be float32 or float64; got '${dtype}'`);
  const backend = make();
  if (!backend.dtypes.includes(dtype)) {
    throw new QuadrixError('dtype', `backend '${name}' does not support ${dtype} (it supports ${backend.dtypes.join(', ')})`);
  }
  return { backend, dtype };
};
