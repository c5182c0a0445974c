/// <reference types="@webgpu/types" />
// A GPUDevice that runs nothing but validates every call against its limits the way WebGPU does
// (buffer sizes, binding sizes and alignment, workgroups per dimension, copy ranges, destroyed
// buffers at submit). It lets a test drive the backend through shapes far too large to compute here.

export interface FakeLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

export interface FakeRecord {
  dispatches: number;
  largestBinding: number;
  largestBuffer: number;
  largestGroups: number;
  readonly violations: string[];
}

export const fakeDevice = (limits: FakeLimits): { device: GPUDevice; record: FakeRecord } => {
  const record: FakeRecord = { dispatches: 0, largestBinding: 0, largestBuffer: 0, largestGroups: 0, violations: [] };
  const fail = (what: string): void => {
    if (record.violations.length < 20) record.violations.push(what);
  };
  interface FakeBuffer { size: number; destroyed: boolean; mapped?: ArrayBuffer; label?: string }
  const makeBuffer = (d: GPUBufferDescriptor) => {
    if (d.size > limits.maxBufferSize) fail(`createBuffer of ${d.size} bytes > maxBufferSize`);
    record.largestBuffer = Math.max(record.largestBuffer, d.size);
    const b: FakeBuffer & Record<string, unknown> = {
      size: d.size,
      destroyed: false,
      mapState: d.mappedAtCreation ? 'mapped' : 'unmapped',
      destroy() { b.destroyed = true; },
      getMappedRange(offset = 0, size?: number) { return (b.mapped ??= new ArrayBuffer(b.size)).slice(offset, size === undefined ? undefined : offset + size); },
      unmap() { b.mapState = 'unmapped'; },
      async mapAsync() { b.mapState = 'mapped'; },
    };
    if (d.mappedAtCreation) {
      // The runtime writes into the mapped range; hand it the same ArrayBuffer.
      b.mapped = new ArrayBuffer(d.size);
      b.getMappedRange = () => b.mapped!;
    }
    return b;
  };
  const used = (list: FakeBuffer[], b: unknown) => list.push(b as FakeBuffer);
  const device = {
    limits: { ...limits, minStorageBufferOffsetAlignment: 256, maxUniformBufferBindingSize: 65536 },
    lost: new Promise(() => undefined),
    addEventListener() {},
    destroy() {},
    createBuffer: makeBuffer,
    createShaderModule: () => ({}),
    createComputePipeline: () => ({ getBindGroupLayout: () => ({}) }),
    createBindGroup(d: GPUBindGroupDescriptor) {
      const buffers: FakeBuffer[] = [];
      for (const e of d.entries as GPUBindGroupEntry[]) {
        const r = e.resource as GPUBufferBinding;
        const b = r.buffer as unknown as FakeBuffer;
        const offset = r.offset ?? 0;
        const size = r.size ?? b.size - offset;
        if (e.binding > 0) {
          record.largestBinding = Math.max(record.largestBinding, size);
          if (size > limits.maxStorageBufferBindingSize) fail(`binding ${e.binding} of ${size} bytes > maxStorageBufferBindingSize`);
          if (offset % 256 !== 0) fail(`binding ${e.binding} at offset ${offset}, not a multiple of 256`);
        }
        if (size % 4 !== 0 || size === 0) fail(`binding ${e.binding} of ${size} bytes`);
        if (offset + size > b.size) fail(`binding ${e.binding} [${offset}, ${offset + size}) past the buffer's ${b.size} bytes`);
        buffers.push(b);
      }
      return { buffers };
    },
    createCommandEncoder() {
      const touched: FakeBuffer[] = [];
      return {
        beginComputePass: () => ({
          setPipeline() {},
          setBindGroup(_: number, g: { buffers: FakeBuffer[] }) { touched.push(...g.buffers); },
          dispatchWorkgroups(x: number, y = 1, z = 1) {
            record.dispatches++;
            record.largestGroups = Math.max(record.largestGroups, x, y, z);
            if (Math.max(x, y, z) > limits.maxComputeWorkgroupsPerDimension) fail(`dispatch (${x}, ${y}, ${z}) > maxComputeWorkgroupsPerDimension`);
          },
          end() {},
        }),
        copyBufferToBuffer(from: FakeBuffer, fo: number, to: FakeBuffer, tOff: number, size: number) {
          if (fo + size > from.size || tOff + size > to.size || size % 4 !== 0) fail(`copy of ${size} bytes out of range`);
          used(touched, from);
          used(touched, to);
        },
        clearBuffer(b: FakeBuffer, offset = 0, size = b.size - offset) {
          if (offset + size > b.size || size % 4 !== 0) fail(`clear of ${size} bytes out of range`);
          used(touched, b);
        },
        finish: () => ({ touched }),
      };
    },
    queue: {
      writeBuffer(b: FakeBuffer, offset: number, _data: ArrayBuffer, _o: number, size: number) {
        if (offset + size > b.size) fail(`writeBuffer of ${size} bytes past the buffer`);
      },
      submit(cbs: { touched: FakeBuffer[] }[]) {
        for (const cb of cbs) if (cb.touched.some((b) => b.destroyed)) fail('submit uses a destroyed buffer');
      },
      async onSubmittedWorkDone() {},
    },
  };
  return { device: device as unknown as GPUDevice, record };
};
