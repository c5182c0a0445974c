import type { Kernel } from '@quadrix/core';
import { allocate } from '@quadrix/core';
import { CpuHandle } from '../storage.js';
import { gemmNT } from './matmul.js';

/**
 * The fused quadric kernel: for each quadric i, T = X·S_iᵀ (row p is S_i x_p) by a blocked GEMM
 * into one B×n scratch, then an epilogue that reads each row of T once for both Q = xᵀ(T + b) + c and
 * ‖2T + b‖². Nothing of size B×m×n is ever materialised.
 */
export const quadric: Kernel<CpuHandle, unknown> = ([x, s, b, c], _, out) => {
  const [B, n] = x!.shape as [number, number];
  const m = s!.shape[0]!;
  const X = x!.handle.values;
  const S = s!.handle.values;
  const bv = b!.handle.values;
  const cv = c!.handle.values;
  const o = allocate(out.dtype, 2 * B * m);
  const t = allocate(out.dtype, B * n);
  for (let i = 0; i < m; i++) {
    gemmNT(X, 0, S, i * n * n, t, 0, B, n, n);
    const bOff = i * n;
    for (let p = 0; p < B; p++) {
      const row = p * n;
      let q = cv[i]!;
      let g2 = 0;
      for (let j = 0; j < n; j++) {
        const tj = t[row + j]!;
        const bj = bv[bOff + j]!;
        q += X[row + j]! * (tj + bj);
        const v = 2 * tj + bj;
        g2 += v * v;
      }
      o[p * m + i] = q;
      o[(B + p) * m + i] = g2;
    }
  }
  return new CpuHandle(o);
};
