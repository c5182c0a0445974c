import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFinite, int64ToNumbers, matrixFromNpy, npyFromMatrix, type Int64NpyArray, type NpyArray, type NpyMatrix } from '../src/index.js';
import { throwsIo } from './helpers.js';

describe('matrixFromNpy and npyFromMatrix', () => {
  it('a 2-D float array becomes rows × cols sharing its data, and back', () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i);
    const m = matrixFromNpy({ dtype: '<f4', shape: [2, 3], data }, 'm.npy');
    assert.deepEqual({ rows: m.rows, cols: m.cols }, { rows: 2, cols: 3 });
    assert.equal(m.data, data);
    assert.equal(m.data[1 * m.cols + 2], 5); // row 1, column 2
    assert.deepEqual(npyFromMatrix(m), { dtype: '<f4', shape: [2, 3], data });
    const m64: NpyMatrix<Float64Array> = matrixFromNpy({ dtype: '<f8', shape: [0, 4], data: new Float64Array(0) });
    assert.deepEqual(npyFromMatrix(m64), { dtype: '<f8', shape: [0, 4], data: new Float64Array(0) });
  });

  it('anything but 2-D is a shape error naming the file and the shape', () => {
    throwsIo(() => matrixFromNpy({ dtype: '<f4', shape: [6], data: new Float32Array(6) }, 'v.npy'), 'shape', 'v.npy', '2-D', '[6]');
    throwsIo(() => matrixFromNpy({ dtype: '<f8', shape: [1, 2, 3], data: new Float64Array(6) }), 'shape', 'matrixFromNpy', '[1, 2, 3]');
    throwsIo(() => matrixFromNpy({ dtype: '<f8', shape: [], data: new Float64Array(1) }), 'shape', '[]');
  });

  it('a non-float array is a dtype error', () => {
    throwsIo(() => matrixFromNpy({ dtype: '<i4', shape: [1, 1], data: new Int32Array(1) }, 'i.npy'), 'dtype', 'i.npy', "'<i4'");
    throwsIo(() => matrixFromNpy({ dtype: '<U', itemChars: 3, shape: [1, 1], data: ['a'] }), 'dtype', "'<U3'");
  });

  it('npyFromMatrix checks the element count', () => {
    throwsIo(() => npyFromMatrix({ rows: 2, cols: 2, data: new Float64Array(3) }), 'shape', '2 × 2', '3 elements');
  });
});

describe('checkFinite', () => {
  it('returns its input when every value is finite', () => {
    const m = { rows: 1, cols: 3, data: new Float32Array([0, -0, 3.4e38]) };
    assert.equal(checkFinite(m, 'ok.npy'), m);
  });

  it('names the first NaN or infinity by row and column, and counts them', () => {
    const data = new Float64Array(12);
    data[1 * 4 + 2] = NaN;
    data[2 * 4 + 0] = -Infinity;
    throwsIo(() => checkFinite({ rows: 3, cols: 4, data }, 'emb.npy'), 'value', 'emb.npy', 'NaN at row 1, column 2', 'first of 2', '3 × 4');
    const arr: NpyArray = { dtype: '<f4', shape: [3, 4], data: new Float32Array(12).fill(Infinity, 11) };
    throwsIo(() => checkFinite(arr), 'value', 'checkFinite', 'Infinity at row 2, column 3', 'the only non-finite value');
  });

  it('gives an index for other ranks', () => {
    const data = new Float32Array(24);
    data[23] = NaN;
    throwsIo(() => checkFinite({ dtype: '<f4', shape: [2, 3, 4], data }), 'value', 'index [1, 2, 3]');
    throwsIo(() => checkFinite({ dtype: '<f8', shape: [], data: new Float64Array([NaN]) }), 'value', 'the only element');
  });
});

describe('int64ToNumbers', () => {
  it('converts values within ±(2^53 - 1) exactly', () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    assert.deepEqual(int64ToNumbers(new BigInt64Array([0n, -1n, max, -max])), new Float64Array([0, -1, 2 ** 53 - 1, -(2 ** 53 - 1)]));
  });

  it('a value outside that range is a value error naming its position and value', () => {
    throwsIo(() => int64ToNumbers(new BigInt64Array([1n, 2n ** 53n])), 'value', 'element 1', '9007199254740992');
    const a: Int64NpyArray = { dtype: '<i8', shape: [2, 2], data: new BigInt64Array([0n, 0n, 0n, -(2n ** 63n)]) };
    throwsIo(() => int64ToNumbers(a, 'ids.npy'), 'value', 'ids.npy', 'index [1, 1]', '-9223372036854775808');
  });
});
