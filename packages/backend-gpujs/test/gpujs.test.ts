import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QuadrixError, abs, add, broadcastTo, concat, data, dispose, gather, matmul, matrixTranspose, mul, normalValues, quadric,
  randomKey, reshape, scatterAdd, scope, sizeOf, sum, tensor, tidy, transpose, type Shape, type Tensor,
} from '@quadrix/core';
import { expectNoLeaks, referenceBackend } from '@quadrix/core/testing';
import { gpujsBackend, MAX_ELEMENTS, type GpujsBackend, type GpujsMode, type KernelClass } from '../src/index.js';
import { expectedNodeClass, headlessGlUnavailable, requireAll } from './env.js';
import { textureSuite } from './textures.js';

const backend = gpujsBackend();
const f32 = (values: ArrayLike<number>, shape: Shape, on: GpujsBackend = backend): Tensor =>
  tensor(values, { shape, backend: on, dtype: 'float32' });
const values = (n: number, seed: number): number[] => Array.from(normalValues(randomKey(seed), n));
/** (S + Sᵀ)/2: the quadric kernel takes symmetric S. */
const symmetric = (s: Tensor): Tensor => mul(add(s, matrixTranspose(s)), 0.5);
const isBackendError = (...words: string[]) => (e: unknown) =>
  e instanceof QuadrixError && e.kind === 'backend' && words.every((w) => e.message.includes(w));

describe('gpujs: which kernel class runs', () => {
  it(`describe() names the class gpu.js really runs here (${expectedNodeClass()})`, () => {
    assert.equal(backend.kernelClass, expectedNodeClass());
    assert.match(backend.describe(), new RegExp(`^gpujs ${backend.kernelClass} `));
  });

  const modes: [GpujsMode, KernelClass][] = [['webasm', 'WebAssemblyKernel'], ['cpu', 'CPUKernel']];
  for (const [mode, cls] of modes) {
    it(`mode '${mode}' runs ${cls}, and says so`, async () => {
      const b = gpujsBackend({ mode, require: mode === 'cpu' ? 'cpu' : 'webasm' });
      assert.equal(b.kernelClass, cls);
      const x = f32([1, -2, 3], [3], b);
      const y = abs(x);
      assert.deepEqual([...(await data(y))], [1, 2, 3]);
      assert.deepEqual(b.kernelClassesRun(), [cls]);
      assert.match(b.describe(), new RegExp(`^gpujs ${cls} \\(gpu.js mode '${mode}', float32\\)$`));
      dispose([x, y]);
      assert.equal(b.liveTensors(), 0);
      b.destroy();
    });
  }

  it("require: 'gpu' fails with a clear error when gpu.js runs webasm", () => {
    assert.throws(() => gpujsBackend({ mode: 'webasm', require: 'gpu' }), isBackendError('required gpu', 'WebAssemblyKernel'));
  });

  it('refuses unknown modes and requirements, naming the valid ones', () => {
    const isArgumentError = (word: string) => (e: unknown) =>
      e instanceof QuadrixError && e.kind === 'argument' && e.message.includes(word) && e.message.includes('webasm');
    assert.throws(() => gpujsBackend({ mode: 'webgpu' as GpujsMode }), isArgumentError("unknown mode 'webgpu'"));
    assert.throws(() => gpujsBackend({ require: 'GPU' as 'gpu' }), isArgumentError("unknown requirement 'GPU'"));
  });

  it('require names the class it got when it is not the one required', () => {
    assert.throws(() => gpujsBackend({ mode: 'cpu', require: 'webasm' }), isBackendError('required webasm', 'CPUKernel'));
  });

  const missing = headlessGlUnavailable();
  it(`require: 'gpu' in Node ${missing ? 'fails (no GL here)' : 'gives HeadlessGLKernel'}`, () => {
    if (missing) {
      assert.throws(() => gpujsBackend({ require: 'gpu' }), isBackendError('fell back to WebAssemblyKernel', 'xvfb-run'));
    } else {
      const b = gpujsBackend({ require: 'gpu' });
      assert.equal(b.kernelClass, 'HeadlessGLKernel');
      b.destroy();
    }
  });

  describe('the headless-gl path', { skip: !requireAll && missing ? `skipped: ${missing}` : false }, () => {
    it("gpujsBackend({ require: 'headlessgl' }) computes on HeadlessGLKernel", async () => {
      const b = gpujsBackend({ require: 'headlessgl' });
      const x = f32([1, 2, 3, 4, 5, 6], [2, 3], b);
      const y = matmul(x, transpose(x, [1, 0]));
      assert.deepEqual([...(await data(y))], [14, 32, 32, 77]);
      assert.deepEqual(b.kernelClassesRun(), ['HeadlessGLKernel']);
      assert.match(b.describe(), /^gpujs HeadlessGLKernel /);
      dispose([x, y]);
      b.destroy();
    });
  });
});

