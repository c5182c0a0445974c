/**
 * Kernel sources, generated as text (gpu.js translates JavaScript source to GLSL, WebAssembly or
 * plain JavaScript). Generating text keeps build tools from touching the functions gpu.js parses,
 * and lets one generator cover every rank. Each source takes the flat output index
 * `this.thread.x` and reads its inputs flat; sizes, strides and offsets arrive as number
 * arguments (uniforms on GL), so a compiled kernel serves every shape of its class. Loop bounds are
 * literals with an early `break`, as WebGL1 requires.
 *
 * Index arithmetic is in float32, exact for integers below 2²⁴: tensors are limited to 2²⁴
 * elements. Division of exact integers may be off by one ulp on GPUs, so `idiv` corrects the
 * quotient with an exact remainder test.
 */
import type { Access } from './layout.js';

/** floor(a / b) for non-negative integers a, b < 2²⁴ held in floats, exact on every device. */
export const IDIV = `function idiv(a, b) {
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) {
    q = q - 1;
  }
  if (r >= b) {
    q = q + 1;
  }
  return q;
}`;

/**
 * log(x) to a few ulps relative everywhere, for GL kernels: GLSL ES 3.00 only bounds log's error
 * absolutely (2⁻²¹) on [0.5, 2], so near x = 1 its relative error is unbounded. There x = m·2^e
 * with m ∈ [√½, √2] exactly (e ∈ {-1, 0, 1}) and log m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤
 * 0.172, where m − 1 is exact; the series to s¹¹ leaves an error below 2⁻³⁰. Elsewhere
 * |log x| ≥ 0.69 and the built-in's 3 ulp hold.
 */
export const ACCURATE_LOG = `function accurateLog(x) {
  if (x < 0.5 || x > 2) {
    return Math.log(x);
  }
  let m = x;
  let e = 0;
  if (m > 1.4142135) {
    m = m * 0.5;
    e = 1;
  }
  if (m < 0.70710677) {
    m = m * 2;
    e = -1;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const series = 1 + z * (0.33333334 + z * (0.2 + z * (0.14285715 + z * (0.11111111 + z * 0.09090909))));
  return e * 0.6931472 + 2 * s * series;
}`;

export interface Source {
  /** the shape class: equal keys must mean equal source */
  readonly key: string;
  readonly text: string;
}

const fn = (args: readonly string[], body: readonly string[]): string =>
  `function (${args.join(', ')}) {\n  ${body.join('\n  ')}\n}`;

/**
 * Coordinates c0..c{rank-1} of the flat output index `i` for an output of `rank` axes, given the
 * suffix products p0..p{rank-2} (p_k = product of the dimensions after axis k).
 */
const coordinates = (rank: number): string[] => {
  const lines: string[] = ['const r0 = i;'];
  for (let k = 0; k < rank - 1; k++) {
    lines.push(`const c${k} = idiv(r${k}, p${k});`, `const r${k + 1} = r${k} - c${k} * p${k};`);
  }
  lines.push(`const c${rank - 1} = r${rank - 1};`);
  return lines;
};

/**
 * Elementwise over inputs x0.. broadcast or strided to the output: `expr` combines v0, v1, ... (the
 * inputs' values at the output coordinates). Arguments: the inputs, then p0..p{rank-2}, then for
 * each strided input its strides s{k}_0.. and offset o{k}, for each scalar input its offset o{k}.
 */
export const mapSource = (name: string, expr: string, rank: number, access: readonly Access[]): Source => {
  const args = access.map((_, k) => `x${k}`);
  const strided = access.some((a) => a === 'strided');
  if (strided) for (let k = 0; k < rank - 1; k++) args.push(`p${k}`);
  const body: string[] = ['const i = this.thread.x;'];
  if (strided) body.push(...coordinates(rank));
  access.forEach((a, k) => {
    if (a === 'same') {
      body.push(`const v${k} = x${k}[i];`);
    } else if (a === 'scalar') {
      args.push(`o${k}`);
      body.push(`const v${k} = x${k}[o${k}];`);
    } else {
      const terms: string[] = [];
      for (let axis = 0; axis < rank; axis++) {
        args.push(`s${k}_${axis}`);
        terms.push(`c${axis} * s${k}_${axis}`);
      }
      args.push(`o${k}`);
      body.push(`const v${k} = x${k}[o${k} + ${terms.join(' + ')}];`);
    }
  });
  body.push(`return ${expr};`);
  return { key: `map:${name}:${strided ? rank : 0}:${access.join(',')}`, text: fn(args, body) };
};

