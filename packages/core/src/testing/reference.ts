import {
  sizeOf, stridesOf, type Backend, type CompareOp, type FloatArray, type KernelTable, type Shape,
} from '../index.js';

/**
 * The oracle: every primitive written the obvious way, one output element at a time from its
 * multi-index, in float64. Slow and independent of any backend's tricks (views, blocking, tiling),
 * so the cross-backend suite can hold every backend, the CPU one included, against it.
 */
export interface HostTensor {
  readonly shape: Shape;
  readonly values: Float64Array;
}

const unravel = (i: number, shape: Shape): number[] => {
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = i % shape[a]!;
    i = Math.floor(i / shape[a]!);
  }
  return idx;
};

const ravel = (idx: readonly number[], shape: Shape): number => {
  const s = stridesOf(shape);
  return idx.reduce((acc, v, a) => acc + v * s[a]!, 0);
};

/** The element of `t` that broadcasting maps to output index `idx`. */
const at = (t: HostTensor, idx: readonly number[]): number => {
  const lead = idx.length - t.shape.length;
  return t.values[ravel(t.shape.map((d, a) => (d === 1 ? 0 : idx[lead + a]!)), t.shape)]!;
};

const build = (shape: Shape, f: (idx: number[]) => number): HostTensor => {
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = f(unravel(i, shape));
  return { shape, values };
};

const COMPARE: Record<CompareOp, (a: number, b: number) => boolean> = {
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
};

const kernels: KernelTable<HostTensor> = {
  neg: ([x], _, o) => build(o.shape, (i) => -at(x!.handle, i)),
  abs: ([x], _, o) => build(o.shape, (i) => Math.abs(at(x!.handle, i))),
  sign: ([x], _, o) => build(o.shape, (i) => Math.sign(at(x!.handle, i)) + 0),
  sqrt: ([x], _, o) => build(o.shape, (i) => Math.sqrt(at(x!.handle, i))),
  exp: ([x], _, o) => build(o.shape, (i) => Math.exp(at(x!.handle, i))),
  log: ([x], _, o) => build(o.shape, (i) => Math.log(at(x!.handle, i))),
  add: ([a, b], _, o) => build(o.shape, (i) => at(a!.handle, i) + at(b!.handle, i)),
  sub: ([a, b], _, o) => build(o.shape, (i) => at(a!.handle, i) - at(b!.handle, i)),
  mul: ([a, b], _, o) => build(o.shape, (i) => at(a!.handle, i) * at(b!.handle, i)),
  div: ([a, b], _, o) => build(o.shape, (i) => at(a!.handle, i) / at(b!.handle, i)),
  maximum: ([a, b], _, o) => build(o.shape, (i) => Math.max(at(a!.handle, i), at(b!.handle, i))),
  compare: ([a, b], { op }, o) => build(o.shape, (i) => (COMPARE[op](at(a!.handle, i), at(b!.handle, i)) ? 1 : 0)),
  where: ([c, a, b], _, o) => build(o.shape, (i) => (at(c!.handle, i) !== 0 ? at(a!.handle, i) : at(b!.handle, i))),
  sum: ([x], { axes, keepDims }, o) => {
    const acc = new Float64Array(sizeOf(o.shape));
    const kept = x!.shape.map((d, a) => (axes.includes(a) ? 1 : d));
    x!.handle.values.forEach((v, i) => {
      const idx = unravel(i, x!.shape).map((d, a) => (axes.includes(a) ? 0 : d));
      acc[ravel(keepDims ? idx : idx.filter((_, a) => !axes.includes(a)), keepDims ? kept : o.shape)]! += v;
    });
    return { shape: o.shape, values: acc };
  },
  reshape: ([x], _, o) => ({ shape: o.shape, values: x!.handle.values.slice() }),
  broadcastTo: ([x], _, o) => build(o.shape, (i) => at(x!.handle, i)),
  transpose: ([x], { perm }, o) =>
    build(o.shape, (i) => {
      const src = new Array<number>(perm.length);
      perm.forEach((p, a) => (src[p] = i[a]!));
      return x!.handle.values[ravel(src, x!.shape)]!;
    }),
  slice: ([x], { begin }, o) => build(o.shape, (i) => x!.handle.values[ravel(i.map((v, a) => v + begin[a]!), x!.shape)]!),
  pad: ([x], { before }, o) =>
    build(o.shape, (i) => {
      const src = i.map((v, a) => v - before[a]!);
      return src.every((v, a) => v >= 0 && v < x!.shape[a]!) ? x!.handle.values[ravel(src, x!.shape)]! : 0;
    }),
  gather: ([x], { axis, indices }, o) =>
    build(o.shape, (i) => x!.handle.values[ravel(i.map((v, a) => (a === axis ? indices[v]! : v)), x!.shape)]!),
  scatterAdd: ([x], { axis, indices }, o) => {
    const acc = new Float64Array(sizeOf(o.shape));
    x!.handle.values.forEach((v, i) => {
      acc[ravel(unravel(i, x!.shape).map((d, a) => (a === axis ? indices[d]! : d)), o.shape)]! += v;
    });
    return { shape: o.shape, values: acc };
  },
  concat: (xs, { axis }, o) =>
    build(o.shape, (i) => {
      let j = i[axis]!;
      for (const x of xs) {
        if (j < x.shape[axis]!) return x.handle.values[ravel(i.map((v, a) => (a === axis ? j : v)), x.shape)]!;
        j -= x.shape[axis]!;
      }
      throw new Error('unreachable: concat index past the end');
    }),
  matmul: ([a, b], _, o) => {
    const r = o.shape.length;
    const k = a!.shape[a!.shape.length - 1]!;
    return build(o.shape, (i) => {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const ai = [...i.slice(0, r - 2), i[r - 2]!, p];
        const bi = [...i.slice(0, r - 2), p, i[r - 1]!];
        s += at(a!.handle, ai) * at(b!.handle, bi);
      }
      return s;
    });
  },
  cast: ([x]) => ({ shape: x!.shape, values: x!.handle.values.slice() }),
  quadric: ([x, s, b, c], _, o) => {
    const n = x!.shape[1]!;
    const [X, S, bv, cv] = [x!.handle.values, s!.handle.values, b!.handle.values, c!.handle.values];
    return build(o.shape, ([part, p, i]) => {
      let q = cv[i!]!;
      let g2 = 0;
      for (let j = 0; j < n; j++) {
        let sx = 0;
        for (let k = 0; k < n; k++) sx += S[(i! * n + j) * n + k]! * X[p! * n + k]!;
        q += X[p! * n + j]! * (sx + bv[i! * n + j]!);
        g2 += (2 * sx + bv[i! * n + j]!) ** 2;
      }
      return part === 0 ? q : g2;
    });
  },
};

/** A float64-only backend built on the oracle kernels; it counts live handles like a real one. */
export const referenceBackend = (): Backend<HostTensor> => {
  let live = 0;
  const counted = Object.fromEntries(
    Object.entries(kernels).map(([name, k]) => [
      name,
      (...args: unknown[]) => {
        live++;
        return (k as (...a: unknown[]) => HostTensor)(...args);
      },
    ]),
  ) as unknown as KernelTable<HostTensor>;
  const read = (h: HostTensor): FloatArray => h.values.slice();
  return {
    name: 'reference',
    dtypes: ['float64'],
    upload: (values, shape) => {
      live++;
      return { shape, values: Float64Array.from(values) };
    },
    read: async (h) => read(h),
    readSync: read,
    dispose: () => {
      live--;
    },
    liveTensors: () => live,
    kernels: counted,
  };
};
