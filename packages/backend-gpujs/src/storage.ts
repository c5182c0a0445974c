import type { Stored } from './gpu.js';

/**
 * gpu.js storage of one tensor: the texture (GL kernels) or typed array (webasm, cpu) holding its
 * values flat and row-major, or nothing for a tensor with no elements. Values are never written
 * after a kernel returns, so handles may share storage (reshape does; textures count references).
 */
export class GpujsHandle {
  constructor(
    readonly stored: Stored | null,
    readonly size: number,
  ) {}
}
