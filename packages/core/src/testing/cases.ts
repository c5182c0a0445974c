import fc from 'fast-check';
import * as core from '../index.js';
import { fmtShape, matmul, sizeOf, type CompareOp, type Tensor } from '../index.js';
import {
  broadcastableShapesArb, dataArb, grid, permutationArb, range, shapeArb, type HostData, type ValueSpec,
} from './arbitraries.js';

/** One concrete application of an op: its inputs (host values) and how to run it on tensors. */
export interface OpInstance {
  readonly label: string;
  readonly inputs: readonly HostData[];
  /** which inputs finite differences may perturb (not a `where` condition, say) */
  readonly smooth: readonly boolean[];
  readonly run: (xs: readonly Tensor[]) => Tensor;
  /**
   * For reductions, the error scale of each output element: `length` terms, of magnitude
   * `magnitude(|inputs|)` (e.g. |A|·|B| for matmul). Without it the scale is |result|.
   */
  readonly reduction?: { readonly length: number; readonly magnitude: (abs: readonly Tensor[]) => Tensor };
}

export interface OpCase {
  readonly name: string;
  /** instances for forward agreement between backends */
  readonly forward: fc.Arbitrary<OpInstance>;
  /** instances for gradient checks (defaults to `forward`); kept away from kinks and ties */
  readonly gradient?: fc.Arbitrary<OpInstance>;
}

const label = (name: string, inputs: readonly HostData[], extra = ''): string =>
  `${name}(${inputs.map((d) => fmtShape(d.shape)).join(', ')}${extra ? `; ${extra}` : ''})`;

const withData = (shapes: readonly number[][], specs: readonly ValueSpec[]): fc.Arbitrary<HostData[]> =>
  fc.tuple(...shapes.map((s, i) => dataArb(s, specs[i] ?? specs[0]!)));

const unary = (name: string, f: (x: Tensor) => Tensor, spec: ValueSpec): OpCase => ({
  name,
  forward: shapeArb()
    .chain((s) => withData([s], [spec]))
    .map((inputs) => ({ label: label(name, inputs), inputs, smooth: [true], run: ([x]) => f(x!) })),
});

const binary = (name: string, f: (a: Tensor, b: Tensor) => Tensor, a: ValueSpec, b: ValueSpec): OpCase => ({
  name,
  forward: broadcastableShapesArb(2)
    .chain((shapes) => withData(shapes, [a, b]))
    .map((inputs) => ({ label: label(name, inputs), inputs, smooth: [true, true], run: ([x, y]) => f(x!, y!) })),
});

const COMPARE_OPS: readonly CompareOp[] = ['less', 'lessEqual', 'greater', 'greaterEqual', 'equal', 'notEqual'];

const compareCase = (spec: ValueSpec, other: ValueSpec): fc.Arbitrary<OpInstance> =>
  fc
    .tuple(broadcastableShapesArb(2).chain((s) => withData(s, [spec, other])), fc.constantFrom(...COMPARE_OPS))
    .map(([inputs, op]) => ({
      label: label('compare', inputs, op),
      inputs,
      smooth: [true, true],
      run: ([x, y]) => core.compare(x!, y!, op),
    }));

const axesArb = (rank: number): fc.Arbitrary<number[]> =>
  fc.subarray(Array.from({ length: rank }, (_, i) => i));

/** Values well inside every op's domain and away from kinks (a grid offset from 0 by step/2). */
const SIGNED = grid(1 / 8, 1 / 16);
const SHIFTED = grid(1 / 8, 0);

