import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as E from 'fp-ts/lib/Either.js';
import {
  QuadrixError, add, attempt, concat, dataSync, dispose, gather, matmul, reshape, slice, sum, tensor, tensorE,
  transpose, zeros, type ErrorKind, type NestedNumbers,
} from '../src/index.js';
import { referenceBackend } from '../src/testing/index.js';

const backend = referenceBackend();
const t = (values: NestedNumbers) => tensor(values, { backend, dtype: 'float64' });
const z = (shape: number[]) => zeros(shape, { backend, dtype: 'float64' });

/** `fn` must throw a QuadrixError of `kind` whose message contains every fragment. */
const throwsQuadrix = (fn: () => unknown, kind: ErrorKind, ...fragments: string[]) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof QuadrixError, `expected a QuadrixError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${f}`);
    return true;
  });

describe('invalid use raises a QuadrixError with a kind', () => {
  it('add of non-broadcastable shapes names the op and both shapes', () => {
    throwsQuadrix(() => add(z([2, 3]), z([4])), 'shape', 'add', '[2, 3]', '[4]');
  });

  it('matmul with mismatched inner dimensions names both shapes', () => {
    throwsQuadrix(() => matmul(z([2, 3]), z([4, 5])), 'shape', 'matmul', '[2, 3]', '[4, 5]');
  });

  it('axis out of range for sum, transpose, gather and concat', () => {
    const x = z([2, 3]);
    throwsQuadrix(() => sum(x, 2), 'axis', 'sum', 'rank 2');
    throwsQuadrix(() => sum(x, -3), 'axis', 'sum');
    throwsQuadrix(() => transpose(x, [0, 2]), 'axis', 'transpose');
    // A repeated axis is in range but still not a permutation.
    throwsQuadrix(() => transpose(x, [1, 1]), 'axis', 'transpose');
    throwsQuadrix(() => gather(x, [0], 2), 'axis', 'gather');
    throwsQuadrix(() => concat([x, x], 2), 'axis', 'concat');
  });

  it('reshape to a different number of elements', () => {
    throwsQuadrix(() => reshape(z([2, 3]), [4, 2]), 'shape', 'reshape', '[2, 3]', '[4, 2]');
    throwsQuadrix(() => reshape(z([2, 3]), [4, -1]), 'shape', 'reshape');
  });

  it('slice past the end of an axis', () => {
    throwsQuadrix(() => slice(z([2, 3]), [1, 1], [2, 1]), 'shape', 'slice', '[2, 3]');
    throwsQuadrix(() => slice(z([2, 3]), [0, 4]), 'shape', 'slice');
  });

  it('gather with an index out of range', () => {
    throwsQuadrix(() => gather(z([2, 3]), [0, 3], 1), 'argument', 'gather', 'index 3');
    throwsQuadrix(() => gather(z([2, 3]), [-1]), 'argument', 'gather');
  });

  it('using a disposed tensor', () => {
    const x = t([1, 2]);
    dispose(x);
    throwsQuadrix(() => add(x, 1), 'disposed', 'add');
    throwsQuadrix(() => dataSync(x), 'disposed', 'dataSync');
  });

  it('float32 on a backend that supports only float64', () => {
    throwsQuadrix(() => tensor([1, 2], { backend, dtype: 'float32' }), 'dtype', 'float32', 'reference');
  });

  it('inputs from two backends', () => {
    const other = tensor([1], { backend: referenceBackend(), dtype: 'float64' });
    throwsQuadrix(() => add(t([1]), other), 'backend', 'add');
  });

  it('ragged nested arrays', () => {
    throwsQuadrix(() => t([[1, 2], [3]]), 'shape', 'ragged');
    throwsQuadrix(() => t([[1, 2], 3]), 'shape', 'ragged');
    throwsQuadrix(() => t([1, [2]]), 'shape', 'ragged');
  });
});

describe('Either entry points', () => {
  it('tensorE returns Right for valid input and Left carrying the error otherwise', () => {
    const ok = tensorE([[1, 2], [3, 4]], { backend, dtype: 'float64' });
    assert.ok(E.isRight(ok));
    assert.deepEqual(ok.right.shape, [2, 2]);
    const bad = tensorE([[1, 2], [3]], { backend, dtype: 'float64' });
    assert.ok(E.isLeft(bad));
    assert.ok(bad.left instanceof QuadrixError);
    assert.equal(bad.left.kind, 'shape');
  });

  it('attempt catches QuadrixErrors only; other exceptions are bugs and propagate', () => {
    assert.deepEqual(attempt(() => 42), E.right(42));
    const left = attempt(() => add(z([2]), z([3])));
    assert.ok(E.isLeft(left));
    assert.equal(left.left.kind, 'shape');
    assert.throws(() => attempt(() => { throw new RangeError('not ours'); }), RangeError);
  });
});
