/**
 * `@quadrix/io/node`: `.npy` and `.npz` files on disk, for Node. Reads and writes whole files;
 * writes are atomic (a temporary file in the same folder, then a rename), so a failure never leaves
 * a half-written file under the target name. File-system failures become an {@link IoError} of kind
 * `missing` (the file or its folder does not exist) or `io` (anything else, the cause attached),
 * with the path in the message.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  encodeNpy, encodeNpz, IoError, parseNpy, readNpz as readNpzBytes, type NpyArray, type NpzOptions,
} from './index.js';

export { IoError, type IoErrorKind, type NpyArray, type NpzOptions } from './index.js';

/** A path as a string or a `file:` URL. */
export type PathLike = string | URL;

const pathText = (path: PathLike): string => (typeof path === 'string' ? path : fileURLToPath(path));

/** Turns a file-system error into an IoError naming `path`. */
const fsError = (e: unknown, path: string, action: 'read' | 'write'): IoError => {
  if (e instanceof IoError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const detail = (e as Error | undefined)?.message ?? String(e);
  if (code === 'ENOENT') {
    return action === 'read'
      ? new IoError('missing', `${path}: no such file`, { file: path, cause: e })
      : new IoError('missing', `${path}: cannot write, the folder ${dirname(path)} does not exist`, { file: path, cause: e });
  }
  const why = code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : detail;
  return new IoError('io', `${path}: cannot ${action} the file: ${why}`, { file: path, cause: e });
};

const readBytes = async (path: string): Promise<Uint8Array> => {
  try {
    return await readFile(path);
  } catch (e) {
    throw fsError(e, path, 'read');
  }
};

/**
 * Writes `bytes` to `path` atomically: into a new temporary file beside it (`.<name>.<random>.tmp`),
 * flushed to disk, then renamed over `path`. On any failure the temporary file is removed and
 * `path` is left as it was.
 */
export const writeFileAtomic = async (path: PathLike, bytes: Uint8Array): Promise<void> => {
  const target = pathText(path);
  // Beside the target (a rename is atomic only within one file system), its name kept short.
  const temp = join(dirname(target), `.${basename(target).slice(0, 200)}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (e) {
    if (created) await unlink(temp).catch(() => undefined);
    throw fsError(e, target, 'write');
  }
};

/**
 * Reads a `.npy` file (see `parseNpy` for what is supported).
 *
 * @throws IoError `missing` for a missing file, `io` for other file-system failures, and every
 *   error of `parseNpy`, all naming the path
 */
export const readNpy = async (path: PathLike): Promise<NpyArray> => {
  const p = pathText(path);
  return parseNpy(await readBytes(p), p);
};

/**
 * Writes `array` to a `.npy` file atomically. The array is encoded (and so checked) before anything
 * touches the disk.
 *
 * @throws IoError every error of `encodeNpy`, `missing` when the folder does not exist, `io` otherwise
 */
export const writeNpy = async (path: PathLike, array: NpyArray): Promise<void> => {
  const p = pathText(path);
  await writeFileAtomic(p, encodeNpy(array, p));
};

/**
 * Reads a `.npz` archive (see the byte-level `readNpz` of `@quadrix/io`).
 *
 * @throws IoError `missing` for a missing file, `io` for other file-system failures, and every
 *   error of the byte-level `readNpz`, all naming the path
 */
export const readNpz = async (path: PathLike): Promise<Record<string, NpyArray>> => {
  const p = pathText(path);
  return readNpzBytes(await readBytes(p), p);
};

/**
 * Writes arrays to a `.npz` archive atomically, stored or, with `{ compress: true }`, deflated.
 *
 * @throws IoError every error of `encodeNpz`, `missing` when the folder does not exist, `io` otherwise
 */
export const writeNpz = async (path: PathLike, arrays: Record<string, NpyArray>, options: NpzOptions = {}): Promise<void> => {
  const p = pathText(path);
  let bytes: Uint8Array;
  try {
    bytes = encodeNpz(arrays, options);
  } catch (e) {
    if (e instanceof IoError) throw new IoError(e.kind, `${p}: ${e.message}`, { file: p, cause: e });
    throw e;
  }
  await writeFileAtomic(p, bytes);
};
