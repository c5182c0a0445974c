import assert from 'node:assert/strict';
import { IoError, type IoErrorKind, type NpyArray } from '../src/index.js';

/** `fn` must throw an IoError of `kind` whose message contains every fragment. */
export const throwsIo = (fn: () => unknown, kind: IoErrorKind, ...fragments: string[]): IoError => {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  return checkIo(caught, kind, fragments);
};

/** The async version of {@link throwsIo}. */
export const rejectsIo = async (fn: () => Promise<unknown>, kind: IoErrorKind, ...fragments: string[]): Promise<IoError> => {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  return checkIo(caught, kind, fragments);
};

const checkIo = (e: unknown, kind: IoErrorKind, fragments: string[]): IoError => {
  assert.ok(e instanceof IoError, `expected an IoError, got ${e === undefined ? 'no error' : String(e)}`);
  assert.equal(e.kind, kind, `kind of ${JSON.stringify(e.message)}`);
  for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
  return e;
};

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * A .npy file built by hand: magic, `version`.0, the header length in 2 (version 1) or 4 bytes, the
 * header text as given (UTF-8 for version 3, else Latin-1), then `data`.
 */
export const handNpy = (header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array => {
  const text = version === 3 ? new TextEncoder().encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0));
  const lengthBytes = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + text.length + data.length);
  out.set([0x93, ...ascii('NUMPY'), version, 0]);
  const view = new DataView(out.buffer);
  if (lengthBytes === 2) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + text.length);
  return out;
};

/** The bytes of a typed array (for bit-exact comparisons). */
export const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Deep equality of two NpyArrays, bit-exact for floats (so NaN payloads and -0 count). */
export const assertSameArray = (actual: NpyArray, expected: NpyArray) => {
  assert.equal(actual.dtype, expected.dtype);
  assert.deepEqual(actual.shape, expected.shape);
  if (expected.dtype === '<U') {
    assert.equal(actual.dtype === '<U' && actual.itemChars, expected.itemChars);
    assert.deepEqual(actual.data, expected.data);
  } else {
    assert.equal(actual.data.constructor, expected.data.constructor);
    assert.deepEqual(bytesOf(actual.data as ArrayBufferView), bytesOf(expected.data));
  }
};
