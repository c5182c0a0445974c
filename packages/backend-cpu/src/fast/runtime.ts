import { LAYOUT, WASM_BASE64 } from '../wasm/kernels.generated.js';

/**
 * The WebAssembly side of the fast kernels: one module instance per thread over one linear memory,
 * shared with worker threads where the platform allows it, and synchronous jobs.
 *
 * Why synchronous: a kernel must return its result handle at once (the Backend contract), and the
 * CPU backend's handles hold their values. So a job is published in the shared memory, the workers
 * are woken with Atomics.notify, the calling thread claims tiles like any worker, and then blocks in
 * Atomics.wait until the tiles it did not run itself are finished. Blocking is allowed on Node's
 * main thread and in Web Workers, not on a browser page's main thread: there (and wherever shared
 * memory is missing, e.g. a page that is not cross-origin isolated) the calling thread runs every
 * tile itself. Because the caller claims tiles too, a worker that is slow to start or descheduled
 * only makes a job slower, never blocks it.
 */

const { MR, NR, KU, MAX_PAGES, MAX_SLOTS, DESCRIPTOR, CONTROL, FIELDS } = LAYOUT;
type Field = (typeof FIELDS)[number];

// Control words (i32 index) beyond those the wasm code uses: how many threads joined the current
// job and how many may (so that a backend asking for fewer threads than the pool has gets fewer).
const JOINED = 5;
const LIMIT = 6;

// Largest tile: per thread slot, packed A (MC×KC), packed B (KC×NC), the C tile (MC×NC) and two row
// accumulators, in float32.
const MC_MAX = 256;
const NC_MAX = 512;
const KC_MAX = 512;
/** Depth of one partial product when a GEMM is split along K. */
const K_SPLIT = 8192;
const SLOT_BYTES = 4 * (MC_MAX * KC_MAX + NC_MAX * KC_MAX + MC_MAX * NC_MAX + 2 * MC_MAX) + 64;
const SCRATCH = 1024;
/** Most tiles one job may have (NEXT keeps the tile index in 16 bits). */
const MAX_TILES = 65000;

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

const decode = (b64: string): Uint8Array<ArrayBuffer> => {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};

// ---- platform -------------------------------------------------------------------------------------

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}
const nodeProcess = (globalThis as { process?: NodeProcess }).process;
const isNode = typeof nodeProcess?.versions?.node === 'string';
const builtin = <T>(id: string): T | undefined => (isNode ? (nodeProcess?.getBuiltinModule?.(id) as T | undefined) : undefined);

/** Whether this thread may block in Atomics.wait (Node's main thread and workers, a Web Worker). */
const canBlock = (): boolean => {
  if (isNode) return true;
  const g = globalThis as { WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean };
  return g.WorkerGlobalScope !== undefined && g.crossOriginIsolated === true;
};

const sharedMemory = (initial: number): WebAssembly.Memory | undefined => {
  if (typeof SharedArrayBuffer === 'undefined' || !canBlock()) return undefined;
  try {
    return new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true });
  } catch {
    return undefined;
  }
};

