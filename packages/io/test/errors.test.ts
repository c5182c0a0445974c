import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeNpy, IoError, parseNpy, type NpyArray } from '../src/index.js';
import { handNpy, throwsIo } from './helpers.js';

const header = (descr: string, shape = '(2,)', fortran = 'False') =>
  `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
const f4pair = new Uint8Array(new Float32Array([1, 2]).buffer);

describe('parseNpy rejects what it cannot read with an IoError that says why', () => {
  it('bad magic: a format error saying it is not a .npy file, naming the file', () => {
    const e = throwsIo(() => parseNpy(new TextEncoder().encode('hello, world'), 'x.npy'), 'format', 'x.npy:', 'not a .npy file');
    assert.equal(e.file, 'x.npy');
    assert.equal(e.name, 'IoError');
    assert.ok(e instanceof Error);
    throwsIo(() => parseNpy(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0])), 'format', 'parseNpy:', 'ZIP', 'readNpz');
    throwsIo(() => parseNpy(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x5a, 1, 0, 0, 0])), 'format', 'not a .npy file');
  });

  it('truncated data: the shape needs more bytes than the file has', () => {
    const full = encodeNpy({ dtype: '<f4', shape: [4, 3], data: new Float32Array(12) });
    const e = throwsIo(() => parseNpy(full.subarray(0, full.length - 1), 'emb.npy'), 'truncated', 'emb.npy', 'data is cut', '[4, 3]', '48 bytes', '47');
    assert.equal(e.file, 'emb.npy');
    throwsIo(() => parseNpy(handNpy(header("'<U3'"), new Uint8Array(23))), 'truncated', "'<U3'", '24 bytes');
  });

  it('truncated header: every cut inside the magic, version, length or header is a truncated error', () => {
    const full = encodeNpy({ dtype: '<i8', shape: [2, 2], data: new BigInt64Array(4) });
    const dataOffset = full.length - 32;
    for (let cut = 0; cut < dataOffset; cut++) {
      throwsIo(() => parseNpy(full.subarray(0, cut), 'cut.npy'), 'truncated', 'cut.npy');
    }
    throwsIo(() => parseNpy(full.subarray(0, 40)), 'truncated', 'header is cut');
    throwsIo(() => parseNpy(new Uint8Array(0)), 'truncated', 'empty');
  });

  it('property: any strict prefix of a valid file with data is a truncated error, never another failure', () => {
    const file = encodeNpy({ dtype: '<U', itemChars: 3, shape: [2], data: ['ab', 'xyz'] });
    fc.assert(fc.property(fc.nat(file.length - 1), (cut) => void throwsIo(() => parseNpy(file.subarray(0, cut)), 'truncated')));
  });

  it('big-endian dtypes: a dtype error naming the dtype and the fix', () => {
    throwsIo(() => parseNpy(handNpy(header("'>f4'"), f4pair), 'be.npy'), 'dtype', 'be.npy', "'>f4'", 'big-endian', "astype('<f4')");
    throwsIo(() => parseNpy(handNpy(header("'>i8'"), new Uint8Array(16))), 'dtype', "'>i8'", 'big-endian');
    throwsIo(() => parseNpy(handNpy(header("'>U2'"), new Uint8Array(16))), 'dtype', "'>U2'", "astype('<U2')");
    // No little-endian twin to suggest when that is unsupported too.
    const e = throwsIo(() => parseNpy(handNpy(header("'>f2'"), new Uint8Array(4))), 'dtype', "unsupported dtype '>f2'");
    assert.ok(!e.message.includes('astype'));
  });

  it('Fortran order: a format error naming the dtype and shape', () => {
    throwsIo(() => parseNpy(handNpy(header("'<f4'", '(1, 2)', 'True'), f4pair), 'f.npy'), 'format', 'f.npy', 'Fortran', "'<f4'", '[1, 2]');
  });

  it('unknown, object and structured dtypes: a dtype error naming the dtype', () => {
    throwsIo(() => parseNpy(handNpy(header("'|u1'"), new Uint8Array(2))), 'dtype', "unsupported dtype '|u1'");
    throwsIo(() => parseNpy(handNpy(header("'<f2'"), new Uint8Array(4))), 'dtype', "'<f2'");
    throwsIo(() => parseNpy(handNpy(header("'<c16'"), new Uint8Array(32))), 'dtype', "'<c16'");
    throwsIo(() => parseNpy(handNpy(header("'|O'"), new Uint8Array(16))), 'dtype', "'|O'", 'object');
    throwsIo(() => parseNpy(handNpy(header("[('x', '<f4'), ('y', '<i4')]"), new Uint8Array(16))), 'dtype', 'structured', "('x', '<f4')");
  });

  it('malformed headers and unknown versions: format errors', () => {
    const bad = (h: string, ...fragments: string[]) => throwsIo(() => parseNpy(handNpy(h, f4pair)), 'format', ...fragments);
    bad("{'descr': '<f4', 'shape': (2,), }", "exactly the keys", "'descr', 'shape'");
    bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "'x'");
    bad("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", 'shape [2] is not a tuple');
    bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", 'shape 2 is not a tuple');
    bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 'non-negative');
    bad("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 'fortran_order 0');
    bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 'cannot parse the header');
    bad("{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,)}", 'cannot parse the header');
    bad("['descr']", 'not a dict');
    const v4 = handNpy(header("'<f4'"), f4pair);
    v4[6] = 4;
    throwsIo(() => parseNpy(v4), 'format', 'version 4.0');
  });

  it('a code point above U+10FFFF in a string: a value error', () => {
    const data = new Uint8Array(new Uint32Array([0x110000]).buffer);
    throwsIo(() => parseNpy(handNpy(header("'<U1'", '(1,)'), data)), 'value', '0x110000');
  });
});

describe('encodeNpy checks the array before encoding it', () => {
  const enc = (a: unknown) => () => encodeNpy(a as NpyArray, 'out.npy');
  it('data length that does not match the shape: a shape error', () => {
    throwsIo(enc({ dtype: '<f4', shape: [2, 3], data: new Float32Array(5) }), 'shape', 'out.npy', '[2, 3]', '6 elements', '5');
    throwsIo(enc({ dtype: '<f4', shape: [2.5], data: new Float32Array(2) }), 'shape', 'non-negative integers');
    throwsIo(enc({ dtype: '<f4', shape: [-1], data: new Float32Array(0) }), 'shape');
  });
  it('a typed array of the wrong class, or an unknown dtype: a dtype error', () => {
    throwsIo(enc({ dtype: '<f4', shape: [1], data: new Float64Array(1) }), 'dtype', "'<f4'", 'Float32Array', 'Float64Array');
    throwsIo(enc({ dtype: '<i8', shape: [1], data: [1] }), 'dtype', 'BigInt64Array');
    throwsIo(enc({ dtype: '>f4', shape: [1], data: new Float32Array(1) }), 'dtype', '">f4"');
  });
  it('strings longer than itemChars, ending in NUL, or not strings: a value error', () => {
    throwsIo(enc({ dtype: '<U', itemChars: 2, shape: [2], data: ['ab', 'abc'] }), 'value', 'element 1', 'itemChars = 2');
    // Two UTF-16 units but one code point: fits in one UTF-32 character.
    assert.ok(encodeNpy({ dtype: '<U', itemChars: 1, shape: [1], data: ['🙂'] }) instanceof Uint8Array);
    throwsIo(enc({ dtype: '<U', itemChars: 3, shape: [1], data: ['a\0'] }), 'value', 'NUL');
    throwsIo(enc({ dtype: '<U', itemChars: 3, shape: [1], data: [3] }), 'value', 'not a string');
  });
  it('IoError is an Error subclass with a kind', () => {
    const e = new IoError('value', 'm');
    assert.ok(e instanceof Error);
    assert.equal(e.kind, 'value');
    assert.equal(e.file, undefined);
  });
});
