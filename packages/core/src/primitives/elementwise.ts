import { apply, type PrimitiveDef, upload } from '../engine.js';
import { broadcastShapes, broadcastedAxes, shapesEqual, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import type { CompareOp, PrimitiveName } from './attrs.js';
import { reshape, sum } from './layout.js';

/** A tensor, or a number taken as a scalar of the other operand's dtype and backend. */
export type Operand = Tensor | number;

const scalarLike = (value: number, like: Tensor): Tensor =>
  upload(like.backend, like.dtype === 'float64' ? Float64Array.of(value) : Float32Array.of(value), [], like.dtype);

const operands = (op: string, a: Operand, b: Operand): [Tensor, Tensor] => {
  if (a instanceof Tensor) return [a, b instanceof Tensor ? b : scalarLike(b, a)];
  if (b instanceof Tensor) return [scalarLike(a, b), b];
  throw new TypeError(`${op}: at least one operand must be a tensor`);
};

/** Sums a cotangent over the axes along which `shape` was broadcast, back to `shape`. */
export const sumTo = (g: Tensor, shape: Shape): Tensor => {
  if (shapesEqual(g.shape, shape)) return g;
  return reshape(sum(g, broadcastedAxes(shape, g.shape), true), shape);
};

// ---- unary ------------------------------------------------------------------------------------

type UnaryName = 'neg' | 'abs' | 'sign' | 'sqrt' | 'exp' | 'log';

const unaryDef = <P extends UnaryName>(name: P, vjp: PrimitiveDef<P>['vjp']): PrimitiveDef<P> => ({
  name,
  shape: ([x]) => x!.shape,
  vjp,
});

const NEG = unaryDef('neg', (g) => [neg(g)]);
const ABS = unaryDef('abs', (g, [x]) => [mul(g, sign(x!))]);
const SIGN = unaryDef('sign', () => [undefined]);
const SQRT = unaryDef('sqrt', (g, _, y) => [div(g, mul(y, 2))]);
const EXP = unaryDef('exp', (g, _, y) => [mul(g, y)]);
const LOG = unaryDef('log', (g, [x]) => [div(g, x!)]);

export const neg = (x: Tensor): Tensor => apply(NEG, [x], {});
export const abs = (x: Tensor): Tensor => apply(ABS, [x], {});
/** -1, 0 or 1 (0 at ±0; NaN stays NaN). Its gradient is zero. */
export const sign = (x: Tensor): Tensor => apply(SIGN, [x], {});
export const sqrt = (x: Tensor): Tensor => apply(SQRT, [x], {});
export const exp = (x: Tensor): Tensor => apply(EXP, [x], {});
export const log = (x: Tensor): Tensor => apply(LOG, [x], {});

// ---- binary (NumPy broadcasting) --------------------------------------------------------------

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'compare';

const binaryShape = (name: PrimitiveName) => ([a, b]: readonly Tensor[]): Shape => broadcastShapes(name, a!.shape, b!.shape);

const binaryDef = <P extends BinaryName>(name: P, vjp: PrimitiveDef<P>['vjp']): PrimitiveDef<P> => ({
  name,
  shape: binaryShape(name),
  vjp,
});

const ADD = binaryDef('add', (g, [a, b], _, __, needs) => [
  needs[0] ? sumTo(g, a!.shape) : undefined,
  needs[1] ? sumTo(g, b!.shape) : undefined,
]);
const SUB = binaryDef('sub', (g, [a, b], _, __, needs) => [
  needs[0] ? sumTo(g, a!.shape) : undefined,
  needs[1] ? sumTo(neg(g), b!.shape) : undefined,
]);
const MUL = binaryDef('mul', (g, [a, b], _, __, needs) => [
  needs[0] ? sumTo(mul(g, b!), a!.shape) : undefined,
  needs[1] ? sumTo(mul(g, a!), b!.shape) : undefined,
]);
const DIV = binaryDef('div', (g, [a, b], y, __, needs) => [
  needs[0] ? sumTo(div(g, b!), a!.shape) : undefined,
  needs[1] ? sumTo(neg(div(mul(g, y), b!)), b!.shape) : undefined,
]);
/** Ties send the whole gradient to the first operand. */
const MAXIMUM = binaryDef('maximum', (g, [a, b]) => {
  const firstWins = compare(a!, b!, 'greaterEqual');
  return [sumTo(where(firstWins, g, 0), a!.shape), sumTo(where(firstWins, 0, g), b!.shape)];
});
const COMPARE = binaryDef('compare', () => [undefined, undefined]);

export const add = (a: Operand, b: Operand): Tensor => apply(ADD, operands('add', a, b), {});
export const sub = (a: Operand, b: Operand): Tensor => apply(SUB, operands('sub', a, b), {});
export const mul = (a: Operand, b: Operand): Tensor => apply(MUL, operands('mul', a, b), {});
export const div = (a: Operand, b: Operand): Tensor => apply(DIV, operands('div', a, b), {});
export const maximum = (a: Operand, b: Operand): Tensor => apply(MAXIMUM, operands('maximum', a, b), {});
/** 1 where `a op b` holds, else 0 (NaN compares false, except under 'notEqual'). No gradient. */
export const compare = (a: Operand, b: Operand, op: CompareOp): Tensor =>
  apply(COMPARE, operands('compare', a, b), { op });

const WHERE: PrimitiveDef<'where'> = {
  name: 'where',
  shape: ([c, a, b]) => broadcastShapes('where', broadcastShapes('where', c!.shape, a!.shape), b!.shape),
  vjp: (g, [c, a, b]) => [undefined, sumTo(where(c!, g, 0), a!.shape), sumTo(where(c!, 0, g), b!.shape)],
};

/** Elementwise `cond ≠ 0 ? a : b`, all three broadcast together. Gradients flow only to the chosen side. */
export const where = (cond: Tensor, a: Operand, b: Operand): Tensor => {
  const ta = a instanceof Tensor ? a : scalarLike(a, cond);
  const tb = b instanceof Tensor ? b : scalarLike(b, cond);
  return apply(WHERE, [cond, ta, tb], {});
};
