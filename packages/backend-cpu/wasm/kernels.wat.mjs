// The source of the CPU backend's WebAssembly kernels: a generator of WebAssembly text (WAT).
// `scripts/build-wasm.mjs` assembles its output with wabt (an npm package) into the binaries the
// backend loads. The register-blocked micro-kernel is written out by loops here instead of by hand.
//
// Everything works on float32 in one linear memory shared by all threads (or private to one):
//
//   [0, 64)        control words: EPOCH, NEXT (claim counter, epoch-tagged), NTILES, DONE, KIND
//   [64, 512)      the job descriptor (i32 fields, below)
//   [512, 1024)    per thread slot, the keys of its last packed panels (see $memo)
//   scratch        per thread slot: packed A (MC×KC), packed B (KC×NC), the C tile (MC×NC), and
//                  two row accumulators for the quadric epilogue
//   heap           tensors of the fast backend and temporary copies, allocated by the JavaScript side
//
// A job is a list of independent tiles. Every thread (the caller and the workers) runs
// `run(slot, epoch)`, which claims tiles one at a time with a compare-exchange on NEXT until none
// are left; the thread that finishes the last tile wakes the caller waiting on DONE. NEXT carries the
// job's epoch in its high 16 bits, so a thread that woke up late for an earlier job can never claim
// a tile of the current one: its compare-exchange fails. Each output element is written by exactly
// one tile with a fixed order of operations, so results do not depend on the number of threads.
//
// GEMM (KIND 1), optionally split along K into kBlocks partial products written pStride bytes apart
// (summed afterwards in a fixed order, so the result does not depend on the threads):
// C_t = A_t · B_t for t < T, A_t M×K, B_t K×N, C row-major [T, M, N]. A_t is stored
// row-major (transA 0: element (i, k) at i·lda + k) or as its transpose (transA 1: at k·lda + i),
// likewise B_t; A_t and B_t start at element offsets read from per-batch tables (broadcast batch
// axes simply repeat an offset). A tile is (t, MC rows, NC columns) over all of K, computed BLIS
// style: KC-deep panels of A and B are packed into MR-row and NR-column slivers, then an MR×NR
// register-blocked micro-kernel runs over them, accumulating into C directly when the tile is whole
// (into a scratch tile copied out otherwise). A thread skips packing a panel it packed last (the
// broadcast operand of a batched product, X in the quadric kernel).
//
// Elementwise (KIND 3): out[l, i, j] = a[leadA[l] + i·ra + j·sa] op b[leadB[l] + i·rb + j·sb], out
// contiguous [L, R, C], for op in OPS. Broadcasting is a zero stride; a transposed operand has a
// large sa or sb. A tile is (l, RB rows, CB columns): whole rows when both column strides are 0 or
// 1 (then the row loops are SIMD), 32×32 blocks otherwise, so strided reads stay in cache.
//
// Row sums (KIND 4): out[t] = Σ_{r < red} x[t·red + r], one tile per row, in four f32x4 accumulators.
//
// Quadric (KIND 2): out[0, p, i] = x_pᵀS_i x_p + b_iᵀx_p + c_i and out[1, p, i] = ‖2 S_i x_p + b_i‖².
// A tile is (quadric i, MC points): T = X_rows · S_i by the same packed GEMM (S_i symmetric, so
// S_i serves as its own transpose and is read row by row), then an epilogue reads each row of T
// once for both sums. Nothing of size B×m×n is stored, unless the caller asks for T itself (tOut),
// which the backward pass needs again.

export const MR = 4; // rows of the micro-kernel's register block
export const NR = 8; // columns (two f32x4 vectors)
export const KU = 4; // unrolling of the micro-kernel's k loop; packed panels are padded to it

export const CONTROL = { EPOCH: 0, NEXT: 1, NTILES: 2, DONE: 3, KIND: 4 };
/** At most this many thread slots (the memo area between MEMO and 1024 holds 16). */
export const MAX_SLOTS = 16;

/** i32 fields of the job descriptor, by index (address 64 + 4·index). */
export const FIELDS = [
  // shared by both kinds
  'MC', 'NC', 'KC', 'scratch', 'scratchStride', 'mBlocks', 'nBlocks',
  // GEMM
  'T', 'M', 'N', 'K', 'a', 'aOffs', 'lda', 'transA', 'b', 'bOffs', 'ldb', 'transB', 'c',
  'kBlocks', 'kSplit', 'pStride',
  // quadric
  'rows', 'n', 'm', 'x', 's', 'lin', 'free', 'out', 'tOut',
  // elementwise
  'op', 'R', 'C', 'L', 'leadA', 'leadB', 'ra', 'sa', 'rb', 'sb', 'ea', 'eb', 'eo', 'RB', 'CB', 'tilesR', 'tilesC',
  // row sums
  'sx', 'sred', 'sout',
];

/** Binary elementwise ops of KIND 3, by code. */
export const OPS = ['add', 'sub', 'mul', 'div'];
export const DESCRIPTOR = 64;
/** Per thread slot, 32 bytes: the keys of the last packed A and B panels (see $memo). */
export const MEMO = 512;
if (DESCRIPTOR + 4 * FIELDS.length > MEMO) throw new Error('the job descriptor overlaps the memo area');
const field = (name) => {
  const i = FIELDS.indexOf(name);
  if (i < 0) throw new Error(`no field ${name}`);
  return DESCRIPTOR + 4 * i;
};

const get = (name) => `(i32.load (i32.const ${field(name)}))`;