/**
 * Zero padding of a tensor of `rank` axes: arguments x, p0..p{rank-2} (output suffix products),
 * then per axis the padding before b_k, the input's extent n_k and its stride s_k.
 */
export const padSource = (rank: number): Source => {
  const args = ['x'];
  for (let k = 0; k < rank - 1; k++) args.push(`p${k}`);
  for (let k = 0; k < rank; k++) args.push(`b${k}`, `n${k}`, `s${k}`);
  const body = ['const i = this.thread.x;', ...coordinates(rank), 'let inside = 1;'];
  const terms: string[] = [];
  for (let k = 0; k < rank; k++) {
    body.push(`if (c${k} < b${k}) {\n    inside = 0;\n  }`, `if (c${k} >= b${k} + n${k}) {\n    inside = 0;\n  }`);
    terms.push(`(c${k} - b${k}) * s${k}`);
  }
  body.push('let v = 0;', `if (inside > 0) {\n    v = x[${terms.join(' + ')}];\n  }`, 'return v;');
  return { key: `pad:${rank}`, text: fn(args, body) };
};

/** out[o, j, q] = x[o, indices[j], q] for x viewed as [outer, dim, inner], indices of length count. */
export const gatherSource = (): Source => ({
  key: 'gather',
  text: fn(
    ['x', 'indices', 'count', 'inner', 'dim'],
    [
      'const i = this.thread.x;',
      'const block = count * inner;',
      'const o = idiv(i, block);',
      'const r = i - o * block;',
      'const j = idiv(r, inner);',
      'const q = r - j * inner;',
      'return x[(o * dim + indices[j]) * inner + q];',
    ],
  ),
});

/**
 * The adjoint of gather, as a gather: out[o, t, q] sums x[o, order[p], q] for p in
 * [starts[t], starts[t + 1]) where `order` lists the positions j with indices[j] = t, ascending.
 */
export const scatterAddSource = (loop: number): Source => ({
  key: `scatterAdd:${loop}`,
  text: fn(
    ['x', 'starts', 'order', 'size', 'inner', 'dim'],
    [
      'const i = this.thread.x;',
      'const block = size * inner;',
      'const o = idiv(i, block);',
      'const r = i - o * block;',
      'const t = idiv(r, inner);',
      'const q = r - t * inner;',
      'const first = starts[t];',
      'const count = starts[t + 1] - first;',
      'let acc = 0;',
      `for (let k = 0; k < ${loop}; k++) {\n    if (k >= count) {\n      break;\n    }\n    acc += x[(o * dim + order[first + k]) * inner + q];\n  }`,
      'return acc;',
    ],
  ),
});

/**
 * Concatenation of `count` pieces along an axis: each piece k is viewed as [outer, w_k] and the
 * output as [outer, total]; piece k fills columns [e_{k-1}, e_k).
 */
export const concatSource = (count: number): Source => {
  const args: string[] = [];
  for (let k = 0; k < count; k++) args.push(`x${k}`);
  for (let k = 0; k < count; k++) args.push(`w${k}`);
  for (let k = 0; k < count - 1; k++) args.push(`e${k}`);
  args.push('total');
  const body = ['const i = this.thread.x;', 'const o = idiv(i, total);', 'const q = i - o * total;', 'let v = 0;'];
  let chain = '';
  for (let k = 0; k < count; k++) {
    const start = k === 0 ? '' : ` - e${k - 1}`;
    const read = `v = x${k}[o * w${k} + q${start}];`;
    chain += k === 0 ? `if (q < e0) {\n    ${read}\n  }` : k < count - 1 ? ` else if (q < e${k}) {\n    ${read}\n  }` : ` else {\n    ${read}\n  }`;
  }
  if (count === 1) chain = 'v = x0[o * w0 + q];';
  body.push(chain, 'return v;');
  return { key: `concat:${count}`, text: fn(args, body) };
};

/**
 * Sums of runs: x viewed as [outer, length]; out[o, g] = Σ x[o, g·chunk + t] for t < chunk (the
 * last run shorter), i.e. one pass of a blocked reduction with `groups` = ⌈length / chunk⌉.
 */
