import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { encodeNpy, encodeNpz, parseNpy, readNpz, type NpyArray } from '../src/index.js';
import { assertSameArray, throwsIo } from './helpers.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

const arrays: Record<string, NpyArray> = {
  weights: { dtype: '<f4', shape: [3, 2], data: new Float32Array([1, -0, NaN, Infinity, 0.1, 2 ** -149]) },
  scalar: { dtype: '<f8', shape: [], data: new Float64Array([-2.5]) },
  counts: { dtype: '<i4', shape: [4], data: new Int32Array([0, 1, -1, 2 ** 31 - 1]) },
  ids: { dtype: '<i8', shape: [1, 2, 1], data: new BigInt64Array([2n ** 62n, -5n]) },
  empty: { dtype: '<f8', shape: [0, 5], data: new Float64Array(0) },
  labels: { dtype: '<U', itemChars: 7, shape: [3], data: ['alpha', '', 'γάμμα'] },
  'nested/name with spaces': { dtype: '<i4', shape: [1], data: new Int32Array([9]) },
};

/** The compression method of every member, from the central directory. */
const methods = (zip: Uint8Array): number[] => {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out: number[] = [];
  for (let at = 0; at + 4 <= zip.length; at++) if (view.getUint32(at, true) === 0x02014b50) out.push(view.getUint16(at + 10, true));
  return out;
};

describe('encodeNpz → readNpz', () => {
  for (const compress of [false, true]) {
    it(`round-trips every dtype and shape (${compress ? 'deflated' : 'stored'})`, () => {
      const zip = encodeNpz(arrays, { compress });
      const back = readNpz(zip, 'a.npz');
      assert.deepEqual(Object.keys(back), Object.keys(arrays));
      for (const key of Object.keys(arrays)) assertSameArray(back[key]!, arrays[key]!);
      assert.deepEqual(methods(zip), new Array(7).fill(compress ? 8 : 0));
      // Members are named <key>.npy and hold exactly encodeNpy's bytes.
      const members = unzipSync(zip);
      assert.deepEqual(Object.keys(members), Object.keys(arrays).map((k) => `${k}.npy`));
      assert.deepEqual(members['counts.npy'], encodeNpy(arrays.counts!));
    });
  }

  it('compresses a compressible array, and writes the same bytes for the same arrays', () => {
    const zeros: Record<string, NpyArray> = { z: { dtype: '<f8', shape: [1000], data: new Float64Array(1000) } };
    const stored = encodeNpz(zeros);
    const deflated = encodeNpz(zeros, { compress: true });
    assert.ok(stored.length > 8000);
    assert.ok(deflated.length < 500, `deflated to ${deflated.length} bytes`);
    assert.deepEqual(encodeNpz(zeros), stored);
  });

  it('an empty record gives an empty archive that reads back as {}', () => {
    assert.deepEqual(readNpz(encodeNpz({})), {});
  });

  it("keeps a key named '__proto__' as data, not as the prototype", () => {
    const a: NpyArray = { dtype: '<i4', shape: [1], data: new Int32Array([1]) };
    const input: Record<string, NpyArray> = {};
    Object.defineProperty(input, '__proto__', { value: a, enumerable: true });
    const back = readNpz(encodeNpz(input));
    assert.deepEqual(Object.keys(back), ['__proto__']);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assertSameArray(Object.getOwnPropertyDescriptor(back, '__proto__')!.value as NpyArray, a);
  });

  it('names the member in errors of its arrays', () => {
    throwsIo(() => encodeNpz({ bad: { dtype: '<f4', shape: [2], data: new Float32Array(3) } }), 'shape', 'bad.npy');
    throwsIo(() => encodeNpz({ '': arrays.counts! }), 'value', 'empty');
  });
});

