/**
 * `@quadrix/io`: NumPy `.npy` and `.npz` files read from and written to bytes (`Uint8Array` or
 * `ArrayBuffer`), in browsers and Node alike. Nothing here touches a file system; the Node helpers
 * that do are in `@quadrix/io/node`.
 *
 * @packageDocumentation
 */
export { IoError, type IoErrorKind } from './errors.js';
export type {
  Float32NpyArray, Float64NpyArray, FloatNpyArray, Int32NpyArray, Int64NpyArray, NpyArray, NpyDtype, NumericData,
  NumericDtype, NumericNpyArray, StringNpyArray,
} from './types.js';
export { encodeNpy, parseNpy } from './npy.js';
export { encodeNpz, readNpz, type NpzOptions } from './npz.js';
export { checkFinite, int64ToNumbers, matrixFromNpy, npyFromMatrix, type NpyMatrix } from './matrix.js';
