import { fmtShape, ioError, type IoErrorKind } from './errors.js';
import { formatHeaderDict, parsePyLiteral, pyRepr, PyTuple, type PyValue } from './header.js';
import {
  isNumericDtype, NUMERIC_ITEM_SIZE, type NpyArray, type NumericData, type NumericDtype, type NumericNpyArray,
  type StringNpyArray,
} from './types.js';

/** `\x93NUMPY`, the first six bytes of every .npy file. */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const;
/** The data of a file written by {@link encodeNpy} (and by NumPy) starts at a multiple of this. */
const ARRAY_ALIGN = 64;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const TYPED_ARRAY: { [D in NumericDtype]: { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): NumericData[D]; new (length: number): NumericData[D] } } = {
  '<f4': Float32Array,
  '<f8': Float64Array,
  '<i4': Int32Array,
  '<i8': BigInt64Array,
};

/** Accepts a Uint8Array (a Node Buffer is one) or an ArrayBuffer, e.g. from `fetch(...).arrayBuffer()`. */
export const asBytes = (bytes: Uint8Array | ArrayBuffer, name: string | undefined, op: string): Uint8Array => {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw ioError('format', name, op, `expected a Uint8Array or an ArrayBuffer, got ${describe(bytes)}`);
};

const describe = (x: unknown): string =>
  x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x;

export const hexStart = (b: Uint8Array): string =>
  [...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > 8 ? ' …' : '');

/** Number of elements of `shape`, or undefined when it is not a safe integer. */
export const elementCount = (shape: readonly number[]): number | undefined => {
  let n = 1;
  for (const d of shape) n *= d;
  return Number.isSafeInteger(n) ? n : undefined;
};

type ParsedDescr = { dtype: NumericDtype } | { dtype: '<U'; itemChars: number };

/** Maps a header `descr` to a supported dtype, or says precisely why it is not one. */
const parseDescr = (descr: PyValue, fail: (kind: IoErrorKind, detail: string) => never): ParsedDescr => {
  if (typeof descr !== 'string') {
    if (Array.isArray(descr)) {
      return fail('dtype', `structured dtype ${pyRepr(descr)} is not supported (supported: <f4, <f8, <i4, <i8, <U<n>)`);
    }
    return fail('format', `the header's 'descr' is not a dtype string: ${pyRepr(descr)}`);
  }
  if (isNumericDtype(descr)) return { dtype: descr };
  const u = /^<U(\d+)$/.exec(descr);
  if (u) {
    const itemChars = Number(u[1]);
    if (Number.isSafeInteger(itemChars)) return { dtype: '<U', itemChars };
  }
  const little = '<' + descr.slice(1);
  if (descr.startsWith('>') && (isNumericDtype(little) || /^<U\d+$/.test(little))) {
    return fail(
      'dtype',
      `big-endian dtype '${descr}' is not supported; save a little-endian copy in NumPy with a.astype('${little}')`,
    );
  }
  if (/^[<>|=]?O/.test(descr)) return fail('dtype', `dtype '${descr}' is an object array (pickled Python objects), which cannot be read`);
  return fail('dtype', `unsupported dtype '${descr}' (supported: <f4, <f8, <i4, <i8 and <U<n> strings)`);
};

/**
 * Reads a NumPy `.npy` file from its bytes.
 *
 * Header versions 1.0, 2.0 and 3.0; C-order arrays of dtype `<f4`, `<f8`, `<i4`, `<i8` (as a
 * BigInt64Array) and `<U<n>` (fixed-width strings, trailing NULs stripped). Bytes after the data are
 * ignored, as NumPy does.
 *
 * Numeric data is a view on `bytes` when its offset is aligned for the element type (it is in files
 * written by NumPy or {@link encodeNpy}, read from the start of a buffer), otherwise a copy; so the
 * result may share memory with `bytes`.
 *
 * @param bytes the whole file
 * @param name the file name, used in error messages
 * @throws IoError `format` (not a .npy file, unsupported version, malformed header, Fortran order),
 *   `dtype` (big-endian, object, structured or other unsupported dtypes, named in the message),
 *   `truncated` (the header or the data is cut short), `value` (an invalid character in a string)
 */
