/**
 * @quadrix/core: a small functional tensor DSL. Tensors are immutable; operations are functions;
 * `grad` and `valueAndGrad` differentiate scalar functions of tensors in reverse mode; a `Backend`
 * (a value from a backend package) stores tensors and runs one kernel per primitive.
 */
export type { Backend, Kernel, KernelTable, OutputInfo, TensorInfo } from './backend.js';
export type { DType, FloatArray } from './dtype.js';
export { DTYPES, allocate, isDType } from './dtype.js';
export { QuadrixError, fmtShape, type ErrorKind } from './errors.js';
export type { Shape } from './shape.js';
export { broadcastShapes, sizeOf, stridesOf } from './shape.js';
export { Tensor, isTensor, type TensorTree } from './tensor.js';
export { setBackend, getBackend, data, dataSync, item, dispose, keep, tidy, scope } from './engine.js';
export type { PrimitiveDef } from './engine.js';
export { PRIMITIVE_NAMES, type CompareOp, type PrimitiveAttrs, type PrimitiveName } from './primitives/attrs.js';
export {
  tensor, tensorE, attempt, scalar, fill, zeros, ones, zerosLike, onesLike, eye,
  type CreateOptions, type NestedNumbers,
} from './creation.js';
export {
  neg, abs, sign, sqrt, exp, log, add, sub, mul, div, maximum, compare, where, sumTo, type Operand,
} from './primitives/elementwise.js';
export { sum, reshape, broadcastTo, transpose, slice, pad, gather, scatterAdd, concat, cast } from './primitives/layout.js';
export { matmul, matrixTranspose } from './primitives/matmul.js';
export { quadric, quadricComposed } from './primitives/quadric.js';
export { square, minimum, mean, sumSquares, norm, frobenius, outer, dot } from './ops/composite.js';
export { grad, valueAndGrad, type Params } from './autodiff.js';
export {
  randomKey, splitKey, foldIn, uniform, normal, orthonormal, permutation,
  uniformValues, normalValues, orthonormalValues, type Key,
} from './random.js';
