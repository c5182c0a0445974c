import { allocate } from './dtype.js';
import { getBackend, upload } from './engine.js';
import { QuadrixError } from './errors.js';
import { checkShape, sizeOf, type Shape } from './shape.js';
import type { Tensor } from './tensor.js';
import { type CreateOptions } from './creation.js';

/**
 * A PRNG key, JAX style: sampling is a pure function of the key, so the same key gives the same
 * values on every backend and in every call order. Derive fresh keys with `splitKey`; never sample
 * twice from one key. Values are drawn on the host in float64 and rounded to the tensor's dtype.
 */
export type Key = readonly [number, number];

export const randomKey = (seed: number): Key => {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new QuadrixError('argument', `randomKey: seed must be a non-negative safe integer, got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
};

const splitmix32 = (state: { z: number }): number => {
  state.z = (state.z + 0x9e3779b9) | 0;
  let t = state.z ^ (state.z >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
};

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** xoshiro128** seeded from a key (and a stream tag that separates splitting from sampling). */
const generator = (key: Key, stream: number): (() => number) => {
  const sm = { z: key[0] ^ Math.imul(key[1], 0x85ebca6b) ^ Math.imul(stream, 0xc2b2ae35) };
  const s = [splitmix32(sm), splitmix32(sm), splitmix32(sm), splitmix32(sm)] as [number, number, number, number];
  return () => {
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  };
};

const SAMPLE = 0;
const SPLIT = 1;

/** `n` independent keys derived from `key`. */
export const splitKey = (key: Key, n = 2): Key[] => {
  const next = generator(key, SPLIT);
  return Array.from({ length: n }, () => [next(), next()] as const);
};

/** Murmur3's finaliser: a bijective avalanche on 32-bit words. */
const mix32 = (h: number): number => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** A key derived from `key` and an integer, e.g. an epoch number: `foldIn(k, e)` needs no state. */
export const foldIn = (key: Key, value: number): Key => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new QuadrixError('argument', `foldIn: expects a non-negative safe integer, got ${value}`);
  }
  const words = [key[0], key[1], value >>> 0, Math.floor(value / 2 ** 32) >>> 0];
  const h1 = words.reduce((h, w) => mix32(h ^ w), 0x2545f491);
  const h2 = words.reduce((h, w) => mix32(h ^ w), 0x9e3779b9);
  return [h1, h2];
};

/** A stream of doubles uniform in [0, 1) with 53 random bits each. */
const unitStream = (key: Key): (() => number) => {
  const next = generator(key, SAMPLE);
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
};

export const uniformValues = (key: Key, size: number, low = 0, high = 1): Float64Array => {
  const u = unitStream(key);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = low + (high - low) * u();
  return out;
};

/** Standard normal values (Box–Muller on the host). */
export const normalValues = (key: Key, size: number): Float64Array => {
  const u = unitStream(key);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const theta = 2 * Math.PI * u();
    out[i] = r * Math.cos(theta);
    if (i + 1 < size) out[i + 1] = r * Math.sin(theta);
  }
  return out;
};

/** A uniformly random permutation of 0..n-1 (Fisher–Yates), e.g. to shuffle minibatches. */
export const permutation = (key: Key, n: number): Int32Array => {
  const u = unitStream(key);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
};

/**
 * A rows×cols matrix (row-major) with orthonormal columns: Gram–Schmidt, applied twice for float64
 * accuracy, to a Gaussian matrix. Columns are orthonormal to about 1e-15.
 */
export const orthonormalValues = (key: Key, rows: number, cols: number): Float64Array => {
  if (cols > rows) {
    throw new QuadrixError('shape', `orthonormal: cannot have ${cols} orthonormal columns in dimension ${rows}`);
  }
  const a = normalValues(key, rows * cols);
  for (let j = 0; j < cols; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let r = 0; r < rows; r++) d += a[r * cols + i]! * a[r * cols + j]!;
        for (let r = 0; r < rows; r++) a[r * cols + j]! -= d * a[r * cols + i]!;
      }
    }
    let nrm = 0;
    for (let r = 0; r < rows; r++) nrm += a[r * cols + j]! ** 2;
    nrm = Math.sqrt(nrm);
    for (let r = 0; r < rows; r++) a[r * cols + j]! /= nrm;
  }
  return a;
};

const fromHost = (values: Float64Array, shape: Shape, opts: CreateOptions): Tensor => {
  const dtype = opts.dtype ?? 'float32';
  const host = allocate(dtype, values.length);
  host.set(values);
  return upload(opts.backend ?? getBackend(), host, shape, dtype);
};

/** The largest float32 strictly below x (x a positive or negative finite float32). */
const float32Below = (x: number): number => {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  if (x > 0) bits[0]! -= 1;
  else if (x < 0) bits[0]! += 1;
  else return -(2 ** -149);
  return f[0]!;
};

/** Uniform in [low, high): draws that round up to `high` in float32 are moved just below it. */
export const uniform = (key: Key, shape: Shape, opts: CreateOptions & { low?: number; high?: number } = {}): Tensor => {
  checkShape('uniform', shape);
  const { low = 0, high = 1 } = opts;
  const v = uniformValues(key, sizeOf(shape), low, high);
  if ((opts.dtype ?? 'float32') === 'float32') {
    let top = Math.fround(high);
    if (top >= high) top = float32Below(top);
    for (let i = 0; i < v.length; i++) if (Math.fround(v[i]!) >= high) v[i] = top;
  }
  return fromHost(v, shape, opts);
};

export const normal = (key: Key, shape: Shape, opts: CreateOptions & { mean?: number; std?: number } = {}): Tensor => {
  checkShape('normal', shape);
  const v = normalValues(key, sizeOf(shape));
  const { mean = 0, std = 1 } = opts;
  for (let i = 0; i < v.length; i++) v[i] = mean + std * v[i]!;
  return fromHost(v, shape, opts);
};

/** A [rows, cols] tensor with orthonormal columns (cols ≤ rows). */
export const orthonormal = (key: Key, rows: number, cols: number, opts: CreateOptions = {}): Tensor => {
  checkShape('orthonormal', [rows, cols]);
  return fromHost(orthonormalValues(key, rows, cols), [rows, cols], opts);
};
