/**
 * @quadrix/backend-webgpu: the Backend contract of @quadrix/core in WGSL compute shaders, for any
 * WebGPU device (a browser's GPU; Dawn in Node through `@quadrix/backend-webgpu/node`). float32.
 * No import side effects: nothing touches a GPU until a factory is called.
 */
export {
  adapterDescription, isNullAdapter, webgpuBackend, WebGPUHandle,
  type WebGPUBackend, type WebGPUBackendOptions, type WebGPUStats,
} from './backend.js';
export { requestDevice, requestWebGPUBackend, type AcquiredDevice, type DeviceRequest } from './device.js';
