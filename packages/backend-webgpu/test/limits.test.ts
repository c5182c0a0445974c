// The size class, n = 512, m = 300, B = 1024, far beyond what SwiftShader computes in a
// test: a full training step (loss, gradients) and scoring are driven through the backend on a
// device that validates every call and computes nothing. Every buffer, binding and dispatch must
// fit the limits of a device with WebGPU's default binding size (128 MiB) and 65535 workgroups.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { broadcastTo, data, dispose, scope, tensor, valueAndGrad } from '@quadrix/core';
import { loss, score, type QuadricParams } from '@quadrix/models';
import { webgpuBackend } from '../src/index.js';
import { fakeDevice } from './fake-device.js';

describe('webgpu: n = 512, m = 300, B = 1024 within device limits', () => {
  const limits = { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 27, maxComputeWorkgroupsPerDimension: 65535 };

  it('a training step and scoring stay within every limit', async () => {
    const { device, record } = fakeDevice(limits);
    const backend = webgpuBackend({ device });
    const [n, m, B] = [512, 300, 1024];
    await scope(async () => {
      const o = { backend, dtype: 'float32' as const };
      const p: QuadricParams = {
        quadratic: broadcastTo(tensor([0.01], o), [m, n, n]),
        linear: broadcastTo(tensor([0.1], o), [m, n]),
        free: broadcastTo(tensor([0.5], o), [m]),
      };
      const x = broadcastTo(tensor([0.2], o), [B, n]);
      const { value, grads } = valueAndGrad((q: QuadricParams) => loss(q, x, { distance: 'dist2', lambda: 1 }))(p);
      await data(value);
      await data(grads.free);
      await data(score(p, x, 'dist2'));
      dispose([grads]);
    });
    assert.deepEqual(record.violations, []);
    // The step really went past one binding: the [m, B, n] products of the VJP are 629 MB.
    assert.ok(record.largestBuffer > limits.maxStorageBufferBindingSize * 4, `largest buffer ${record.largestBuffer}`);
    assert.ok(record.largestBinding <= limits.maxStorageBufferBindingSize);
    assert.ok(record.dispatches > 100, `${record.dispatches} dispatches`);
    assert.equal(backend.liveTensors(), 0);
    console.log(`# n=512 m=300 B=1024 step+score: ${record.dispatches} dispatches, largest buffer ${(record.largestBuffer / 2 ** 20).toFixed(0)} MiB, largest binding ${(record.largestBinding / 2 ** 20).toFixed(0)} MiB, largest dispatch dimension ${record.largestGroups}`);
  });

  it('a tensor beyond maxBufferSize is a clear error', async () => {
    const { device } = fakeDevice({ ...limits, maxBufferSize: 2 ** 28 });
    const backend = webgpuBackend({ device });
    const o = { backend, dtype: 'float32' as const };
    await scope(async () => {
      assert.throws(() => broadcastTo(tensor([1], o), [300, 512, 512]), /exceeds this device's maxBufferSize/);
    });
    assert.equal(backend.liveTensors(), 0);
  });
});
