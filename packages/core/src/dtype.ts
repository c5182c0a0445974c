export type DType = 'float32' | 'float64';

export const DTYPES: readonly DType[] = ['float32', 'float64'];

export type TypedArrayFor<D extends DType> = D extends 'float64' ? Float64Array : Float32Array;

export type FloatArray = Float32Array | Float64Array;

export const allocate = (dtype: DType, size: number): FloatArray =>
  dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);

export const isDType = (d: unknown): d is DType => d === 'float32' || d === 'float64';
