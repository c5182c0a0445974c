/// <reference types="@webgpu/types" />
/**
 * `@quadrix/backend-webgpu/node`: WebGPU in Node through Dawn (the npm package `webgpu`, an
 * optional peer dependency, loaded only when a function here is called).
 *
 * On a machine without a GPU, Dawn's Vulkan backend runs on a CPU Vulkan driver: Chromium ships
 * SwiftShader's (`/usr/lib/chromium/vk_swiftshader_icd.json`, Debian's `chromium` package), which
 * is tried when the system's own drivers offer no adapter.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuadrixError } from '@quadrix/core';
import { requestDevice, type AcquiredDevice } from './index.js';
import { webgpuBackend, type WebGPUBackend, type WebGPUBackendOptions } from './index.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface NodeDeviceOptions {
  /**
   * A Vulkan ICD manifest to use (sets VK_ICD_FILENAMES before Dawn starts). By default the
   * system's drivers are tried first, then SwiftShader's if it is installed; `false` never falls back.
   */
  readonly vulkanICD?: string | false;
  /** Flags for Dawn's `create()` (e.g. `backend=vulkan`). */
  readonly dawnFlags?: readonly string[];
  readonly powerPreference?: GPUPowerPreference;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const loadDawn = async (): Promise<DawnModule> => {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new QuadrixError('backend', `webgpu: the Dawn bindings (npm package 'webgpu') could not be loaded: ${(e as Error).message}`);
  }
};

/** Instances made here; Dawn must outlive every device it opened. */
const instances: GPU[] = [];

/**
 * A device from Dawn. Sets XDG_RUNTIME_DIR to a fresh private folder when unset (Dawn's Vulkan
 * loader complains otherwise), and installs WebGPU's globals (GPUBufferUsage, …) if absent.
 */
export const requestNodeDevice = async (opts: NodeDeviceOptions = {}): Promise<AcquiredDevice> => {
  if (process.env.XDG_RUNTIME_DIR === undefined) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'quadrix-xdg-'));
  if (typeof opts.vulkanICD === 'string') process.env.VK_ICD_FILENAMES = opts.vulkanICD;
  const dawn = await loadDawn();
  for (const [k, v] of Object.entries(dawn.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  const attempt = async (): Promise<AcquiredDevice> => {
    const gpu = dawn.create([...(opts.dawnFlags ?? [])]);
    instances.push(gpu);
    return requestDevice({ gpu, ...(opts.powerPreference ? { powerPreference: opts.powerPreference } : {}) });
  };
  try {
    return await attempt();
  } catch (e) {
    const noAdapter = e instanceof QuadrixError && /no WebGPU adapter/.test(e.message);
    const canFallBack = opts.vulkanICD === undefined && process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD);
    if (!noAdapter || !canFallBack) {
      if (noAdapter) {
        throw new QuadrixError(
          'backend',
          `${e.message}. Dawn found no Vulkan driver: install one (apt-get install chromium libvulkan1 brings SwiftShader's; set VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`,
        );
      }
      throw e;
    }
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return attempt();
  }
};

/** A WebGPU backend on a Dawn device (see {@link requestNodeDevice}); `destroy()` releases the device. */
export const nodeWebGPUBackend = async (
  opts: NodeDeviceOptions & Omit<WebGPUBackendOptions, 'device' | 'adapterInfo' | 'ownsDevice'> = {},
): Promise<WebGPUBackend> => {
  const { device, info } = await requestNodeDevice(opts);
  return webgpuBackend({ ...opts, device, adapterInfo: info, ownsDevice: true });
};

export { adapterDescription, isNullAdapter } from './index.js';