describe('gpujs: storage and lifecycle', () => {
  it('is float32 only: float64 tensors are refused by dtype', () => {
    assert.deepEqual(backend.dtypes, ['float32']);
    assert.throws(() => tensor([1], { backend, dtype: 'float64' }), (e: unknown) => e instanceof QuadrixError && e.kind === 'dtype');
  });

  it('read returns a fresh copy; reads may overlap', () =>
    expectNoLeaks(backend, async () => {
      const xs = [1, 2, 3, 4].map((k) => f32([k, -k, 2 * k], [3]));
      const reads = await Promise.all(xs.map((x) => data(x)));
      assert.deepEqual(reads.map((r) => [...r]), [1, 2, 3, 4].map((k) => [k, -k, 2 * k]));
      reads[0]![0] = 99;
      assert.equal((await data(xs[0]!))[0], 1);
      dispose(xs);
    }));

  it('reshape shares storage, yet each tensor is released on its own', () =>
    expectNoLeaks(backend, async () => {
      const start = backend.liveTensors();
      const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
      const r = reshape(x, [3, 2]);
      assert.equal(backend.liveTensors() - start, 2);
      dispose(x);
      assert.deepEqual([...(await data(r))], [1, 2, 3, 4, 5, 6]);
      const y = tidy(() => add(r, 1));
      assert.deepEqual([...(await data(y))], [2, 3, 4, 5, 6, 7]);
      dispose([r, y]);
    }));

  it('tensors with no elements launch no kernel', () =>
    expectNoLeaks(backend, async () => {
      const e = f32([], [0, 3]);
      const before = backend.compiledKernels();
      const outs = tidy(() => [add(e, e), mul(e, e), transpose(e, [1, 0]), sum(e, [1]), broadcastTo(e, [2, 0, 3]), concat([e, e], 0)]);
      assert.equal(backend.compiledKernels(), before, 'no kernel compiled (so none launched)');
      for (const o of outs) assert.equal((await data(o)).length, 0);
      dispose([e, outs]);
    }));

  it('empty reductions and products give zeros: sum over a 0-axis, matmul with k = 0, concat with empty pieces', () =>
    expectNoLeaks(backend, async () => {
      await scope(async () => {
        assert.deepEqual([...(await data(sum(f32([], [2, 0, 3]), [1])))], [0, 0, 0, 0, 0, 0]);
        assert.deepEqual([...(await data(matmul(f32([], [2, 0]), f32([], [0, 2]))))], [0, 0, 0, 0]);
        const c = concat([f32([], [2, 0]), f32([1, 2], [2, 1]), f32([], [2, 0]), f32([3, 4], [2, 1])], 1);
        assert.deepEqual([...(await data(c))], [1, 3, 2, 4]);
      });
    }));

  it('refuses tensors past 2²⁴ elements, where float32 index arithmetic stops being exact', () =>
    expectNoLeaks(backend, () => {
      const x = f32([1], [1]);
      assert.throws(
        () => tidy(() => broadcastTo(x, [4097, 4096])),
        (e: unknown) => e instanceof QuadrixError && e.kind === 'argument' && e.message.includes(String(MAX_ELEMENTS)),
      );
      dispose(x);
    }));

  it('a destroyed backend refuses work', () => {
    const b = gpujsBackend({ mode: 'webasm' });
    const x = f32([1, 2], [2], b);
    b.destroy();
    assert.throws(() => add(x, 1), isBackendError('destroyed'));
    dispose(x);
  });
});

