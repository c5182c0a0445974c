/// <reference types="@webgpu/types" />
import { QuadrixError, type Backend, type DType, type FloatArray, type Shape } from '@quadrix/core';
import { makeKernels, WebGPUHandle } from './kernels.js';
import { Runtime } from './runtime.js';

export { WebGPUHandle } from './kernels.js';

export interface WebGPUBackendOptions {
  /** The device to run on (from `navigator.gpu`, Dawn in Node, or your own renderer). */
  readonly device: GPUDevice;
  /** What `describe()` reports; defaults to `device.adapterInfo` where the implementation has it. */
  readonly adapterInfo?: GPUAdapterInfo;
  /**
   * Limits below the device's own, to exercise the splitting of work in tests (a binding size
   * of a few KiB, a handful of workgroups per dimension). Never above the device's limits.
   */
  readonly limits?: {
    readonly maxStorageBufferBindingSize?: number;
    readonly maxComputeWorkgroupsPerDimension?: number;
  };
  /** Bytes of freed buffers kept for reuse (default 1 GiB); more are destroyed. */
  readonly poolBytes?: number;
  /** `destroy()` also destroys the device (set by the helpers that acquired it). */
  readonly ownsDevice?: boolean;
}

export interface WebGPUStats {
  readonly liveTensors: number;
  /** GPU storage buffers allocated (live tensors' and pooled) */
  readonly buffers: number;
  readonly allocatedBytes: number;
  readonly pooledBytes: number;
  /** compiled compute pipelines (one per shader source, shared by every shape) */
  readonly pipelines: number;
  /** compute dispatches recorded so far */
  readonly dispatches: number;
}

export interface WebGPUBackend extends Backend<WebGPUHandle> {
  readonly device: GPUDevice;
  /** Submits the recorded work now (reads do this themselves). */
  flush(): void;
  /** Resolves when the device has finished all submitted work. */
  sync(): Promise<void>;
  stats(): WebGPUStats;
  /** Frees the pooled buffers that no live tensor holds. */
  trim(): void;
  /** Frees every buffer and pipeline; the backend is unusable afterwards. */
  destroy(): void;
}

/** One line on an adapter: vendor, architecture, description, and whether it is a software fallback. */
export const adapterDescription = (info: GPUAdapterInfo | undefined): string => {
  if (info === undefined) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s !== undefined && s !== '');
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ? ', software fallback adapter' : '';
  return `${parts.length > 0 ? parts.join(' ') : 'unnamed adapter'}${fallback}`;
};

/** Dawn's `null` backend accepts every call and computes nothing; it must never pass for a GPU. */
export const isNullAdapter = (info: GPUAdapterInfo | undefined): boolean =>
  info !== undefined && (info.device === 'null-backend' || (info.vendor === '' && info.architecture === '' && /null/i.test(info.device ?? '')));

/**
 * A WebGPU backend on `device`: float32 only, every primitive a WGSL compute pipeline. Kernels
 * record their dispatches and return at once; `read` submits them and maps the result
 * asynchronously. There is no synchronous read.
 */
export const webgpuBackend = (opts: WebGPUBackendOptions): WebGPUBackend => {
  const { device } = opts;
  if (device === undefined || device === null || typeof (device as GPUDevice).createBuffer !== 'function') {
    throw new QuadrixError('argument', 'webgpuBackend: { device } must be a GPUDevice');
  }
  const own = device.limits;
  const cap = (mine: number | undefined, theirs: number): number => Math.min(mine ?? theirs, theirs);
  const binding = cap(opts.limits?.maxStorageBufferBindingSize, own.maxStorageBufferBindingSize);
  const align = own.minStorageBufferOffsetAlignment / 4;
  const rt = new Runtime(
    device,
    {
      window: Math.floor(binding / 4),
      align,
      groups: cap(opts.limits?.maxComputeWorkgroupsPerDimension, own.maxComputeWorkgroupsPerDimension),
      bufferBytes: own.maxBufferSize,
    },
    opts.poolBytes ?? 2 ** 30,
  );
  if (rt.limits.window < 4 * align) {
    throw new QuadrixError('argument', `webgpuBackend: a binding size of ${binding} bytes is too small (at least ${16 * align} bytes)`);
  }
  const info = opts.adapterInfo ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const live = new Set<WebGPUHandle>();
  const kernels = makeKernels(rt);
  const counted = Object.fromEntries(
    Object.entries(kernels).map(([name, k]) => [
      name,
      (inputs: never, attrs: never, out: never) => {
        const h = (k as (...a: unknown[]) => WebGPUHandle)(inputs, attrs, out);
        live.add(h);
        return h;
      },
    ]),
  ) as unknown as WebGPUBackend['kernels'];

  return {
    name: 'webgpu',
    dtypes: ['float32'] as readonly DType[],
    device,
    kernels: counted,
    upload: (values: FloatArray, _shape: Shape, dtype: DType) => {
      rt.check('upload');
      if (dtype !== 'float32') throw new QuadrixError('dtype', `webgpu: only float32 is supported, not ${dtype}`);
      const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
      const h = new WebGPUHandle(rt.upload(f32), f32.length);
      live.add(h);
      return h;
    },
    read: async (h) => {
      rt.check('read');
      if (h.length === 0) return new Float32Array(0);
      let bytes: ArrayBuffer;
      try {
        bytes = await rt.read(h.storage, h.length * 4);
      } catch (e) {
        rt.check('read');
        throw new QuadrixError('backend', `read: mapping the result failed (${(e as Error).message})`);
      }
      if (rt.errors.length > 0) throw new QuadrixError('backend', `webgpu: the device reported an error: ${rt.errors.splice(0).join('; ')}`);
      return new Float32Array(bytes);
    },
    dispose: (h) => {
      if (!live.delete(h)) return;
      rt.release(h.storage);
    },
    liveTensors: () => live.size,
    describe: () => `webgpu (${adapterDescription(info)}; float32, WGSL kernels)`,
    flush: () => rt.flush(),
    sync: async () => {
      rt.flush();
      await device.queue.onSubmittedWorkDone();
      rt.check('sync');
    },
    stats: () => ({
      liveTensors: live.size,
      buffers: rt.buffers,
      allocatedBytes: rt.allocatedBytes,
      pooledBytes: rt.pooledBytes,
      pipelines: rt.pipelineCount,
      dispatches: rt.dispatches,
    }),
    trim: () => rt.trim(0),
    destroy: () => {
      rt.flush();
      for (const h of live) rt.release(h.storage);
      live.clear();
      rt.destroy();
      if (opts.ownsDevice) device.destroy();
    },
  };
};
