import { QuadrixError } from '@quadrix/core';

/** Invalid input to an evaluation function: a `QuadrixError` of kind `argument`, naming the function. */
export const argumentError = (op: string, detail: string): QuadrixError => new QuadrixError('argument', `${op}: ${detail}`);

/** Inconsistent shapes or lengths: a `QuadrixError` of kind `shape`. */
export const shapeError = (op: string, detail: string): QuadrixError => new QuadrixError('shape', `${op}: ${detail}`);

/** A value that cannot be used (NaN, an empty class): a `QuadrixError` of kind `value`. */
export const valueError = (op: string, detail: string): QuadrixError => new QuadrixError('value', `${op}: ${detail}`);
