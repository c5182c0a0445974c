// The WebGPU device of the Node tests: Dawn through @quadrix/backend-webgpu/node. A missing adapter
// skips the tests that need one (with the reason) unless QUADRIX_REQUIRE_ALL=1, where it fails them;
// Dawn's null backend is refused by requestNodeDevice, so it can never pass for a device.
import { isNullAdapter, type WebGPUBackend } from '../src/index.js';
import { nodeWebGPUBackend, requestNodeDevice } from '../src/node.js';

export const requireAll = process.env.QUADRIX_REQUIRE_ALL === '1';

export interface Acquired {
  readonly backend?: WebGPUBackend;
  readonly info?: GPUAdapterInfo;
  /** why there is no backend */
  readonly missing?: string;
}

const acquire = async (): Promise<Acquired> => {
  try {
    const { device, info } = await requestNodeDevice();
    if (isNullAdapter(info)) return { missing: "Dawn's null backend" };
    const { webgpuBackend } = await import('../src/index.js');
    return { backend: webgpuBackend({ device, adapterInfo: info, ownsDevice: true }), info };
  } catch (e) {
    return { missing: (e as Error).message };
  }
};

let shared: Promise<Acquired> | undefined;
/** One backend for every test of a file (pipelines are compiled once). */
export const sharedBackend = (): Promise<Acquired> => (shared ??= acquire());

/** A backend of its own (for tests that destroy the device or lower the limits). */
export const ownBackend = (opts: Parameters<typeof nodeWebGPUBackend>[0] = {}): Promise<WebGPUBackend> => nodeWebGPUBackend(opts);
