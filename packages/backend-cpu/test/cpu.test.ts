import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QuadrixError, add, cast, dataSync, dispose, grad, matmul, mul, normalValues, randomKey, reshape, sizeOf, sum,
  tensor, tidy, uniform, type Backend, type Shape, type Tensor,
} from '@quadrix/core';
import { expectNoLeaks, referenceBackend } from '@quadrix/core/testing';
import { cpuBackend, type CpuHandle } from '../src/index.js';

const backend = cpuBackend();
const f64 = (values: ArrayLike<number>, shape: Shape, on: Backend = backend) =>
  tensor(values, { shape, backend: on, dtype: 'float64' });
const noLeaks = async (fn: () => void): Promise<void> => expectNoLeaks(backend, fn);
const norm = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! ** 2;
  return Math.sqrt(s);
};

describe('cpu backend', () => {
  it('rejects mixing float32 and float64, naming both dtypes', () =>
    noLeaks(() => {
      const a = tensor([1, 2], { backend, dtype: 'float32' });
      const b = f64([1, 2], [2]);
      assert.throws(
        () => add(a, b),
        (e: unknown) =>
          e instanceof QuadrixError && e.kind === 'dtype' && ['add', 'float32', 'float64'].every((s) => e.message.includes(s)),
      );
      dispose([a, b]);
    }));

  // Shapes past the kernel's 64×128×64 blocks (with ragged last blocks), and broadcast batch axes.
  for (const [sa, sb] of [
    [[130, 260], [260, 70]],
    [[3, 1, 65, 129], [2, 129, 66]],
  ] as const) {
    it(`matmul ${JSON.stringify(sa)} @ ${JSON.stringify(sb)} agrees with the reference backend`, () =>
      noLeaks(() => {
        const oracle = referenceBackend();
        const va = normalValues(randomKey(1), sizeOf(sa));
        const vb = normalValues(randomKey(2), sizeOf(sb));
        const got = tidy(() => dataSync(matmul(f64(va, sa), f64(vb, sb))));
        const want = tidy(() => dataSync(matmul(f64(va, sa, oracle), f64(vb, sb, oracle))));
        assert.equal(oracle.liveTensors(), 0);
        assert.equal(got.length, want.length);
        // Normwise: ‖got − want‖ ≤ 1e-12 ‖want‖ (both float64; only the summation order may differ).
        const relative = norm(Float64Array.from(got, (g, i) => g - want[i]!)) / norm(want);
        assert.ok(relative <= 1e-12, `relative error ${relative}`);
      }));
  }

  it('cast to float32 rounds each value like Math.fround, and the gradient flows back through it', () =>
    noLeaks(() => {
      const values = [0.1, 1 / 3, -2.5, 1e-50, 1e40, 16777217];
      const x = f64(values, [values.length]);
      const y = cast(x, 'float32');
      assert.equal(y.dtype, 'float32');
      assert.deepEqual([...dataSync(y)], values.map(Math.fround));
      // d/dx Σ fround(x)² = 2·fround(x), computed in float32 and cast back to float64.
      const small = f64([0.1, 1 / 3, -2.5], [3]);
      const g = grad((z: Tensor) => sum(mul(cast(z, 'float32'), cast(z, 'float32'))))(small);
      assert.equal(g.dtype, 'float64');
      assert.deepEqual([...dataSync(g)], [0.1, 1 / 3, -2.5].map((v) => 2 * Math.fround(v)));
      dispose([x, y, small, g]);
    }));

  it('dataSync returns a copy: mutating it leaves the tensor unchanged', () =>
    noLeaks(() => {
      const x = f64([1, 2, 3], [3]);
      const read = dataSync(x);
      read[0] = 99;
      assert.deepEqual([...dataSync(x)], [1, 2, 3]);
      dispose(x);
    }));

  it('reshape shares storage, yet each tensor is released on its own', () =>
    noLeaks(() => {
      const start = backend.liveTensors();
      const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
      const r = reshape(x, [3, 2]);
      assert.equal((r.handle as CpuHandle).values, (x.handle as CpuHandle).values);
      assert.equal(backend.liveTensors() - start, 2);
      dispose(r);
      assert.equal(backend.liveTensors() - start, 1);
      // The original still reads its values after the view that shared them is gone.
      assert.deepEqual([...dataSync(x)], [1, 2, 3, 4, 5, 6]);
      dispose(x);
    }));

  it(
    'float32 uniform stays below high',
    () =>
      noLeaks(() => {
        // With this key, draw 144678 is 0.99999998662…, whose nearest float32 is 1.
        const u = uniform(randomKey(62), [144679], { backend, dtype: 'float32' });
        const v = dataSync(u);
        dispose(u);
        assert.equal(v.findIndex((x) => !(x >= 0 && x < 1)), -1);
      }),
  );
});
