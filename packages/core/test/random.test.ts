import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QuadrixError, dataSync, dispose, normal, normalValues, orthonormal, orthonormalValues, permutation, randomKey,
  splitKey, uniform, uniformValues,
} from '../src/index.js';
import { expectNoLeaks, referenceBackend } from '../src/testing/index.js';

const isKind = (kind: string) => (e: unknown) => e instanceof QuadrixError && e.kind === kind;

describe('keys', () => {
  it('the same key gives bit-identical values; different keys differ', () => {
    const k = randomKey(42);
    const u = uniformValues(k, 100);
    assert.deepEqual(uniformValues(randomKey(42), 100), u);
    assert.deepEqual(normalValues(k, 100), normalValues(randomKey(42), 100));
    const other = uniformValues(randomKey(43), 100);
    assert.ok(other.every((v, i) => v !== u[i]));
  });

  it('seeds beyond 32 bits still give distinct keys', () => {
    assert.notDeepEqual(randomKey(2 ** 32), randomKey(0));
    assert.notDeepEqual(uniformValues(randomKey(2 ** 32), 4), uniformValues(randomKey(0), 4));
  });

  it('splitKey is deterministic and gives distinct keys, distinct from the parent', () => {
    const k = randomKey(7);
    const keys = splitKey(k, 8);
    assert.equal(keys.length, 8);
    assert.deepEqual(splitKey(randomKey(7), 8), keys);
    const all = [k, ...keys].map((key) => key.join(','));
    assert.equal(new Set(all).size, all.length);
    // Streams from the children must differ too, not only the key words.
    const firsts = keys.map((key) => uniformValues(key, 1)[0]);
    assert.equal(new Set(firsts).size, keys.length);
  });

  it('randomKey rejects negative, non-integer and unsafe seeds', () => {
    for (const seed of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => randomKey(seed), isKind('argument'), `seed ${seed}`);
  });
});

describe('distributions', () => {
  it('uniform values lie in [low, high)', () => {
    const v = uniformValues(randomKey(1), 10000, -2, 3);
    assert.ok(v.every((x) => x >= -2 && x < 3));
    // ...and fill the interval rather than a corner of it.
    assert.ok(Math.min(...v) < -1.99 && Math.max(...v) > 2.99);
  });

  it('20000 normal draws have mean ≈ 0 and variance ≈ 1', () => {
    const v = normalValues(randomKey(3), 20000);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1);
    assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  });

  it('permutation is a permutation of 0..n-1 that actually moves elements', () => {
    const p = permutation(randomKey(5), 1000);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    assert.ok(p.some((v, i) => v !== i));
  });

  it('orthonormalValues has QᵀQ = I to within 1e-12', () => {
    const [rows, cols] = [50, 10];
    const q = orthonormalValues(randomKey(9), rows, cols);
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) {
        let d = 0;
        for (let r = 0; r < rows; r++) d += q[r * cols + i]! * q[r * cols + j]!;
        assert.ok(Math.abs(d - (i === j ? 1 : 0)) <= 1e-12, `(QᵀQ)[${i}, ${j}] = ${d}`);
      }
    }
  });

  it('orthonormal with more columns than rows is a shape error', () => {
    assert.throws(() => orthonormalValues(randomKey(9), 3, 4), isKind('shape'));
    assert.throws(() => orthonormal(randomKey(9), 3, 4, { backend: referenceBackend(), dtype: 'float64' }), isKind('shape'));
  });
});

describe('random tensors', () => {
  it('the same key gives identical tensors on two backend instances', async () => {
    const [a, b] = [referenceBackend(), referenceBackend()];
    const key = randomKey(11);
    await expectNoLeaks(a, () =>
      expectNoLeaks(b, () => {
        const ta = normal(key, [3, 4], { backend: a, dtype: 'float64', mean: 1, std: 2 });
        const tb = normal(key, [3, 4], { backend: b, dtype: 'float64', mean: 1, std: 2 });
        assert.deepEqual(dataSync(ta), dataSync(tb));
        // The tensor holds exactly the host sampler's values, shifted and scaled.
        assert.deepEqual([...dataSync(ta)], [...normalValues(key, 12)].map((v) => 1 + 2 * v));
        const ua = uniform(key, [5], { backend: a, dtype: 'float64', low: 2, high: 4 });
        assert.deepEqual([...dataSync(ua)], [...uniformValues(key, 5, 2, 4)]);
        dispose([ta, tb, ua]);
      }),
    );
  });
});
