import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import fc from 'fast-check';
import {
  abs, add, dataSync, div, matmul, matrixTranspose, mul, quadric, reshape, slice, sub, sum, tensor, tidy, transpose,
  broadcastTo, dispose, valueAndGrad, type Backend, type Tensor,
} from '@quadrix/core';
import { expectNoLeaks, referenceBackend } from '@quadrix/core/testing';
import { cpuBackend, type CpuHandle } from '../src/index.js';
import { runtime } from '../src/fast/runtime.js';

// The fast kernels against the reference path, on sizes that do not fill the 4×8 register block or
// the 256-deep packed panels, with operands given as transposed and broadcast views. Every matmul and
// quadric goes to WebAssembly here (minWasmWork 0), on two threads (minParallelWork 0).

const u = 2 ** -24;
const eta = 2 ** -126;
const forced = { kernels: 'fast', threads: 2, minWasmWork: 0, minParallelWork: 0 } as const;
const fast = cpuBackend(forced);
const fastNoFma = cpuBackend({ ...forced, relaxedSimd: false });
const ref32 = cpuBackend({ kernels: 'reference' });
const oracle = referenceBackend();

const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * 3);
const upload = (on: Backend, shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float32'): Tensor =>
  tensor(values(shape.reduce((a, b) => a * b, 1), seed).map(Math.fround), { shape, dtype, backend: on });

/**
 * Every element of `got` (float32) within c·k·u·scale + c·k·η of `want` (float64 oracle on the same
 * float32 inputs), `scale` the same reduction on absolute values: the bound of the shared suites.
 */
const withinBound = (got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, k: number, label: string): void => {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const bound = 4 * Math.max(1, k) * (u * scale[i]! + eta);
    if (!(Math.abs(got[i]! - want[i]!) <= bound)) {
      assert.fail(`${label}: element ${i} is ${got[i]}, expected ${want[i]} (tolerance ${bound.toExponential(2)})`);
    }
  }
};

const dims = fc.integer({ min: 1, max: 70 });