describe('gpujs: kernels are compiled once per shape class', () => {
  it('elementwise ops of one broadcast pattern share one kernel, whatever the sizes', () =>
    expectNoLeaks(backend, async () => {
      const run = (rows: number, cols: number) =>
        scope(async () => {
          const a = f32(values(rows * cols, rows), [rows, cols]);
          const b = f32(values(cols, cols), [cols]);
          const got = await data(add(a, b));
          const [av, bv] = [await data(a), await data(b)];
          assert.deepEqual([...got], [...av].map((v, i) => Math.fround(v + bv[i % cols]!)));
        });
      await run(2, 3);
      const warm = backend.compiledKernels();
      for (const [r, c] of [[5, 7], [3, 9], [33, 2], [4, 100]] as const) await run(r, c);
      assert.equal(backend.compiledKernels(), warm);
    }));

  it('matmul compiles one kernel per power-of-two class of its inner length', () =>
    expectNoLeaks(backend, async () => {
      const mm = (m: number, k: number, n: number) =>
        scope(async () => {
          await data(matmul(f32(values(m * k, k), [m, k]), f32(values(k * n, n), [k, n])));
        });
      await mm(2, 3, 4);
      const warm = backend.compiledKernels();
      for (const [m, k, n] of [[5, 16, 1], [7, 1, 7], [3, 9, 30]] as const) await mm(m, k, n);
      assert.equal(backend.compiledKernels(), warm, 'k ≤ 16: one class');
      await mm(2, 17, 2);
      assert.equal(backend.compiledKernels(), warm + 1, 'k = 17: the next class');
    }));
});

describe('gpujs: shapes past the small ones of the shared suite', () => {
  const oracle = referenceBackend();
  const agree = async (f: (xs: Tensor[]) => Tensor, shapes: Shape[], reductionLength: number) => {
    const host = shapes.map((s, i) => values(sizeOf(s), 100 + i).map(Math.fround));
    const got = await scope(async () => data(f(host.map((v, i) => f32(v, shapes[i]!)))));
    const [want, scale] = await scope(async () => {
      const xs = host.map((v, i) => tensor(v, { shape: shapes[i]!, backend: oracle, dtype: 'float64' }));
      return [await data(f(xs)), await data(f(xs.map((x) => abs(x))))] as const;
    });
    assert.equal(got.length, want.length);
    // c·k·u·(the same computation on |inputs|), c = 20 (GLSL ES 3.00, see test/env.ts)
    for (let i = 0; i < want.length; i++) {
      const bound = 20 * reductionLength * 2 ** -24 * scale[i]! + 1e-30;
      assert.ok(Math.abs(got[i]! - want[i]!) <= bound, `element ${i}: ${got[i]} vs ${want[i]} (bound ${bound})`);
    }
  };

  it('matmul [3, 40, 300] @ [300, 50] (broadcast batch, inner length past the first classes)', () =>
    expectNoLeaks(backend, () => agree(([a, b]) => matmul(a!, b!), [[3, 40, 300], [300, 50]], 300)));

  it('sum of 100 000 elements (three reduction passes) and over a leading axis', () =>
    expectNoLeaks(backend, async () => {
      await agree(([x]) => sum(x!), [[100_000]], 100_000);
      await agree(([x]) => sum(x!, [0]), [[300, 7, 11]], 300);
    }));

  it('transpose of [64, 513, 3]', () =>
    expectNoLeaks(backend, () => agree(([x]) => transpose(x!, [2, 0, 1]), [[64, 513, 3]], 1)));

  it('concat of 20 pieces (joined in groups of 8)', () =>
    expectNoLeaks(backend, () =>
      agree((xs) => concat(xs, 1), Array.from({ length: 20 }, (_, i): Shape => [3, (i % 4) + 1, 2]), 1),
    ));

  it('gather and scatterAdd along a middle axis with repeated indices', () =>
    expectNoLeaks(backend, async () => {
      const indices = Array.from({ length: 200 }, (_, j) => (j * 7) % 30);
      await agree(([x]) => gather(x!, indices, 1), [[4, 30, 5]], 1);
      await agree(([x]) => scatterAdd(x!, indices, 30, 1), [[4, 200, 5]], 7);
    }));

  it('the fused quadric kernel with n = 40 (past the first loop class) against the oracle', () =>
    expectNoLeaks(backend, () =>
      agree(([x, s, b, c]) => quadric(x!, tidy(() => symmetric(s!)), b!, c!), [[50, 40], [3, 40, 40], [3, 40], [3]], 2 * 40 + 2),
    ));
});

// GL only: webasm and cpu keep plain arrays.
if (backend.kernelClass === 'HeadlessGLKernel') textureSuite({ describe, it }, backend);
