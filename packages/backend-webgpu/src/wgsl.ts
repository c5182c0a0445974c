/**
 * The WGSL sources. Shapes, strides and offsets arrive in a uniform block, so one pipeline per
 * source serves every shape (pipelines are cached by source); the operation of the elementwise
 * shaders is a uniform `op` code, so all unary ops share one pipeline, all binary ops another.
 *
 * Every iteration space has at most MAX_RANK axes after collapsing (see plan.ts); indices are u32.
 */

export const MAX_RANK = 8;
/** invocations per workgroup of the elementwise and gather kernels */
export const WG = 256;
/** matmul and quadric tile edge */
export const TILE = 16;

/** Unary op codes (the `op` of the unary map shader). */
export const UNARY = { copy: 0, neg: 1, abs: 2, sign: 3, sqrt: 4, exp: 5, log: 6, accumulate: 7 } as const;
/** Binary op codes. */
export const BINARY = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4,
  less: 5, lessEqual: 6, greater: 7, greaterEqual: 8, equal: 9, notEqual: 10,
} as const;

/** u32 words of the map shaders' uniform block: header, dims, 4 × strides, offsets. */
export const MAP_WORDS = 4 + 8 + 4 * 8 + 4;

/** The flat index of an invocation in a dispatch of WG-sized workgroups over a 2-D grid. */
const invocation = `fn invocation(wg: vec3<u32>, nwg: vec3<u32>, li: u32) -> u32 { return (wg.y * nwg.x + wg.x) * ${WG}u + li; }
`;

const mapHeader = `
struct Params {
  count: u32, rank: u32, op: u32, pad0: u32,
  dims: array<vec4<u32>, 2>,
  strides: array<array<vec4<u32>, 2>, 4>,
  offsets: vec4<u32>,
};
@group(0) @binding(0) var<uniform> P: Params;

fn axis(v: array<vec4<u32>, 2>, k: u32) -> u32 { return v[k / 4u][k % 4u]; }

// Element offsets of invocation i in bindings 0..3 (0 is the output).
fn offsets(i: u32) -> vec4<u32> {
  var rem = i;
  var o = P.offsets;
  for (var d = i32(P.rank) - 1; d >= 0; d = d - 1) {
    let k = u32(d);
    let n = axis(P.dims, k);
    let q = rem / n;
    let idx = rem - q * n;
    rem = q;
    o = o + idx * vec4<u32>(axis(P.strides[0], k), axis(P.strides[1], k), axis(P.strides[2], k), axis(P.strides[3], k));
  }
  return o;
}

${invocation}`;

/**
 * exp, log and sqrt written with correctly rounded +, −, × (WGSL's own exp is only 3 + 2|x| ULP
 * and its log only 2⁻²¹ absolute near 1), so each stays within a few units of roundoff relative.
 */
const accurateMath = `
const LN2_HI: f32 = 0.693145751953125;      // 16 significant bits: k * LN2_HI is exact for |k| < 256
const LN2_LO: f32 = 1.4286068203094172e-6;  // ln 2 − LN2_HI
const INV_LN2: f32 = 1.4426950408889634;

fn exp_accurate(x: f32) -> f32 {
  if (x != x) { return x; }
  if (x > 88.72283) { return bitcast<f32>(0x7f800000u | (bitcast<u32>(x) & 0u)); } // +inf (kept out of constant evaluation)
  if (x < -103.97208) { return 0.0; }
  // x = k ln2 + r with |r| ≤ ln2/2 (Cody–Waite), exp(r) by its Taylor series to r⁸ (error < 2⁻²⁸).
  let k = round(x * INV_LN2);
  let r = (x - k * LN2_HI) - k * LN2_LO;
  let p = 1.0 + r * (1.0 + r * (0.5 + r * (0.16666667 + r * (0.041666668 + r * (0.008333334 + r * (0.0013888889 + r * (0.0001984127 + r * 0.000024801587)))))));
  // 2^k in two steps so that k = 128 (x just below the overflow threshold) stays finite.
  let k1 = i32(k) / 2;
  return ldexp(ldexp(p, k1), i32(k) - k1);
}

fn log_accurate(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if (!(x > 0.0) || bits >= 0x7f800000u) { return log(x); }
  // x = m 2^e with m in [√½, √2); with u = m − 1 (exact) and s = u / (m + 1),
  // log m = 2 atanh s = u − s (u − 2 s p) where 2 s p is the series beyond the first term.
  let fe = frexp(x);
  var m = fe.fract;
  var e = fe.exp;
  if (m < 0.70710678) { m = m * 2.0; e = e - 1; }
  let u = m - 1.0;
  let s = u / (m + 1.0);
  let z = s * s;
  let p = z * (0.33333334 + z * (0.2 + z * (0.14285715 + z * (0.11111111 + z * 0.09090909))));
  let r = u - s * (u - 2.0 * p);
  let fe32 = f32(e);
  return fe32 * LN2_HI + (fe32 * LN2_LO + r);
}

fn sqrt_accurate(x: f32) -> f32 {
  // One Newton step on WGSL's sqrt (specified only as 1 / inverseSqrt: about 9 units of roundoff).
  let y = sqrt(x);
  if (!(y > 0.0) || bitcast<u32>(y) >= 0x7f800000u) { return y; }
  return y + (x - y * y) * (0.5 / y);
}
`;