describe('fast cpu kernels against the reference', () => {
  it('describes what runs', () => {
    const threads = Math.min(2, availableParallelism());
    assert.match(fast.describe!(), new RegExp(`WebAssembly SIMD.*${threads} threads?, tensors in shared memory`));
    assert.match(cpuBackend({ kernels: 'reference' }).describe!(), /reference/);
  });

  for (const [name, backend] of [['relaxed FMA', fast], ['mul + add', fastNoFma]] as const) {
    it(`matmul (${name}): odd sizes, depth across packed panels, transposed and broadcast operands`, () =>
      expectNoLeaks(backend, () =>
        fc.assert(
          fc.property(
            dims, dims, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean(), fc.boolean(),
            (M, N, K, batch, ta, tb, broadcastA) => {
              const aShape = broadcastA ? (ta ? [K, M] : [M, K]) : ta ? [batch, K, M] : [batch, M, K];
              const bShape = tb ? [batch, N, K] : [batch, K, N];
              const run = (on: Backend, dtype: 'float32' | 'float64') =>
                tidy(() => {
                  const a0 = upload(on, aShape, M + K, dtype);
                  const b0 = upload(on, bShape, N + 2 * K, dtype);
                  const a = ta ? matrixTranspose(a0) : a0;
                  const b = tb ? matrixTranspose(b0) : b0;
                  return [dataSync(matmul(a, b)), dataSync(matmul(abs(a), abs(b)))];
                });
              const [got] = run(backend, 'float32');
              const [want, scale] = run(oracle, 'float64');
              withinBound(got!, want!, scale!, K, `matmul ${M}×${K}·${K}×${N} batch ${batch} ta ${ta} tb ${tb}`);
            },
          ),
          { numRuns: 40 },
        ),
      ));
  }

  it('matmul split along a long depth (G·Gᵀ of the Stiefel penalty): within the bound, the same for 1 and 2 threads', () => {
    const one = cpuBackend({ ...forced, threads: 1 });
    for (const [M, N, K] of [[7, 13, 20001], [37, 37, 16384], [3, 130, 17000]] as const) {
      const run = (on: Backend, dtype: 'float32' | 'float64', gram: boolean) =>
        tidy(() => {
          const a = upload(on, [M, K], M, dtype);
          const b = gram && M === N ? matrixTranspose(a) : matrixTranspose(upload(on, [N, K], N, dtype));
          return [dataSync(matmul(a, b)), dataSync(matmul(abs(a), abs(b)))];
        });
      for (const gram of [false, true]) {
        const [got] = run(fast, 'float32', gram);
        // The oracle: the reference kernels in float64 (the one-element-at-a-time oracle is slow at this depth).
        const [want, scale] = run(ref32, 'float64', gram);
        withinBound(got!, want!, scale!, K, `matmul ${M}×${K}·${K}×${N} gram ${gram}`);
        assert.deepEqual([...got!], [...run(one, 'float32', gram)[0]!]);
      }
    }
  });

  it('Gᵀ·M for a symmetric M reuses M·G (the Stiefel penalty\'s two gradient products); a non-symmetric M does not', () =>
    expectNoLeaks(fast, () => {
      for (const symmetric of [true, false]) {
        const run = (on: Backend, dtype: 'float32' | 'float64') =>
          tidy(() => {
            const w = upload(on, [37, 37], 1, dtype);
            const m = symmetric ? div(add(w, matrixTranspose(w)), 2) : w;
            const g = upload(on, [37, 5001], 2, dtype);
            const first = matmul(m, g);
            const second = matrixTranspose(matmul(matrixTranspose(g), m));
            return [dataSync(first), dataSync(second), dataSync(matmul(abs(m), abs(g)))];
          });
        const [first, second] = run(fast, 'float32');
        const [want, , scale] = run(ref32, 'float64');
        withinBound(first!, want!, scale!, 37, `M·G, symmetric ${symmetric}`);
        if (symmetric) assert.deepEqual([...second!], [...first!]);
        else withinBound(second!, run(ref32, 'float64')[1]!, scale!, 37, 'Gᵀ·M, M not symmetric');
      }
    }));

  it('quadric: odd sizes and depths across packed panels', () =>
    expectNoLeaks(fast, () =>
      fc.assert(
        fc.property(dims, fc.oneof(dims, fc.integer({ min: 250, max: 300 })), fc.integer({ min: 1, max: 5 }), (B, n, m) => {
          const sym = (on: Backend, dtype: 'float32' | 'float64'): Tensor => {
            const w = upload(on, [m, n, n], n + m, dtype);
            return div(add(w, matrixTranspose(w)), 2);
          };
          const run = (on: Backend, dtype: 'float32' | 'float64') =>
            tidy(() => {
              const x = upload(on, [B, n], B, dtype);
              const s = sym(on, dtype);
              const b = upload(on, [m, n], m + 1, dtype);
              const c = upload(on, [m], m + 2, dtype);
              return [dataSync(quadric(x, s, b, c)), dataSync(quadric(abs(x), abs(s), abs(b), abs(c)))];
            });
          const [got] = run(fast, 'float32');
          // The oracle gets the float32 symmetric part the fast backend computed, rounded the same way.
          const [want, scale] = run(oracle, 'float64');
          withinBound(got!, want!, scale!, 2 * n + 2, `quadric B ${B} n ${n} m ${m}`);
        }),
        { numRuns: 30 },
      ),
    ));

  it('the gradient of the fused kernel (whose backward pass reuses X·S from the forward one) matches float64', async () => {
    const normwise = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let e = 0;
      let m = 0;
      for (let i = 0; i < b.length; i++) {
        e = Math.max(e, Math.abs(a[i]! - b[i]!));
        m = Math.max(m, Math.abs(b[i]!));
      }
      return e / m;
    };
    for (const [B, n, m] of [[37, 45, 3], [256, 70, 5], [9, 131, 2]] as const) {
      const run = (on: Backend, dtype: 'float32' | 'float64') =>
        tidy(() => {
          const w = upload(on, [m, n, n], 2, dtype);
          const inputs = [upload(on, [B, n], 1, dtype), div(add(w, matrixTranspose(w)), 2), upload(on, [m, n], 3, dtype), upload(on, [m], 4, dtype)];
          const cot = upload(on, [2, B, m], 5, dtype);
          const { value, grads } = valueAndGrad((p: Tensor[]) => sum(mul(quadric(p[0]!, p[1]!, p[2]!, p[3]!), cot)))(inputs);
          return [dataSync(value), ...grads.map((g) => dataSync(g))];
        });
      const got = run(fast, 'float32');
      const want = run(ref32, 'float64');
      got.forEach((g, i) => {
        const err = normwise(g, want[i]!);
        assert.ok(err <= 1e-4, `B ${B} n ${n} m ${m}: ${i === 0 ? 'value' : `gradient of input ${i - 1}`} differs by ${err}`);
      });
    }
  });

  it('the allocator reuses freed blocks of WebAssembly memory', () => {
    const rt = runtime(true)!;
    const a = rt.alloc(5000)!;
    const b = rt.alloc(7000)!;
    rt.free(a.block);
    const c = rt.alloc(5000)!;
    assert.equal(c.block.address, a.block.address);
    rt.free(b.block);
    rt.free(c.block);
  });

  it('disposing tensors gives their memory back: a long loop of big ops does not grow it', () => {
    const a = upload(fast, [16, 256, 256], 1);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) tidy(() => dataSync(sum(mul(add(a, a), transpose(a, [0, 2, 1])), [1, 2])));
    dispose(a);
    // 200 iterations of two new 4 MiB arrays would be 1.6 GiB without reuse.
    assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, `rss grew by ${(process.memoryUsage().rss - before) / 2 ** 20} MiB`);
  });

  it('results do not depend on the number of threads (bitwise)', () => {
    const one = cpuBackend({ ...forced, threads: 1 });
    const run = (on: Backend) =>
      tidy(() => {
        const x = upload(on, [77, 133], 1);
        const s0 = upload(on, [9, 133, 133], 2);
        const s = div(add(s0, matrixTranspose(s0)), 2);
        return [...dataSync(matmul(x, s)), ...dataSync(quadric(x, s, upload(on, [9, 133], 3), upload(on, [9], 4)))];
      });
    assert.deepEqual(run(fast), run(one));
  });

  it('elementwise ops on transposed, broadcast and sliced views equal the reference bit for bit', () =>
    expectNoLeaks(fast, () =>
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 3 }),
          fc.constantFrom('add', 'sub', 'mul', 'div'), fc.constantFrom('transpose', 'broadcast', 'slice', 'scalar', 'row'),
          (R, C, L, op, kind) => {
            const f = { add, sub, mul, div }[op];
            const run = (on: Backend) =>
              tidy(() => {
                const a = upload(on, [L, R, C], R * C);
                const other =
                  kind === 'transpose' ? transpose(upload(on, [L, C, R], 3), [0, 2, 1])
                  : kind === 'broadcast' ? broadcastTo(upload(on, [1, R, 1], 5), [L, R, C])
                  : kind === 'slice' ? slice(upload(on, [L + 1, R + 2, C], 7), [1, 2, 0], [L, R, C])
                  : kind === 'scalar' ? upload(on, [], 9)
                  : upload(on, [C], 11);
                return [...dataSync(f(a, other)), ...dataSync(f(other, a))];
              });
            assert.deepEqual(run(fast), run(ref32));
          },
        ),
        { numRuns: 60 },
      ),
    ));

  it('sums over runs of axes, of views too, within the reduction bound', () =>
    expectNoLeaks(fast, () =>
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.boolean(),
          (shape, start, len, transposed) => {
            const first = Math.min(start, shape.length - 1);
            const axes = Array.from({ length: Math.min(len, shape.length - first) }, (_, i) => first + i);
            const k = axes.reduce((p, a) => p * shape[a]!, 1);
            const run = (on: Backend, dtype: 'float32' | 'float64') =>
              tidy(() => {
                const x0 = upload(on, transposed ? [...shape].reverse() : shape, shape.length, dtype);
                const x = transposed ? transpose(x0) : x0;
                return [dataSync(sum(x, axes)), dataSync(sum(abs(x), axes))];
              });
            const [got] = run(fast, 'float32');
            const [want, scale] = run(oracle, 'float64');
            withinBound(got!, want!, scale!, k, `sum [${shape}] axes [${axes}]`);
          },
        ),
        { numRuns: 80 },
      ),
    ));

  it('layout ops are views: a transpose shares its input storage, and reads back the reference values', () =>
    expectNoLeaks(fast, () => {
      tidy(() => {
        const x = upload(fast, [3, 4, 5], 1);
        const t = transpose(x, [2, 0, 1]);
        const h = t.handle as CpuHandle;
        assert.equal(h.base, (x.handle as CpuHandle).base);
        assert.ok(h.view !== undefined);
        const r = reshape(slice(t, [1, 0, 0], [3, 3, 4]), [36]);
        const want = tidy(() => dataSync(reshape(slice(transpose(upload(ref32, [3, 4, 5], 1), [2, 0, 1]), [1, 0, 0], [3, 3, 4]), [36])));
        assert.deepEqual([...dataSync(r)], [...want]);
      });
    }));

  it('without WebAssembly (as on an engine without SIMD): plain JavaScript, the reference results exactly', () => {
    const plain = cpuBackend({ kernels: 'fast', webAssembly: false });
    assert.match(plain.describe!(), /plain JavaScript/);
    const run = (on: Backend) =>
      tidy(() => {
        const x = upload(on, [33, 20], 1);
        const w = upload(on, [3, 20, 20], 2);
        const s = div(add(w, matrixTranspose(w)), 2);
        return [...dataSync(quadric(x, s, upload(on, [3, 20], 3), upload(on, [3], 4))), ...dataSync(matmul(x, s)), ...dataSync(sum(s, [1, 2]))];
      });
    assert.deepEqual(run(plain), run(ref32));
  });

  it('falls back to JavaScript for float64 and returns the reference results exactly', () =>
    expectNoLeaks(fast, () => {
      const got = tidy(() => dataSync(matmul(upload(fast, [5, 7], 1, 'float64'), upload(fast, [7, 3], 2, 'float64'))));
      const want = tidy(() => dataSync(matmul(upload(ref32, [5, 7], 1, 'float64'), upload(ref32, [7, 3], 2, 'float64'))));
      assert.deepEqual([...got], [...want]);
    }));
});
