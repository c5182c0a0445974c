import type { Backend } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import type { BackendName } from './protocol.js';

/**
 * A backend the page offers. `create` runs in the training worker; the page asks the worker to try
 * each one, so an option is greyed out, with the reason, exactly when training could not run on it.
 */
export interface PageBackend {
  readonly name: BackendName;
  readonly label: string;
  readonly create: () => Promise<Backend>;
}

export const PAGE_BACKENDS: readonly PageBackend[] = [
  { name: 'cpu', label: 'CPU (JavaScript)', create: async () => cpuBackend() },
  {
    name: 'gpujs',
    label: 'gpu.js (WebGL2)',
    // Loaded only when chosen (gpu.js is large); 'gpu' refuses its silent fallback to JavaScript.
    create: async () => (await import('@quadrix/backend-gpujs')).gpujsBackend({ require: 'gpu' }),
  },
  { name: 'webgpu', label: 'WebGPU', create: async () => (await import('@quadrix/backend-webgpu')).requestWebGPUBackend() },
];

export const pageBackend = (name: BackendName): PageBackend => {
  const b = PAGE_BACKENDS.find((p) => p.name === name);
  if (!b) throw new Error(`backend '${name}' is not part of this page`);
  return b;
};

/** Why each backend cannot run here (undefined when it can); run in the worker. */
export const probeBackends = async (): Promise<Record<string, string | undefined>> => {
  const out: Record<string, string | undefined> = {};
  for (const b of PAGE_BACKENDS) {
    try {
      await b.create();
      out[b.name] = undefined;
    } catch (e) {
      out[b.name] = (e as Error).message;
    }
  }
  return out;
};