export const UNARY_MAP = `${mapHeader}${accurateMath}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = invocation(wg, nwg, li);
  if (i >= P.count) { return; }
  let o = offsets(i);
  let x = a[o.y];
  var y: f32;
  switch P.op {
    case 1u: { y = -x; }
    case 2u: { y = abs(x); }
    case 3u: { y = sign(x); }
    case 4u: { y = sqrt_accurate(x); }
    case 5u: { y = exp_accurate(x); }
    case 6u: { y = log_accurate(x); }
    case 7u: { y = out[o.x] + x; }
    default: { y = x; }
  }
  out[o.x] = y;
}
`;

export const BINARY_MAP = `${mapHeader}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = invocation(wg, nwg, li);
  if (i >= P.count) { return; }
  let o = offsets(i);
  let x = a[o.y];
  let z = b[o.z];
  var y: f32;
  switch P.op {
    case 0u: { y = x + z; }
    case 1u: { y = x - z; }
    case 2u: { y = x * z; }
    case 3u: { y = x / z; }
    case 4u: { y = max(x, z); }
    case 5u: { y = select(0.0, 1.0, x < z); }
    case 6u: { y = select(0.0, 1.0, x <= z); }
    case 7u: { y = select(0.0, 1.0, x > z); }
    case 8u: { y = select(0.0, 1.0, x >= z); }
    case 9u: { y = select(0.0, 1.0, x == z); }
    default: { y = select(0.0, 1.0, x != z); }
  }
  out[o.x] = y;
}
`;

export const WHERE_MAP = `${mapHeader}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read> b: array<f32>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = invocation(wg, nwg, li);
  if (i >= P.count) { return; }
  let o = offsets(i);
  out[o.x] = select(b[o.w], a[o.z], c[o.y] != 0.0);
}
`;

/** u32 words of the sum shaders' uniform block. */
export const SUM_WORDS = 8 + 8 * 5;

const sumHeader = `${invocation}
struct Params {
  outputs: u32, keptRank: u32, length: u32, redRank: u32,
  accumulate: u32, outOffset: u32, inOffset: u32, pad0: u32,
  keptDims: array<vec4<u32>, 2>,
  keptIn: array<vec4<u32>, 2>,
  keptOut: array<vec4<u32>, 2>,
  redDims: array<vec4<u32>, 2>,
  redIn: array<vec4<u32>, 2>,
};
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;

fn axis(v: array<vec4<u32>, 2>, k: u32) -> u32 { return v[k / 4u][k % 4u]; }

// Offsets in x and out of output element i.
fn keptOffsets(i: u32) -> vec2<u32> {
  var rem = i;
  var o = vec2<u32>(P.inOffset, P.outOffset);
  for (var d = i32(P.keptRank) - 1; d >= 0; d = d - 1) {
    let k = u32(d);
    let n = axis(P.keptDims, k);
    let q = rem / n;
    let idx = rem - q * n;
    rem = q;
    o = o + idx * vec2<u32>(axis(P.keptIn, k), axis(P.keptOut, k));
  }
  return o;
}

// Offset in x of reduced element r (relative to the output element's base).
fn reducedOffset(r: u32) -> u32 {
  var rem = r;
  var o = 0u;
  for (var d = i32(P.redRank) - 1; d >= 0; d = d - 1) {
    let k = u32(d);
    let n = axis(P.redDims, k);
    let q = rem / n;
    o = o + (rem - q * n) * axis(P.redIn, k);
    rem = q;
  }
  return o;
}

fn store(o: u32, v: f32) {
  if (P.accumulate != 0u) { out[o] = out[o] + v; } else { out[o] = v; }
}
`;

/**
 * One workgroup per output element: 64 invocations each sum a strided share of the reduced
 * elements, then a tree in workgroup memory. For long reductions (error grows like log₂ of the
 * tree plus length/64, not like the length).
 */
export const SUM_ROWS = `${sumHeader}
var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = wg.y * nwg.x + wg.x;
  let live = i < P.outputs;
  var acc = 0.0;
  var base = vec2<u32>(0u, 0u);
  if (live) {
    base = keptOffsets(i);
    for (var r = li; r < P.length; r = r + 64u) { acc = acc + x[base.x + reducedOffset(r)]; }
  }
  partial[li] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (li < s) { partial[li] = partial[li] + partial[li + s]; }
    workgroupBarrier();
  }
  if (live && li == 0u) { store(base.y, partial[0]); }
}
`;

