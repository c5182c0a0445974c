import fc from 'fast-check';
import { data, quadric, quadricComposed, scope, sum, mul, tensor, valueAndGrad, type Backend, type DType, type Tensor } from '../index.js';
import { OP_CASES } from './cases.js';
import { expectNoLeaks } from './leaks.js';
import type { TestApi } from './suites.js';

/**
 * max |a − b| / max(max |b|, floor) over two arrays of equal length. The floor (2⁻⁶⁰ in float32,
 * 2⁻⁵⁰⁰ in float64) stops results made of underflowed products from counting as relative errors.
 */
const normwise = (a: ArrayLike<number>, b: ArrayLike<number>, dtype: DType): number => {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / Math.max(scale, dtype === 'float32' ? 2 ** -60 : 2 ** -500);
};

/**
 * The fused quadric kernel against its specification composed of ordinary primitives, on the
 * same backend: values, and the gradient of ⟨c, output⟩ with respect to X, S, b and c, agree
 * normwise within `tolerance` (default 1e-12 in float64, 1e-4 in float32).
 */
export const fusedQuadricSuite = (t: TestApi, backend: Backend, dtype: DType, tolerance = dtype === 'float64' ? 1e-12 : 1e-4): void => {
  const quadricCase = OP_CASES.find((c) => c.name === 'quadric')!;
  t.describe(`backend ${backend.name} ${dtype}: fused quadric kernel ≡ composed specification`, () => {
    t.it('values and gradients agree', async () => {
      await expectNoLeaks(backend, () =>
        fc.assert(
          fc.asyncProperty(quadricCase.forward, (inst) =>
            scope(async () => {
              const xs = inst.inputs.map((d) => tensor(d.values, { shape: d.shape, dtype, backend }));
              const shape = quadric(xs[0]!, xs[1]!, xs[2]!, xs[3]!).shape;
              const cot = tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i + 0.5)), { shape, dtype, backend });
              const run = (f: typeof quadric) =>
                valueAndGrad((p: Tensor[]) => sum(mul(f(p[0]!, p[1]!, p[2]!, p[3]!), cot)))(xs);
              const fused = run(quadric);
              const spec = run(quadricComposed);
              const pairs: [Tensor, Tensor, string][] = [
                [quadric(xs[0]!, xs[1]!, xs[2]!, xs[3]!), quadricComposed(xs[0]!, xs[1]!, xs[2]!, xs[3]!), 'values'],
                ...fused.grads.map((g, i): [Tensor, Tensor, string] => [g, spec.grads[i]!, `gradient of input ${i}`]),
              ];
              for (const [a, b, what] of pairs) {
                const err = normwise(await data(a), await data(b), dtype);
                if (!(err <= tolerance)) throw new Error(`${inst.label}: ${what} differ, normwise relative error ${err}`);
              }
            }),
          ),
          { numRuns: 50 },
        ),
      );
    });
  });
};