/** The micro-kernel and the loops of a macro-kernel around it (one packed A block × one packed B block). */
const macroKernel = (relaxed) => {
  const NV = NR / 4;
  const acc = (r, v) => `$c${r}_${v}`;
  const L = [];
  L.push(`;; C tile (MR·mt × NR·nt, row stride ldc bytes) = or += packed A (mt slivers) · packed B (nt slivers), depth kcp`);
  L.push(`(func $macro (param $pa0 i32) (param $pb0 i32) (param $pc0 i32) (param $mt i32) (param $nt i32) (param $kcp i32) (param $ldc i32) (param $first i32)`);
  L.push(`  (local $pa i32) (local $pb i32) (local $pc i32) (local $k i32) (local $i i32) (local $j i32) (local $a v128)`);
  for (let v = 0; v < NV; v++) L.push(`  (local $b${v} v128)`);
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) L.push(`  (local ${acc(r, v)} v128)`);
  L.push(`  (if (i32.or (i32.eqz (local.get $mt)) (i32.eqz (local.get $nt))) (then (return)))`);
  L.push(`  (local.set $j (i32.const 0))`);
  L.push(`  (loop $jl`);
  L.push(`    (local.set $i (i32.const 0))`);
  L.push(`    (loop $il`);
  L.push(`      (local.set $pa (i32.add (local.get $pa0) (i32.mul (local.get $i) (i32.mul (local.get $kcp) (i32.const ${MR * 4})))))`);
  L.push(`      (local.set $pb (i32.add (local.get $pb0) (i32.mul (local.get $j) (i32.mul (local.get $kcp) (i32.const ${NR * 4})))))`);
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) L.push(`      (local.set ${acc(r, v)} (v128.const i32x4 0 0 0 0))`);
  L.push(`      (local.set $k (local.get $kcp))`);
  L.push(`      (if (i32.gt_s (local.get $k) (i32.const 0)) (then`);
  L.push(`      (loop $kl`);
  for (let u = 0; u < KU; u++) {
    for (let v = 0; v < NV; v++) L.push(`        (local.set $b${v} (v128.load offset=${(u * NR + v * 4) * 4} (local.get $pb)))`);
    for (let r = 0; r < MR; r++) {
      L.push(`        (local.set $a (v128.load32_splat offset=${(u * MR + r) * 4} (local.get $pa)))`);
      for (let v = 0; v < NV; v++) {
        L.push(
          relaxed
            ? `        (local.set ${acc(r, v)} (f32x4.relaxed_madd (local.get $a) (local.get $b${v}) (local.get ${acc(r, v)})))`
            : `        (local.set ${acc(r, v)} (f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $a) (local.get $b${v}))))`,
        );
      }
    }
  }
  L.push(`        (local.set $pa (i32.add (local.get $pa) (i32.const ${KU * MR * 4})))`);
  L.push(`        (local.set $pb (i32.add (local.get $pb) (i32.const ${KU * NR * 4})))`);
  L.push(`        (br_if $kl (i32.gt_s (local.tee $k (i32.sub (local.get $k) (i32.const ${KU}))) (i32.const 0)))`);
  L.push(`      )))`);
  L.push(`      (local.set $pc (i32.add (local.get $pc0) (i32.add (i32.mul (i32.mul (local.get $i) (i32.const ${MR})) (local.get $ldc)) (i32.mul (local.get $j) (i32.const ${NR * 4})))))`);
  L.push(`      (if (local.get $first) (then`);
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < NV; v++) L.push(`        (v128.store offset=${v * 16} (local.get $pc) (local.get ${acc(r, v)}))`);
    if (r < MR - 1) L.push(`        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))`);
  }
  L.push(`      ) (else`);
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < NV; v++) {
      L.push(`        (v128.store offset=${v * 16} (local.get $pc) (f32x4.add (v128.load offset=${v * 16} (local.get $pc)) (local.get ${acc(r, v)})))`);
    }
    if (r < MR - 1) L.push(`        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))`);
  }
  L.push(`      ))`);
  L.push(`      (br_if $il (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mt)))`);
  L.push(`    )`);
  L.push(`    (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $nt)))`);
  L.push(`  )`);
  L.push(`)`);
  return L.join('\n');
};


/** f32 lanes → the byte lane indices of i8x16.shuffle (lanes 4..7 are the second operand's 0..3). */
const lanes = (...ls) => ls.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ');

/**
 * Stores the transpose of four f32x4 rows (expressions r0..r3, rows of 4 consecutive k) as four
 * vectors k, k+1, k+2, k+3 of the 4 rows, at dst + offset + stride·i.
 */
const transpose4 = (rows, dst, offset, stride) => `
  (local.set $t0 (i8x16.shuffle ${lanes(0, 4, 1, 5)} ${rows[0]} ${rows[1]}))
  (local.set $t1 (i8x16.shuffle ${lanes(0, 4, 1, 5)} ${rows[2]} ${rows[3]}))
  (local.set $t2 (i8x16.shuffle ${lanes(2, 6, 3, 7)} ${rows[0]} ${rows[1]}))
  (local.set $t3 (i8x16.shuffle ${lanes(2, 6, 3, 7)} ${rows[2]} ${rows[3]}))
  (v128.store offset=${offset} ${dst} (i8x16.shuffle ${lanes(0, 1, 4, 5)} (local.get $t0) (local.get $t1)))
  (v128.store offset=${offset + stride} ${dst} (i8x16.shuffle ${lanes(2, 3, 6, 7)} (local.get $t0) (local.get $t1)))
  (v128.store offset=${offset + 2 * stride} ${dst} (i8x16.shuffle ${lanes(0, 1, 4, 5)} (local.get $t2) (local.get $t3)))
  (v128.store offset=${offset + 3 * stride} ${dst} (i8x16.shuffle ${lanes(2, 3, 6, 7)} (local.get $t2) (local.get $t3)))`;