const validModule = (bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | undefined => {
  try {
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : undefined;
  } catch {
    return undefined;
  }
};

let relaxedFlagTried = false;
/**
 * Relaxed SIMD (fused multiply-add) is on by default in current browsers and Node ≥ 22; Node 20's
 * V8 has it behind a flag, which only enables the feature for modules compiled afterwards.
 */
const relaxedModule = (name: 'privateRelaxed' | 'sharedRelaxed'): WebAssembly.Module | undefined => {
  const bytes = decode(WASM_BASE64[name]);
  if (!WebAssembly.validate(bytes) && isNode && !relaxedFlagTried) {
    relaxedFlagTried = true;
    builtin<{ setFlagsFromString(f: string): void }>('node:v8')?.setFlagsFromString('--experimental-wasm-relaxed-simd');
  }
  return validModule(bytes);
};

// ---- workers --------------------------------------------------------------------------------------

// A worker: instantiate the module over the shared memory, then forever wait for a new epoch and
// run the job's tiles. It needs nothing else: no imports, no messages after the first.
// Kernels come in bursts (a training step is dozens of them, microseconds apart), so after a job a
// worker watches for the next one for a little while (SPIN_MS) before it sleeps in Atomics.wait,
// which takes tens of microseconds to wake from.
const SPIN_MS = 0.25;
const WORKER_LOOP = `
  const { run } = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(memory.buffer, 0, 16);
  let seen = 0;
  for (;;) {
    const until = performance.now() + ${SPIN_MS};
    while (Atomics.load(ctl, ${CONTROL.EPOCH}) === seen && performance.now() < until);
    Atomics.wait(ctl, ${CONTROL.EPOCH}, seen);
    seen = Atomics.load(ctl, ${CONTROL.EPOCH});
    if (Atomics.add(ctl, ${JOINED}, 1) < Atomics.load(ctl, ${LIMIT})) run(slot, seen);
  }`;
const NODE_WORKER = `const { module, memory, slot } = require('node:worker_threads').workerData;${WORKER_LOOP}`;
const WEB_WORKER = `self.onmessage = (e) => { const { module, memory, slot } = e.data;${WORKER_LOOP} };`;

type Spawn = (module: WebAssembly.Module, memory: WebAssembly.Memory, slot: number) => void;

const spawner = (): Spawn | undefined => {
  if (isNode) {
    const wt = builtin<{ Worker: new (code: string, o: object) => { unref(): void } }>('node:worker_threads');
    if (!wt) return undefined;
    return (module, memory, slot) => new wt.Worker(NODE_WORKER, { eval: true, workerData: { module, memory, slot } }).unref();
  }
  const g = globalThis as { Worker?: new (url: string) => { postMessage(m: unknown): void } };
  if (g.Worker === undefined || typeof Blob === 'undefined' || typeof URL.createObjectURL !== 'function') return undefined;
  const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
  return (module, memory, slot) => new g.Worker!(url).postMessage({ module, memory, slot });
};

export const hardwareThreads = (): number => {
  const os = builtin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
};

// ---- the runtime ----------------------------------------------------------------------------------

/** A float32 matrix operand: batch t's matrix starts at `offsets[t]` in `data`; see kernels.wat.mjs. */
export interface MatrixOperand {
  readonly data: Float32Array;
  /** byte address of data[0] in the runtime's memory when `data` lives there (no copy needed) */
  readonly address?: number;
  readonly offsets: ArrayLike<number>;
  readonly ld: number;
  /** false: row-major rows × cols (element (i, k) at i·ld + k); true: stored transposed (at k·ld + i) */
  readonly trans: boolean;
}

/**
 * A block of the runtime's shared memory holding one tensor's values (see `Runtime.alloc`); its
 * handles count references, and the last one to go returns it for reuse.
 */
export class Block {
  refs = 0;
  constructor(
    readonly rt: Runtime,
    readonly address: number,
    readonly bytes: number,
  ) {}
  release(): void {
    if (--this.refs === 0) this.rt.free(this);
  }
}

/** A contiguous float32 array, with its byte address when it lives in the runtime's memory. */
export interface Resident {
  readonly data: Float32Array;
  readonly address?: number | undefined;
}

export interface RuntimeInfo {
  readonly threads: number;
  readonly shared: boolean;
  readonly relaxed: boolean;
}

export class Runtime {
  private readonly memory: WebAssembly.Memory;
  private readonly run: (slot: number, epoch: number) => void;
  private readonly spawn: Spawn | undefined;
  private workers = 0;
  private epoch = 0;
  private f32: Float32Array;
  private i32: Int32Array;
  /** the allocator: a bump pointer, and free blocks by exact size (training repeats its sizes) */
  private top = 0;
  private readonly freeLists = new Map<number, number[]>();
  private slots = 0;

  private constructor(
    private readonly module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    readonly shared: boolean,
    readonly relaxed: boolean,
  ) {
    this.memory = memory;
    this.run = (new WebAssembly.Instance(module, { env: { memory } }).exports as { run: (s: number, e: number) => void }).run;
    this.spawn = shared ? spawner() : undefined;
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.slots = this.spawn ? Math.max(1, Math.min(MAX_SLOTS, hardwareThreads())) : 1;
    this.top = roundUp(SCRATCH + this.slots * SLOT_BYTES, 64);
    this.ensureBytes(this.top);
  }

  /** The runtime for this realm, or undefined where WebAssembly SIMD is unavailable. */
  static create(relaxed: boolean): Runtime | undefined {
    if (typeof WebAssembly !== 'object') return undefined;
    const initial = 17;
    const memory = sharedMemory(initial);
    const variant = memory ? 'shared' : 'private';
    const fast = relaxed ? relaxedModule(memory ? 'sharedRelaxed' : 'privateRelaxed') : undefined;
    const module = fast ?? validModule(decode(WASM_BASE64[variant]));
    if (!module) return undefined;
    return new Runtime(module, memory ?? new WebAssembly.Memory({ initial, maximum: MAX_PAGES }), memory !== undefined, fast !== undefined);
  }

  /** Threads a job can use now (the caller plus started workers), at most `wanted` and the slots. */
  private ensureThreads(wanted: number): number {
    if (!this.spawn) return 1;
    const target = Math.min(wanted, this.slots);
    while (this.workers < target - 1) {
      this.workers++;
      this.spawn(this.module, this.memory, this.workers);
    }
    return Math.max(1, Math.min(target, this.workers + 1));
  }

  /**
   * A block of `bytes` in the runtime's memory, or undefined when the memory is full (4 GiB).
   * Freed blocks are reused for requests of the same size; a free block at the top is given back
   * to the bump pointer.
   */
  allocBytes(bytes: number): number | undefined {
    const size = roundUp(Math.max(bytes, 64), 64);
    const list = this.freeLists.get(size);
    if (list && list.length > 0) return list.pop()!;
    if (!this.ensureBytes(this.top + size)) return undefined;
    const at = this.top;
    this.top += size;
    return at;
  }

  freeBytes(address: number, bytes: number): void {
    const size = roundUp(Math.max(bytes, 64), 64);
    if (address + size === this.top) {
      this.top = address;
      return;
    }
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(address);
  }

  /** Whether tensors may live in this memory: only when it is shared (it never detaches on growth). */
  get resident(): boolean {
    return this.shared;
  }

  /** A float32 array of `n` elements in the runtime's memory, with its block; undefined if full. */
  alloc(n: number): { array: Float32Array; block: Block } | undefined {
    if (!this.shared) return undefined;
    const address = this.allocBytes(4 * n);
    if (address === undefined) return undefined;
    return { array: new Float32Array(this.memory.buffer, address, n), block: new Block(this, address, 4 * n) };
  }

  free(block: Block): void {
    this.freeBytes(block.address, block.bytes);
  }

  /** Copies `data` into a temporary block (released by the caller); undefined if full. */
  private stage(data: Float32Array): number | undefined {
    const at = this.allocBytes(4 * data.length);
    if (at !== undefined) this.f32.set(data, at >>> 2);
    return at;
  }

  private stageInts(values: ArrayLike<number>): number | undefined {
    const at = this.allocBytes(4 * values.length);
    if (at !== undefined) for (let i = 0; i < values.length; i++) this.i32[(at >>> 2) + i] = values[i]!;
    return at;
  }

  private ensureBytes(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    const pages = Math.ceil((bytes - have) / 65536);
    if (have / 65536 + pages > MAX_PAGES) return false;
    try {
      this.memory.grow(pages);
    } catch {
      return false; // the engine could not commit more memory
    }
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    return true;
  }

  private setField(name: Field, value: number): void {
    this.i32[(DESCRIPTOR >> 2) + FIELDS.indexOf(name)] = value;
  }

  /** Publishes the job whose descriptor is written, runs it on up to `threads` threads, returns when done. */
  private execute(kind: 1 | 2 | 3 | 4, tiles: number, threads: number): void {
    const ctl = this.i32;
    const epoch = (this.epoch = (this.epoch + 1) | 0); // NEXT keeps its low 16 bits as the tag
    // Close the previous job's claims before touching its counters (see kernels.wat.mjs).
    Atomics.store(ctl, CONTROL.NEXT, ((epoch & 0xffff) << 16) | 0xffff);
    Atomics.store(ctl, CONTROL.KIND, kind);
    Atomics.store(ctl, CONTROL.NTILES, tiles);
    Atomics.store(ctl, CONTROL.DONE, 0);
    Atomics.store(ctl, JOINED, 1);
    Atomics.store(ctl, LIMIT, threads);
    Atomics.store(ctl, CONTROL.NEXT, (epoch & 0xffff) << 16);
    if (threads > 1) {
      Atomics.store(ctl, CONTROL.EPOCH, epoch);
      Atomics.notify(ctl, CONTROL.EPOCH, threads - 1);
    }
    this.run(0, epoch);
    // The last tiles are in other threads' hands: watch them briefly, then sleep until woken.
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctl, CONTROL.DONE) < tiles && performance.now() < until);
    for (let d = Atomics.load(ctl, CONTROL.DONE); d < tiles; d = Atomics.load(ctl, CONTROL.DONE)) {
      Atomics.wait(ctl, CONTROL.DONE, d);
    }
  }

  /** Tile sizes: as large as the scratch allows, smaller when that leaves threads without work. */
  private blocks(count: number, M: number, N: number, K: number, threads: number, splitN = true): { MC: number; NC: number; KC: number } {
    let MC = Math.min(128, roundUp(M, MR));
    let NC = Math.min(NC_MAX, roundUp(N, NR));
    const KC = Math.min(KC_MAX, roundUp(K, KU));
    const tiles = (): number => count * Math.ceil(M / MC) * (splitN ? Math.ceil(N / NC) : 1);
    while (tiles() < 4 * threads && (MC > 4 * MR || (splitN && NC > 4 * NR))) {
      if (splitN && NC >= MC && NC > 4 * NR) NC = roundUp(NC / 2, NR);
      else MC = roundUp(MC / 2, MR);
    }
    return { MC, NC, KC };
  }

  /**
   * Runs `body` with byte addresses for the arrays: their own when they live in this memory,
   * otherwise temporary copies (only the [lo, hi) element range that is read). Returns false, having
   * run nothing, when the memory is full.
   */
  private withAddresses(
    arrays: readonly { data: Float32Array; address?: number | undefined; lo?: number; hi?: number }[],
    ints: readonly ArrayLike<number>[],
    body: (addresses: number[], intAddresses: number[]) => void,
  ): boolean {
    const temps: [number, number][] = [];
    try {
      const addresses: number[] = [];
      for (const a of arrays) {
        if (a.address !== undefined) {
          addresses.push(a.address);
          continue;
        }
        const lo = a.lo ?? 0;
        const hi = a.hi ?? a.data.length;
        const at = this.stage(a.data.subarray(lo, hi));
        if (at === undefined) return false;
        temps.push([at, 4 * (hi - lo)]);
        addresses.push(at - 4 * lo);
      }
      const intAddresses: number[] = [];
      for (const v of ints) {
        const at = this.stageInts(v);
        if (at === undefined) return false;
        temps.push([at, 4 * v.length]);
        intAddresses.push(at);
      }
      body(addresses, intAddresses);
      return true;
    } finally {
      for (const [at, bytes] of temps.reverse()) this.freeBytes(at, bytes);
    }
  }

  /** Where the output goes: its own block, or a temporary one copied out afterwards. */
  private withOutput(out: Float32Array, address: number | undefined, body: (address: number) => boolean): boolean {
    if (address !== undefined) return body(address);
    const at = this.allocBytes(4 * out.length);
    if (at === undefined) return false;
    try {
      if (!body(at)) return false;
      out.set(this.f32.subarray(at >>> 2, (at >>> 2) + out.length));
      return true;
    } finally {
      this.freeBytes(at, 4 * out.length);
    }
  }

  /**
   * C [T, M, N] = A_t · B_t for every t, float32; false if the operands do not fit the memory
   * (the caller then uses the JavaScript kernel). Operands and C that live in this memory are
   * used in place.
   */
  gemm(
    T: number, M: number, N: number, K: number, a: MatrixOperand, b: MatrixOperand, c: Float32Array, cAddress: number | undefined, wanted: number,
  ): boolean {
    const threads = this.ensureThreads(wanted);
    const span = (o: MatrixOperand, rows: number, cols: number): { lo: number; hi: number } => {
      let lo = Infinity;
      let hi = 0;
      const extent = o.trans ? (cols - 1) * o.ld + rows : (rows - 1) * o.ld + cols;
      for (let t = 0; t < T; t++) {
        lo = Math.min(lo, o.offsets[t]!);
        hi = Math.max(hi, o.offsets[t]! + extent);
      }
      return { lo, hi };
    };
    // A small output with a long depth (G·Gᵀ of the Stiefel penalty) is split along K instead of
    // into small tiles, which would each pack the whole depth again. The split depends on the shape
    // only, and the partial products are summed in order, so results do not depend on the threads.
    const splitK = T * Math.ceil(M / 128) * Math.ceil(N / NC_MAX) <= 2 && K >= 2 * K_SPLIT;
    const { MC, NC, KC } = splitK
      ? { MC: Math.min(128, roundUp(M, MR)), NC: Math.min(NC_MAX, roundUp(N, NR)), KC: KC_MAX }
      : this.blocks(T, M, N, K, threads);
    const kBlocks = splitK ? Math.ceil(K / K_SPLIT) : 1;
    const perBatch = Math.ceil(M / MC) * Math.ceil(N / NC) * kBlocks;
    const chunk = Math.max(1, Math.floor(MAX_TILES / perBatch));
    const partial = splitK ? this.alloc(kBlocks * T * M * N) : undefined;
    if (splitK && !partial) return false;
    try {
      const done = this.withOutput(c, partial ? partial.block.address : cAddress, (cAt) =>
        this.withAddresses(
          [{ data: a.data, address: a.address, ...span(a, M, K) }, { data: b.data, address: b.address, ...span(b, K, N) }],
          [a.offsets, b.offsets],
          ([aAt, bAt], [aOffsAt, bOffsAt]) => {
            const fields: [Field, number][] = [
              ['MC', MC], ['NC', NC], ['KC', KC], ['scratch', SCRATCH], ['scratchStride', SLOT_BYTES],
              ['mBlocks', Math.ceil(M / MC)], ['nBlocks', Math.ceil(N / NC)], ['M', M], ['N', N], ['K', K],
              ['a', aAt!], ['lda', a.ld], ['transA', a.trans ? 1 : 0], ['b', bAt!], ['ldb', b.ld], ['transB', b.trans ? 1 : 0],
              ['kBlocks', kBlocks], ['kSplit', splitK ? K_SPLIT : K], ['pStride', 4 * T * M * N],
            ];
            for (const [f, v] of fields) this.setField(f, v);
            // Jobs of at most MAX_TILES tiles, over ranges of the batch.
            for (let t0 = 0; t0 < T; t0 += chunk) {
              const count = Math.min(chunk, T - t0);
              this.setField('T', count);
              this.setField('aOffs', aOffsAt! + 4 * t0);
              this.setField('bOffs', bOffsAt! + 4 * t0);
              this.setField('c', cAt + 4 * t0 * M * N);
              this.execute(1, count * perBatch, threads);
            }
          },
        ),
      );
      if (done && partial) {
        const size = T * M * N;
        const p = partial.array;
        for (let i = 0; i < size; i++) {
          let acc = p[i]!;
          for (let kb = 1; kb < kBlocks; kb++) acc += p[kb * size + i]!;
          c[i] = acc;
        }
      }
      return done;
    } finally {
      if (partial) this.free(partial.block);
    }
  }

  /**
   * The fused quadric kernel (see kernels.wat.mjs) into out [2, B, m]; false if it does not fit.
   * With `products` (a byte address), T_i = X S_i is also stored there as [m, B, n].
   */
  quadric(
    B: number, n: number, m: number,
    x: Resident, s: Resident, lin: Resident, free: Resident, out: Float32Array, outAddress: number | undefined, wanted: number,
    products = 0,
  ): boolean {
    const threads = this.ensureThreads(wanted);
    const { MC, NC, KC } = this.blocks(m, B, n, n, threads, false);
    const mBlocks = Math.ceil(B / MC);
    if (m * mBlocks > MAX_TILES) return false;
    return this.withOutput(out, outAddress, (outAt) =>
      this.withAddresses([x, s, lin, free], [], ([xAt, sAt, linAt, freeAt]) => {
        this.setField('MC', MC);
        this.setField('NC', NC);
        this.setField('KC', KC);
        this.setField('scratch', SCRATCH);
        this.setField('scratchStride', SLOT_BYTES);
        this.setField('mBlocks', mBlocks);
        this.setField('nBlocks', 1);
        this.setField('rows', B);
        this.setField('n', n);
        this.setField('m', m);
        this.setField('x', xAt!);
        this.setField('s', sAt!);
        this.setField('lin', linAt!);
        this.setField('free', freeAt!);
        this.setField('out', outAt);
        this.setField('tOut', products);
        this.execute(2, m * mBlocks, threads);
      }),
    );
  }

  /**
   * out [L, R, C] = a op b elementwise (KIND 3), the output in this memory, the operands in it or
   * copied in: `lead` holds the element offset of each of the L leading blocks, (r, s) the row and
   * column strides.
   */
  elementwise(
    op: number, L: number, R: number, C: number,
    a: { data: Float32Array; address: number | undefined; lead: ArrayLike<number>; r: number; s: number },
    b: { data: Float32Array; address: number | undefined; lead: ArrayLike<number>; r: number; s: number },
    out: number, wanted: number,
  ): boolean {
    const threads = this.ensureThreads(wanted);
    const strided = (a.s !== 0 && a.s !== 1) || (b.s !== 0 && b.s !== 1);
    const CB = strided ? Math.min(32, C) : C;
    const RB = strided ? 32 : Math.max(1, Math.min(R, Math.floor(16384 / Math.max(1, C))));
    const tilesR = Math.ceil(R / RB);
    const tilesC = Math.ceil(C / CB);
    const tiles = L * tilesR * tilesC;
    if (tiles > MAX_TILES) return false;
    return this.withAddresses([a, b], [a.lead, b.lead], ([ea, eb], [leadA, leadB]) => {
      const fields: [Field, number][] = [
        ['op', op], ['R', R], ['C', C], ['L', L], ['leadA', leadA!], ['leadB', leadB!],
        ['ra', a.r], ['sa', a.s], ['rb', b.r], ['sb', b.s], ['ea', ea!], ['eb', eb!], ['eo', out],
        ['RB', RB], ['CB', CB], ['tilesR', tilesR], ['tilesC', tilesC],
      ];
      for (const [f, v] of fields) this.setField(f, v);
      this.execute(3, tiles, threads);
    });
  }

  /** out[t] = Σ_r x[t·red + r] for t < rows (KIND 4), x and out in this memory. */
  rowSums(rows: number, red: number, x: number, out: number, wanted: number): boolean {
    if (rows > MAX_TILES) return false;
    const threads = this.ensureThreads(wanted);
    this.setField('sx', x);
    this.setField('sred', red);
    this.setField('sout', out);
    this.execute(4, rows, threads);
    return true;
  }

  info(wanted: number): RuntimeInfo {
    return { threads: this.spawn ? Math.max(1, Math.min(wanted, this.slots)) : 1, shared: this.shared, relaxed: this.relaxed };
  }
}

let runtimes: Map<boolean, Runtime | null> | undefined;

/** The realm's runtime (one per relaxed-SIMD choice), created on first use; undefined without SIMD. */
export const runtime = (relaxed: boolean): Runtime | undefined => {
  runtimes ??= new Map();
  if (!runtimes.has(relaxed)) runtimes.set(relaxed, Runtime.create(relaxed) ?? null);
  return runtimes.get(relaxed) ?? undefined;
};
