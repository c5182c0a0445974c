import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { encodeNpy, parseNpy, type NpyArray, type NumericDtype } from '../src/index.js';
import { assertSameArray, bytesOf, handNpy } from './helpers.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

const roundTrip = (a: NpyArray) => {
  const bytes = encodeNpy(a);
  assertSameArray(parseNpy(bytes), a);
  return bytes;
};

/** The header text of an encoded file (between the length field and the data). */
const headerOf = (bytes: Uint8Array) => {
  const length = bytes[8]! + 256 * bytes[9]!;
  return String.fromCharCode(...bytes.subarray(10, 10 + length));
};

describe('encodeNpy → parseNpy round-trips', () => {
  it('every dtype, with 0-d, 1-d, empty [0, 5] and 3-d shapes', () => {
    const cases: NpyArray[] = [
      { dtype: '<f4', shape: [], data: new Float32Array([-1.5]) },
      { dtype: '<f4', shape: [3], data: new Float32Array([0, -0, 3.25]) },
      { dtype: '<f4', shape: [0, 5], data: new Float32Array(0) },
      { dtype: '<f4', shape: [2, 3, 2], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) },
      { dtype: '<f8', shape: [], data: new Float64Array([Math.PI]) },
      { dtype: '<f8', shape: [4], data: new Float64Array([NaN, Infinity, -Infinity, 5e-324]) },
      { dtype: '<f8', shape: [0, 5], data: new Float64Array(0) },
      { dtype: '<f8', shape: [2, 2, 2], data: Float64Array.from({ length: 8 }, (_, i) => -i * 1e300) },
      { dtype: '<i4', shape: [], data: new Int32Array([-7]) },
      { dtype: '<i4', shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
      { dtype: '<i4', shape: [0, 5], data: new Int32Array(0) },
      { dtype: '<i4', shape: [1, 3, 2], data: Int32Array.from({ length: 6 }, (_, i) => i * i) },
      { dtype: '<i8', shape: [], data: new BigInt64Array([-(2n ** 63n)]) },
      { dtype: '<i8', shape: [3], data: new BigInt64Array([2n ** 63n - 1n, 0n, 2n ** 53n + 1n]) },
      { dtype: '<i8', shape: [0, 5], data: new BigInt64Array(0) },
      { dtype: '<i8', shape: [2, 1, 2], data: new BigInt64Array([1n, -2n, 3n, -4n]) },
      { dtype: '<U', itemChars: 5, shape: [], data: ['héllo'] },
      { dtype: '<U', itemChars: 4, shape: [4], data: ['', 'a\0b', '🙂🙃', 'abcd'] },
      { dtype: '<U', itemChars: 3, shape: [0, 5], data: [] },
      { dtype: '<U', itemChars: 2, shape: [2, 1, 2], data: ['a', 'bc', '李', 'Zë'] },
    ];
    for (const a of cases) roundTrip(a);
  });

  it('writes a version 1.0 header ending in a newline, data starting at a multiple of 64', () => {
    for (const shape of [[], [7], [1009, 512], [0, 5], [2, 3, 4, 5, 6, 7, 8, 9, 10]]) {
      const n = shape.reduce((p, d) => p * d, 1);
      const bytes = encodeNpy({ dtype: '<f4', shape, data: new Float32Array(n) });
      assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      const header = headerOf(bytes);
      const dataOffset = 10 + header.length;
      assert.equal(dataOffset % 64, 0, `data offset ${dataOffset} for shape [${shape}]`);
      assert.equal(bytes.length, dataOffset + 4 * n);
      assert.ok(header.endsWith('\n'));
      assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \([\d, ]*\), \} *\n$/);
    }
  });

  it('writes shapes as Python tuples: (), (7,), (2, 3)', () => {
    const f = (shape: number[]) => headerOf(encodeNpy({ dtype: '<i4', shape, data: new Int32Array(shape.reduce((p, d) => p * d, 1)) }));
    assert.ok(f([]).includes("'shape': (), }"));
    assert.ok(f([7]).includes("'shape': (7,), }"));
    assert.ok(f([2, 3]).includes("'shape': (2, 3), }"));
  });

  it('writes byte for byte what numpy.save writes (every member of a numpy.savez archive)', () => {
    const members = unzipSync(fixture('numpy-stored.npz'));
    assert.equal(Object.keys(members).length, 7);
    for (const [name, bytes] of Object.entries(members)) {
      assert.deepEqual(encodeNpy(parseNpy(bytes, name)), bytes, name);
    }
  });

  it("leaves NumPy's spare room for the first axis to grow, so the data offset matches NumPy's", () => {
    // numpy.save puts 21 - len(str(shape[0])) spaces after the dict: the header length does not depend
    // on the first axis, and it passes 128 bytes at the same rank as NumPy's (values from NumPy 2.4).
    for (let k = 0; k <= 15; k++) {
      for (const [ones, expected] of [[12, 128], [13, 192]] as const) {
        const shape = [10 ** k, 0, ...new Array<number>(ones).fill(1)];
        const bytes = encodeNpy({ dtype: '<f4', shape, data: new Float32Array(0) });
        assert.equal(bytes.length, expected, `shape (10**${k}, 0, 1 × ${ones})`);
      }
    }
  });

  it('switches to a version 2.0 header only when the header passes 65535 bytes', () => {
    // Unreachable from NumPy (its rank limit is 64) but the fallback must still be right.
    const shape = new Array<number>(22000).fill(1);
    const bytes = roundTrip({ dtype: '<f8', shape, data: new Float64Array([2.5]) });
    assert.deepEqual([bytes[6], bytes[7]], [2, 0]);
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    assert.equal((12 + headerLength) % 64, 0);
  });

  const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
  const sized = <T>(item: fc.Arbitrary<T>) =>
    shapeArb.chain((shape) => {
      const n = shape.reduce((p, d) => p * d, 1);
      return fc.array(item, { minLength: n, maxLength: n }).map((items) => ({ shape, items }));
    });
  const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });

  it('property: float32 arrays of any shape and bit pattern come back bit-exact (NaN payloads, -0)', () => {
    fc.assert(
      fc.property(sized(u32), ({ shape, items }) => {
        const data = new Float32Array(Uint32Array.from(items).buffer);
        const back = parseNpy(encodeNpy({ dtype: '<f4', shape, data }));
        assert.equal(back.dtype, '<f4');
        assert.deepEqual(back.shape, shape);
        assert.deepEqual(bytesOf(back.data), bytesOf(data));
      }),
      { numRuns: 300 },
    );
  });

  it('property: float64 arrays come back bit-exact; NaN stays NaN and -0 stays -0', () => {
    fc.assert(
      fc.property(sized(fc.oneof(fc.double(), fc.constant(-0), fc.constant(NaN), fc.tuple(u32, u32))), ({ shape, items }) => {
        const data = new Float64Array(items.length);
        const bits = new Uint32Array(data.buffer);
        items.forEach((x, i) => {
          if (Array.isArray(x)) [bits[2 * i], bits[2 * i + 1]] = x;
          else data[i] = x;
        });
        const back = parseNpy(encodeNpy({ dtype: '<f8', shape, data }));
        assert.equal(back.dtype, '<f8');
        assert.deepEqual(back.shape, shape);
        assert.deepEqual(bytesOf(back.data), bytesOf(data));
        back.data.forEach((v, i) => assert.ok(Object.is(v, data[i]) || (Number.isNaN(v) && Number.isNaN(data[i]!))));
      }),
      { numRuns: 300 },
    );
  });

  it('property: int32 and int64 arrays come back equal', () => {
    fc.assert(
      fc.property(sized(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), ({ shape, items }) => {
        const i8 = BigInt64Array.from(items);
        assertSameArray(parseNpy(encodeNpy({ dtype: '<i8', shape, data: i8 })), { dtype: '<i8', shape, data: i8 });
        const i4 = Int32Array.from(items, (x) => Number(BigInt.asIntN(32, x)));
        assertSameArray(parseNpy(encodeNpy({ dtype: '<i4', shape, data: i4 })), { dtype: '<i4', shape, data: i4 });
      }),
    );
  });

  it('property: unicode strings come back equal (any code points, no trailing NUL)', () => {
    const str = fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => !s.endsWith('\0'));
    fc.assert(
      fc.property(sized(str), fc.nat(3), ({ shape, items }, extra) => {
        const itemChars = Math.max(0, ...items.map((s) => [...s].length)) + extra;
        const a: NpyArray = { dtype: '<U', itemChars, shape, data: items };
        const bytes = roundTrip(a);
        assert.equal(bytes.length % 64, (4 * itemChars * items.length) % 64);
      }),
    );
  });
});

