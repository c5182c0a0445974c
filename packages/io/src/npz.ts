import { inflateSync, zipSync, type Zippable } from 'fflate';
import { ioError, IoError, type IoErrorKind } from './errors.js';
import { asBytes, encodeNpy, hexStart, parseNpy } from './npy.js';
import type { NpyArray } from './types.js';

/** Options of {@link encodeNpz}. */
export interface NpzOptions {
  /** Deflate every entry, as `numpy.savez_compressed` does; default false (stored, as `numpy.savez`). */
  compress?: boolean;
}

/** One member of a ZIP archive, as its central directory describes it. */
interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_END64_LOCATOR = 0x07064b50;
const U32_MAX = 0xffffffff;

/**
 * Reads a NumPy `.npz` archive (a ZIP of `.npy` files, as written by `numpy.savez`, stored, or
 * `numpy.savez_compressed`, deflated) from its bytes. Keys are the entry names without `.npy`.
 * ZIP64 archives (which NumPy writes for members over 4 GiB) are read; every member's CRC-32 is
 * checked, as Python's zipfile does.
 *
 * Decompression is fflate's; the central directory is read here, so that damaged archives give a
 * precise error instead of garbage.
 *
 * @param bytes the whole archive
 * @param name the file name, used in error messages (entries are named `name[key.npy]`)
 * @throws IoError `format` (not a ZIP, a member that is not a .npy, encryption, an unknown
 *   compression method, a CRC mismatch, duplicate names), `truncated` (the archive is cut short),
 *   and every error of {@link parseNpy} for a member
 */
export function readNpz(bytes: Uint8Array | ArrayBuffer, name?: string): Record<string, NpyArray> {
  const b = asBytes(bytes, name, 'readNpz');
  const fail = (kind: IoErrorKind, detail: string): never => {
    throw ioError(kind, name, 'readNpz', detail);
  };
  const out: Record<string, NpyArray> = {};
  for (const entry of centralDirectory(b, fail)) {
    if (entry.name.endsWith('/') && entry.size === 0) continue; // a folder entry, written by some zip tools
    const where = `${name ?? 'readNpz'}[${entry.name}]`;
    if (!entry.name.endsWith('.npy')) {
      fail('format', `entry '${entry.name}' is not a .npy file (every member of a .npz archive is one)`);
    }
    const key = entry.name.slice(0, -'.npy'.length);
    if (Object.prototype.hasOwnProperty.call(out, key)) fail('format', `the archive has two entries named '${entry.name}'`);
    Object.defineProperty(out, key, { value: parseNpy(extract(b, entry, where), where), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The entries of the central directory, after checking that it lies inside the archive. */
const centralDirectory = (b: Uint8Array, fail: (kind: IoErrorKind, detail: string) => never): ZipEntry[] => {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const hi = u32(at + 4);
    if (hi >= 0x200000) fail('format', 'a ZIP64 size or offset is too large');
    return hi * 2 ** 32 + u32(at);
  };
  const startsWith = (sig: number) => b.length >= 4 && u32(0) === sig;

  if (b.length >= 6 && b[0] === 0x93 && String.fromCharCode(...b.subarray(1, 6)) === 'NUMPY') {
    fail('format', 'this is a .npy file, not a .npz archive: read it with parseNpy (or readNpy)');
  }
  if (b.length === 0) fail('truncated', 'the file is empty (0 bytes)');
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535 bytes, at the end.
  let end = -1;
  for (let at = b.length - 22; at >= 0 && at >= b.length - 22 - 0xffff; at--) {
    if (u32(at) === SIG_END && at + 22 + u16(at + 20) <= b.length) {
      end = at;
      break;
    }
  }
  if (end < 0) {
    if (startsWith(SIG_LOCAL) || (b.length < 4 && b[0] === 0x50)) {
      fail('truncated', 'the ZIP archive is cut short: its end-of-archive record is missing');
    }
    fail('format', `not a .npz file: no ZIP end-of-archive record (the file starts with ${hexStart(b)})`);
  }
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0) fail('format', 'multi-disk ZIP archives are not supported');
  let count = u16(end + 10);
  let cdSize = u32(end + 12);
  let cdOffset = u32(end + 16);
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const locator = end - 20;
    if (locator >= 0 && u32(locator) === SIG_END64_LOCATOR) {
      const end64 = u64(locator + 8);
      if (end64 + 56 > b.length || u32(end64) !== SIG_END64) fail('format', 'the ZIP64 end-of-archive record is damaged');
      count = u64(end64 + 32);
      cdSize = u64(end64 + 40);
      cdOffset = u64(end64 + 48);
    }
  }
  if (cdOffset + cdSize > b.length) {
    fail('truncated', `the ZIP central directory (${cdSize} bytes at offset ${cdOffset}) lies past the end of the ${b.length}-byte file`);
  }

  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdOffset + cdSize || u32(at) !== SIG_CENTRAL) fail('format', `ZIP central directory entry ${i} is damaged`);
    const flags = u16(at + 8);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const next = at + 46 + nameLength + extraLength + u16(at + 32);
    if (next > cdOffset + cdSize) fail('format', `ZIP central directory entry ${i} is damaged`);
    const nameBytes = b.subarray(at + 46, at + 46 + nameLength);
    const name = flags & 0x800 ? new TextDecoder().decode(nameBytes) : String.fromCharCode(...nameBytes);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    let localOffset = u32(at + 42);
    // ZIP64: the fields that are 0xFFFFFFFF are in extra field 0x0001, in this order.
    if (size === U32_MAX || compressedSize === U32_MAX || localOffset === U32_MAX) {
      let x = at + 46 + nameLength;
      const xEnd = x + extraLength;
      let found = false;
      for (; x + 4 <= xEnd; x += 4 + u16(x + 2)) {
        if (u16(x) !== 1) continue;
        let f = x + 4;
        const take = () => {
          if (f + 8 > xEnd) fail('format', `the ZIP64 extra field of '${name}' is damaged`);
          const v = u64(f);
          f += 8;
          return v;
        };
        if (size === U32_MAX) size = take();
        if (compressedSize === U32_MAX) compressedSize = take();
        if (localOffset === U32_MAX) localOffset = take();
        found = true;
        break;
      }
      if (!found) fail('format', `entry '${name}' has 32-bit overflow sizes but no ZIP64 extra field`);
    }
    entries.push({ name, method: u16(at + 10), flags, crc: u32(at + 16), compressedSize, size, localOffset });
    at = next;
  }
  return entries;
};

