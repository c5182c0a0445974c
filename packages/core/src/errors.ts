/**
 * Every error quadrix raises for invalid use is a `QuadrixError` with a `kind`, so callers can
 * branch on it (or receive it in an fp-ts `Either` from the `*E` entry points) instead of parsing text.
 */
export type ErrorKind =
  | 'shape'
  | 'dtype'
  | 'axis'
  | 'argument'
  | 'backend'
  | 'disposed'
  | 'value';

export class QuadrixError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = 'QuadrixError';
    this.kind = kind;
  }
}

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

export const shapeError = (op: string, detail: string): QuadrixError =>
  new QuadrixError('shape', `${op}: ${detail}`);

export const argumentError = (op: string, detail: string): QuadrixError =>
  new QuadrixError('argument', `${op}: ${detail}`);
