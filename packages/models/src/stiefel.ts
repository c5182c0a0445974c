import { div, keep, matmul, matrixTranspose, mul, reshape, sub, tidy } from '@quadrix/core';
import { sizesOf, symmetricPart, type QuadricParams } from './quadrics.js';

/**
 * Newton–Schulz iterations G ← (3G − (GGᵀ)G)/2 converge quadratically to the orthonormal polar
 * factor of G while its singular values lie in (0, √3). After an optimizer step from an
 * orthonormal point they are within a few percent of 1, and 6 iterations reach rounding level.
 */
const ITERATIONS = 6;

/**
 * The exact-orthonormality mode: maps the quadratic parts to the nearest (polar) HS-orthonormal
 * set of symmetric matrices, entirely with backend ops (m×m and m×n² products, no host round trip).
 * Linear and free parts are unchanged.
 */
export const retract = (p: QuadricParams): QuadricParams =>
  tidy(() => {
    const { n, m } = sizesOf(p);
    let g = reshape(symmetricPart(p.quadratic), [m, n * n]);
    for (let k = 0; k < ITERATIONS; k++) {
      g = div(sub(mul(g, 3), matmul(matmul(g, matrixTranspose(g)), g)), 2);
    }
    return {
      quadratic: keep(reshape(g, [m, n, n])),
      linear: keep(mul(p.linear, 1)),
      free: keep(mul(p.free, 1)),
    };
  });
