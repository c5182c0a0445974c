import fc from 'fast-check';
import {
  abs, data, fmtShape, mul, scope, sum, tensor, valueAndGrad, type Backend, type DType, type FloatArray, type Tensor,
} from '../index.js';
import type { HostData } from './arbitraries.js';
import { COMPOSITE_CASES, OP_CASES, type OpCase, type OpInstance } from './cases.js';
import { expectNoLeaks } from './leaks.js';
import { referenceBackend } from './reference.js';

/** The part of a test framework the suites need (node:test, or any describe/it runner). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
}

export interface BackendUnderTest {
  /** e.g. 'cpu float32' */
  readonly name: string;
  readonly backend: Backend;
  readonly dtype: DType;
  /**
   * c in the tolerance: pointwise results within c·u·|expected|, reductions of length k within
   * c·k·u·(the same reduction of |inputs|), with u the dtype's unit roundoff (2⁻²⁴ or 2⁻⁵³); plus
   * c·k·η for underflow, η the smallest normal number (GPUs may flush subnormals to zero).
   */
  readonly ulps?: number;
  /** fast-check runs per op (default 60) */
  readonly numRuns?: number;
}

const unitRoundoff = (dtype: DType): number => (dtype === 'float32' ? 2 ** -24 : 2 ** -53);
const smallestNormal = (dtype: DType): number => (dtype === 'float32' ? 2 ** -126 : 2 ** -1022);

const roundTo = (dtype: DType, values: readonly number[]): number[] =>
  dtype === 'float32' ? values.map(Math.fround) : [...values];

const upload = (backend: Backend, dtype: DType, d: HostData): Tensor =>
  tensor(roundTo(dtype, d.values), { shape: d.shape, dtype, backend });

const sameNonFinite = (got: number, want: number): boolean =>
  (Number.isNaN(got) && Number.isNaN(want)) || (!Number.isFinite(want) && got === want);

/** Runs `inst` on the backend under test and on the float64 oracle; throws naming the worst element. */
const agreeWithReference = async (cfg: BackendUnderTest, oracle: Backend, inst: OpInstance): Promise<void> => {
  const u = unitRoundoff(cfg.dtype);
  const eta = smallestNormal(cfg.dtype);
  const c = cfg.ulps ?? 4;
  await scope(async () => {
    const got = inst.run(inst.inputs.map((d) => upload(cfg.backend, cfg.dtype, d)));
    const rounded = inst.inputs.map((d) => upload(oracle, 'float64', { shape: d.shape, values: roundTo(cfg.dtype, d.values) }));
    const want = inst.run(rounded);
    if (fmtShape(got.shape) !== fmtShape(want.shape)) {
      throw new Error(`${inst.label}: shape ${fmtShape(got.shape)}, expected ${fmtShape(want.shape)}`);
    }
    const g = await data(got);
    const w = await data(want);
    let scale: FloatArray = w.map(Math.abs);
    let k = 1;
    if (inst.reduction) {
      scale = await data(inst.reduction.magnitude(rounded.map(abs)));
      k = Math.max(1, inst.reduction.length);
    }
    for (let i = 0; i < w.length; i++) {
      const bound = c * k * (u * scale[i]! + eta);
      const ok = sameNonFinite(g[i]!, w[i]!) || Math.abs(g[i]! - w[i]!) <= bound;
      if (!ok) {
        throw new Error(`${inst.label}: element ${i} is ${g[i]}, expected ${w[i]} (tolerance ${bound.toExponential(2)})`);
      }
    }
  });
};

/**
 * The cross-backend suite: every primitive, on random shapes (size 0 and 1 axes, NumPy
 * broadcasting) and values, must agree with the float64 oracle within the stated tolerance, and
 * must leave no tensor alive. Each backend package runs it for each dtype it supports.
 */
export const backendSuite = (t: TestApi, cfg: BackendUnderTest): void => {
  const oracle = referenceBackend();
  t.describe(`backend ${cfg.name}: primitives agree with the float64 oracle`, () => {
    for (const c of OP_CASES) {
      t.it(c.name, async () => {
        await expectNoLeaks(cfg.backend, () =>
          fc.assert(fc.asyncProperty(c.forward, (inst) => agreeWithReference(cfg, oracle, inst)), { numRuns: cfg.numRuns ?? 60 }),
        );
        if (oracle.liveTensors() !== 0) throw new Error(`oracle leaked ${oracle.liveTensors()} tensors`);
      });
    }
  });
};

/** Deterministic, non-degenerate cotangent values. */
const cotangent = (n: number): number[] => Array.from({ length: n }, (_, i) => Math.cos(1.7 * i + 0.3) + 0.1);

