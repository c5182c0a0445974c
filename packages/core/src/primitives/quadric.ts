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
 * With α, β the cotangents of Q and ‖∇Q‖² (each [B, m]) and v = 2 S x + b = 2w, w = S x + b/2:
 *   ∂S_i = Σ_β (α x + 8 β w) xᵀ (one batched GEMM),   ∂b_i = Σ_β α x + 4 Σ_β β w (two GEMM-shaped
 *   products, so nothing of size [m, B, n] is summed elementwise),   ∂c_i = Σ_β α,
 *   ∂x = Σ_i 2 α w + 8 β S_iᵀ w.
 * S is taken as symmetric (∂Q/∂x = v), which is how every caller uses it; so X S_iᵀ is computed as
 * X S_i, without transposing S (a backend may also keep X S_i from the forward kernel).
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
    const n = x!.shape[1]!;
    const rowsOf = (k: number): Tensor => transpose(reshape(slice(g, [k, 0, 0], [1, B, m]), [B, m])); // [m, B]
    const gq = rowsOf(0);
    const gg = rowsOf(1);
    const alpha = reshape(gq, [m, B, 1]);
    const beta = reshape(gg, [m, B, 1]);
    const w = add(matmul(x!, s!), reshape(mul(b!, 0.5), [m, 1, n]));
    return [
      needs[0] ? sum(add(mul(mul(alpha, 2), w), mul(matmul(mul(beta, w), s!), 8)), 0) : undefined,
      needs[1] ? matmul(matrixTranspose(add(mul(alpha, x!), mul(mul(beta, 8), w))), x!) : undefined,
      needs[2] ? add(matmul(gq, x!), reshape(matmul(reshape(mul(gg, 4), [m, 1, B]), w), [m, n])) : undefined,
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
