/**
 * Splitting work to fit a device's limits. Kernels describe their work as an iteration space: a
 * box of `dims`, and for each buffer binding the element strides (≥ 0) and base offset at which
 * the box's elements live in that buffer. `planChunks` cuts the box into sub-boxes such that
 * every binding's window (the elements a sub-box can touch) fits `maxStorageBufferBindingSize`,
 * and the number of invocations fits what one dispatch can launch. Each chunk is again an
 * iteration space, with offsets relative to its windows, so a kernel runs unchanged on it.
 */

export interface Space {
  readonly dims: readonly number[];
  /** strides[b][axis]: element stride of binding b along the axis (0 on broadcast axes) */
  readonly strides: readonly (readonly number[])[];
  /** offsets[b]: element offset of the box's first element in binding b */
  readonly offsets: readonly number[];
}

export interface Window {
  /** first element bound (a multiple of the offset alignment) */
  readonly start: number;
  /** elements bound */
  readonly length: number;
}

export interface Chunk extends Space {
  /** per binding: the elements of the buffer this chunk binds; offsets are relative to `start` */
  readonly windows: readonly Window[];
  /** per axis of the original space: the range [lo, hi) this chunk covers */
  readonly box: readonly (readonly [number, number])[];
}

export interface Budget {
  /** largest window in elements (maxStorageBufferBindingSize / 4) */
  readonly window: number;
  /** binding offsets must be multiples of this many elements (minStorageBufferOffsetAlignment / 4) */
  readonly align: number;
  /** most elements of `countAxes` one chunk may cover (what one dispatch can launch) */
  readonly count: number;
  /** which axes count towards `count` (default: all) */
  readonly countAxes?: readonly boolean[];
}

export const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** The smallest and largest element a box touches in one binding. */
const extent = (box: readonly (readonly [number, number])[], stride: readonly number[], offset: number): [number, number] => {
  let lo = offset;
  let hi = offset;
  for (let j = 0; j < box.length; j++) {
    lo += box[j]![0] * stride[j]!;
    hi += (box[j]![1] - 1) * stride[j]!;
  }
  return [lo, hi];
};

const windowOf = (lo: number, hi: number, align: number): Window => {
  const start = Math.floor(lo / align) * align;
  return { start, length: hi + 1 - start };
};

/**
 * Sub-boxes of `space` that fit `budget`: a grid of blocks, found by halving, one at a time, the
 * block edge that contributes most to a window that is too large (or to a count that is). Blocks
 * may cut every axis, so a transpose of a matrix larger than a binding becomes tiles whose input
 * and output windows both fit. Boxes come in row-major order of the block grid.
 */
export const planChunks = (space: Space, budget: Budget): Chunk[] => {
  const { dims, strides, offsets } = space;
  const rank = dims.length;
  if (dims.some((d) => d === 0)) return [];
  const counted = budget.countAxes ?? dims.map(() => true);
  // Worst-case misalignment of a window start costs up to align − 1 elements.
  const room = budget.window - budget.align + 1;
  if (room < 1) throw new Error(`planChunks: window budget ${budget.window} is below the alignment ${budget.align}`);
  const t = [...dims];
  const span = (s: readonly number[]): number => s.reduce((acc, sj, j) => acc + (t[j]! - 1) * sj, 1);
  for (;;) {
    const over = strides.find((s) => span(s) > room);
    if (over !== undefined) {
      let j = 0;
      for (let i = 1; i < rank; i++) if ((t[i]! - 1) * over[i]! > (t[j]! - 1) * over[j]!) j = i;
      t[j] = Math.ceil(t[j]! / 2);
      continue;
    }
    if (product(t.filter((_, j) => counted[j])) > budget.count) {
      let j = -1;
      for (let i = 0; i < rank; i++) if (counted[i] && t[i]! > 1 && (j < 0 || t[i]! > t[j]!)) j = i;
      t[j]! = Math.ceil(t[j]! / 2);
      continue;
    }
    break;
  }
  const chunks: Chunk[] = [];
  const corner = new Array<number>(rank).fill(0);
  for (;;) {
    const box = corner.map((lo, j) => [lo, Math.min(lo + t[j]!, dims[j]!)] as const);
    const windows = strides.map((s, b) => {
      const [lo, hi] = extent(box, s, offsets[b]!);
      return windowOf(lo, hi, budget.align);
    });
    chunks.push({
      dims: box.map(([lo, hi]) => hi - lo),
      strides,
      offsets: strides.map((s, b) => extent(box, s, offsets[b]!)[0] - windows[b]!.start),
      windows,
      box,
    });
    let j = rank - 1;
    for (; j >= 0; j--) {
      corner[j]! += t[j]!;
      if (corner[j]! < dims[j]!) break;
      corner[j] = 0;
    }
    if (j < 0) return chunks;
  }
};

/**
 * The same space with size-1 axes dropped and adjacent axes merged wherever every binding walks
 * them as one (stride of the outer = stride of the inner × its extent). Kernels index with
 * integer division per axis, so fewer axes are cheaper; most elementwise work becomes rank 1.
 */
export const collapse = (space: Space): Space => {
  const keep = space.dims.map((d, j) => (d !== 1 ? j : -1)).filter((j) => j >= 0);
  const dims: number[] = [];
  const strides: number[][] = space.strides.map(() => []);
  for (const j of keep) {
    const d = space.dims[j]!;
    const last = dims.length - 1;
    const mergeable = last >= 0 && space.strides.every((s, b) => strides[b]![last] === s[j]! * d);
    if (mergeable) {
      dims[last]! *= d;
      space.strides.forEach((s, b) => (strides[b]![last] = s[j]!));
    } else {
      dims.push(d);
      space.strides.forEach((s, b) => strides[b]!.push(s[j]!));
    }
  }
  return { dims, strides, offsets: space.offsets };
};

/** Row-major strides of a shape. */
export const contiguous = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let j = shape.length - 1; j >= 0; j--) {
    s[j] = acc;
    acc *= shape[j]!;
  }
  return s;
};

/** Strides with which a tensor of `shape` is read when broadcast to `to` (NumPy rules, validated by core). */
export const broadcastStrides = (shape: readonly number[], to: readonly number[]): number[] => {
  const own = contiguous(shape);
  const lead = to.length - shape.length;
  return to.map((d, j) => (j < lead || shape[j - lead] !== d ? 0 : own[j - lead]!));
};