/**
 * One invocation per output element, summing its reduced elements in order with an odometer over
 * the reduced axes: adjacent invocations read adjacent elements (reductions over outer axes).
 */
export const SUM_COLS = `${sumHeader}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = invocation(wg, nwg, li);
  if (i >= P.outputs) { return; }
  let base = keptOffsets(i);
  var idx = array<u32, ${MAX_RANK}>(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
  var o = base.x;
  var acc = 0.0;
  let last = i32(P.redRank) - 1;
  for (var r = 0u; r < P.length; r = r + 1u) {
    acc = acc + x[o];
    // Advance the odometer over the reduced axes (innermost first).
    for (var d = last; d >= 0; d = d - 1) {
      let k = u32(d);
      idx[k] = idx[k] + 1u;
      o = o + axis(P.redIn, k);
      if (idx[k] < axis(P.redDims, k)) { break; }
      o = o - idx[k] * axis(P.redIn, k);
      idx[k] = 0u;
    }
  }
  store(base.y, acc);
}
`;

/** u32 words of the matmul uniform block. */
export const MATMUL_WORDS = 16 + 4 * 8;

/**
 * Batched C = A·B, tiled: a 16×16 workgroup computes a 16×16 block of C, staging 16×16 tiles of
 * A and B in workgroup memory; each invocation sums its dot product in order along k. Batch
 * offsets come from the broadcast batch strides; `accumulate` adds to C (for k split in chunks).
 */
export const MATMUL = `
struct Params {
  M: u32, N: u32, K: u32, accumulate: u32,
  lda: u32, ldb: u32, ldc: u32, batchRank: u32,
  offA: u32, offB: u32, offC: u32, batchBase: u32,
  pad0: u32, pad1: u32, pad2: u32, pad3: u32,
  batchDims: array<vec4<u32>, 2>,
  batchA: array<vec4<u32>, 2>,
  batchB: array<vec4<u32>, 2>,
  batchC: array<vec4<u32>, 2>,
};
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> C: array<f32>;
@group(0) @binding(2) var<storage, read> A: array<f32>;
@group(0) @binding(3) var<storage, read> B: array<f32>;

var<workgroup> As: array<f32, ${TILE * (TILE + 1)}>;
var<workgroup> Bs: array<f32, ${TILE * (TILE + 1)}>;

fn axis(v: array<vec4<u32>, 2>, k: u32) -> u32 { return v[k / 4u][k % 4u]; }

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  var rem = P.batchBase + wg.z;
  var oa = P.offA;
  var ob = P.offB;
  var oc = P.offC;
  for (var d = i32(P.batchRank) - 1; d >= 0; d = d - 1) {
    let k = u32(d);
    let n = axis(P.batchDims, k);
    let q = rem / n;
    let idx = rem - q * n;
    rem = q;
    oa = oa + idx * axis(P.batchA, k);
    ob = ob + idx * axis(P.batchB, k);
    oc = oc + idx * axis(P.batchC, k);
  }
  let row = wg.y * ${TILE}u + l.y;
  let col = wg.x * ${TILE}u + l.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < P.K; k0 = k0 + ${TILE}u) {
    let ka = k0 + l.x;
    var va = 0.0;
    if (row < P.M && ka < P.K) { va = A[oa + row * P.lda + ka]; }
    As[l.y * ${TILE + 1}u + l.x] = va;
    let kb = k0 + l.y;
    var vb = 0.0;
    if (kb < P.K && col < P.N) { vb = B[ob + kb * P.ldb + col]; }
    Bs[l.y * ${TILE + 1}u + l.x] = vb;
    workgroupBarrier();
    let steps = min(${TILE}u, P.K - k0);
    for (var k = 0u; k < steps; k = k + 1u) {
      acc = acc + As[l.y * ${TILE + 1}u + k] * Bs[k * ${TILE + 1}u + l.x];
    }
    workgroupBarrier();
  }
  if (row < P.M && col < P.N) {
    let o = oc + row * P.ldc + col;
    if (P.accumulate != 0u) { C[o] = C[o] + acc; } else { C[o] = acc; }
  }
}
`;

/** u32 words of the quadric uniform block. */
export const QUADRIC_WORDS = 16;

/**
 * The fused quadric kernel. A 16×16 workgroup takes 16 points and one quadric i; for each block of
 * 16 coordinates j it forms T[p, j] = (S_i x_p)_j by a tiled product over k, then folds it at once
 * into Q = Σ_j x_j (T_j + b_j) + c and ‖∇Q‖² = Σ_j (2 T_j + b_j)², so T is never stored. The 16
 * partial sums of each point are added by a tree in workgroup memory.
 */
