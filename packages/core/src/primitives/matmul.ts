import { apply, type PrimitiveDef } from '../engine.js';
import { fmtShape, shapeError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { sumTo } from './elementwise.js';
import { reshape, transpose } from './layout.js';

/** Swaps the last two axes. */
export const matrixTranspose = (x: Tensor): Tensor =>
  transpose(x, x.shape.map((_, i) => (i < x.rank - 2 ? i : i === x.rank - 2 ? x.rank - 1 : x.rank - 2)));

const MATMUL: PrimitiveDef<'matmul'> = {
  name: 'matmul',
  shape: ([a, b]) => {
    const [m, k] = a!.shape.slice(-2) as [number, number];
    const [k2, n] = b!.shape.slice(-2) as [number, number];
    if (k !== k2) {
      throw shapeError('matmul', `inner dimensions differ: ${fmtShape(a!.shape)} @ ${fmtShape(b!.shape)}`);
    }
    return [...broadcastShapes('matmul', a!.shape.slice(0, -2), b!.shape.slice(0, -2)), m, n];
  },
  vjp: (g, [a, b], _, __, needs) => [
    needs[0] ? sumTo(apply(MATMUL, [g, matrixTranspose(b!)], {}), a!.shape) : undefined,
    needs[1] ? sumTo(apply(MATMUL, [matrixTranspose(a!), g], {}), b!.shape) : undefined,
  ],
};

/**
 * NumPy `matmul`: batched over leading axes with broadcasting; a 1-D left operand is a row vector
 * and a 1-D right operand a column vector, their added axis removed from the result.
 */
export const matmul = (a: Tensor, b: Tensor): Tensor => {
  if (a.rank === 0 || b.rank === 0) {
    throw shapeError('matmul', `operands must have rank ≥ 1, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  }
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const c = apply(MATMUL, [a2, b2], {});
  if (a.rank > 1 && b.rank > 1) return c;
  const keep = c.shape.filter((_, i) => !(a.rank === 1 && i === c.rank - 2) && !(b.rank === 1 && i === c.rank - 1));
  return reshape(c, keep);
};
