// Work split to fit device limits: backends whose binding size (1 KiB = 256 floats) and workgroups
// per dimension (2) are far below the device's, on shapes that overflow them, agree with the CPU
// backend exactly where the result is exact and within the reduction bound elsewhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  add, broadcastTo, compare, concat, exp, gather, matmul, pad, quadric, scatterAdd, slice, sum, transpose, where,
  type Backend, type Tensor,
} from '@quadrix/core';
import { expectNoLeaks } from '@quadrix/core/testing';
import { cpuBackend } from '@quadrix/backend-cpu';
import type { WebGPUBackend } from '../src/index.js';
import { agree, type HostArray } from './compare.js';
import { ownBackend, requireAll, sharedBackend } from './device.js';

const { missing } = await sharedBackend();
const cpu = cpuBackend();

const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.37) * 3);
const host = (shape: number[], seed: number): HostArray => ({ shape, values: values(shape.reduce((a, b) => a * b, 1), seed) });
const dims = (min: number, max: number, rank: number) => fc.array(fc.integer({ min, max }), { minLength: rank, maxLength: rank });

describe('webgpu: work split to fit device limits', { skip: !requireAll && missing !== undefined ? missing : false }, async () => {
  if (missing !== undefined) {
    it('has a device', () => assert.fail(missing));
    return;
  }
  const backends: [string, WebGPUBackend][] = [
    ['1 KiB bindings, 2 workgroups per dimension', await ownBackend({ limits: { maxStorageBufferBindingSize: 1024, maxComputeWorkgroupsPerDimension: 2 } })],
    ['2 workgroups per dimension', await ownBackend({ limits: { maxComputeWorkgroupsPerDimension: 2 } })],
  ];
  for (const [name, gpu] of backends) {
    const prop = <T>(arb: fc.Arbitrary<T>, check: (v: T) => Promise<void>, numRuns = 12) => () =>
      expectNoLeaks(gpu, () => fc.assert(fc.asyncProperty(arb, check), { numRuns }));
    const exact = (inputs: HostArray[], f: (xs: Tensor[]) => Tensor, label: string) =>
      agree(gpu, cpu as Backend, inputs, f, { c: 0, label, cpuDType: 'float32' });

    describe(name, () => {
      it('splits large work into several dispatches', async () => {
        const before = gpu.stats().dispatches;
        await exact([host([40, 50], 1), host([50, 30], 2)], ([a, b]) => matmul(a!, b!), 'matmul').catch(() => undefined);
        assert.ok(gpu.stats().dispatches - before > 1, `one matmul of [40, 50] @ [50, 30] took ${gpu.stats().dispatches - before} dispatch(es)`);
      });

      it('elementwise, broadcasting and layout ops are exact', prop(
        fc.tuple(dims(1, 14, 3), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1000 })),
        async ([shape, axis, seed]) => {
          const x = host(shape, seed);
          const row = host(shape.map((d, j) => (j === axis ? d : 1)), seed + 1);
          await exact([x, row], ([a, b]) => add(a!, b!), 'add (broadcast)');
          await exact([x, row], ([a, b]) => where(compare(a!, b!, 'less'), a!, b!), 'where');
          await exact([x], ([a]) => transpose(a!, [2, 0, 1]), 'transpose');
          await exact([x], ([a]) => slice(a!, shape.map((d) => Math.floor(d / 3)), shape.map((d) => d - Math.floor(d / 3))), 'slice');
          await exact([x, x], ([a, b]) => concat([a!, b!], axis), 'concat');
          await exact([x], ([a]) => pad(a!, [1, 0, 2], [0, 3, 1]), 'pad');
          await exact([row], ([a]) => broadcastTo(a!, [2, ...shape]), 'broadcastTo');
        },
      ));

      it('exp within its bound', prop(fc.tuple(dims(1, 30, 2), fc.integer({ min: 0, max: 1000 })), async ([shape, seed]) => {
        await agree(gpu, cpu, [host(shape, seed)], ([a]) => exp(a!), { c: 6, label: 'exp' });
      }));

      it('sum over any axes within the reduction bound', prop(
        fc.tuple(dims(1, 16, 3), fc.subarray([0, 1, 2]), fc.integer({ min: 0, max: 1000 })),
        async ([shape, axes, seed]) => {
          const k = axes.reduce((n, a) => n * shape[a]!, 1);
          await agree(gpu, cpu, [host(shape, seed)], ([a]) => sum(a!, axes), { k, reduction: true, label: `sum [${axes}]` });
        },
      ));

      it('matmul (batched, broadcast) within the reduction bound', prop(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 })),
        async ([batch, M, K, N, seed]) => {
          await agree(gpu, cpu, [host([batch, M, K], seed), host([K, N], seed + 1)], ([a, b]) => matmul(a!, b!), { k: K, reduction: true, label: 'matmul' });
        },
      ));

      it('quadric within the reduction bound', prop(
        fc.tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 })),
        async ([B, n, m, seed]) => {
          const s = host([m, n, n], seed + 1);
          const sym = { shape: s.shape, values: s.values.map((_, at) => {
            const [i, j, k] = [Math.floor(at / (n * n)), Math.floor(at / n) % n, at % n];
            return (s.values[(i * n + j) * n + k]! + s.values[(i * n + k) * n + j]!) / 2;
          }) };
          await agree(gpu, cpu, [host([B, n], seed), sym, host([m, n], seed + 2), host([m], seed + 3)],
            ([x, S, b, c]) => quadric(x!, S!, b!, c!), { k: 2 * n + 2, reduction: true, label: 'quadric' });
        },
      ));

      it('gather and scatterAdd of tensors larger than one binding', prop(
        fc.tuple(fc.integer({ min: 20, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 1000 })),
        async ([rows, cols, axis, picks, seed]) => {
          const x = host([rows, cols], seed);
          const dim = axis === 0 ? rows : cols;
          const idx = picks.map((p) => p % dim);
          await exact([x], ([a]) => gather(a!, idx, axis), 'gather');
          const to = Array.from({ length: dim }, (_, j) => (j * 7) % 5);
          await agree(gpu, cpu, [x], ([a]) => scatterAdd(a!, to, 5, axis), { k: dim, reduction: true, label: 'scatterAdd' });
        },
      ));
    });
  }
});
