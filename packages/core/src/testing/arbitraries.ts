import fc from 'fast-check';
import { sizeOf, type Shape } from '../index.js';

/** Host values of one input: a shape and its row-major values (float64). */
export interface HostData {
  readonly shape: Shape;
  readonly values: readonly number[];
}

export interface ShapeOptions {
  readonly minRank?: number;
  readonly maxRank?: number;
  /** dimensions are drawn from 0..maxDim, so size-0 and size-1 axes are common */
  readonly maxDim?: number;
}

export const shapeArb = ({ minRank = 0, maxRank = 4, maxDim = 4 }: ShapeOptions = {}): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: maxDim }), { minLength: minRank, maxLength: maxRank });

/**
 * `count` shapes that broadcast together to a common shape: each drops some leading axes of that
 * shape and turns some of its axes into 1.
 */
export const broadcastableShapesArb = (count: number, opts: ShapeOptions = {}): fc.Arbitrary<number[][]> =>
  shapeArb(opts).chain((out) =>
    fc.array(
      fc
        .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
        .map(([drop, ones]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop)),
      { minLength: count, maxLength: count },
    ),
  );

/** How values are drawn: a continuous range, or a grid `offset + k·step` that keeps kinks away. */
export type ValueSpec =
  | { readonly kind: 'range'; readonly min: number; readonly max: number; readonly signed?: boolean }
  | { readonly kind: 'grid'; readonly step: number; readonly offset: number; readonly steps: number };

export const range = (min: number, max: number, signed = false): ValueSpec => ({ kind: 'range', min, max, signed });
export const grid = (step: number, offset = 0, steps = 16): ValueSpec => ({ kind: 'grid', step, offset, steps });

const valueArb = (spec: ValueSpec): fc.Arbitrary<number> =>
  spec.kind === 'grid'
    ? fc.integer({ min: -spec.steps, max: spec.steps }).map((k) => spec.offset + k * spec.step)
    : fc
        .tuple(fc.double({ min: spec.min, max: spec.max, noNaN: true }), fc.boolean())
        .map(([v, neg]) => (spec.signed && neg ? -v : v));

export const dataArb = (shape: Shape, spec: ValueSpec): fc.Arbitrary<HostData> =>
  fc.array(valueArb(spec), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((values) => ({ shape, values }));

/** A permutation of 0..n-1. */
export const permutationArb = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });
