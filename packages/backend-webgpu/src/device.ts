/// <reference types="@webgpu/types" />
import { QuadrixError } from '@quadrix/core';
import { adapterDescription, isNullAdapter, webgpuBackend, type WebGPUBackend, type WebGPUBackendOptions } from './backend.js';

export interface DeviceRequest {
  /** The WebGPU entry point; defaults to `navigator.gpu`. */
  readonly gpu?: GPU;
  readonly powerPreference?: GPUPowerPreference;
}

export interface AcquiredDevice {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly info: GPUAdapterInfo;
}

/** Limits the kernels profit from: requested at the adapter's maximum. */
const WANTED = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
] as const;

/**
 * Finds an adapter and opens a device on it with the adapter's largest buffer and dispatch limits.
 * Rejects with a QuadrixError of kind 'backend' when WebGPU is missing, no adapter exists, the
 * adapter is Dawn's `null` backend (which computes nothing), or the device cannot be created.
 */
export const requestDevice = async (req: DeviceRequest = {}): Promise<AcquiredDevice> => {
  const gpu = req.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined) {
    throw new QuadrixError(
      'backend',
      'webgpu: WebGPU is not available here (no navigator.gpu: an older browser, an insecure context, or Node — in Node use @quadrix/backend-webgpu/node)',
    );
  }
  const adapter = await gpu.requestAdapter(req.powerPreference ? { powerPreference: req.powerPreference } : {});
  if (adapter === null) {
    throw new QuadrixError('backend', 'webgpu: no WebGPU adapter was found (no usable GPU or driver; in Chromium try --enable-unsafe-webgpu)');
  }
  const info = adapter.info;
  if (isNullAdapter(info)) {
    throw new QuadrixError('backend', `webgpu: the adapter is Dawn's null backend (${adapterDescription(info)}), which computes nothing`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED) requiredLimits[k] = adapter.limits[k];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, label: 'quadrix' });
  } catch (e) {
    throw new QuadrixError('backend', `webgpu: the adapter (${adapterDescription(info)}) refused a device: ${(e as Error).message}`);
  }
  return { device, adapter, info };
};

/** A backend on a device found by {@link requestDevice} (browsers: `navigator.gpu`). */
export const requestWebGPUBackend = async (
  req: DeviceRequest & Omit<WebGPUBackendOptions, 'device' | 'adapterInfo' | 'ownsDevice'> = {},
): Promise<WebGPUBackend> => {
  const { device, info } = await requestDevice(req);
  return webgpuBackend({ ...req, device, adapterInfo: info, ownsDevice: true });
};
