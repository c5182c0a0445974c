/// <reference types="@webgpu/types" />
import { QuadrixError } from '@quadrix/core';
import type { Window } from './plan.js';
import { WG } from './wgsl.js';

// GPUBufferUsage and GPUMapMode values from the WebGPU specification, so that the backend needs no
// globals (Dawn in Node does not install them unless asked).
const USAGE_MAP_READ = 0x0001;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_UNIFORM = 0x0040;
const USAGE_STORAGE = 0x0080;
const MAP_MODE_READ = 0x0001;

/** Uniform blocks of one command buffer live in one arena, one 256-byte slot per dispatch. */
const SLOT_BYTES = 256;
const SLOTS = 256;

/** A GPU buffer with a reference count: reshape and cast share storage, as values are immutable. */
export class Storage {
  refs = 1;
  /** the command buffer (epoch) that last recorded a use of this buffer */
  lastUse = -1;
  constructor(readonly buffer: GPUBuffer, readonly bytes: number) {}
}

/** What a kernel binds: a window of a storage buffer. */
export interface Binding {
  readonly storage: Storage;
  readonly window: Window;
}

export interface EffectiveLimits {
  /** elements in the largest binding */
  readonly window: number;
  /** elements of binding-offset alignment */
  readonly align: number;
  /** workgroups per dispatch dimension */
  readonly groups: number;
  /** bytes in the largest buffer */
  readonly bufferBytes: number;
}

/** Bucketed sizes, so that freed buffers serve later requests of similar size (≤ 12.5 % waste). */
const bucket = (bytes: number): number => {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (b <= 4096) return 2 ** Math.ceil(Math.log2(b));
  const granule = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / granule) * granule;
};

/**
 * The device side of the backend: pooled buffers, pipelines cached by shader source, and a
 * command encoder that collects dispatches until a read (or a full uniform arena) submits them.
 */
export class Runtime {
  epoch = 0;
  lost: string | undefined;
  readonly errors: string[] = [];
  private encoder: GPUCommandEncoder | undefined;
  private slot = 0;
  private readonly arena: GPUBuffer;
  private readonly arenaWords = new Uint32Array((SLOTS * SLOT_BYTES) / 4);
  private temps: GPUBuffer[] = [];
  private readonly pool = new Map<number, Storage[]>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  pooledBytes = 0;
  allocatedBytes = 0;
  buffers = 0;
  dispatches = 0;

  constructor(
    readonly device: GPUDevice,
    readonly limits: EffectiveLimits,
    private readonly poolCap: number,
  ) {
    this.arena = device.createBuffer({ size: SLOTS * SLOT_BYTES, usage: USAGE_UNIFORM | USAGE_COPY_DST, label: 'quadrix uniforms' });
    device.lost.then((info) => {
      this.lost = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
    }, () => undefined);
    device.addEventListener?.('uncapturederror', (e) => {
      this.errors.push((e as GPUUncapturedErrorEvent).error.message);
    });
  }

  /** Throws the device-loss error if the device is gone. */
  check(op: string): void {
    if (this.lost !== undefined) {
      throw new QuadrixError('backend', `${op}: the WebGPU device was lost (${this.lost}); create a new backend`);
    }
  }