export function parseNpy(bytes: Uint8Array | ArrayBuffer, name?: string): NpyArray {
  const b = asBytes(bytes, name, 'parseNpy');
  const fail = (kind: IoErrorKind, detail: string): never => {
    throw ioError(kind, name, 'parseNpy', detail);
  };

  // Magic string and version.
  const magicSeen = Math.min(b.length, MAGIC.length);
  for (let i = 0; i < magicSeen; i++) {
    if (b[i] !== MAGIC[i]) {
      const hint = b[0] === 0x50 && b[1] === 0x4b ? ' (it looks like a ZIP archive: a .npz file? use readNpz)' : '';
      fail('format', `not a .npy file: it starts with bytes ${hexStart(b)}, not the magic string \\x93NUMPY${hint}`);
    }
  }
  if (b.length === 0) fail('truncated', 'the file is empty (0 bytes); a .npy file starts with \\x93NUMPY');
  if (b.length < 8) fail('truncated', `the file ends after ${b.length} bytes, before the format version`);
  const major = b[6]!;
  const minor = b[7]!;
  if (!(major >= 1 && major <= 3 && minor === 0)) {
    fail('format', `unsupported .npy format version ${major}.${minor} (this reader handles 1.0, 2.0 and 3.0)`);
  }

  // Header.
  const lengthBytes = major === 1 ? 2 : 4;
  if (b.length < 8 + lengthBytes) fail('truncated', `the file ends after ${b.length} bytes, inside the header length`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (b.length < dataOffset) {
    fail('truncated', `the header is cut: it declares ${headerLength} bytes but the file ends after ${b.length - 8 - lengthBytes}`);
  }
  const headerBytes = b.subarray(8 + lengthBytes, dataOffset);
  let headerText: string;
  if (major === 3) {
    try {
      headerText = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      return fail('format', 'the version 3.0 header is not valid UTF-8');
    }
  } else {
    headerText = latin1(headerBytes);
  }
  let header: PyValue;
  try {
    header = parsePyLiteral(headerText);
  } catch (e) {
    return fail('format', `cannot parse the header: ${(e as Error).message}`);
  }
  if (!(header instanceof Map)) return fail('format', `the header is not a dict: ${JSON.stringify(headerText.trim())}`);
  const keys = [...header.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    fail('format', `the header must have exactly the keys 'descr', 'fortran_order' and 'shape', it has ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  }
  const shapeValue = header.get('shape')!;
  if (!(shapeValue instanceof PyTuple) || !shapeValue.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    return fail('format', `the header's shape ${pyRepr(shapeValue)} is not a tuple of non-negative integers`);
  }
  const shape = shapeValue.items as number[];
  const fortranOrder = header.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') return fail('format', `the header's fortran_order ${pyRepr(fortranOrder!)} is not True or False`);
  const descr = parseDescr(header.get('descr')!, fail);
  const descrText = pyRepr(header.get('descr')!);
  if (fortranOrder) {
    fail(
      'format',
      `Fortran-order (column-major) arrays are not supported (dtype ${descrText}, shape ${fmtShape(shape)}); save np.ascontiguousarray(a) instead`,
    );
  }

  // Data.
  const count = elementCount(shape);
  const itemSize = descr.dtype === '<U' ? 4 * descr.itemChars : NUMERIC_ITEM_SIZE[descr.dtype];
  const byteLength = count === undefined ? undefined : count * itemSize;
  if (count === undefined || byteLength === undefined || !Number.isSafeInteger(byteLength)) {
    return fail('shape', `shape ${fmtShape(shape)} has too many elements`);
  }
  const available = b.length - dataOffset;
  if (available < byteLength) {
    fail(
      'truncated',
      `the data is cut: shape ${fmtShape(shape)} of dtype ${descrText} needs ${byteLength} bytes after the header, the file has ${available}`,
    );
  }
  if (descr.dtype === '<U') {
    return { dtype: '<U', itemChars: descr.itemChars, shape, data: decodeStrings(view, dataOffset, count, descr.itemChars, fail) };
  }
  return { dtype: descr.dtype, shape, data: decodeNumeric(descr.dtype, b, dataOffset, count) } as NumericNpyArray;
}

const latin1 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
};

const decodeNumeric = <D extends NumericDtype>(dtype: D, b: Uint8Array, offset: number, count: number): NumericData[D] => {
  const Ctor = TYPED_ARRAY[dtype];
  const itemSize = NUMERIC_ITEM_SIZE[dtype];
  const start = b.byteOffset + offset;
  if (LITTLE_ENDIAN_HOST) {
    if (start % itemSize === 0) return new Ctor(b.buffer, start, count);
    // Typed arrays need aligned offsets: copy into a fresh (aligned) buffer. (Not with b.slice: on
    // a Node Buffer, slice is a view that shares the unaligned memory.)
    const copy = new Uint8Array(count * itemSize);
    copy.set(b.subarray(offset, offset + count * itemSize));
    return new Ctor(copy.buffer, 0, count);
  }
  const out = new Ctor(count);
  const view = new DataView(b.buffer, start, count * itemSize);
  for (let i = 0; i < count; i++) {
    const at = i * itemSize;
    if (dtype === '<f4') (out as Float32Array)[i] = view.getFloat32(at, true);
    else if (dtype === '<f8') (out as Float64Array)[i] = view.getFloat64(at, true);
    else if (dtype === '<i4') (out as Int32Array)[i] = view.getInt32(at, true);
    else (out as BigInt64Array)[i] = view.getBigInt64(at, true);
  }
  return out;
};

const decodeStrings = (
  view: DataView,
  offset: number,
  count: number,
  itemChars: number,
  fail: (kind: IoErrorKind, detail: string) => never,
): string[] => {
  const out = new Array<string>(count);
  const cps: number[] = [];
  for (let i = 0; i < count; i++) {
    const base = offset + 4 * itemChars * i;
    let end = itemChars;
    while (end > 0 && view.getUint32(base + 4 * (end - 1), true) === 0) end--;
    cps.length = 0;
    for (let c = 0; c < end; c++) {
      const cp = view.getUint32(base + 4 * c, true);
      if (cp > 0x10ffff) fail('value', `string element ${i} holds 0x${cp.toString(16)}, which is not a unicode code point`);
      cps.push(cp);
    }
    let s = '';
    for (let c = 0; c < cps.length; c += 4096) s += String.fromCodePoint(...cps.slice(c, c + 4096));
    out[i] = s;
  }
  return out;
};

/**
 * Encodes an array as a `.npy` file, byte for byte as `numpy.save` writes it: a version 1.0 header
 * (2.0 only if the header would not fit in 65535 bytes), padded with spaces and ending in '\n' so
 * the data starts at a multiple of 64 bytes. `parseNpy(encodeNpy(a))` gives back `a` exactly
 * (every float bit pattern, NaN payloads and -0 included).
 *
 * @param array the array to write; checked first, so nothing is produced for an invalid one
 * @param name a file name for error messages
 * @throws IoError `dtype` (unknown dtype, or data of the wrong typed-array class), `shape` (invalid
 *   shape, or one that does not match the data length), `value` (a string longer than `itemChars`
 *   code points, one ending in NUL, or a non-string element)
 */
export function encodeNpy(array: NpyArray, name?: string): Uint8Array {
  const fail = (kind: IoErrorKind, detail: string): never => {
    throw ioError(kind, name, 'encodeNpy', detail);
  };
  const { dtype, shape } = array;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail('shape', `shape ${Array.isArray(shape) ? fmtShape(shape) : String(shape)} is not a list of non-negative integers`);
  }
  const count = elementCount(shape);
  if (count === undefined) return fail('shape', `shape ${fmtShape(shape)} has too many elements`);

  let descr: string;
  let itemSize: number;
  if (dtype === '<U') {
    const { itemChars } = array;
    if (!Number.isSafeInteger(itemChars) || itemChars < 0) fail('value', `itemChars ${itemChars} is not a non-negative integer`);
    descr = `<U${itemChars}`;
    itemSize = 4 * itemChars;
    if (!Array.isArray(array.data)) fail('dtype', `dtype '<U' needs its data in an array of strings, got ${describe(array.data)}`);
  } else if (isNumericDtype(dtype)) {
    descr = dtype;
    itemSize = NUMERIC_ITEM_SIZE[dtype];
    const Ctor = TYPED_ARRAY[dtype];
    if (!(array.data instanceof Ctor)) fail('dtype', `dtype '${dtype}' needs its data in a ${Ctor.name}, got ${describe(array.data)}`);
  } else {
    return fail('dtype', `unsupported dtype ${JSON.stringify(dtype)} (supported: <f4, <f8, <i4, <i8 and <U)`);
  }
  if (array.data.length !== count) {
    fail('shape', `shape ${fmtShape(shape)} has ${count} elements but the data has ${array.data.length}`);
  }

  const prefix = wrapHeader(formatHeaderDict(descr, shape));
  const out = new Uint8Array(prefix.length + count * itemSize);
  out.set(prefix);
  const view = new DataView(out.buffer, prefix.length);
  if (array.dtype === '<U') encodeStrings(array, view, fail);
  else if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), prefix.length);
  else {
    const d = array.data;
    for (let i = 0; i < count; i++) {
      if (d instanceof Float32Array) view.setFloat32(4 * i, d[i]!, true);
      else if (d instanceof Float64Array) view.setFloat64(8 * i, d[i]!, true);
      else if (d instanceof Int32Array) view.setInt32(4 * i, d[i]!, true);
      else view.setBigInt64(8 * i, d[i]!, true);
    }
  }
  return out;
}

/** Magic, version, header length, then the header padded so the data starts at a multiple of 64. */
const wrapHeader = (dict: string): Uint8Array => {
  // The dict is ASCII (dtype spellings and integers), so its length in characters is its length in bytes.
  const hlen = dict.length + 1; // + the final '\n'
  let version = 1;
  let lengthBytes = 2;
  let padlen = ARRAY_ALIGN - ((8 + lengthBytes + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    version = 2;
    lengthBytes = 4;
    padlen = ARRAY_ALIGN - ((8 + lengthBytes + hlen) % ARRAY_ALIGN);
  }
  const total = 8 + lengthBytes + hlen + padlen;
  const out = new Uint8Array(total);
  out.set(MAGIC);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (lengthBytes === 2) view.setUint16(8, hlen + padlen, true);
  else view.setUint32(8, hlen + padlen, true);
  let at = 8 + lengthBytes;
  for (let i = 0; i < dict.length; i++) out[at++] = dict.charCodeAt(i);
  out.fill(0x20, at, total - 1);
  out[total - 1] = 0x0a;
  return out;
};

const encodeStrings = (array: StringNpyArray, view: DataView, fail: (kind: IoErrorKind, detail: string) => never) => {
  const { itemChars, data } = array;
  for (let i = 0; i < data.length; i++) {
    const s = data[i];
    if (typeof s !== 'string') fail('value', `element ${i} of a '<U' array is ${describe(s)}, not a string`);
    let c = 0;
    let last = -1;
    for (const ch of s as string) {
      if (c === itemChars) {
        fail('value', `string element ${i} ${JSON.stringify(clip(s as string))} has more than itemChars = ${itemChars} characters (code points)`);
      }
      last = ch.codePointAt(0)!;
      view.setUint32(4 * (i * itemChars + c), last, true);
      c++;
    }
    if (last === 0) fail('value', `string element ${i} ends with a NUL character, which the .npy format cannot keep (NUL is padding)`);
  }
};

const clip = (s: string): string => (s.length > 40 ? s.slice(0, 40) + '…' : s);

