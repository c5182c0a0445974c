import { apply, type PrimitiveDef } from '../engine.js';
import { fmtShape, shapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, mul } from './elementwise.js';
import { concat, reshape, slice, sum, transpose } from './layout.js';
import { matmul, matrixTranspose } from './matmul.js';

const dims = (x: Tensor, s: Tensor, b: Tensor, c: Tensor): { B: number; n: number; m: number } => {
  const [B, n] = x.shape as [number, number];
  const m = s.shape[0]!;
  const ok =
    x.rank === 2 && s.rank === 3 && s.shape[1] === n && s.shape[2] === n &&
    b.rank === 2 && b.shape[0] === m && b.shape[1] === n && c.rank === 1 && c.shape[0] === m;
  if (!ok) {
    throw shapeError(
      'quadric',
      `expects X [B, n], S [m, n, n], b [m, n], c [m]; got X ${fmtShape(x.shape)}, S ${fmtShape(s.shape)}, ` +
        `b ${fmtShape(b.shape)}, c ${fmtShape(c.shape)}`,
    );
  }
  return { B, n, m };
};

/** (S_i x)ᵀ for every quadric and point, i.e. X S_iᵀ as [m, B, n]: the one GEMM of the formulation. */
const products = (x: Tensor, s: Tensor): Tensor => matmul(x, matrixTranspose(s));

/** The gradients of the quadrics at every point, 2 X S_i + b_i, as [m, B, n]. */
const gradients = (t: Tensor, b: Tensor): Tensor => add(mul(t, 2), reshape(b, [b.shape[0]!, 1, b.shape[1]!]));

/**
 * With α, β the cotangents of Q and ‖∇Q‖² (each [B, m]) and v = 2 S x + b:
 *   ∂S_i = Σ_β (α x + 4 β v) xᵀ (one batched GEMM),   ∂b_i = Σ_β (α x + 2 β v),   ∂c_i = Σ_β α,
 *   ∂x = Σ_i α v + 4 β S_iᵀ v.
 * S is taken as symmetric (∂Q/∂x = v), which is how every caller uses it.
 */
const QUADRIC: PrimitiveDef<'quadric'> = {
  name: 'quadric',
  shape: ([x, s, b, c]) => {
    const { B, m } = dims(x!, s!, b!, c!);
    return [2, B, m];
  },
  vjp: (g, [x, s, b], _, __, needs) => {
    const B = x!.shape[0]!;
    const m = s!.shape[0]!;
    const part = (k: number): Tensor => reshape(transpose(reshape(slice(g, [k, 0, 0], [1, B, m]), [B, m])), [m, B, 1]);
    const alpha = part(0);
    const beta = part(1);
    const v = gradients(products(x!, s!), b!);
    const bv = mul(beta, v);
    return [
      needs[0] ? sum(add(mul(alpha, v), mul(matmul(bv, s!), 4)), 0) : undefined,
      needs[1] ? matmul(matrixTranspose(add(mul(alpha, x!), mul(bv, 4))), x!) : undefined,
      needs[2] ? sum(add(mul(alpha, x!), mul(bv, 2)), 1) : undefined,
      needs[3] ? reshape(sum(alpha, 1), [m]) : undefined,
    ];
  },
};

/**
 * The fused quadric primitive: values and squared gradient norms of m quadrics at B points in
 * one pass, as [2, B, m] (index 0: Q, index 1: ‖∇Q‖²). S must be symmetric.
 */
export const quadric = (x: Tensor, s: Tensor, b: Tensor, c: Tensor): Tensor => {
  dims(x, s, b, c);
  return apply(QUADRIC, [x, s, b, c], {});
};

/**
 * The specification of `quadric`, composed of ordinary primitives; property tests hold the fused
 * kernel and its VJP to it.
 */
export const quadricComposed = (x: Tensor, s: Tensor, b: Tensor, c: Tensor): Tensor => {
  const { B, m } = dims(x, s, b, c);
  const t = products(x, s);
  const q = add(add(sum(mul(t, x), 2), matmul(b, transpose(x))), reshape(c, [m, 1]));
  const g2 = sum(mul(gradients(t, b), gradients(t, b)), 2);
  const rows = (y: Tensor): Tensor => reshape(transpose(y), [1, B, m]);
  return concat([rows(q), rows(g2)], 0);
};
