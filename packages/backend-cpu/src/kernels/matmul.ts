import type { FloatArray, Kernel } from '@quadrix/core';
import { allocate, sizeOf, stridesOf } from '@quadrix/core';
import { CpuHandle } from '../storage.js';
import { offsetsOf } from '../views.js';

// Block sizes keep a BK×BJ panel of B (≤ 64 KiB in float64) in L2 while rows of A stream past it.
const BI = 64;
const BK = 128;
const BJ = 64;

/**
 * C (m×n) += A (m×k) · B (k×n) for contiguous row-major blocks at the given offsets, cache-blocked
 * in i-k-j order so that the innermost loop runs along rows of B and C.
 */
export const gemm = (
  a: FloatArray, aOff: number, b: FloatArray, bOff: number, c: FloatArray, cOff: number,
  m: number, k: number, n: number,
): void => {
  for (let i0 = 0; i0 < m; i0 += BI) {
    const i1 = Math.min(i0 + BI, m);
    for (let k0 = 0; k0 < k; k0 += BK) {
      const k1 = Math.min(k0 + BK, k);
      for (let j0 = 0; j0 < n; j0 += BJ) {
        const j1 = Math.min(j0 + BJ, n);
        for (let i = i0; i < i1; i++) {
          const cRow = cOff + i * n;
          const aRow = aOff + i * k;
          for (let p = k0; p < k1; p++) {
            const aip = a[aRow + p]!;
            const bRow = bOff + p * n;
            for (let j = j0; j < j1; j++) c[cRow + j]! += aip * b[bRow + j]!;
          }
        }
      }
    }
  }
};

/**
 * C (m×n) = A (m×k) · Bᵀ for B stored n×k: every entry is a dot product of two contiguous rows.
 * Blocked over rows of B so that a block of them stays in cache while rows of A stream past.
 */
export const gemmNT = (
  a: FloatArray, aOff: number, b: FloatArray, bOff: number, c: FloatArray, cOff: number,
  m: number, k: number, n: number,
): void => {
  for (let j0 = 0; j0 < n; j0 += BJ) {
    const j1 = Math.min(j0 + BJ, n);
    for (let i = 0; i < m; i++) {
      const aRow = aOff + i * k;
      const cRow = cOff + i * n;
      for (let j = j0; j < j1; j++) {
        const bRow = bOff + j * k;
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[aRow + p]! * b[bRow + p]!;
        c[cRow + j] = acc;
      }
    }
  }
};

/** Offsets of each batch matrix of `shape` when its batch axes are broadcast to `batch`. */
const batchOffsets = (shape: readonly number[], batch: readonly number[]): Int32Array => {
  const own = shape.slice(0, -2);
  const matrix = sizeOf(shape.slice(-2));
  const lead = batch.length - own.length;
  const ownStride = stridesOf(own);
  const stride = batch.map((d, i) => (i < lead || own[i - lead] !== d ? 0 : ownStride[i - lead]! * matrix));
  return offsetsOf({ shape: batch, stride, offset: 0 });
};

export const matmul: Kernel<CpuHandle, unknown> = ([x, y], _, out) => {
  const m = out.shape[out.shape.length - 2]!;
  const n = out.shape[out.shape.length - 1]!;
  const k = x!.shape[x!.shape.length - 1]!;
  const batch = out.shape.slice(0, -2);
  const aOffs = batchOffsets(x!.shape, batch);
  const bOffs = batchOffsets(y!.shape, batch);
  const c = allocate(out.dtype, sizeOf(out.shape));
  for (let t = 0; t < aOffs.length; t++) {
    gemm(x!.handle.values, aOffs[t]!, y!.handle.values, bOffs[t]!, c, t * m * n, m, k, n);
  }
  return new CpuHandle(c);
};
