import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { QuadrixError, broadcastShapes, broadcastTo, dataSync, sizeOf, sumTo, tensor, tidy } from '../src/index.js';
import { expectNoLeaks, referenceBackend } from '../src/testing/index.js';

const backend = referenceBackend();

/** NumPy's rule, written independently: pad with leading 1s, then each pair is equal or has a 1. */
const numpyBroadcast = (a: readonly number[], b: readonly number[]): number[] | undefined => {
  const rank = Math.max(a.length, b.length);
  const pa = [...Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...Array<number>(rank - b.length).fill(1), ...b];
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (pa[i] === pb[i] || pb[i] === 1) out.push(pa[i]!);
    else if (pa[i] === 1) out.push(pb[i]!);
    else return undefined;
  }
  return out;
};

const tryBroadcast = (a: readonly number[], b: readonly number[]): number[] | QuadrixError => {
  try {
    return broadcastShapes('test', a, b);
  } catch (e) {
    if (e instanceof QuadrixError) return e;
    throw e;
  }
};

// Dimensions 0..3 make 0, 1 and mismatches all common; the second branch makes compatible pairs common too.
const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });
const pairArb = fc.oneof(
  fc.tuple(shapeArb, shapeArb),
  shapeArb.chain((s) =>
    fc.tuple(
      ...[0, 1].map(() =>
        fc
          .tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
          .map(([drop, ones]) => s.map((d, i) => (ones[i] ? 1 : d)).slice(drop)),
      ),
    ),
  ),
);

describe('broadcastShapes', () => {
  it('agrees with an independent definition of NumPy broadcasting', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const want = numpyBroadcast(a, b);
        const got = tryBroadcast(a, b);
        if (want !== undefined) assert.deepEqual(got, want);
        else assert.ok(got instanceof QuadrixError && got.kind === 'shape', `expected an error for [${a}] and [${b}]`);
      }),
      { numRuns: 500 },
    );
  });

  it('is commutative (result and failure alike)', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const ab = tryBroadcast(a, b);
        const ba = tryBroadcast(b, a);
        if (ab instanceof QuadrixError) assert.ok(ba instanceof QuadrixError);
        else assert.deepEqual(ba, ab);
      }),
      { numRuns: 500 },
    );
  });

  it('throws exactly when an aligned pair differs with neither being 1', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const n = Math.min(a.length, b.length);
        const clash = Array.from({ length: n }, (_, i) => [a[a.length - 1 - i]!, b[b.length - 1 - i]!]).some(
          ([x, y]) => x !== y && x !== 1 && y !== 1,
        );
        assert.equal(tryBroadcast(a, b) instanceof QuadrixError, clash);
      }),
      { numRuns: 500 },
    );
  });
});

describe('sumTo undoes broadcastTo up to the broadcast factor', () => {
  // A target shape s and a shape x that broadcasts to it: leading axes dropped, some axes set to 1.
  const caseArb = shapeArb.chain((s) =>
    fc
      .tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
      .chain(([drop, ones]) => {
        const x = s.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
        // Small integers keep every sum exact in float64, so equality can be strict.
        const values = fc.array(fc.integer({ min: -9, max: 9 }), { minLength: sizeOf(x), maxLength: sizeOf(x) });
        return fc.record({ s: fc.constant(s), x: fc.constant(x), values });
      }),
  );

  it('sumTo(broadcastTo(x, s), x.shape) = x · (number of copies)', async () => {
    await expectNoLeaks(backend, () =>
      fc.assert(
        fc.property(caseArb, ({ s, x, values }) => {
          const lead = s.length - x.length;
          // Each element of x is copied once per index of the new leading axes and of the axes it had as 1.
          const factor = sizeOf(s.slice(0, lead)) * x.reduce((f, d, i) => (d === 1 ? f * s[lead + i]! : f), 1);
          tidy(() => {
            const t = tensor(values, { shape: x, backend, dtype: 'float64' });
            const back = sumTo(broadcastTo(t, s), x);
            assert.deepEqual(back.shape, x);
            // `+ 0` turns the -0 of (negative)·0 into the +0 an empty sum gives.
            assert.deepEqual([...dataSync(back)], values.map((v) => v * factor + 0));
          });
        }),
        { numRuns: 300 },
      ),
    );
  });
});
