// Comparing WebGPU results with the CPU backend's float64 ones.
import { abs, data, scope, tensor, type Backend, type DType, type Tensor } from '@quadrix/core';

export const U = 2 ** -24;
const ETA = 2 ** -126;

export interface HostArray {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

/** Uploads float32-rounded values, so that both backends compute on the same numbers. */
export const put = (backend: Backend, h: HostArray, dtype: DType = backend.dtypes.includes('float64') ? 'float64' : 'float32'): Tensor =>
  tensor(h.values.map(Math.fround), { shape: h.shape, backend, dtype });

/**
 * Runs `f` on both backends and checks every element: |got − want| ≤ c·k·(u·m + η), with m the
 * same computation on |inputs| when `reduction` (k terms per element), else |want| and k = 1.
 * The CPU side computes in float64, or in float32 with `cpuDType` (then c = 0 asks for equality
 * with correctly rounded float32 results). Returns the largest error in units of k·u·m.
 */
export const agree = async (
  gpu: Backend, cpu: Backend, inputs: readonly HostArray[], f: (xs: Tensor[]) => Tensor,
  opts: { k?: number; c?: number; reduction?: boolean; label?: string; cpuDType?: DType } = {},
): Promise<number> =>
  scope(async () => {
    const got = await data(f(inputs.map((h) => put(gpu, h))));
    const xs = inputs.map((h) => put(cpu, h, opts.cpuDType));
    const want = await data(f(xs));
    const mag = opts.reduction ? await data(f(xs.map((x) => abs(x)))) : want.map(Math.abs);
    if (got.length !== want.length) throw new Error(`${opts.label}: ${got.length} values, expected ${want.length}`);
    const k = Math.max(1, opts.k ?? 1);
    const c = opts.c ?? 4;
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      const bound = c === 0 ? 0 : c * k * (U * mag[i]! + ETA);
      const err = Math.abs(got[i]! - want[i]!);
      if (!(err <= bound)) throw new Error(`${opts.label}: element ${i} is ${got[i]}, expected ${want[i]} (bound ${bound.toExponential(2)})`);
      worst = Math.max(worst, err / Math.max(k * U * mag[i]!, Number.MIN_VALUE));
    }
    return worst;
  });

/** ‖a − b‖∞ / max(‖b‖∞, floor) */
export const normwise = (a: ArrayLike<number>, b: ArrayLike<number>, floor = 0): number => {
  let err = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? err : err / scale;
};