export const rowSumSource = (chunk: number): Source => ({
  key: `rowSum:${chunk}`,
  text: fn(
    ['x', 'length', 'groups'],
    [
      'const i = this.thread.x;',
      'const o = idiv(i, groups);',
      'const g = i - o * groups;',
      `const start = g * ${chunk};`,
      'const base = o * length + start;',
      `const count = Math.min(${chunk}, length - start);`,
      'let acc = 0;',
      `for (let t = 0; t < ${chunk}; t++) {\n    if (t >= count) {\n      break;\n    }\n    acc += x[base + t];\n  }`,
      'return acc;',
    ],
  ),
});

/**
 * Batched matrix product: out[t, r, c] = Σ_p a[aOff[t] + r·k + p] · b[bOff[t] + p·n + c], with
 * the per-batch offsets aOff, bOff (broadcast batch axes) computed on the host.
 */
export const matmulSource = (loop: number): Source => ({
  key: `matmul:${loop}`,
  text: fn(
    ['a', 'b', 'aOff', 'bOff', 'rows', 'n', 'k'],
    [
      'const i = this.thread.x;',
      'const block = rows * n;',
      'const t = idiv(i, block);',
      'const r = i - t * block;',
      'const row = idiv(r, n);',
      'const col = r - row * n;',
      'const aBase = aOff[t] + row * k;',
      'const bBase = bOff[t] + col;',
      'let acc = 0;',
      `for (let p = 0; p < ${loop}; p++) {\n    if (p >= k) {\n      break;\n    }\n    acc += a[aBase + p] * b[bBase + p * n];\n  }`,
      'return acc;',
    ],
  ),
});

/** The quadric kernel, pass 1: T[i, p, j] = Σ_k S[i, j, k] · X[p, k] (row p of X·S_iᵀ), as [m, B, n]. */
export const quadricProductsSource = (loop: number): Source => ({
  key: `quadricProducts:${loop}`,
  text: fn(
    ['x', 's', 'points', 'n'],
    [
      'const i = this.thread.x;',
      'const block = points * n;',
      'const q = idiv(i, block);',
      'const r = i - q * block;',
      'const p = idiv(r, n);',
      'const j = r - p * n;',
      'const sBase = (q * n + j) * n;',
      'const xBase = p * n;',
      'let acc = 0;',
      `for (let k = 0; k < ${loop}; k++) {\n    if (k >= n) {\n      break;\n    }\n    acc += s[sBase + k] * x[xBase + k];\n  }`,
      'return acc;',
    ],
  ),
});

/**
 * The quadric kernel, pass 2 (epilogue): reads each row of T once. Output [2, B, m]: at part 0
 * Q = c_i + Σ_j x_j (t_j + b_j), at part 1 ‖2t + b‖² = Σ_j (2 t_j + b_j)².
 */
export const quadricEpilogueSource = (loop: number): Source => ({
  key: `quadricEpilogue:${loop}`,
  text: fn(
    ['x', 't', 'b', 'c', 'points', 'm', 'n'],
    [
      'const i = this.thread.x;',
      'const block = points * m;',
      'const part = idiv(i, block);',
      'const r = i - part * block;',
      'const p = idiv(r, m);',
      'const q = r - p * m;',
      'const tBase = (q * points + p) * n;',
      'const xBase = p * n;',
      'const bBase = q * n;',
      'let acc = 0;',
      `if (part < 0.5) {\n    acc = c[q];\n    for (let j = 0; j < ${loop}; j++) {\n      if (j >= n) {\n        break;\n      }\n      acc += x[xBase + j] * (t[tBase + j] + b[bBase + j]);\n    }\n  } else {\n    for (let j = 0; j < ${loop}; j++) {\n      if (j >= n) {\n        break;\n      }\n      const v = 2 * t[tBase + j] + b[bBase + j];\n      acc += v * v;\n    }\n  }`,
      'return acc;',
    ],
  ),
});

/** The quadric kernel in dimension n = 0: Q = c, ‖∇Q‖² = 0. */
export const quadricConstantSource = (): Source => ({
  key: 'quadricConstant',
  text: fn(
    ['c', 'points', 'm'],
    [
      'const i = this.thread.x;',
      'const block = points * m;',
      'const part = idiv(i, block);',
      'const r = i - part * block;',
      'const p = idiv(r, m);',
      'const q = r - p * m;',
      'let v = 0;',
      'if (part < 0.5) {\n    v = c[q];\n  }',
      'return v;',
    ],
  ),
});

/** Every element equal to `value`. */
export const fillSource = (): Source => ({ key: 'fill', text: fn(['value'], ['return value;']) });

/** A host array copied into a texture (GL upload). */
export const uploadSource = (): Source => ({ key: 'upload', text: fn(['x'], ['return x[this.thread.x];']) });