export const QUADRIC = `
struct Params {
  B: u32, n: u32, m: u32, ldo: u32,
  offX: u32, offS: u32, offb: u32, offc: u32,
  offOut: u32, half: u32, pad0: u32, pad1: u32,
  pad2: u32, pad3: u32, pad4: u32, pad5: u32,
};
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> S: array<f32>;
@group(0) @binding(4) var<storage, read> bv: array<f32>;
@group(0) @binding(5) var<storage, read> cv: array<f32>;

var<workgroup> Xs: array<f32, ${TILE * (TILE + 1)}>;
var<workgroup> Ss: array<f32, ${TILE * (TILE + 1)}>;
var<workgroup> red: array<vec2<f32>, ${TILE * TILE}>;

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let i = wg.y;
  let n = P.n;
  let p = wg.x * ${TILE}u + l.y;   // the point of this invocation's row (and of the X row it loads)
  let sBase = P.offS + i * n * n;
  var q = 0.0;
  var g = 0.0;
  for (var j0 = 0u; j0 < n; j0 = j0 + ${TILE}u) {
    var t = 0.0;
    for (var k0 = 0u; k0 < n; k0 = k0 + ${TILE}u) {
      let k = k0 + l.x;
      var vx = 0.0;
      if (p < P.B && k < n) { vx = X[P.offX + p * n + k]; }
      Xs[l.y * ${TILE + 1}u + l.x] = vx;
      let jr = j0 + l.y;
      var vs = 0.0;
      if (jr < n && k < n) { vs = S[sBase + jr * n + k]; }
      Ss[l.y * ${TILE + 1}u + l.x] = vs;
      workgroupBarrier();
      let steps = min(${TILE}u, n - k0);
      for (var kk = 0u; kk < steps; kk = kk + 1u) {
        t = t + Ss[l.x * ${TILE + 1}u + kk] * Xs[l.y * ${TILE + 1}u + kk];
      }
      workgroupBarrier();
    }
    let j = j0 + l.x;
    if (p < P.B && j < n) {
      let bj = bv[P.offb + i * n + j];
      let xj = X[P.offX + p * n + j];
      q = q + xj * (t + bj);
      let v = 2.0 * t + bj;
      g = g + v * v;
    }
  }
  red[l.y * ${TILE}u + l.x] = vec2<f32>(q, g);
  workgroupBarrier();
  for (var s = ${TILE / 2}u; s > 0u; s = s >> 1u) {
    if (l.x < s) { red[l.y * ${TILE}u + l.x] = red[l.y * ${TILE}u + l.x] + red[l.y * ${TILE}u + l.x + s]; }
    workgroupBarrier();
  }
  if (l.x == 0u && p < P.B) {
    let r = red[l.y * ${TILE}u];
    let o = P.offOut + p * P.ldo + i;
    out[o] = r.x + cv[P.offc + i];
    out[o + P.half] = r.y;
  }
}
`;

/** u32 words of the gather / scatter uniform block. */
export const INDEX_WORDS = 8;

/** out[a, j, r] = x[a, idx[j], r] over a contiguous output. */
export const GATHER = `${invocation}
struct Params { count: u32, inner: u32, J: u32, dim: u32, offX: u32, offOut: u32, base: u32, pad0: u32 };
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> idx: array<u32>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let local = invocation(wg, nwg, li);
  if (local >= P.count) { return; }
  let o = P.base + local;
  let r = o % P.inner;
  let aj = o / P.inner;
  let j = aj % P.J;
  let a = aj / P.J;
  out[P.offOut + local] = x[P.offX + (a * P.dim + idx[j]) * P.inner + r];
}
`;

/**
 * out[a, s, r] = Σ_{j : idx[j] = s} x[a, j, r], each output summing its own list in index order
 * (the host inverts the indices into CSR form: starts[s]..starts[s+1] into list), so the result is
 * deterministic and needs no atomics.
 */
export const SCATTER_ADD = `${invocation}
struct Params { count: u32, inner: u32, size: u32, dim: u32, offX: u32, offOut: u32, base: u32, pad0: u32 };
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> csr: array<u32>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let local = invocation(wg, nwg, li);
  if (local >= P.count) { return; }
  let o = P.base + local;
  let r = o % P.inner;
  let blk = o / P.inner;
  let s = blk % P.size;
  let a = blk / P.size;
  var acc = 0.0;
  let end = csr[s + 1u];
  for (var t = csr[s]; t < end; t = t + 1u) {
    acc = acc + x[P.offX + (a * P.dim + csr[P.size + 1u + t]) * P.inner + r];
  }
  out[P.offOut + local] = acc;
}
`;