describe('readNpz on archives written by NumPy', () => {
  for (const [file, method] of [['numpy-stored.npz', 0], ['numpy-compressed.npz', 8]] as const) {
    it(`${file}: every array, with its values`, () => {
      const zip = fixture(file);
      assert.deepEqual(methods(zip), new Array(7).fill(method));
      const a = readNpz(zip, file);
      assert.deepEqual(Object.keys(a).sort(), ['empty', 'f4', 'f8', 'i4', 'i8', 'names', 'scalar']);
      assert.deepEqual(a.f4, { dtype: '<f4', shape: [2, 3], data: new Float32Array([0, 0.25, 0.5, 0.75, 1, 1.25]) });
      assert.equal(a.f8!.dtype, '<f8');
      const f8 = [...(a.f8!.data as Float64Array)];
      assert.ok(Object.is(f8[0], -0));
      assert.deepEqual(f8.slice(1), [Infinity, -Infinity, NaN, 1e-310, 1.5]);
      assert.deepEqual(a.i4, { dtype: '<i4', shape: [1, 2, 2], data: new Int32Array([-(2 ** 31), 0, 1, 2 ** 31 - 1]) });
      assert.deepEqual(a.i8, { dtype: '<i8', shape: [4], data: new BigInt64Array([-(2n ** 63n), -1n, 2n ** 53n, 2n ** 63n - 1n]) });
      assert.deepEqual(a.scalar, { dtype: '<f8', shape: [], data: new Float64Array([3.5]) });
      assert.deepEqual(a.empty, { dtype: '<f4', shape: [0, 5], data: new Float32Array(0) });
      assert.deepEqual(a.names, { dtype: '<U', itemChars: 6, shape: [5], data: ['Ana', '', 'Zoë', '李小龍', '🙂x'] });
    });
  }
});

describe('readNpz errors', () => {
  it('an archive cut short is a truncated error naming the file', () => {
    const zip = encodeNpz(arrays);
    for (const cut of [1, 10, 100, zip.length / 2, zip.length - 30, zip.length - 1].map(Math.floor)) {
      throwsIo(() => readNpz(zip.subarray(0, cut), 'cut.npz'), 'truncated', 'cut.npz');
    }
    throwsIo(() => readNpz(new Uint8Array(0), 'empty.npz'), 'truncated', 'empty.npz', 'empty');
  });

  it('a central directory pointing past the end is a truncated error', () => {
    const zip = encodeNpz({ a: arrays.counts! }).slice();
    const view = new DataView(zip.buffer);
    const end = zip.length - 22;
    view.setUint32(end + 16, view.getUint32(end + 16, true) + 1000, true);
    throwsIo(() => readNpz(zip, 'x.npz'), 'truncated', 'x.npz', 'central directory');
  });

  it('a corrupted stored member is caught by its CRC-32', () => {
    const a: NpyArray = { dtype: '<f8', shape: [4], data: new Float64Array([1, 2, 3, 4]) };
    const zip = encodeNpz({ a }).slice();
    const npy = encodeNpy(a);
    const dataStart = 30 + 'a.npy'.length + npy.length - 32; // the local header, its name, the .npy header
    assert.deepEqual(zip.subarray(dataStart, dataStart + 32), npy.subarray(npy.length - 32));
    zip[dataStart + 15]! ^= 1; // the top byte of 2.0 (0x40 → 0x41): it would read as 2^17
    // fflate alone hands the damaged member back without complaint; readNpz must not.
    assert.equal(new DataView(unzipSync(zip)['a.npy']!.buffer).getFloat64(npy.length - 24, true), 2 ** 17);
    throwsIo(() => readNpz(zip, 'bad.npz'), 'format', 'bad.npz[a.npy]', 'CRC-32');
  });

  it('corrupt deflate data is a format error naming the member', () => {
    const zip = encodeNpz({ a: { dtype: '<f8', shape: [64], data: Float64Array.from({ length: 64 }, (_, i) => i) } }, { compress: true }).slice();
    zip.fill(0xff, 60, 90);
    throwsIo(() => readNpz(zip, 'bad.npz'), 'format', 'bad.npz[a.npy]');
  });

  it('not a ZIP, or a .npy given as a .npz: format errors saying so', () => {
    throwsIo(() => readNpz(new TextEncoder().encode('just some text, long enough to hold an end record'), 't.npz'), 'format', 't.npz', 'not a .npz');
    throwsIo(() => readNpz(encodeNpy(arrays.counts!), 'a.npy'), 'format', 'a.npy', '.npy file', 'parseNpy');
  });

  it('a member that is not a .npy, or a broken one, is an error naming the member', () => {
    throwsIo(() => readNpz(zipSync({ 'readme.txt': new Uint8Array([104, 105]) }), 'r.npz'), 'format', "'readme.txt'", 'not a .npy');
    const npy = encodeNpy(arrays.weights!);
    throwsIo(() => readNpz(zipSync({ 'w.npy': npy.subarray(0, npy.length - 2) }), 'r.npz'), 'truncated', 'r.npz[w.npy]', 'data is cut');
    assert.deepEqual(Object.keys(readNpz(zipSync({ 'dir/': new Uint8Array(0), 'dir/w.npy': npy }))), ['dir/w']);
    assert.deepEqual(parseNpy(npy).shape, [3, 2]);
  });
});