export interface GradientCheckOptions {
  /** finite-difference step (default 1e-6) */
  readonly eps?: number;
  /** bound on the relative error (default 1e-6) */
  readonly tolerance?: number;
  readonly numRuns?: number;
}

/**
 * Checks the reverse-mode gradient of `inst` in float64 against central finite differences:
 * every coordinate (normwise relative error), and JAX's ⟨t, Jᵀc⟩ = ⟨Jt, c⟩ along a random direction.
 */
export const checkGradient = async (backend: Backend, inst: OpInstance, opts: GradientCheckOptions = {}): Promise<void> => {
  const eps = opts.eps ?? 1e-6;
  const tol = opts.tolerance ?? 1e-6;
  const base = inst.inputs.map((d) => [...d.values]);
  await scope(async () => {
    const toTensors = (values: readonly number[][]): Tensor[] =>
      values.map((v, i) => tensor(v, { shape: inst.inputs[i]!.shape, dtype: 'float64', backend }));
    const shapeOut = inst.run(toTensors(base)).shape;
    const cot = tensor(cotangent(shapeOut.reduce((a, b) => a * b, 1)), { shape: shapeOut, dtype: 'float64', backend });
    const loss = (xs: readonly Tensor[]): Tensor => sum(mul(inst.run(xs), cot));
    /**
     * A central difference of L along the step `h` (a function of the input values), and the
     * smallest error it can resolve: rounding in L(x ± h) is about u·Σ|terms of L(x ± h)|, and
     * values near the underflow threshold lose all precision.
     */
    const centralDifference = async (h: (input: number, j: number) => number): Promise<[number, number]> =>
      scope(async () => {
        const run = async (sign: number): Promise<[number, number]> => {
          const xs = toTensors(base.map((v, i) => v.map((x, j) => x + sign * h(i, j))));
          const y = mul(inst.run(xs), cot);
          // A reduction's rounding scales with its terms, not with its (possibly cancelled) result.
          const { reduction } = inst;
          const magnitude = reduction ? mul(reduction.magnitude(xs.map(abs)), reduction.length) : y;
          return [(await data(sum(y)))[0]!, (await data(sum(abs(mul(magnitude, cot)))))[0]!];
        };
        const [plus, plusTerms] = await run(1);
        const [minus, minusTerms] = await run(-1);
        return [(plus - minus) / (2 * eps), (16 * 2 ** -53 * Math.max(plusTerms, minusTerms) + 2 ** -1000) / eps];
      });

    const { grads } = valueAndGrad(loss)(toTensors(base));
    const g = await Promise.all(grads.map((t) => data(t)));
    const gmax = Math.max(0, ...g.flatMap((v, i) => (inst.smooth[i] ? [...v].map(Math.abs) : [])));

    const direction = base.map((v, i) => v.map((_, j) => (inst.smooth[i] ? Math.sin(3.1 * j + 1.3) : 0)));
    let dirExact = 0;
    let dirScale = 0;
    for (let i = 0; i < base.length; i++) {
      if (!inst.smooth[i]) continue;
      for (let j = 0; j < base[i]!.length; j++) {
        const [fd, floor] = await centralDifference((ii, jj) => (ii === i && jj === j ? eps : 0));
        const err = Math.abs(fd - g[i]![j]!);
        if (err > tol * gmax + floor) {
          throw new Error(
            `${inst.label}: d/dx of input ${i} element ${j} is ${g[i]![j]} but finite differences give ${fd} (max |g| ${gmax.toExponential(3)})`,
          );
        }
        dirExact += direction[i]![j]! * g[i]![j]!;
        dirScale += Math.abs(direction[i]![j]! * g[i]![j]!);
      }
    }
    const [dirFd, floor] = await centralDifference((i, j) => eps * direction[i]![j]!);
    if (Math.abs(dirFd - dirExact) > tol * dirScale + floor) {
      throw new Error(`${inst.label}: ⟨t, Jᵀc⟩ = ${dirExact} but finite differences give ⟨Jt, c⟩ = ${dirFd}`);
    }
  });
};

/**
 * Gradients of every primitive (and of the composite ops) against finite differences, on a float64
 * backend, with no tensor left alive.
 */
export const gradientSuite = (t: TestApi, backend: Backend, opts: GradientCheckOptions = {}): void => {
  t.describe(`backend ${backend.name}: gradients match central finite differences (float64)`, () => {
    const cases: readonly OpCase[] = [...OP_CASES, ...COMPOSITE_CASES];
    for (const c of cases) {
      t.it(c.name, async () => {
        await expectNoLeaks(backend, () =>
          fc.assert(fc.asyncProperty(c.gradient ?? c.forward, (inst) => checkGradient(backend, inst, opts)), {
            numRuns: opts.numRuns ?? 30,
          }),
        );
      });
    }
  });
};