export const OP_CASES: readonly OpCase[] = [
  unary('neg', core.neg, range(-10, 10)),
  unary('abs', core.abs, SIGNED),
  unary('sign', core.sign, SIGNED),
  unary('sqrt', core.sqrt, range(0.1, 10)),
  unary('exp', core.exp, range(-3, 3)),
  unary('log', core.log, range(0.1, 10)),
  binary('add', core.add, range(-10, 10), range(-10, 10)),
  binary('sub', core.sub, range(-10, 10), range(-10, 10)),
  binary('mul', core.mul, range(-10, 10), range(-10, 10)),
  binary('div', core.div, range(-10, 10), range(0.5, 4, true)),
  binary('maximum', core.maximum, SIGNED, SHIFTED),
  {
    name: 'compare',
    // Equal grids in the forward check so that ties (equal, lessEqual, ...) actually occur.
    forward: compareCase(grid(1 / 4, 0, 4), grid(1 / 4, 0, 4)),
    gradient: compareCase(SIGNED, SHIFTED),
  },
  {
    name: 'where',
    forward: broadcastableShapesArb(3)
      .chain((s) => withData(s, [grid(1, 0, 1), range(-10, 10), range(-10, 10)]))
      .map((inputs) => ({
        label: label('where', inputs),
        inputs,
        smooth: [false, true, true],
        run: ([c, a, b]) => core.where(c!, a!, b!),
      })),
  },
  {
    name: 'sum',
    forward: shapeArb()
      .chain((s) => fc.tuple(withData([s], [range(-10, 10)]), axesArb(s.length), fc.boolean()))
      .map(([inputs, axes, keepDims]) => ({
        label: label('sum', inputs, `axes [${axes}] keepDims ${keepDims}`),
        inputs,
        smooth: [true],
        run: ([x]) => core.sum(x!, axes, keepDims),
        reduction: {
          length: axes.reduce((n, a) => n * inputs[0]!.shape[a]!, 1),
          magnitude: ([x]) => core.sum(x!, axes, keepDims),
        },
      })),
  },
  {
    name: 'reshape',
    forward: shapeArb()
      .chain((s) => fc.tuple(withData([s], [range(-10, 10)]), fc.boolean()))
      .map(([inputs, flat]) => {
        const s = inputs[0]!.shape;
        const to = flat ? [sizeOf(s)] : [...s].reverse();
        return { label: label('reshape', inputs, `to ${fmtShape(to)}`), inputs, smooth: [true], run: ([x]) => core.reshape(x!, to) };
      }),
  },
  {
    name: 'broadcastTo',
    forward: broadcastableShapesArb(1)
      .chain(([s]) =>
        // Grow the input back into a shape it broadcasts to: restore some 1s, prepend an axis.
        fc.tuple(withData([s!], [range(-10, 10)]), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: s!.length, maxLength: s!.length }), fc.integer({ min: 0, max: 3 })),
      )
      .map(([inputs, grow, lead]) => {
        const to = [lead, ...inputs[0]!.shape.map((d, i) => (d === 1 ? grow[i]! : d))];
        return { label: label('broadcastTo', inputs, `to ${fmtShape(to)}`), inputs, smooth: [true], run: ([x]) => core.broadcastTo(x!, to) };
      }),
  },
  {
    name: 'transpose',
    forward: shapeArb()
      .chain((s) => fc.tuple(withData([s], [range(-10, 10)]), permutationArb(s.length)))
      .map(([inputs, perm]) => ({
        label: label('transpose', inputs, `perm [${perm}]`),
        inputs,
        smooth: [true],
        run: ([x]) => core.transpose(x!, perm),
      })),
  },
  {
    name: 'slice',
    forward: shapeArb()
      .chain((s) =>
        fc.tuple(
          withData([s], [range(-10, 10)]),
          fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))),
        ),
      )
      .map(([inputs, bs]) => {
        const begin = bs.map(([b]) => b);
        const size = bs.map(([, z]) => z);
        return { label: label('slice', inputs, `begin [${begin}] size [${size}]`), inputs, smooth: [true], run: ([x]) => core.slice(x!, begin, size) };
      }),
  },
  {
    name: 'pad',
    forward: shapeArb({ maxRank: 3 })
      .chain((s) =>
        fc.tuple(
          withData([s], [range(-10, 10)]),
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: s.length, maxLength: s.length }),
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: s.length, maxLength: s.length }),
        ),
      )
      .map(([inputs, before, after]) => ({
        label: label('pad', inputs, `before [${before}] after [${after}]`),
        inputs,
        smooth: [true],
        run: ([x]) => core.pad(x!, before, after),
      })),
  },
  {
    name: 'gather',
    forward: shapeArb({ minRank: 1 })
      .chain((s) => fc.tuple(withData([s], [range(-10, 10)]), fc.integer({ min: 0, max: s.length - 1 })))
      .chain(([inputs, axis]) => {
        const d = inputs[0]!.shape[axis]!;
        const idx = d === 0 ? fc.constant<number[]>([]) : fc.array(fc.integer({ min: 0, max: d - 1 }), { maxLength: 6 });
        return idx.map((indices) => ({
          label: label('gather', inputs, `axis ${axis} indices [${indices}]`),
          inputs,
          smooth: [true],
          run: ([x]: readonly Tensor[]) => core.gather(x!, indices, axis),
        }));
      }),
  },
  {
    name: 'scatterAdd',
    forward: shapeArb({ minRank: 1 })
      .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 1, max: 4 })))
      .chain(([s, axis, size]) =>
        fc.tuple(withData([s], [range(-10, 10)]), fc.array(fc.integer({ min: 0, max: size - 1 }), { minLength: s[axis]!, maxLength: s[axis]! })).map(
          ([inputs, indices]) => ({
            label: label('scatterAdd', inputs, `axis ${axis} indices [${indices}] size ${size}`),
            inputs,
            smooth: [true],
            run: ([x]: readonly Tensor[]) => core.scatterAdd(x!, indices, size, axis),
            reduction: { length: indices.length, magnitude: ([x]: readonly Tensor[]) => core.scatterAdd(x!, indices, size, axis) },
          }),
        ),
      ),
  },
  {
    name: 'concat',
    forward: shapeArb({ minRank: 1 })
      .chain((s) =>
        fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })).chain(([axis, dims]) =>
          withData(dims.map((d) => s.map((x, i) => (i === axis ? d : x))), [range(-10, 10)]).map((inputs) => ({
            label: label('concat', inputs, `axis ${axis}`),
            inputs,
            smooth: inputs.map(() => true),
            run: (xs: readonly Tensor[]) => core.concat(xs, axis),
          })),
        ),
      ),
  },
  {
    name: 'matmul',
    forward: fc
      .tuple(broadcastableShapesArb(2, { maxRank: 2, maxDim: 3 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }))
      .chain(([[ba, bb], m, k, n]) => withData([[...ba!, m, k], [...bb!, k, n]], [range(-10, 10)]).map((inputs) => ({
        label: label('matmul', inputs),
        inputs,
        smooth: [true, true],
        run: ([a, b]: readonly Tensor[]) => matmul(a!, b!),
        reduction: { length: k, magnitude: ([a, b]: readonly Tensor[]) => matmul(a!, b!) },
      }))),
  },
  {
    name: 'quadric',
    forward: fc
      .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }))
      .chain(([B, n, m]) =>
        withData([[B, n], [m, n, n], [m, n], [m]], [range(-3, 3)]).map(([x, s, b, c]) => {
          // The primitive's contract: each S_i symmetric.
          const sym = s!.values.map((_, at) => {
            const [i, j, k] = [Math.floor(at / (n * n)), Math.floor(at / n) % n, at % n];
            return (s!.values[(i * n + j) * n + k]! + s!.values[(i * n + k) * n + j]!) / 2;
          });
          const inputs = [x!, { shape: s!.shape, values: sym }, b!, c!];
          return {
            label: label('quadric', inputs),
            inputs,
            smooth: [true, true, true, true],
            run: ([xt, st, bt, ct]: readonly Tensor[]) => core.quadric(xt!, st!, bt!, ct!),
            reduction: { length: 2 * n + 2, magnitude: ([xt, st, bt, ct]: readonly Tensor[]) => core.quadric(xt!, st!, bt!, ct!) },
          };
        }),
      ),
  },
];

/** Composite ops: not primitives, but their gradients (through the primitives) are checked too. */
export const COMPOSITE_CASES: readonly OpCase[] = [
  unary('square', core.square, range(-10, 10)),
  unary('mean', (x) => core.mean(x, undefined), range(-10, 10)),
  // Includes all-zero inputs: norm's gradient there is defined as zero.
  unary('norm', (x) => core.norm(x), grid(1 / 2, 0, 2)),
  binary('minimum', core.minimum, SIGNED, SHIFTED),
];