/** The uncompressed bytes of one entry, checked against its size and CRC-32. */
const extract = (b: Uint8Array, e: ZipEntry, where: string): Uint8Array => {
  const fail = (kind: IoErrorKind, detail: string): never => {
    throw new IoError(kind, `${where}: ${detail}`, { file: where });
  };
  if (e.flags & 1) fail('format', 'the entry is encrypted');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const local = e.localOffset;
  if (local + 30 > b.length) fail('truncated', 'the entry lies past the end of the archive');
  if (view.getUint32(local, true) !== SIG_LOCAL) fail('format', 'the entry\'s local header is damaged');
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  if (start + e.compressedSize > b.length) {
    fail('truncated', `the entry's ${e.compressedSize} bytes of data run past the end of the archive`);
  }
  const raw = b.subarray(start, start + e.compressedSize);
  let data: Uint8Array;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    try {
      data = inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      return fail('format', `cannot inflate the entry: ${(err as Error).message}`);
    }
  } else {
    return fail('format', `compression method ${e.method} is not supported (only 0, stored, and 8, deflate)`);
  }
  if (data.length !== e.size) fail('format', `the entry inflates to ${data.length} bytes, not the ${e.size} its header says`);
  const crc = crc32(data);
  if (crc !== e.crc) fail('format', `CRC-32 mismatch (stored ${hex8(e.crc)}, computed ${hex8(crc)}): the archive is damaged`);
  return data;
};

const hex8 = (n: number) => '0x' + n.toString(16).padStart(8, '0');


let crcTable: Uint32Array | undefined;
const crc32 = (data: Uint8Array): number => {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = U32_MAX;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ U32_MAX) >>> 0;
};

/**
 * Encodes arrays as a `.npz` archive that `numpy.load` reads: one member `<key>.npy` per key,
 * stored (like `numpy.savez`) or deflated with `{ compress: true }` (like `numpy.savez_compressed`).
 * The output is deterministic: every member is dated 1980-01-01 (the earliest ZIP date).
 *
 * @throws IoError every error of {@link encodeNpy} (named `key.npy`), `value` for an empty key or an
 *   archive of 4 GiB or more (which would need ZIP64, not written here)
 */
export function encodeNpz(arrays: Record<string, NpyArray>, options: NpzOptions = {}): Uint8Array {
  const files: Zippable = {};
  let total = 0;
  for (const [key, array] of Object.entries(arrays)) {
    if (key === '') throw ioError('value', undefined, 'encodeNpz', 'an array key is empty');
    const entry = `${key}.npy`;
    const bytes = encodeNpy(array, entry);
    total += bytes.length + 2 * (46 + entry.length) + 64;
    Object.defineProperty(files, entry, { value: bytes, enumerable: true, writable: true, configurable: true });
  }
  if (total > U32_MAX) {
    throw ioError('value', undefined, 'encodeNpz', `the archive would be ${total} bytes; 4 GiB and more need ZIP64, which this writer does not produce`);
  }
  return zipSync(files, { level: options.compress ? 6 : 0, mtime: new Date(1980, 0, 1) });
}
