import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QuadrixError, add, dataSync, dispose, grad, matmul, mean, mul, normalValues, randomKey, scalar, square, sub, sum,
  tensor, valueAndGrad, type NestedNumbers, type Tensor,
} from '../src/index.js';
import { expectNoLeaks, referenceBackend } from '../src/testing/index.js';

const backend = referenceBackend();
const t = (values: NestedNumbers) => tensor(values, { backend, dtype: 'float64' });
const values = (x: Tensor) => [...dataSync(x)];

/**
 * Runs `body` on fresh float64 inputs, asserting that nothing outlives it: neither the inputs and
 * results (which `body` hands back for disposal) nor anything grad made along the way.
 */
const leakFree = (body: () => unknown) => expectNoLeaks(backend, () => dispose(body()));

describe('grad and valueAndGrad', () => {
  it('return gradients in the structure of a record', () =>
    leakFree(() => {
      const p = { w: t([1, 2]), b: t(3) };
      const g = grad(({ w, b }: typeof p) => sum(add(mul(w, w), b)))(p);
      assert.deepEqual(Object.keys(g).sort(), ['b', 'w']);
      assert.deepEqual(values(g.w), [2, 4]);
      // b is broadcast to both elements of w, so its cotangent sums to 2.
      assert.deepEqual(g.b.shape, []);
      assert.deepEqual(values(g.b), [2]);
      return [p, g];
    }));

  it('return gradients in the structure of an array', () =>
    leakFree(() => {
      const p = [t([1, 2]), t([3, 4])] as const;
      const { value, grads } = valueAndGrad(([a, b]: typeof p) => sum(mul(a, b)))(p);
      assert.deepEqual(values(value), [11]);
      assert.ok(Array.isArray(grads));
      assert.deepEqual(grads.map(values), [[3, 4], [1, 2]]);
      return [p, value, grads];
    }));

  it('return gradients in the structure of a nested tree, with zeros for an unused parameter', () =>
    leakFree(() => {
      const p = { layers: [{ w: t([[1, 2]]), b: t([1]) }], unused: t([[5, 6], [7, 8]]) };
      const g = grad((q: typeof p) => sum(add(matmul(q.layers[0]!.w, t([[1], [1]])), q.layers[0]!.b)))(p);
      assert.equal(g.layers.length, 1);
      assert.deepEqual(values(g.layers[0]!.w), [1, 1]);
      assert.deepEqual(values(g.layers[0]!.b), [1]);
      assert.deepEqual(g.unused.shape, [2, 2]);
      assert.deepEqual(values(g.unused), [0, 0, 0, 0]);
      return [p, g];
    }));

  it('reject a function returning more than one element with a shape error', () =>
    leakFree(() => {
      const x = t([1, 2]);
      assert.throws(
        () => grad((y: Tensor) => mul(y, y))(x),
        (e: unknown) => e instanceof QuadrixError && e.kind === 'shape' && e.message.includes('[2]'),
      );
      return x;
    }));

  it('differentiate the identity, leaving the input alive', () =>
    leakFree(() => {
      const x = scalar(3, { backend, dtype: 'float64' });
      const g = grad((y: Tensor) => y)(x);
      assert.deepEqual(values(g), [1]);
      assert.equal(x.isDisposed, false);
      return [x, g];
    }));

  it('leave alone a tensor the function returns without having made it', () =>
    leakFree(() => {
      const x = t(2);
      const constant = t(5);
      const g = grad((_: Tensor) => constant)(x);
      assert.deepEqual(values(g), [0]);
      assert.equal(constant.isDisposed, false);
      return [x, constant, g];
    }));

  it('differentiate a gradient: d/dx Σ ∂(Σ y³)/∂y at x is 6x', () =>
    leakFree(() => {
      const x = t([1, -2, 0.5]);
      const inner = grad((y: Tensor) => sum(mul(mul(y, y), y)));
      const h = grad((z: Tensor) => sum(inner(z)))(x);
      assert.deepEqual(values(h), [6, -12, 3]);
      return [x, h];
    }));

  it('match the closed form 2Xᵀ(Xw − y)/n of the least-squares gradient', () =>
    leakFree(() => {
      const [n, d] = [20, 3];
      const xs = normalValues(randomKey(1), n * d);
      const ys = normalValues(randomKey(2), n);
      const ws = [0.5, -1, 2];
      const X = tensor(xs, { shape: [n, d], backend, dtype: 'float64' });
      const y = t([...ys]);
      const w = t(ws);
      const g = grad((v: Tensor) => mean(square(sub(matmul(X, v), y))))(w);
      // The closed form, on the host.
      const r = Array.from({ length: n }, (_, i) => ws.reduce((s, wj, j) => s + xs[i * d + j]! * wj, 0) - ys[i]!);
      const want = ws.map((_, j) => (2 / n) * r.reduce((s, ri, i) => s + xs[i * d + j]! * ri, 0));
      const got = values(g);
      const scale = Math.hypot(...want);
      assert.ok(Math.hypot(...got.map((v, j) => v - want[j]!)) <= 1e-13 * scale, `${got} vs ${want}`);
      return [X, y, w, g];
    }));
});
