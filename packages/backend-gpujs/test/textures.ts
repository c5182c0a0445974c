/**
 * GL textures live exactly as long as the tensors that hold them: a disposed tensor's texture is
 * deleted at once (not kept by the kernel that drew it), a reshape shares its source's texture
 * until both are gone, and reads on WebGL2 go through the non-blocking path.
 */
import { data, dispose, neg, reshape, tensor, type Tensor } from '@quadrix/core';
import { expectNoLeaks, type TestApi } from '@quadrix/core/testing';
import type { GpujsBackend, GpujsHandle } from '../src/index.js';
import { readTextureAsync } from '../src/readback.js';

interface GLTexture {
  readonly texture: object;
  readonly context: { deleteTexture(t: unknown): void };
}

const textureOf = (t: Tensor): GLTexture => (t.handle as GpujsHandle).stored as unknown as GLTexture;

export const textureSuite = (t: TestApi, backend: GpujsBackend, opts: { webgl2?: boolean } = {}): void => {
  t.describe(`backend gpujs ${backend.kernelClass}: textures`, () => {
    t.it('a disposed tensor frees its texture at once; a reshape keeps a shared one alive', () =>
      expectNoLeaks(backend, async () => {
        const x = tensor([1, 2, 3, 4, 5, 6], { backend, shape: [2, 3] });
        const y = neg(x);
        const r = reshape(y, [3, 2]);
        const gl = textureOf(x).context;
        const deleted = new Set<unknown>();
        const original = gl.deleteTexture;
        gl.deleteTexture = function (this: unknown, tex: unknown) {
          deleted.add(tex);
          return original.call(this, tex);
        };
        try {
          const [tx, ty] = [textureOf(x).texture, textureOf(y).texture];
          if (textureOf(r).texture !== ty) throw new Error('reshape did not share its texture');
          dispose(x);
          if (!deleted.has(tx)) throw new Error('an uploaded tensor kept its texture after dispose');
          dispose(y);
          if (deleted.has(ty)) throw new Error('a texture shared with a live reshape was deleted');
          if ([...(await data(r))].join() !== '-1,-2,-3,-4,-5,-6') throw new Error('the reshape lost its values');
          dispose(r);
          if (!deleted.has(ty)) throw new Error("a kernel's output texture outlived every tensor holding it");
        } finally {
          gl.deleteTexture = original;
        }
      }),
    );
    t.it('a kernel run again at the same size leaves its earlier results intact', () =>
      expectNoLeaks(backend, async () => {
        const xs = [[1, 2, 3], [4, 5, 6], [7, 8, 9]].map((v) => tensor(v, { backend }));
        const ys = xs.map((x) => neg(x));
        const got = await Promise.all(ys.map(async (y) => [...(await data(y))].join()));
        if (got.join(' ') !== '-1,-2,-3 -4,-5,-6 -7,-8,-9') throw new Error(`results overwritten: ${got.join(' ')}`);
        dispose([xs, ys]);
      }),
    );
    if (opts.webgl2) {
      t.it('reads through a pixel-pack buffer and a fence (WebGL2)', () =>
        expectNoLeaks(backend, async () => {
          const x = tensor(Array.from({ length: 1001 }, (_, i) => i / 7), { backend });
          const y = neg(x);
          const viaFence = await readTextureAsync((y.handle as GpujsHandle).stored as never, 1001);
          if (!viaFence) throw new Error('WebGL2 texture read fell back to the synchronous path');
          const want = Array.from({ length: 1001 }, (_, i) => -Math.fround(i / 7));
          if (viaFence.join() !== want.join()) throw new Error('the fenced read returned other values');
          if ((await data(y)).join() !== want.join()) throw new Error('data() returned other values');
          dispose([x, y]);
        }),
      );
    }
  });
};