// Packing. `src` is the byte address of element (0, 0) of the block; `ld` the leading dimension in
// elements; `trans` says which of the two layouts the block has (see the top of this file).
// Slivers are padded with zeros past the block's edge (rows, columns, and depth up to kcp).
const packing = () => `
;; packed A: for each MR-row sliver s, for k < kcp: A(s·MR + r, k) for r < MR
(func $packA (param $dst i32) (param $src i32) (param $ld i32) (param $trans i32) (param $mc i32) (param $kc i32) (param $kcp i32)
  (local $s i32) (local $k i32) (local $r i32) (local $i i32) (local $p i32) (local $row0 i32) (local $ldb i32)
  (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  (local.set $ldb (i32.shl (local.get $ld) (i32.const 2)))
  (local.set $s (i32.const 0))
  (block $done (loop $sl
    (br_if $done (i32.ge_u (i32.mul (local.get $s) (i32.const ${MR})) (local.get $mc)))
    (local.set $row0 (i32.mul (local.get $s) (i32.const ${MR})))
    (if (i32.and (i32.le_u (i32.add (local.get $row0) (i32.const ${MR})) (local.get $mc)) (local.get $trans))
      (then
        ;; full sliver stored transposed: MR contiguous values per k
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $row0) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $kd (loop $kl
          (br_if $kd (i32.ge_u (local.get $k) (local.get $kc)))
          (v128.store (local.get $dst) (v128.load (local.get $p)))
          (local.set $dst (i32.add (local.get $dst) (i32.const ${MR * 4})))
          (local.set $p (i32.add (local.get $p) (local.get $ldb)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl))))
      (else
        (if (i32.le_u (i32.add (local.get $row0) (i32.const ${MR})) (local.get $mc))
          (then
            ;; full sliver stored row-major: 4×4 blocks (4 rows × 4 consecutive k) transposed in
            ;; registers, then one value from each row per k for the last kc mod 4
            (local.set $p (i32.add (local.get $src) (i32.mul (local.get $row0) (local.get $ldb))))
            (local.set $k (i32.const 0))
            (block $kd (loop $kl
              (br_if $kd (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
${transpose4([0, 1, 2, 3].map((r) => `(v128.load (i32.add (local.get $p) (i32.mul (local.get $ldb) (i32.const ${r}))))`), "(local.get $dst)", 0, MR * 4)}
              (local.set $dst (i32.add (local.get $dst) (i32.const ${4 * MR * 4})))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $k (i32.add (local.get $k) (i32.const 4)))
              (br $kl)))
            (block $kd (loop $kl
              (br_if $kd (i32.ge_u (local.get $k) (local.get $kc)))
${Array.from({ length: MR }, (_, r) => `              (f32.store offset=${r * 4} (local.get $dst) (f32.load (i32.add (local.get $p) (i32.mul (local.get $ldb) (i32.const ${r})))))`).join('\n')}
              (local.set $dst (i32.add (local.get $dst) (i32.const ${MR * 4})))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $kl))))
          (else
            ;; the last, partial sliver: element by element, zeros past the edge
            (local.set $k (i32.const 0))
            (block $kd (loop $kl
              (br_if $kd (i32.ge_u (local.get $k) (local.get $kc)))
              (local.set $r (i32.const 0))
              (loop $rl
                (local.set $i (i32.add (local.get $row0) (local.get $r)))
                (f32.store (local.get $dst)
                  (if (result f32) (i32.lt_u (local.get $i) (local.get $mc))
                    (then (f32.load (i32.add (local.get $src) (i32.shl
                      (if (result i32) (local.get $trans)
                        (then (i32.add (i32.mul (local.get $k) (local.get $ld)) (local.get $i)))
                        (else (i32.add (i32.mul (local.get $i) (local.get $ld)) (local.get $k))))
                      (i32.const 2)))))
                    (else (f32.const 0))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (br_if $rl (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const ${MR}))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $kl)))))))
    ;; zero padding of the depth up to kcp
    (local.set $k (local.get $kc))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $k) (local.get $kcp)))
      (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const ${MR * 4})))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $zl)))
    (local.set $s (i32.add (local.get $s) (i32.const 1)))
    (br $sl))))

;; packed B: for each NR-column sliver s, for k < kcp: B(k, s·NR + c) for c < NR
(func $packB (param $dst i32) (param $src i32) (param $ld i32) (param $trans i32) (param $nc i32) (param $kc i32) (param $kcp i32)
  (local $s i32) (local $k i32) (local $c i32) (local $j i32) (local $p i32) (local $col0 i32) (local $ldb i32)
  (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  (local.set $ldb (i32.shl (local.get $ld) (i32.const 2)))
  (local.set $s (i32.const 0))
  (block $done (loop $sl
    (br_if $done (i32.ge_u (i32.mul (local.get $s) (i32.const ${NR})) (local.get $nc)))
    (local.set $col0 (i32.mul (local.get $s) (i32.const ${NR})))
    (if (i32.and (i32.le_u (i32.add (local.get $col0) (i32.const ${NR})) (local.get $nc)) (i32.eqz (local.get $trans)))
      (then
        ;; full sliver of a row-major block: NR contiguous values per k
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $col0) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $kd (loop $kl
          (br_if $kd (i32.ge_u (local.get $k) (local.get $kc)))
${Array.from({ length: NR / 4 }, (_, v) => `          (v128.store offset=${v * 16} (local.get $dst) (v128.load offset=${v * 16} (local.get $p)))`).join('\n')}
          (local.set $dst (i32.add (local.get $dst) (i32.const ${NR * 4})))
          (local.set $p (i32.add (local.get $p) (local.get $ldb)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl))))
      (else
        (if (i32.le_u (i32.add (local.get $col0) (i32.const ${NR})) (local.get $nc))
          (then
            ;; full sliver of a transposed block: per 4 consecutive k, two 4×4 blocks (rows 0-3 and
            ;; 4-7) transposed in registers; then one value from each row per k for the rest
            (local.set $p (i32.add (local.get $src) (i32.mul (local.get $col0) (local.get $ldb))))
            (local.set $k (i32.const 0))
            (block $kd (loop $kl
              (br_if $kd (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
${[0, 1].map((h) => transpose4([0, 1, 2, 3].map((r) => `(v128.load (i32.add (local.get $p) (i32.mul (local.get $ldb) (i32.const ${4 * h + r}))))`), "(local.get $dst)", 16 * h, NR * 4)).join("\n")}
              (local.set $dst (i32.add (local.get $dst) (i32.const ${4 * NR * 4})))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $k (i32.add (local.get $k) (i32.const 4)))
              (br $kl)))
            (block $kd (loop $kl
              (br_if $kd (i32.ge_u (local.get $k) (local.get $kc)))
${Array.from({ length: NR }, (_, c) => `              (f32.store offset=${c * 4} (local.get $dst) (f32.load (i32.add (local.get $p) (i32.mul (local.get $ldb) (i32.const ${c})))))`).join('\n')}
              (local.set $dst (i32.add (local.get $dst) (i32.const ${NR * 4})))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $kl))))
          (else
            (local.set $k (i32.const 0))
            (block $kd (loop $kl
              (br_if $kd (i32.ge_u (local.get $k) (local.get $kc)))
              (local.set $c (i32.const 0))
              (loop $cl
                (local.set $j (i32.add (local.get $col0) (local.get $c)))
                (f32.store (local.get $dst)
                  (if (result f32) (i32.lt_u (local.get $j) (local.get $nc))
                    (then (f32.load (i32.add (local.get $src) (i32.shl
                      (if (result i32) (local.get $trans)
                        (then (i32.add (i32.mul (local.get $j) (local.get $ld)) (local.get $k)))
                        (else (i32.add (i32.mul (local.get $k) (local.get $ld)) (local.get $j))))
                      (i32.const 2)))))
                    (else (f32.const 0))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (br_if $cl (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const ${NR}))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $kl)))))))
    (local.set $k (local.get $kc))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $k) (local.get $kcp)))
${Array.from({ length: NR / 4 }, (_, v) => `      (v128.store offset=${v * 16} (local.get $dst) (v128.const i32x4 0 0 0 0))`).join('\n')}
      (local.set $dst (i32.add (local.get $dst) (i32.const ${NR * 4})))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $zl)))
    (local.set $s (i32.add (local.get $s) (i32.const 1)))
    (br $sl))))
`;


/**
 * The SIMD part of an elementwise row: one loop per op and per pattern of column strides (1 or 0 for
 * each operand), so that the inner loops carry no branches.
 */
const ewVector = () => {
  const ops = { add: 'f32x4.add', sub: 'f32x4.sub', mul: 'f32x4.mul', div: 'f32x4.div' };
  const load = (name, stride, off) => (stride ? `(v128.load offset=${off} (i32.add (local.get $p${name}) (i32.shl (local.get $j) (i32.const 2))))` : `(local.get $${name})`);
  const loops = [];
  Object.values(ops).forEach((ins, code) => {
    for (const [sa, sb] of [[1, 1], [1, 0], [0, 1], [0, 0]]) {
      loops.push(`
    (if (i32.and (i32.eq (local.get $op) (i32.const ${code})) (i32.and (i32.eq (local.get $sa) (i32.const ${sa})) (i32.eq (local.get $sb) (i32.const ${sb})))) (then
      (block $d${code}${sa}${sb} (loop $l${code}${sa}${sb}
        (br_if $d${code}${sa}${sb} (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $w4)))
        (v128.store offset=0 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))) (${ins} ${load('a', sa, 0)} ${load('b', sb, 0)}))
        (v128.store offset=16 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))) (${ins} ${load('a', sa, 16)} ${load('b', sb, 16)}))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $l${code}${sa}${sb})))
      (if (i32.lt_u (local.get $j) (local.get $w4)) (then
        (v128.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))) (${ins} ${load('a', sa, 0)} ${load('b', sb, 0)}))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
      (br $vector)))`);
    }
  });
  return `  (block $vector
    (br_if $vector (i32.or (i32.gt_u (local.get $sa) (i32.const 1)) (i32.gt_u (local.get $sb) (i32.const 1))))
    (local.set $a (v128.load32_splat (local.get $pa)))
    (local.set $b (v128.load32_splat (local.get $pb)))${loops.join('')})`;
};

