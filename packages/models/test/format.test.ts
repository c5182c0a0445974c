import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DType } from '@quadrix/core';
import { parseCheckpoint, parseModel, serializeCheckpoint, serializeModel, type Checkpoint, type ModelFile } from '../src/index.js';

const modelArb = (dtype: DType) =>
  fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: Math.min(3, (n * (n + 1)) / 2) }))).chain(([n, m]) => {
    const floats = (len: number) =>
      fc.array(dtype === 'float32' ? fc.float({ noNaN: true, noDefaultInfinity: true }) : fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: len, maxLength: len });
    return fc.tuple(floats(m * n * n), floats(m * n), floats(m)).map(([q, l, f]): ModelFile => {
      const arr = (v: number[]) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v));
      return { n, m, distance: 'dist2_full', dtype, params: { n, m, quadratic: arr(q), linear: arr(l), free: arr(f) }, training: { lr: 0.1, optimizer: 'sgd' } };
    });
  });

describe('model file', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: serialise → parse is the identity, bit for bit (-0 included)`, () =>
      fc.assert(
        fc.property(modelArb(dtype), (model) => {
          const back = parseModel(serializeModel(model));
          assert.equal(back.dtype, dtype);
          assert.deepEqual({ ...back, params: undefined }, { ...model, params: undefined });
          for (const k of ['quadratic', 'linear', 'free'] as const) {
            assert.ok(back.params[k] instanceof (dtype === 'float32' ? Float32Array : Float64Array));
            assert.deepEqual([...back.params[k]].map((v) => Object.is(v, -0) ? '-0' : v), [...model.params[k]].map((v) => Object.is(v, -0) ? '-0' : v));
          }
        }),
      ));
  }

  it('names what is wrong in a bad file', () => {
    const good = JSON.parse(serializeModel({ n: 2, m: 1, distance: 'dist2', dtype: 'float32', params: { n: 2, m: 1, quadratic: new Float32Array(4), linear: new Float32Array(2), free: new Float32Array(1) } }));
    const bad = (patch: object) => JSON.stringify({ ...good, ...patch });
    assert.throws(() => parseModel('{'), /not JSON/);
    assert.throws(() => parseModel(bad({ format: 'other' })), /format is "other"/);
    assert.throws(() => parseModel(bad({ version: 2 })), /version 2 is not supported/);
    assert.throws(() => parseModel(bad({ distance: 'dist9' })), /unknown distance "dist9"/);
    assert.throws(() => parseModel(bad({ m: 0 })), /number of quadrics m must be a positive integer/);
    assert.throws(() => parseModel(bad({ n: 3 })), /parameters.quadratic holds 4 float32 values, expected 9/);
    const nan = new Float32Array([0, Number.NaN, 0, 0]);
    const withNan = serializeModel({ n: 2, m: 1, distance: 'dist2', dtype: 'float32', params: { n: 2, m: 1, quadratic: nan, linear: new Float32Array(2), free: new Float32Array(1) } });
    assert.throws(() => parseModel(withNan), /parameters.quadratic\[1\] is NaN/);
  });

  it('checkpoints round-trip exactly, Adam moments included', () => {
    const c: Checkpoint = {
      epoch: 3,
      step: 12,
      params: { n: 2, m: 1, quadratic: Float32Array.of(1, 0.5, 0.5, -1), linear: Float32Array.of(0.25, 1e-30), free: Float32Array.of(-0) },
      optimizer: { name: 'adam', t: 12, moments: { quadratic: [new Float32Array(4).fill(0.1), new Float32Array(4).fill(1e-8)], linear: [Float32Array.of(1, 2), Float32Array.of(3, 4)], free: [Float32Array.of(5), Float32Array.of(6)] } },
      history: [{ epoch: 1, loss: 0.5, stiefelError: 0.01 }],
      best: { epoch: 2, validationLoss: 0.4, params: { n: 2, m: 1, quadratic: Float32Array.of(1, 0, 0, 1), linear: Float32Array.of(0, 0), free: Float32Array.of(2) } },
    };
    const back = parseCheckpoint(serializeCheckpoint(c));
    assert.deepEqual(back, c);
    assert.throws(() => parseCheckpoint('{"format":"quadrix.quadrics"}'), /not a quadrix.checkpoint version 1 file/);
  });
});
