import { sizeOf, stridesOf, type FloatArray } from '@quadrix/core';
import type { Block } from './fast/runtime.js';

/** A strided view of a base array: element (i₀, …, i_r) is at `offset + Σ i_d·strides[d]`. */
export interface Strided {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}


/** Whether the view is the row-major layout of its shape (size-1 axes may have any stride). */
export const isContiguous = (v: Strided): boolean => {
  let expect = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    const d = v.shape[i]!;
    if (d !== 1 && v.strides[i] !== expect) return false;
    expect *= d;
  }
  return true;
};

const TILE = 32;

/**
 * Copies a strided view into a new contiguous array. The last two axes are walked in 32×32 tiles
 * when the last one is not unit-stride (a transpose), so that reads and writes both stay in cache.
 */
export const materializeView = (base: FloatArray, v: Strided): FloatArray => {
  const size = sizeOf(v.shape);
  if (isContiguous(v)) return base.subarray(v.offset, v.offset + size);
  const out = new (base.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(size);
  const rank = v.shape.length;
  const R = rank >= 2 ? v.shape[rank - 2]! : 1;
  const C = v.shape[rank - 1]!;
  const sr = rank >= 2 ? v.strides[rank - 2]! : 0;
  const sc = v.strides[rank - 1]!;
  const lead = v.shape.slice(0, Math.max(0, rank - 2));
  const leadStrides = v.strides.slice(0, Math.max(0, rank - 2));
  const count = sizeOf(lead);
  const idx = new Array<number>(lead.length).fill(0);
  let o = v.offset;
  const tiled = sc !== 1 && sc !== 0 && R > 1;
  for (let l = 0; l < count; l++) {
    const at = l * R * C;
    if (tiled) {
      for (let i0 = 0; i0 < R; i0 += TILE) {
        const i1 = Math.min(i0 + TILE, R);
        for (let j0 = 0; j0 < C; j0 += TILE) {
          const j1 = Math.min(j0 + TILE, C);
          for (let i = i0; i < i1; i++) {
            const src = o + i * sr;
            const dst = at + i * C;
            for (let j = j0; j < j1; j++) out[dst + j] = base[src + j * sc]!;
          }
        }
      }
    } else {
      for (let i = 0; i < R; i++) {
        const src = o + i * sr;
        const dst = at + i * C;
        for (let j = 0; j < C; j++) out[dst + j] = base[src + j * sc]!;
      }
    }
    for (let ax = lead.length - 1; ax >= 0; ax--) {
      o += leadStrides[ax]!;
      if (++idx[ax]! < lead[ax]!) break;
      o -= leadStrides[ax]! * lead[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
};

/**
 * CPU storage: a base typed array, either holding the tensor's values row-major (`view`
 * undefined) or seen through a strided view (a transpose, a broadcast, a slice), which the fast
 * kernels read in place and `values` copies out on first use. Values are never written after a
 * kernel returns, so handles may share a base array (reshape, views). With the fast kernels, large
 * float32 arrays live in the WebAssembly memory shared with the worker threads (`block`), so that
 * WebAssembly kernels read and write them in place and memory is reused instead of freshly mapped.
 */
export class CpuHandle {
  private cache: FloatArray | undefined;
  readonly base: FloatArray;
  readonly view: Strided | undefined;
  /** the block of WebAssembly memory holding `base`, when it lives there (fast kernels) */
  readonly block: Block | undefined;

  constructor(base: FloatArray, view?: Strided, block?: Block) {
    this.base = base;
    this.view = view;
    this.block = block;
    if (view === undefined) this.cache = base;
  }

  /** Byte address of base[0] in the WebAssembly memory, when it lives there. */
  get address(): number | undefined {
    return this.block?.address;
  }

  /** The values, row-major and contiguous (a view is materialised once, then cached). */
  get values(): FloatArray {
    return (this.cache ??= materializeView(this.base, this.view!));
  }
}

/** The strided layout of a tensor's storage (row-major for a plain handle). */
export const layoutOf = (h: CpuHandle, shape: readonly number[]): Strided =>
  h.view ?? { shape, strides: stridesOf(shape), offset: 0 };
