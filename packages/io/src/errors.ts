/**
 * What went wrong, so callers can branch on it instead of parsing messages:
 *
 * - `format`: the bytes are not what they claim (bad magic, unparsable header, not a ZIP archive,
 *   CRC mismatch, Fortran order, an entry that is not a `.npy`)
 * - `dtype`: a well-formed file with an element type this package does not read or write
 * - `truncated`: the bytes end before the header or the data does
 * - `shape`: a shape that is invalid, disagrees with the data, or is not the one asked for
 * - `value`: an element that cannot be represented (a string too long for its width, an int64
 *   outside the safe-integer range, a NaN where finite values are required)
 * - `missing`: (Node entry) the file or its folder does not exist
 * - `io`: (Node entry) any other file-system failure (permissions, full disk, a folder in the way);
 *   the original error is the `cause`
 */
export type IoErrorKind = 'format' | 'dtype' | 'truncated' | 'shape' | 'value' | 'missing' | 'io';

/**
 * The one error type of `@quadrix/io`. Its message starts with the file name when one is known
 * (the `name` argument of the byte-level functions, the path in the Node entry), else with the
 * function that failed, followed by the problem.
 */
export class IoError extends Error {
  /** What kind of problem it is. */
  readonly kind: IoErrorKind;
  /** The file (or `archive.npz[entry.npy]`) the problem is in, when known. */
  readonly file: string | undefined;

  constructor(kind: IoErrorKind, message: string, options?: { file?: string | undefined; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IoError';
    this.kind = kind;
    this.file = options?.file;
  }
}

/** Builds an IoError whose message is prefixed with `file` (or `fallback`, the operation). */
export const ioError = (
  kind: IoErrorKind,
  file: string | undefined,
  fallback: string,
  detail: string,
  cause?: unknown,
): IoError => new IoError(kind, `${file ?? fallback}: ${detail}`, { file, cause });

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
