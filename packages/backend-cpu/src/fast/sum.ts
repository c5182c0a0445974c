import type { Kernel, PrimitiveAttrs } from '@quadrix/core';
import { sizeOf } from '@quadrix/core';
import { sum as referenceSum } from '../kernels/layout.js';
import { isContiguous, type CpuHandle } from '../storage.js';
import { handleOf, output, type FastEnv } from './env.js';

/**
 * Sum over a contiguous run of axes [first, last] of a row-major input, seen as [outer, red, inner]:
 * out[o, i] = Σ_r x[o, r, i], accumulated in float64 like the reference kernel. (Axes of size 1 may
 * break the run without changing the layout, so they are dropped first.) Other axis sets go to the
 * reference kernel.
 */
export const sumKernel = (env: FastEnv): Kernel<CpuHandle, PrimitiveAttrs['sum']> => (inputs, attrs, out) => {
  const x = inputs[0]!;
  const axes = attrs.axes.filter((a) => x.shape[a] !== 1);
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (first === undefined || last === undefined || last - first + 1 !== axes.length) return referenceSum(inputs, attrs, out);
  const outer = sizeOf(x.shape.slice(0, first));
  const red = sizeOf(x.shape.slice(first, last + 1));
  const inner = sizeOf(x.shape.slice(last + 1));
  const made = output(env, out.dtype, outer * inner);
  const o = made.array;
  const h = x.handle;
  // Sums of contiguous runs of a float32 array in WebAssembly memory: SIMD, over the threads.
  if (inner === 1 && out.dtype === 'float32' && env.rt && h.address !== undefined && (h.view === undefined || isContiguous(h.view)) && outer * red >= env.at.elementwise) {
    const at = h.address + 4 * (h.view?.offset ?? 0);
    const staged = made.block ? undefined : env.rt.alloc(outer);
    const dst = made.block ?? staged?.block;
    if (dst && env.rt.rowSums(outer, red, at, dst.address, outer * red < env.at.parallel ? 1 : env.threads)) {
      if (staged) {
        o.set(staged.array);
        env.rt.free(staged.block);
      }
      return handleOf(made);
    }
    if (staged) env.rt.free(staged.block);
  }
  const src = h.values;
  if (inner === 1) {
    for (let a = 0; a < outer; a++) {
      let s = 0;
      const base = a * red;
      for (let r = 0; r < red; r++) s += src[base + r]!;
      o[a] = s;
    }
    return handleOf(made);
  }
  const acc = new Float64Array(inner);
  for (let a = 0; a < outer; a++) {
    acc.fill(0);
    for (let r = 0; r < red; r++) {
      const row = (a * red + r) * inner;
      for (let i = 0; i < inner; i++) acc[i]! += src[row + i]!;
    }
    o.set(acc, a * inner);
  }
  return handleOf(made);
};
