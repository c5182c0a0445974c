import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  add, data, dataSync, dispose, exp, grad, keep, mul, scope, sum, tensor, tidy, type NestedNumbers, type Tensor,
} from '../src/index.js';
import { expectNoLeaks, referenceBackend } from '../src/testing/index.js';

const backend = referenceBackend();
const t = (values: NestedNumbers) => tensor(values, { backend, dtype: 'float64' });
const live = () => backend.liveTensors();

describe('tidy and scope', () => {
  it('tidy disposes intermediates and keeps the returned tree of arrays and records', () => {
    const start = live();
    const made: Tensor[] = [];
    const out = tidy(() => {
      const x = t([1, 2]);
      made.push(mul(x, 3));
      return { a: add(made[0]!, 1), rest: [x, { b: exp(x) }] as const };
    });
    assert.equal(made[0]!.isDisposed, true);
    assert.deepEqual([...dataSync(out.a)], [4, 7]);
    assert.equal(out.rest[1].b.isDisposed, false);
    assert.equal(live() - start, 3);
    dispose(out);
    assert.equal(live(), start);
  });

  it('a nested tidy hands its result to the enclosing scope, which disposes it unless returned', () => {
    const start = live();
    const inner: Tensor[] = [];
    const out = tidy(() => {
      inner.push(tidy(() => add(t([1]), 1)));
      assert.equal(inner[0]!.isDisposed, false);
      return mul(inner[0]!, 2);
    });
    assert.equal(inner[0]!.isDisposed, true);
    assert.deepEqual([...dataSync(out)], [4]);
    dispose(out);
    assert.equal(live(), start);
  });

  it('keep exempts a tensor from its scope; the caller disposes it', () => {
    const start = live();
    const made: Tensor[] = [];
    tidy(() => {
      made.push(keep(t([5])), t([6]));
    });
    const [kept, dropped] = made as [Tensor, Tensor];
    assert.equal(dropped.isDisposed, true);
    assert.deepEqual([...dataSync(kept)], [5]);
    assert.equal(live() - start, 1);
    dispose(kept);
    assert.equal(live(), start);
  });

  it('scope disposes tensors made on either side of an await, except its result', async () => {
    const start = live();
    const made: Tensor[] = [];
    const out = await scope(async () => {
      const before = t([1, 2]);
      const values = await data(before);
      const after = t([...values].map((v) => v * 10));
      made.push(before, after);
      return add(after, 1);
    });
    assert.deepEqual(made.map((m) => m.isDisposed), [true, true]);
    assert.deepEqual([...dataSync(out)], [11, 21]);
    dispose(out);
    assert.equal(live(), start);
  });

  it('a throwing function still has its tensors disposed', async () => {
    const start = live();
    const failing = () => {
      add(t([1]), t([2]));
      throw new Error('boom');
    };
    assert.throws(() => tidy(failing), /boom/);
    assert.equal(live(), start);
    await assert.rejects(scope(async () => {
      await Promise.resolve();
      failing();
    }), /boom/);
    assert.equal(live(), start);
  });
});

describe('dispose and expectNoLeaks', () => {
  it('dispose releases every tensor in a record, once', () => {
    const start = live();
    const tree = { a: t([1]), b: [t([2]), { c: t([3]) }] as const };
    assert.equal(live() - start, 3);
    dispose(tree);
    assert.equal(live(), start);
    assert.ok(tree.a.isDisposed && tree.b[0].isDisposed && tree.b[1].c.isDisposed);
    // A second dispose must not release the storage again (the count would go below start).
    dispose(tree);
    assert.equal(live(), start);
  });

  it('expectNoLeaks rejects on a leak and resolves with the result otherwise', async () => {
    const leaked: Tensor[] = [];
    await assert.rejects(expectNoLeaks(backend, () => { leaked.push(t([1])); }), /tensor leak/);
    dispose(leaked);
    assert.equal(await expectNoLeaks(backend, () => tidy(() => { t([1]); return 7; })), 7);
  });
});

describe('disposal deferred while a gradient tape needs the tensor', () => {
  it('a tidy inside a differentiated function keeps the gradient right and leaks nothing', async () => {
    const x = t([0, 1, -2]);
    await expectNoLeaks(backend, () => {
      // The tidy disposes exp(x) and the scalar 2, both of which the backward pass reads.
      const g = grad((z: Tensor) => sum(tidy(() => mul(exp(z), 2))))(x);
      // d/dz 2·exp(z) = exp(z)·2, computed with the same roundings, so exactly.
      assert.deepEqual([...dataSync(g)], [0, 1, -2].map((v) => Math.exp(v) * 2));
      dispose(g);
    });
    dispose(x);
  });
});
