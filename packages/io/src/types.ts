/** The numeric dtypes read and written, in NumPy's `descr` spelling (all little-endian). */
export type NumericDtype = '<f4' | '<f8' | '<i4' | '<i8';

/** The typed array that holds the elements of each numeric dtype. */
export interface NumericData {
  '<f4': Float32Array;
  '<f8': Float64Array;
  '<i4': Int32Array;
  '<i8': BigInt64Array;
}

/**
 * A numeric array: elements in C (row-major) order, `data.length` equal to the product of `shape`
 * (1 for a 0-d array, whose shape is `[]`). Narrow on `dtype` to get the matching typed array.
 */
export type NumericNpyArray<D extends NumericDtype = NumericDtype> = {
  [K in D]: { dtype: K; shape: number[]; data: NumericData[K] };
}[D];

export type Float32NpyArray = NumericNpyArray<'<f4'>;
export type Float64NpyArray = NumericNpyArray<'<f8'>;
export type Int32NpyArray = NumericNpyArray<'<i4'>;
/** int64 elements come back as a BigInt64Array; {@link int64ToNumbers} converts with a range check. */
export type Int64NpyArray = NumericNpyArray<'<i8'>;
export type FloatNpyArray = NumericNpyArray<'<f4' | '<f8'>;

/**
 * A fixed-width unicode string array (NumPy `<U{itemChars}`, stored as UTF-32LE). `itemChars` is
 * the width in code points; each string has at most that many. Trailing NUL characters are padding
 * in the format, so they are stripped on reading and cannot be stored (as in NumPy).
 */
export interface StringNpyArray {
  dtype: '<U';
  itemChars: number;
  shape: number[];
  data: string[];
}

/** An array read from or written to a `.npy` file. */
export type NpyArray = NumericNpyArray | StringNpyArray;

/** Every dtype spelling accepted in `NpyArray.dtype`. */
export type NpyDtype = NpyArray['dtype'];

/** Bytes per element of each numeric dtype. */
export const NUMERIC_ITEM_SIZE: Readonly<Record<NumericDtype, number>> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8 };

export const isNumericDtype = (d: unknown): d is NumericDtype =>
  d === '<f4' || d === '<f8' || d === '<i4' || d === '<i8';
