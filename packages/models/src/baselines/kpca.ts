import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { QuadrixError } from '@quadrix/core';
import { checkSizes, packedRow, unpackQuadratic, type HostQuadrics } from '../quadrics.js';

/**
 * Quadratic-kernel PCA, the paper's baseline: with Φ = [monomials, x, 1] (monomials in the
 * reference's packed layout, cross terms scaled by √2 so that the quadratic coordinates' norm is
 * ‖S‖_F), the m quadrics are the generalised eigenvectors of ΦᵀΦ with the smallest eigenvalues
 * against the projector onto the quadratic coordinates. That pencil is singular, so the linear
 * and free coordinates are eliminated first (least squares), leaving an ordinary symmetric
 * eigenproblem for the Schur complement on the quadratic coordinates: the solutions are
 * Hilbert–Schmidt orthonormal by construction.
 */
export const fitKernelPca = (points: ArrayLike<number>, count: number, n: number, m: number): HostQuadrics => {
  checkSizes('fitKernelPca', n, m);
  if (count < 1 || points.length !== count * n) {
    throw new QuadrixError('shape', `fitKernelPca: ${points.length} values are not ${count} points of dimension ${n}`);
  }
  const p = (n * (n + 1)) / 2;
  const phiQ = new Matrix(count, p);
  const phiR = new Matrix(count, n + 1);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < n; j++) {
      const xj = points[r * n + j]!;
      for (let k = j; k < n; k++) phiQ.set(r, packedRow(n, j, k), j === k ? xj * xj : Math.SQRT2 * xj * points[r * n + k]!);
      phiR.set(r, j, xj);
    }
    phiR.set(r, n, 1);
  }
  const qq = phiQ.transpose().mmul(phiQ);
  const rq = phiR.transpose().mmul(phiQ);
  const rr = phiR.transpose().mmul(phiR);
  // For fixed quadratic coordinates q, the best linear and free part is r = −(RᵀR)⁻¹RᵀQ q.
  const elim = solve(rr, rq, true);
  const schur = qq.sub(rq.transpose().mmul(elim));
  const sym = schur.add(schur.transpose()).div(2);
  const eig = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const order = eig.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).slice(0, m);
  const q = new Float64Array(p * m);
  const linear = new Float64Array(m * n);
  const free = new Float64Array(m);
  order.forEach(([, col], i) => {
    const v = eig.eigenvectorMatrix.getColumnVector(col);
    const r = elim.mmul(v).mul(-1);
    for (let row = 0; row < p; row++) q[row * m + i] = v.get(row, 0);
    for (let j = 0; j < n; j++) linear[i * n + j] = r.get(j, 0);
    free[i] = r.get(n, 0);
  });
  return { n, m, quadratic: unpackQuadratic(q, n, m), linear, free };
};