/** Rounds up to a multiple of `q` (a power of two). */
const roundUp = (x, q) => `(i32.and (i32.add ${x} (i32.const ${q - 1})) (i32.const ${-q}))`;

const tiles = () => `
;; Whether the packed panel recorded at \$at (4 words: job epoch, source, size, depth) is this one;
;; records it if not. Within a job the operands do not change, so an equal key means equal contents.
(func $memo (param $at i32) (param $src i32) (param $size i32) (param $kc i32) (result i32)
  (if (i32.and (i32.and (i32.eq (i32.load (local.get $at)) (global.get $epoch)) (i32.eq (i32.load offset=4 (local.get $at)) (local.get $src)))
               (i32.and (i32.eq (i32.load offset=8 (local.get $at)) (local.get $size)) (i32.eq (i32.load offset=12 (local.get $at)) (local.get $kc))))
    (then (return (i32.const 1))))
  (i32.store (local.get $at) (global.get $epoch))
  (i32.store offset=4 (local.get $at) (local.get $src))
  (i32.store offset=8 (local.get $at) (local.get $size))
  (i32.store offset=12 (local.get $at) (local.get $kc))
  (i32.const 0))

;; the C tile of a thread: padded width (bytes) for a block of nc columns
(func $ldcOf (param $nc i32) (result i32)
  (i32.shl ${roundUp('(local.get $nc)', NR)} (i32.const 2)))

;; T = rows [i0, i0 + mc) of A_t times columns [j0, j0 + nc) of B_t, over all of K, into the slot's C tile
(func $blockProduct (param $slot i32) (param $a i32) (param $lda i32) (param $transA i32) (param $b i32) (param $ldb i32) (param $transB i32)
                    (param $mc i32) (param $nc i32) (param $K i32) (param $dst i32) (param $ldd i32) (result i32)
  (local $pa i32) (local $pb i32) (local $pc i32) (local $k0 i32) (local $kc i32) (local $kcp i32) (local $KC i32) (local $src i32) (local $memo i32) (local $ldc i32)
  (local.set $memo (i32.add (i32.const ${MEMO}) (i32.shl (local.get $slot) (i32.const 5))))
  (local.set $pa (i32.add ${get('scratch')} (i32.mul (local.get $slot) ${get('scratchStride')})))
  (local.set $KC ${get('KC')})
  (local.set $pb (i32.add (local.get $pa) (i32.shl (i32.mul ${roundUp(get('MC'), MR)} (local.get $KC)) (i32.const 2))))
  (local.set $pc (i32.add (local.get $pb) (i32.shl (i32.mul ${roundUp(get('NC'), NR)} (local.get $KC)) (i32.const 2))))
  (local.set $ldc (call $ldcOf (local.get $nc)))
  ;; a whole tile (mc, nc multiples of MR, NR) goes straight to its destination, with its row stride
  (if (local.get $dst) (then (local.set $pc (local.get $dst)) (local.set $ldc (local.get $ldd))))
  (local.set $k0 (i32.const 0))
  (block $done (loop $kl
    (br_if $done (i32.ge_u (local.get $k0) (local.get $K)))
    (local.set $kc (select (local.get $KC) (i32.sub (local.get $K) (local.get $k0)) (i32.lt_u (local.get $KC) (i32.sub (local.get $K) (local.get $k0)))))
    (local.set $kcp ${roundUp('(local.get $kc)', KU)})
    ;; A panel: skipped when this thread packed the same block last (same job, source, size)
    (local.set $src (i32.add (local.get $a) (i32.shl (if (result i32) (local.get $transA) (then (i32.mul (local.get $k0) (local.get $lda))) (else (local.get $k0))) (i32.const 2))))
    (if (i32.eqz (call $memo (local.get $memo) (local.get $src) (local.get $mc) (local.get $kc))) (then
      (call $packA (local.get $pa) (local.get $src) (local.get $lda) (local.get $transA) (local.get $mc) (local.get $kc) (local.get $kcp))))
    (local.set $src (i32.add (local.get $b) (i32.shl (if (result i32) (local.get $transB) (then (local.get $k0)) (else (i32.mul (local.get $k0) (local.get $ldb)))) (i32.const 2))))
    (if (i32.eqz (call $memo (i32.add (local.get $memo) (i32.const 16)) (local.get $src) (local.get $nc) (local.get $kc))) (then
      (call $packB (local.get $pb) (local.get $src) (local.get $ldb) (local.get $transB) (local.get $nc) (local.get $kc) (local.get $kcp))))
    (call $macro (local.get $pa) (local.get $pb) (local.get $pc)
      (i32.shr_u ${roundUp('(local.get $mc)', MR)} (i32.const ${Math.log2(MR)}))
      (i32.shr_u ${roundUp('(local.get $nc)', NR)} (i32.const ${Math.log2(NR)}))
      (local.get $kcp) (local.get $ldc) (i32.eqz (local.get $k0)))
    (local.set $k0 (i32.add (local.get $k0) (local.get $KC)))
    (br $kl)))
  (local.get $pc))

(func $gemmTile (param $slot i32) (param $tile i32)
  (local $t i32) (local $r i32) (local $ib i32) (local $jb i32) (local $i0 i32) (local $j0 i32) (local $mc i32) (local $nc i32)
  (local $M i32) (local $N i32) (local $a i32) (local $b i32) (local $lda i32) (local $ldb i32) (local $transA i32) (local $transB i32)
  (local $pc i32) (local $ldc i32) (local $dst i32) (local $p i32) (local $j i32) (local $q i32) (local $kb i32) (local $k0 i32) (local $klen i32) (local $full i32)
  (local.set $M ${get('M')}) (local.set $N ${get('N')})
  ;; split K: tile kb of kBlocks covers depth [kb·kSplit, (kb + 1)·kSplit) into partial sums
  (local.set $kb (i32.rem_u (local.get $tile) ${get('kBlocks')}))
  (local.set $tile (i32.div_u (local.get $tile) ${get('kBlocks')}))
  (local.set $k0 (i32.mul (local.get $kb) ${get('kSplit')}))
  (local.set $klen (select ${get('kSplit')} (i32.sub ${get('K')} (local.get $k0)) (i32.lt_u ${get('kSplit')} (i32.sub ${get('K')} (local.get $k0)))))
  (local.set $t (i32.div_u (local.get $tile) (i32.mul ${get('mBlocks')} ${get('nBlocks')})))
  (local.set $r (i32.rem_u (local.get $tile) (i32.mul ${get('mBlocks')} ${get('nBlocks')})))
  (local.set $ib (i32.div_u (local.get $r) ${get('nBlocks')}))
  (local.set $jb (i32.rem_u (local.get $r) ${get('nBlocks')}))
  (local.set $i0 (i32.mul (local.get $ib) ${get('MC')}))
  (local.set $j0 (i32.mul (local.get $jb) ${get('NC')}))
  (local.set $mc (select ${get('MC')} (i32.sub (local.get $M) (local.get $i0)) (i32.lt_u ${get('MC')} (i32.sub (local.get $M) (local.get $i0)))))
  (local.set $nc (select ${get('NC')} (i32.sub (local.get $N) (local.get $j0)) (i32.lt_u ${get('NC')} (i32.sub (local.get $N) (local.get $j0)))))
  (local.set $lda ${get('lda')}) (local.set $ldb ${get('ldb')})
  (local.set $transA ${get('transA')}) (local.set $transB ${get('transB')})
  ;; element (i0, 0) of A_t and (0, j0) of B_t
  (local.set $a (i32.add ${get('a')} (i32.shl (i32.add (i32.load (i32.add ${get('aOffs')} (i32.shl (local.get $t) (i32.const 2))))
    (if (result i32) (local.get $transA)
      (then (i32.add (local.get $i0) (i32.mul (local.get $k0) (local.get $lda))))
      (else (i32.add (i32.mul (local.get $i0) (local.get $lda)) (local.get $k0))))) (i32.const 2))))
  (local.set $b (i32.add ${get('b')} (i32.shl (i32.add (i32.load (i32.add ${get('bOffs')} (i32.shl (local.get $t) (i32.const 2))))
    (if (result i32) (local.get $transB)
      (then (i32.add (i32.mul (local.get $j0) (local.get $ldb)) (local.get $k0)))
      (else (i32.add (local.get $j0) (i32.mul (local.get $k0) (local.get $ldb)))))) (i32.const 2))))
  ;; copy the tile out to C (or to partial sums kb), unless it was written there directly
  (local.set $dst (i32.add (i32.add ${get('c')} (i32.mul (local.get $kb) ${get('pStride')})) (i32.shl
    (i32.add (i32.mul (local.get $t) (i32.mul (local.get $M) (local.get $N)))
    (i32.add (i32.mul (local.get $i0) (local.get $N)) (local.get $j0))) (i32.const 2))))
  (local.set $full (i32.eqz (i32.or (i32.and (local.get $mc) (i32.const ${MR - 1})) (i32.and (local.get $nc) (i32.const ${NR - 1})))))
  (local.set $pc (call $blockProduct (local.get $slot) (local.get $a) (local.get $lda) (local.get $transA) (local.get $b) (local.get $ldb) (local.get $transB)
    (local.get $mc) (local.get $nc) (local.get $klen)
    (select (local.get $dst) (i32.const 0) (local.get $full)) (i32.shl (local.get $N) (i32.const 2))))
  (if (local.get $full) (then (return)))
  (local.set $ldc (call $ldcOf (local.get $nc)))
  (local.set $q (i32.and (local.get $nc) (i32.const -4)))
  (local.set $p (i32.const 0))
  (block $pd (loop $pl
    (br_if $pd (i32.ge_u (local.get $p) (local.get $mc)))
    (local.set $j (i32.const 0))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $j) (local.get $q)))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
        (v128.load (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $vl)))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_u (local.get $j) (local.get $nc)))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
        (f32.load (i32.add (local.get $pc) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $sl)))
    (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $N) (i32.const 2))))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $pl))))

(func $hsum (param $v v128) (result f32)
  (f32.add
    (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
    (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

(func $quadricTile (param $slot i32) (param $tile i32)
  (local $i i32) (local $i0 i32) (local $mc i32) (local $n i32) (local $m i32) (local $rows i32) (local $j0 i32) (local $nc i32)
  (local $pc i32) (local $ldc i32) (local $p i32) (local $j i32) (local $q4 i32) (local $row i32) (local $xr i32) (local $br i32)
  (local $accQ i32) (local $accG i32) (local $vq v128) (local $vg v128) (local $t v128) (local $w v128) (local $bv v128)
  (local $sq f32) (local $sg f32) (local $ts f32) (local $ws f32) (local $bs f32) (local $NC i32) (local $tdst i32)
  (local.set $n ${get('n')}) (local.set $m ${get('m')}) (local.set $rows ${get('rows')}) (local.set $NC ${get('NC')})
  (local.set $i (i32.div_u (local.get $tile) ${get('mBlocks')}))
  (local.set $i0 (i32.mul (i32.rem_u (local.get $tile) ${get('mBlocks')}) ${get('MC')}))
  (local.set $mc (select ${get('MC')} (i32.sub (local.get $rows) (local.get $i0)) (i32.lt_u ${get('MC')} (i32.sub (local.get $rows) (local.get $i0)))))
  ;; the row accumulators sit after the C tile in the slot's scratch
  (local.set $accQ (i32.add (i32.add ${get('scratch')} (i32.mul (local.get $slot) ${get('scratchStride')}))
    (i32.shl (i32.add (i32.mul ${roundUp(get('MC'), MR)} ${get('KC')})
      (i32.add (i32.mul ${roundUp(get('NC'), NR)} ${get('KC')}) (i32.mul ${roundUp(get('MC'), MR)} ${roundUp(get('NC'), NR)}))) (i32.const 2))))
  (local.set $accG (i32.add (local.get $accQ) (i32.shl ${roundUp(get('MC'), MR)} (i32.const 2))))
  (local.set $p (i32.const 0))
  (block $zd (loop $zl
    (br_if $zd (i32.ge_u (local.get $p) (local.get $mc)))
    (f32.store (i32.add (local.get $accQ) (i32.shl (local.get $p) (i32.const 2))) (f32.const 0))
    (f32.store (i32.add (local.get $accG) (i32.shl (local.get $p) (i32.const 2))) (f32.const 0))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $zl)))
  (local.set $j0 (i32.const 0))
  (block $cd (loop $cl
    (br_if $cd (i32.ge_u (local.get $j0) (local.get $n)))
    (local.set $nc (select (local.get $NC) (i32.sub (local.get $n) (local.get $j0)) (i32.lt_u (local.get $NC) (i32.sub (local.get $n) (local.get $j0)))))
    ;; T = X[i0 .. i0 + mc) · S_i[:, j0 .. j0 + nc)
    ;; a whole tile of T that is kept goes straight to its place in T (row stride n)
    (local.set $tdst (i32.const 0))
    (if (i32.and (i32.ne ${get('tOut')} (i32.const 0))
                 (i32.eqz (i32.or (i32.and (local.get $mc) (i32.const ${MR - 1})) (i32.and (local.get $nc) (i32.const ${NR - 1})))))
      (then (local.set $tdst (i32.add ${get('tOut')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $i) (local.get $rows)) (local.get $i0)) (local.get $n)) (local.get $j0)) (i32.const 2))))))
    (local.set $pc (call $blockProduct (local.get $slot)
      (i32.add ${get('x')} (i32.shl (i32.mul (local.get $i0) (local.get $n)) (i32.const 2))) (local.get $n) (i32.const 0)
      (i32.add ${get('s')} (i32.shl (i32.add (i32.mul (local.get $i) (i32.mul (local.get $n) (local.get $n))) (local.get $j0)) (i32.const 2))) (local.get $n) (i32.const 0)
      (local.get $mc) (local.get $nc) (local.get $n) (local.get $tdst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $ldc (select (i32.shl (local.get $n) (i32.const 2)) (call $ldcOf (local.get $nc)) (local.get $tdst)))
    (local.set $q4 (i32.and (local.get $nc) (i32.const -4)))
    ;; otherwise keep T, as [m, rows, n], for the backward pass (see fastQuadric) by a copy
    (if (i32.and (i32.ne ${get('tOut')} (i32.const 0)) (i32.eqz (local.get $tdst))) (then
      (local.set $p (i32.const 0))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $p) (local.get $mc)))
        (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $p) (local.get $ldc))))
        (local.set $xr (i32.add ${get('tOut')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $i) (local.get $rows)) (i32.add (local.get $i0) (local.get $p))) (local.get $n)) (local.get $j0)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $cd2 (loop $cl2
          (br_if $cd2 (i32.ge_u (local.get $j) (local.get $q4)))
          (v128.store (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 2))) (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $cl2)))
        (block $sd2 (loop $sl2
          (br_if $sd2 (i32.ge_u (local.get $j) (local.get $nc)))
          (f32.store (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 2))) (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $sl2)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tl)))))
    (local.set $p (i32.const 0))
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $mc)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $p) (local.get $ldc))))
      (local.set $xr (i32.add ${get('x')} (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (local.get $p)) (local.get $n)) (local.get $j0)) (i32.const 2))))
      (local.set $br (i32.add ${get('lin')} (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j0)) (i32.const 2))))
      (local.set $vq (v128.const i32x4 0 0 0 0))
      (local.set $vg (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $vd (loop $vl
        (br_if $vd (i32.ge_u (local.get $j) (local.get $q4)))
        (local.set $t (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $bv (v128.load (i32.add (local.get $br) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $vq (f32x4.add (local.get $vq) (f32x4.mul (v128.load (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 2))))
          (f32x4.add (local.get $t) (local.get $bv)))))
        (local.set $w (f32x4.add (f32x4.add (local.get $t) (local.get $t)) (local.get $bv)))
        (local.set $vg (f32x4.add (local.get $vg) (f32x4.mul (local.get $w) (local.get $w))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vl)))
      (local.set $sq (call $hsum (local.get $vq)))
      (local.set $sg (call $hsum (local.get $vg)))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $j) (local.get $nc)))
        (local.set $ts (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $bs (f32.load (i32.add (local.get $br) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $sq (f32.add (local.get $sq) (f32.mul (f32.load (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 2))))
          (f32.add (local.get $ts) (local.get $bs)))))
        (local.set $ws (f32.add (f32.add (local.get $ts) (local.get $ts)) (local.get $bs)))
        (local.set $sg (f32.add (local.get $sg) (f32.mul (local.get $ws) (local.get $ws))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sl)))
      (f32.store (i32.add (local.get $accQ) (i32.shl (local.get $p) (i32.const 2)))
        (f32.add (f32.load (i32.add (local.get $accQ) (i32.shl (local.get $p) (i32.const 2)))) (local.get $sq)))
      (f32.store (i32.add (local.get $accG) (i32.shl (local.get $p) (i32.const 2)))
        (f32.add (f32.load (i32.add (local.get $accG) (i32.shl (local.get $p) (i32.const 2)))) (local.get $sg)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl)))
    (local.set $j0 (i32.add (local.get $j0) (local.get $NC)))
    (br $cl)))
  ;; out[0, p, i] = Q + c_i, out[1, p, i] = ‖∇Q‖²
  (local.set $p (i32.const 0))
  (block $od (loop $ol
    (br_if $od (i32.ge_u (local.get $p) (local.get $mc)))
    (f32.store (i32.add ${get('out')} (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (local.get $p)) (local.get $m)) (local.get $i)) (i32.const 2)))
      (f32.add (f32.load (i32.add (local.get $accQ) (i32.shl (local.get $p) (i32.const 2))))
        (f32.load (i32.add ${get('free')} (i32.shl (local.get $i) (i32.const 2))))))
    (f32.store (i32.add ${get('out')} (i32.shl (i32.add (i32.mul (i32.add (i32.add (local.get $rows) (local.get $i0)) (local.get $p)) (local.get $m)) (local.get $i)) (i32.const 2)))
      (f32.load (i32.add (local.get $accG) (i32.shl (local.get $p) (i32.const 2)))))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br $ol))))


;; one row of an elementwise op: o[j] = a[pa + j·sa] op b[pb + j·sb] for j < w (byte addresses, element strides)
(func $ewRow (param $op i32) (param $o i32) (param $pa i32) (param $sa i32) (param $pb i32) (param $sb i32) (param $w i32)
  (local $j i32) (local $w4 i32) (local $a v128) (local $b v128) (local $xs f32) (local $ys f32)
  (local.set $w4 (i32.and (local.get $w) (i32.const -4)))
  (local.set $j (i32.const 0))
${ewVector()}
  (block $sd (loop $sl
    (br_if $sd (i32.ge_u (local.get $j) (local.get $w)))
    (local.set $xs (f32.load (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $j) (local.get $sa)) (i32.const 2)))))
    (local.set $ys (f32.load (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $j) (local.get $sb)) (i32.const 2)))))
    (f32.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
      (if (result f32) (i32.eq (local.get $op) (i32.const 0)) (then (f32.add (local.get $xs) (local.get $ys))) (else (if (result f32) (i32.eq (local.get $op) (i32.const 1)) (then (f32.sub (local.get $xs) (local.get $ys))) (else (if (result f32) (i32.eq (local.get $op) (i32.const 2)) (then (f32.mul (local.get $xs) (local.get $ys))) (else (f32.div (local.get $xs) (local.get $ys)))))))))
    (local.set $j (i32.add (local.get $j) (i32.const 1)))
    (br $sl))))

;; whether an operand's (row, column) strides suit the 4×4 block path: transposed, rows, or broadcast
(func $blockable (param $r i32) (param $s i32) (result i32)
  (i32.or (i32.or (i32.eq (local.get $r) (i32.const 1)) (i32.le_u (local.get $s) (i32.const 1))) (i32.eqz (local.get $r))))

;; Rows [i0, i0 + 4 floor((i1 - i0) / 4)) of a tile, columns [j0, j0 + w): 4×4 blocks, then the columns past
;; the last whole block row by row. Returns the first row left for the caller's row loop.
(func $ewBlocks (param $l i32) (param $i0 i32) (param $i1 i32) (param $j0 i32) (param $w i32) (param $pa i32) (param $pb i32) (result i32)
  (local $i i32) (local $j i32) (local $iEnd i32) (local $jEnd i32) (local $o i32) (local $C i32) (local $R i32) (local $op i32)
  (local $ra i32) (local $sa i32) (local $rb i32) (local $sb i32) (local $qa i32) (local $qb i32)
  (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
  (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  (local.set $C ${get('C')}) (local.set $R ${get('R')}) (local.set $op ${get('op')})
  (local.set $ra ${get('ra')}) (local.set $sa ${get('sa')}) (local.set $rb ${get('rb')}) (local.set $sb ${get('sb')})
  (local.set $iEnd (i32.add (local.get $i0) (i32.and (i32.sub (local.get $i1) (local.get $i0)) (i32.const -4))))
  (local.set $jEnd (i32.add (local.get $j0) (i32.and (local.get $w) (i32.const -4))))
  (local.set $i (local.get $i0))
  (block $id (loop $il
    (br_if $id (i32.ge_u (local.get $i) (local.get $iEnd)))
    (local.set $j (local.get $j0))
    (block $jd (loop $jl
      (br_if $jd (i32.ge_u (local.get $j) (local.get $jEnd)))
      (local.set $qa (i32.add ${get('ea')} (i32.shl (i32.add (local.get $pa) (i32.add (i32.mul (local.get $i) (local.get $ra)) (i32.mul (local.get $j) (local.get $sa)))) (i32.const 2))))
      (local.set $qb (i32.add ${get('eb')} (i32.shl (i32.add (local.get $pb) (i32.add (i32.mul (local.get $i) (local.get $rb)) (i32.mul (local.get $j) (local.get $sb)))) (i32.const 2))))
${['a', 'b'].map((o) => {
  const [v, r, st, q] = o === 'a' ? ['x', '$ra', '$sa', '$qa'] : ['y', '$rb', '$sb', '$qb'];
  const rowLoad = (k) => `(v128.load (i32.add (local.get ${q}) (i32.shl (i32.mul (local.get ${r}) (i32.const ${k})) (i32.const 2))))`;
  const splatLoad = (k) => `(v128.load32_splat (i32.add (local.get ${q}) (i32.shl (i32.mul (local.get ${r}) (i32.const ${k})) (i32.const 2))))`;
  const colLoad = (k) => `(v128.load (i32.add (local.get ${q}) (i32.shl (i32.mul (local.get ${st}) (i32.const ${k})) (i32.const 2))))`;
  return `      (if (i32.and (i32.eq (local.get ${r}) (i32.const 1)) (i32.gt_u (local.get ${st}) (i32.const 1)))
        (then
          ;; transposed: four columns, each 4 consecutive rows, transposed into rows
          (local.set $t0 (i8x16.shuffle ${lanes(0, 4, 1, 5)} ${colLoad(0)} ${colLoad(1)}))
          (local.set $t1 (i8x16.shuffle ${lanes(0, 4, 1, 5)} ${colLoad(2)} ${colLoad(3)}))
          (local.set $t2 (i8x16.shuffle ${lanes(2, 6, 3, 7)} ${colLoad(0)} ${colLoad(1)}))
          (local.set $t3 (i8x16.shuffle ${lanes(2, 6, 3, 7)} ${colLoad(2)} ${colLoad(3)}))
          (local.set $${v}0 (i8x16.shuffle ${lanes(0, 1, 4, 5)} (local.get $t0) (local.get $t1)))
          (local.set $${v}1 (i8x16.shuffle ${lanes(2, 3, 6, 7)} (local.get $t0) (local.get $t1)))
          (local.set $${v}2 (i8x16.shuffle ${lanes(0, 1, 4, 5)} (local.get $t2) (local.get $t3)))
          (local.set $${v}3 (i8x16.shuffle ${lanes(2, 3, 6, 7)} (local.get $t2) (local.get $t3))))
        (else (if (i32.eq (local.get ${st}) (i32.const 1))
          (then ${[0, 1, 2, 3].map((k) => `(local.set $${v}${k} ${rowLoad(k)})`).join(' ')})
          (else ${[0, 1, 2, 3].map((k) => `(local.set $${v}${k} ${splatLoad(k)})`).join(' ')}))))`;
}).join('\n')}
      (local.set $o (i32.add ${get('eo')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $l) (local.get $R)) (local.get $i)) (local.get $C)) (local.get $j)) (i32.const 2))))
${[0, 1, 2, 3].map((k) => `      (v128.store (i32.add (local.get $o) (i32.shl (i32.mul (local.get $C) (i32.const ${k})) (i32.const 2)))
        (if (result v128) (i32.eq (local.get $op) (i32.const 0)) (then (f32x4.add (local.get $x${k}) (local.get $y${k})))
          (else (if (result v128) (i32.eq (local.get $op) (i32.const 1)) (then (f32x4.sub (local.get $x${k}) (local.get $y${k})))
            (else (if (result v128) (i32.eq (local.get $op) (i32.const 2)) (then (f32x4.mul (local.get $x${k}) (local.get $y${k})))
              (else (f32x4.div (local.get $x${k}) (local.get $y${k})))))))))`).join('\n')}
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $jl)))
    ;; the columns past the last whole block, for these 4 rows
    (if (i32.lt_u (local.get $jEnd) (i32.add (local.get $j0) (local.get $w))) (then
${[0, 1, 2, 3].map((k) => `      (call $ewRow (local.get $op)
        (i32.add ${get('eo')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $l) (local.get $R)) (i32.add (local.get $i) (i32.const ${k}))) (local.get $C)) (local.get $jEnd)) (i32.const 2)))
        (i32.add ${get('ea')} (i32.shl (i32.add (local.get $pa) (i32.add (i32.mul (i32.add (local.get $i) (i32.const ${k})) (local.get $ra)) (i32.mul (local.get $jEnd) (local.get $sa)))) (i32.const 2)))
        (local.get $sa)
        (i32.add ${get('eb')} (i32.shl (i32.add (local.get $pb) (i32.add (i32.mul (i32.add (local.get $i) (i32.const ${k})) (local.get $rb)) (i32.mul (local.get $jEnd) (local.get $sb)))) (i32.const 2)))
        (local.get $sb)
        (i32.sub (i32.add (local.get $j0) (local.get $w)) (local.get $jEnd)))`).join('\n')}))
    (local.set $i (i32.add (local.get $i) (i32.const 4)))
    (br $il)))
  (local.get $iEnd))

(func $ewTile (param $tile i32)
  (local $l i32) (local $r i32) (local $i0 i32) (local $j0 i32) (local $i1 i32) (local $w i32) (local $i i32)
  (local $R i32) (local $C i32) (local $ra i32) (local $sa i32) (local $rb i32) (local $sb i32) (local $op i32)
  (local $pa i32) (local $pb i32)
  (local.set $R ${get('R')}) (local.set $C ${get('C')})
  (local.set $ra ${get('ra')}) (local.set $sa ${get('sa')}) (local.set $rb ${get('rb')}) (local.set $sb ${get('sb')}) (local.set $op ${get('op')})
  (local.set $l (i32.div_u (local.get $tile) (i32.mul ${get('tilesR')} ${get('tilesC')})))
  (local.set $r (i32.rem_u (local.get $tile) (i32.mul ${get('tilesR')} ${get('tilesC')})))
  (local.set $i0 (i32.mul (i32.div_u (local.get $r) ${get('tilesC')}) ${get('RB')}))
  (local.set $j0 (i32.mul (i32.rem_u (local.get $r) ${get('tilesC')}) ${get('CB')}))
  (local.set $i1 (select (i32.add (local.get $i0) ${get('RB')}) (local.get $R) (i32.lt_u (i32.add (local.get $i0) ${get('RB')}) (local.get $R))))
  (local.set $w (select ${get('CB')} (i32.sub (local.get $C) (local.get $j0)) (i32.lt_u ${get('CB')} (i32.sub (local.get $C) (local.get $j0)))))
  (local.set $pa (i32.load (i32.add ${get('leadA')} (i32.shl (local.get $l) (i32.const 2)))))
  (local.set $pb (i32.load (i32.add ${get('leadB')} (i32.shl (local.get $l) (i32.const 2)))))
  (local.set $i (local.get $i0))
  ;; a transposed operand (row stride 1): the tile's interior in 4×4 blocks transposed in registers
  (if (i32.and (i32.and (call $blockable (local.get $ra) (local.get $sa)) (call $blockable (local.get $rb) (local.get $sb)))
               (i32.or (i32.and (i32.eq (local.get $ra) (i32.const 1)) (i32.gt_u (local.get $sa) (i32.const 1)))
                       (i32.and (i32.eq (local.get $rb) (i32.const 1)) (i32.gt_u (local.get $sb) (i32.const 1)))))
    (then (local.set $i (call $ewBlocks (local.get $l) (local.get $i0) (local.get $i1) (local.get $j0) (local.get $w) (local.get $pa) (local.get $pb)))))
  (block $d (loop $rl
    (br_if $d (i32.ge_u (local.get $i) (local.get $i1)))
    (call $ewRow (local.get $op)
      (i32.add ${get('eo')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $l) (local.get $R)) (local.get $i)) (local.get $C)) (local.get $j0)) (i32.const 2)))
      (i32.add ${get('ea')} (i32.shl (i32.add (local.get $pa) (i32.add (i32.mul (local.get $i) (local.get $ra)) (i32.mul (local.get $j0) (local.get $sa)))) (i32.const 2)))
      (local.get $sa)
      (i32.add ${get('eb')} (i32.shl (i32.add (local.get $pb) (i32.add (i32.mul (local.get $i) (local.get $rb)) (i32.mul (local.get $j0) (local.get $sb)))) (i32.const 2)))
      (local.get $sb)
      (local.get $w))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $rl))))


(func $rowSumTile (param $tile i32)
  (local $p i32) (local $end i32) (local $end16 i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f32)
  (local.set $p (i32.add ${get('sx')} (i32.shl (i32.mul (local.get $tile) ${get('sred')}) (i32.const 2))))
  (local.set $end (i32.add (local.get $p) (i32.shl ${get('sred')} (i32.const 2))))
  (local.set $end16 (i32.add (local.get $p) (i32.shl (i32.and ${get('sred')} (i32.const -16)) (i32.const 2))))
  (block $vd (loop $vl
    (br_if $vd (i32.ge_u (local.get $p) (local.get $end16)))
    (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 (local.get $p))))
    (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p))))
    (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p))))
    (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p))))
    (local.set $p (i32.add (local.get $p) (i32.const 64)))
    (br $vl)))
  (local.set $s (call $hsum (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))))
  (block $sd (loop $sl
    (br_if $sd (i32.ge_u (local.get $p) (local.get $end)))
    (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    (br $sl)))
  (f32.store (i32.add ${get('sout')} (i32.shl (local.get $tile) (i32.const 2))) (local.get $s)))

;; Claims and runs tiles of the current job until none are left (see the top of this file).
(func (export "run") (param $slot i32) (param $epoch i32)
  (local $old i32) (local $tile i32) (local $kind i32)
  (global.set $epoch (i32.add (local.get $epoch) (i32.const 1)))
  (local.set $epoch (i32.shl (i32.and (local.get $epoch) (i32.const 65535)) (i32.const 16)))
  (block $out (loop $claim
    (local.set $old (i32.atomic.load (i32.const ${CONTROL.NEXT * 4})))
    (br_if $out (i32.ne (i32.and (local.get $old) (i32.const -65536)) (local.get $epoch)))
    (local.set $tile (i32.and (local.get $old) (i32.const 65535)))
    (br_if $out (i32.ge_u (local.get $tile) (i32.atomic.load (i32.const ${CONTROL.NTILES * 4}))))
    (br_if $claim (i32.ne (i32.atomic.rmw.cmpxchg (i32.const ${CONTROL.NEXT * 4}) (local.get $old) (i32.add (local.get $old) (i32.const 1))) (local.get $old)))
    (local.set $kind (i32.atomic.load (i32.const ${CONTROL.KIND * 4})))
    (if (i32.eq (local.get $kind) (i32.const 1)) (then (call $gemmTile (local.get $slot) (local.get $tile))))
    (if (i32.eq (local.get $kind) (i32.const 2)) (then (call $quadricTile (local.get $slot) (local.get $tile))))
    (if (i32.eq (local.get $kind) (i32.const 3)) (then (call $ewTile (local.get $tile))))
    (if (i32.eq (local.get $kind) (i32.const 4)) (then (call $rowSumTile (local.get $tile))))
    (if (i32.eq (i32.add (i32.atomic.rmw.add (i32.const ${CONTROL.DONE * 4}) (i32.const 1)) (i32.const 1)) (i32.atomic.load (i32.const ${CONTROL.NTILES * 4})))
      (then (drop (memory.atomic.notify (i32.const ${CONTROL.DONE * 4}) (i32.const 1)))))
    (br $claim))))
`;

/** Pages (64 KiB) the memory may grow to: 4 GiB, all of wasm32. */
export const MAX_PAGES = 65536;

/** The module's WAT text; `shared` for a memory shared with worker threads, `relaxed` for FMA. */
export const generate = ({ shared, relaxed }) => `(module
(import "env" "memory" (memory 1 ${MAX_PAGES}${shared ? ' shared' : ''}))
;; this thread's current job (epoch + 1, so that 0 never matches a memo)
(global $epoch (mut i32) (i32.const 0))
${macroKernel(relaxed)}
${packing()}
${tiles()}
)
`;