  pipeline(code: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (p === undefined) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(code, p);
    }
    return p;
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /** A buffer of at least `bytes` bytes. For writeBuffer (`forWrite`) it must not be used by unsubmitted commands. */
  acquire(bytes: number, forWrite = false): Storage {
    if (bytes > this.limits.bufferBytes) {
      throw new QuadrixError(
        'backend',
        `webgpu: a tensor of ${bytes} bytes exceeds this device's maxBufferSize (${this.limits.bufferBytes} bytes); use smaller batches`,
      );
    }
    const size = bucket(bytes);
    const free = this.pool.get(size);
    if (free !== undefined) {
      const at = forWrite ? free.findIndex((s) => s.lastUse < this.epoch) : free.length - 1;
      if (at >= 0) {
        const s = free.splice(at, 1)[0]!;
        this.pooledBytes -= size;
        s.refs = 1;
        return s;
      }
    }
    const buffer = this.device.createBuffer({ size, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    this.allocatedBytes += size;
    this.buffers++;
    return new Storage(buffer, size);
  }

  /** Drops one reference; the last returns the buffer to the pool (or frees it past the pool's cap). */
  release(s: Storage): void {
    if (--s.refs > 0) return;
    let free = this.pool.get(s.bytes);
    if (free === undefined) this.pool.set(s.bytes, (free = []));
    free.push(s);
    this.pooledBytes += s.bytes;
    if (this.pooledBytes > this.poolCap) this.trim(this.poolCap);
  }

  /** Frees pooled buffers (those no unsubmitted command uses) until at most `keep` bytes stay pooled. */
  trim(keep = 0): void {
    for (const [size, free] of [...this.pool.entries()].sort((a, b) => b[0] - a[0])) {
      for (let i = free.length - 1; i >= 0 && this.pooledBytes > keep; i--) {
        if (free[i]!.lastUse >= this.epoch) continue;
        free.splice(i, 1)[0]!.buffer.destroy();
        this.pooledBytes -= size;
        this.allocatedBytes -= size;
        this.buffers--;
      }
    }
  }

  upload(values: Float32Array): Storage {
    const s = this.acquire(values.byteLength, true);
    if (values.byteLength > 0) this.device.queue.writeBuffer(s.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    return s;
  }

  /** A read-only storage buffer for small host data (indices), freed after the next submit. */
  temporary(words: Uint32Array): Storage {
    const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
    const buffer = this.device.createBuffer({ size, usage: USAGE_STORAGE, mappedAtCreation: true });
    new Uint32Array(buffer.getMappedRange()).set(words);
    buffer.unmap();
    this.temps.push(buffer);
    return new Storage(buffer, size);
  }

  private commands(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder({ label: 'quadrix' }));
  }

  /** Records one dispatch of `code` with its uniform words and bindings. */
  dispatch(code: string, params: Uint32Array, bindings: readonly Binding[], groups: readonly [number, number, number]): void {
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    if (this.slot === SLOTS) this.flush();
    const pipeline = this.pipeline(code);
    this.dispatches++;
    const at = this.slot++;
    this.arenaWords.set(params, (at * SLOT_BYTES) / 4);
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.arena, offset: at * SLOT_BYTES, size: Math.ceil(params.byteLength / 16) * 16 } },
      ...bindings.map((b, i) => {
        b.storage.lastUse = this.epoch;
        const offset = b.window.start * 4;
        return { binding: i + 1, resource: { buffer: b.storage.buffer, offset, size: Math.max(4, Math.min(b.window.length * 4, b.storage.bytes - offset)) } };
      }),
    ];
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.commands().beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    pass.end();
  }

  /** Workgroup counts for `count` invocations in groups of `size`, folded into two dimensions. */
  grid(count: number, size = WG): [number, number, number] {
    const groups = Math.ceil(count / size);
    if (groups === 0) return [0, 0, 0];
    const x = Math.min(groups, this.limits.groups);
    const y = Math.ceil(groups / x);
    if (y > this.limits.groups) throw new Error(`webgpu: ${count} invocations exceed one dispatch (planning error)`);
    return [x, y, 1];
  }

  copy(from: Storage, fromOffset: number, to: Storage | GPUBuffer, toOffset: number, bytes: number): void {
    if (bytes === 0) return;
    from.lastUse = this.epoch;
    if (to instanceof Storage) to.lastUse = this.epoch;
    this.commands().copyBufferToBuffer(from.buffer, fromOffset, to instanceof Storage ? to.buffer : to, toOffset, bytes);
  }

  clear(s: Storage, offset: number, bytes: number): void {
    if (bytes === 0) return;
    s.lastUse = this.epoch;
    this.commands().clearBuffer(s.buffer, offset, Math.ceil(bytes / 4) * 4);
  }

  /** Submits what was recorded. */
  flush(): void {
    if (this.encoder === undefined) return;
    if (this.slot > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaWords.buffer, 0, this.slot * SLOT_BYTES);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = undefined;
    this.slot = 0;
    this.epoch++;
    for (const t of this.temps) t.destroy();
    this.temps = [];
  }

  /** Copies `bytes` of a buffer to the host once the queue reaches the copy. */
  async read(s: Storage, bytes: number): Promise<ArrayBuffer> {
    const staging = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: USAGE_MAP_READ | USAGE_COPY_DST });
    try {
      this.copy(s, 0, staging, 0, bytes);
      this.flush();
      await staging.mapAsync(MAP_MODE_READ);
      return staging.getMappedRange(0, bytes).slice(0);
    } finally {
      if (staging.mapState === 'mapped') staging.unmap();
      staging.destroy();
    }
  }

  destroy(): void {
    this.trim(0);
    this.arena.destroy();
    this.pipelines.clear();
  }
}
