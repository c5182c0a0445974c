/**
 * Non-blocking readback on WebGL2: the texture is copied into a pixel-pack buffer, a fence marks
 * when the GPU has finished, and the event loop runs freely until it has. WebGL1 (headless-gl)
 * has neither, so there the read is gpu.js's synchronous one, behind the same async `read`.
 */
import type { Texture } from 'gpu.js';

/**
 * The parts of gpu.js's GL texture this module reads: a float texture holding the values flat,
 * four per RGBA texel ('MemoryOptimizedNumberTexture') or one per texel in R ('ArrayTexture(1)').
 */
interface GLTextureView {
  readonly context: unknown;
  readonly size: ArrayLike<number>;
  readonly texture: unknown;
  readonly type: string;
  framebuffer(): unknown;
}

const isWebGL2 = (gl: unknown): gl is WebGL2RenderingContext =>
  typeof WebGL2RenderingContext !== 'undefined' && gl instanceof WebGL2RenderingContext;

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Resolves to the first `size` values of a WebGL2 float texture, or undefined elsewhere. */
export const readTextureAsync = async (texture: Texture, size: number): Promise<Float32Array | undefined> => {
  const t = texture as unknown as GLTextureView;
  const gl = t.context;
  const stride = t.type === 'MemoryOptimizedNumberTexture' ? 1 : t.type === 'ArrayTexture(1)' ? 4 : 0;
  if (!isWebGL2(gl) || stride === 0) return undefined;
  const [w, h] = [t.size[0]!, t.size[1]!];
  gl.bindFramebuffer(gl.FRAMEBUFFER, t.framebuffer() as WebGLFramebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, t.texture as WebGLTexture, 0);
  const buffer = gl.createBuffer();
  const texels = new Float32Array(w * h * 4);
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
  gl.bufferData(gl.PIXEL_PACK_BUFFER, texels.byteLength, gl.STREAM_READ);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.FLOAT, 0);
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
  gl.flush();
  try {
    for (;;) {
      if (gl.isContextLost()) throw new Error('gpujs: WebGL context lost while reading a tensor');
      const status = gl.clientWaitSync(fence!, 0, 0);
      if (status === gl.WAIT_FAILED) throw new Error('gpujs: waiting for the GPU failed while reading a tensor');
      if (status === gl.ALREADY_SIGNALED || status === gl.CONDITION_SATISFIED) break;
      await nextTask();
    }
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
    gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, texels);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  } finally {
    gl.deleteSync(fence);
    gl.deleteBuffer(buffer);
  }
  if (stride === 1) return texels.slice(0, size);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = texels[stride * i]!;
  return out;
};