describe('parseNpy', () => {
  it('reads a hand-built version 2.0 header (4-byte length)', () => {
    const data = new Uint8Array(new Float64Array([1.5, -2, 1e300]).buffer);
    const bytes = handNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", data, 2);
    const a = parseNpy(bytes);
    assert.equal(a.dtype, '<f8');
    assert.deepEqual(a.shape, [3]);
    assert.deepEqual([...(a.data as Float64Array)], [1.5, -2, 1e300]);
  });

  it('reads a hand-built version 3.0 header (UTF-8), written with double quotes and no padding', () => {
    const data = new Uint8Array(new Int32Array([5, -6]).buffer);
    const a = parseNpy(handNpy('{"shape": (2, 1), "descr": "<i4", "fortran_order": False}', data, 3));
    assert.deepEqual(a, { dtype: '<i4', shape: [2, 1], data: new Int32Array([5, -6]) });
  });

  it('reads version 2.0 and 3.0 files written by NumPy', () => {
    const v2 = fixture('numpy-v2.npy');
    assert.equal(v2[6], 2);
    assert.deepEqual(parseNpy(v2), { dtype: '<i4', shape: [1, 2, 2], data: new Int32Array([-(2 ** 31), 0, 1, 2 ** 31 - 1]) });
    const v3 = fixture('numpy-v3.npy');
    assert.equal(v3[6], 3);
    assert.deepEqual(parseNpy(v3), { dtype: '<U', itemChars: 6, shape: [5], data: ['Ana', '', 'Zoë', '李小龍', '🙂x'] });
  });

  it('accepts Python 2 long integers (3L) in the shape and an ArrayBuffer as input', () => {
    const bytes = handNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (1L,), }\n", new Uint8Array([7, 0, 0, 0]));
    assert.deepEqual(parseNpy(bytes.slice().buffer), { dtype: '<i4', shape: [1], data: new Int32Array([7]) });
  });

  it('copies data whose offset is not aligned for its type, and views it when aligned', () => {
    const file = encodeNpy({ dtype: '<f8', shape: [2, 2], data: new Float64Array([1, 2, 3, NaN]) });
    for (const shift of [1, 2, 3, 4, 5, 6, 7]) {
      const big = new Uint8Array(file.length + shift);
      big.set(file, shift);
      const a = parseNpy(big.subarray(shift));
      assert.deepEqual(bytesOf(a.data as Float64Array), file.subarray(file.length - 32));
    }
    // A Node Buffer's slice() is a view, not a copy: the unaligned path must not rely on it.
    const buffer = Buffer.concat([Buffer.alloc(3), Buffer.from(file)]).subarray(3);
    assert.deepEqual([...(parseNpy(buffer).data as Float64Array)], [1, 2, 3, NaN]);
    const aligned = parseNpy(file);
    assert.equal((aligned.data as Float64Array).buffer, file.buffer, 'an aligned read shares the input buffer');
  });

  it('strips trailing NULs from strings but keeps inner ones', () => {
    const units = [0x61, 0, 0x62, 0, 0, 0, 0, 0]; // 'a\0b' in a <U4 pair, then ''
    const data = new Uint8Array(new Uint32Array(units).buffer);
    const a = parseNpy(handNpy("{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }\n", data));
    assert.deepEqual(a, { dtype: '<U', itemChars: 4, shape: [2], data: ['a\0b', ''] });
  });

  it('ignores bytes after the data, as NumPy does', () => {
    const file = encodeNpy({ dtype: '<i4', shape: [2], data: new Int32Array([1, 2]) });
    const longer = new Uint8Array(file.length + 3);
    longer.set(file);
    assert.deepEqual(parseNpy(longer).data, new Int32Array([1, 2]));
  });
});
