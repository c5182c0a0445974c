// Interoperability with the PyTorch reference (DESIGN.md §2): its two parameter layouts, its
// quadric values, and its SGD trajectory on the packed coordinates, all computed here independently.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  abs, add, dataSync, dispose, div, eye, gather, keep, matmul, matrixTranspose, mul, reshape, sqrt, square, sub, sum, sumSquares,
  tensor, tidy, valueAndGrad, type Tensor,
} from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { readNpy, readNpz, writeNpy, writeNpz } from '@quadrix/io/node';
import type { ModelFile } from '@quadrix/models';
import { flatParams, normal, ok, readModel, relativeError, rng, tempDir, uniform, writeMatrix } from './helpers.js';

const n = 4;
const m = 3;
const p = (n * (n + 1)) / 2;

/** Row of the monomial x_j x_k (j ≤ k): j = 0..n-1, then k = j..n-1 (written out, not imported). */
const rows: [number, number][] = [];
for (let j = 0; j < n; j++) for (let k = j; k < n; k++) rows.push([j, k]);

// The reference model, float64: q_coefs (p, m), l_coefs (n, m), free_coefs (1, m), row-major.
const next = rng(2022);
const qCoefs = uniform(next, p * m, -0.4, 0.4);
const lCoefs = uniform(next, n * m, -0.5, 0.5);
const freeCoefs = uniform(next, m, -0.5, 0.5);

/** The save() layout: quadratic (n, n, m) monomial coefficients, symmetric; linear, free as they are. */
const savedQuadratic = (): Float64Array => {
  const out = new Float64Array(n * n * m);
  rows.forEach(([j, k], r) => {
    for (let i = 0; i < m; i++) {
      const v = j === k ? qCoefs[r * m + i]! : Math.SQRT2 * qCoefs[r * m + i]!;
      out[(j * n + k) * m + i] = v;
      out[(k * n + j) * m + i] = v;
    }
  });
  return out;
};

/** Q_i(x) the reference's way, over monomials, with the sum of |terms| (the scale of its rounding). */
const referenceQ = (x: ArrayLike<number>, i: number): { value: number; scale: number } => {
  let value = freeCoefs[i]!;
  let scale = Math.abs(value);
  rows.forEach(([j, k], r) => {
    const monomial = j === k ? x[j]! * x[j]! : Math.SQRT2 * x[j]! * x[k]!;
    value += qCoefs[r * m + i]! * monomial;
    scale += Math.abs(qCoefs[r * m + i]! * monomial);
  });
  for (let j = 0; j < n; j++) {
    value += lCoefs[j * m + i]! * x[j]!;
    scale += Math.abs(lCoefs[j * m + i]! * x[j]!);
  }
  return { value, scale };
};

const f64 = (shape: number[], data: Float64Array) => ({ dtype: '<f8' as const, shape, data });

/** Largest elementwise |a − b| in units of |b| (ulp-level agreement). */
const maxRelative = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, b[i] === 0 ? Math.abs(a[i]!) : Math.abs(a[i]! - b[i]!) / Math.abs(b[i]!));
  return worst;
};

describe('quadrix import-reference / export-reference / score against the reference', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let packed: ModelFile;
  before(async () => {
    t = await tempDir();
    await writeNpy(t.path('q_coefs.npy'), f64([p, m], qCoefs));
    await writeNpy(t.path('l_coefs.npy'), f64([n, m], lCoefs));
    await writeNpy(t.path('free_coefs.npy'), f64([1, m], freeCoefs));
    await writeNpy(t.path('quadratic.npy'), f64([n, n, m], savedQuadratic()));
    await writeNpy(t.path('linear.npy'), f64([n, m], lCoefs));
    await writeNpy(t.path('free.npy'), f64([1, m], freeCoefs));
    await writeNpz(t.path('saved.npz'), { quadratic: f64([n, n, m], savedQuadratic()), linear: f64([n, m], lCoefs), free: f64([1, m], freeCoefs) });
    await writeNpz(t.path('packed.npz'), { q_coefs: f64([p, m], qCoefs), l_coefs: f64([n, m], lCoefs), free_coefs: f64([1, m], freeCoefs) }, { compress: true });
    const next = rng(7);
    await writeMatrix(t.path('points.npy'), 25, n, Float64Array.from(normal(next, 25 * n), (v) => 0.8 * v));
  });
  after(() => t.remove());

  it('the three input forms give the same model', async () => {
    const r = await ok('import-reference', '--q-coefs', t.path('q_coefs.npy'), '--l-coefs', t.path('l_coefs.npy'), '--free-coefs', t.path('free_coefs.npy'), '--out', t.path('packed.json'));
    assert.match(r.out, /imported 3 quadrics in R\^4 .*float64/);
    await ok('import-reference', '--quadratic', t.path('quadratic.npy'), '--linear', t.path('linear.npy'), '--free', t.path('free.npy'), '--out', t.path('saved.json'));
    await ok('import-reference', '--npz', t.path('saved.npz'), '--out', t.path('saved-npz.json'));
    await ok('import-reference', '--npz', t.path('packed.npz'), '--out', t.path('packed-npz.json'));
    packed = await readModel(t.path('packed.json'));
    const saved = await readModel(t.path('saved.json'));
    const savedNpz = await readModel(t.path('saved-npz.json'));
    const packedNpz = await readModel(t.path('packed-npz.json'));
    for (const model of [packed, saved, savedNpz, packedNpz]) {
      assert.equal(model.n, n);
      assert.equal(model.m, m);
      assert.equal(model.dtype, 'float64');
      assert.equal(model.distance, 'dist2');
    }
    // the same arrays read from .npy files or from an archive give bit-identical models
    assert.deepEqual(flatParams(savedNpz), flatParams(saved));
    assert.deepEqual(flatParams(packedNpz), flatParams(packed));
    // the two layouts hold the same numbers up to the rounding of √2·q and q/√2
    assert.ok(maxRelative(flatParams(saved), flatParams(packed)) <= 4 * 2 ** -53, `layouts differ by ${maxRelative(flatParams(saved), flatParams(packed))}`);
    // linear and free are transposes and copies: exact
    assert.deepEqual([...saved.params.linear, ...saved.params.free], [...packed.params.linear, ...packed.params.free]);
    // quadric i's linear part is column i of l_coefs
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) assert.equal(packed.params.linear[i * n + j], lCoefs[j * m + i]);
    assert.deepEqual([...packed.params.free], [...freeCoefs]);
  });

  it('float32 reference arrays give a float32 model', async () => {
    const f32 = (shape: number[], a: Float64Array) => ({ dtype: '<f4' as const, shape, data: Float32Array.from(a) });
    await writeNpz(t.path('f32.npz'), { q_coefs: f32([p, m], qCoefs), l_coefs: f32([n, m], lCoefs), free_coefs: f32([1, m], freeCoefs) });
    await ok('import-reference', '--npz', t.path('f32.npz'), '--out', t.path('f32.json'));
    const model = await readModel(t.path('f32.json'));
    assert.equal(model.dtype, 'float32');
    assert.ok(model.params.quadratic instanceof Float32Array);
  });

  it('score --dtype float64 --distance dist0 --per-quadric equals |Q| computed over monomials', async () => {
    const x = (await readNpy(t.path('points.npy'))).data as Float64Array;
    const expected = new Float64Array(25 * m);
    const scale = new Float64Array(25 * m);
    for (let r = 0; r < 25; r++) {
      for (let i = 0; i < m; i++) {
        const q = referenceQ(x.subarray(r * n, r * n + n), i);
        expected[r * m + i] = Math.abs(q.value);
        scale[r * m + i] = q.scale;
      }
    }
    for (const model of ['packed.json', 'saved.json', 'saved-npz.json']) {
      await ok('score', '--model', t.path(model), '--data', t.path('points.npy'), '--dtype', 'float64', '--distance', 'dist0', '--per-quadric', '--out', t.path('s.npy'));
      const s = await readNpy(t.path('s.npy'));
      assert.equal(s.dtype, '<f8');
      assert.deepEqual(s.shape, [25, m]);
      const got = s.data as Float64Array;
      assert.ok(relativeError(got, expected) <= 1e-12, `${model}: relative error ${relativeError(got, expected)}`);
      for (let k = 0; k < got.length; k++) {
        assert.ok(Math.abs(got[k]! - expected[k]!) <= 1e-12 * scale[k]!, `${model}: entry ${k}: ${got[k]} vs ${expected[k]}`);
      }
    }
    // the sum over quadrics, and the model's own distance as the default
    await ok('import-reference', '--npz', t.path('packed.npz'), '--distance', 'dist0', '--out', t.path('dist0.json'));
    assert.equal((await readModel(t.path('dist0.json'))).distance, 'dist0');
    await ok('score', '--model', t.path('dist0.json'), '--data', t.path('points.npy'), '--dtype', 'float64', '--out', t.path('total.npy'));
    const total = await readNpy(t.path('total.npy'));
    assert.deepEqual(total.shape, [25]);
    for (let r = 0; r < 25; r++) {
      const want = expected[r * m]! + expected[r * m + 1]! + expected[r * m + 2]!;
      assert.ok(Math.abs((total.data[r] as number) - want) <= 1e-12 * (scale[r * m]! + scale[r * m + 1]! + scale[r * m + 2]!));
    }
  });

  it('export-reference writes both layouts, and import-reference --npz reads back the same model', async () => {
    const r = await ok('export-reference', '--model', t.path('packed.json'), '--out', t.path('exported.npz'));
    assert.match(r.out, /exported 3 quadrics in R\^4/);
    const arrays = await readNpz(t.path('exported.npz'));
    assert.deepEqual(Object.keys(arrays).sort(), ['free', 'free_coefs', 'l_coefs', 'linear', 'q_coefs', 'quadratic']);
    const shapes = Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, a.shape]));
    assert.deepEqual(shapes, { q_coefs: [p, m], l_coefs: [n, m], free_coefs: [1, m], quadratic: [n, n, m], linear: [n, m], free: [1, m] });
    for (const a of Object.values(arrays)) assert.equal(a.dtype, '<f8');
    assert.ok(maxRelative(arrays.q_coefs!.data as Float64Array, qCoefs) <= 4 * 2 ** -53);
    assert.ok(maxRelative(arrays.quadratic!.data as Float64Array, savedQuadratic()) <= 4 * 2 ** -53);
    assert.deepEqual([...(arrays.l_coefs!.data as Float64Array)], [...lCoefs]);
    assert.deepEqual([...(arrays.linear!.data as Float64Array)], [...lCoefs]);
    assert.deepEqual([...(arrays.free_coefs!.data as Float64Array)], [...freeCoefs]);
    assert.deepEqual([...(arrays.free!.data as Float64Array)], [...freeCoefs]);

    await roundTrip('packed.json');
  });

  /** export-reference then import-reference --npz must give back the model's parameters bit for bit. */
  const roundTrip = async (source: string): Promise<void> => {
    await ok('export-reference', '--model', t.path(source), '--out', t.path('round.npz'));
    await ok('import-reference', '--npz', t.path('round.npz'), '--out', t.path('round.json'));
    const before = await readModel(t.path(source));
    const back = await readModel(t.path('round.json'));
    assert.equal(back.n, before.n);
    assert.equal(back.m, before.m);
    assert.equal(back.dtype, before.dtype);
    assert.deepEqual(flatParams(back), flatParams(before), `${source} does not round-trip exactly`);
  };

  it(
    'export-reference then import-reference --npz round-trips any model exactly (fitted float64 and float32, save() imports)',
    async () => {
      await roundTrip('saved.json');
      await ok('fit', '--init', t.path('packed.json'), '--data', t.path('points.npy'), '--dtype', 'float64', '--epochs', '1', '--batch-size', '5', '--lr', '0.01', '--out', t.path('fit64.json'));
      await roundTrip('fit64.json');
      await ok('fit', '--data', t.path('points.npy'), '--quadrics', '3', '--epochs', '1', '--batch-size', '5', '--lr', '0.01', '--out', t.path('fit32.json'));
      await roundTrip('fit32.json');
    },
  );
});

/**
 * The reference trainer, independently: plain SGD on the packed coordinates q (p, m), l (n, m),
 * free (1, m), batches in data order, loss = mean over the batch of Σ_i dist2 + λ‖qᵀq − I‖²_F.
 */
const simulateReference = (
  x: Float64Array,
  count: number,
  { epochs, batchSize, lr, lambda }: { epochs: number; batchSize: number; lr: number; lambda: number },
): { q: Float64Array; l: Float64Array; f: Float64Array; losses: number[] } => {
  const backend = cpuBackend();
  const o = { backend, dtype: 'float64' } as const;
  // Row r of E is the symmetric basis matrix of packed coordinate r, flattened.
  const basis = new Float64Array(p * n * n);
  rows.forEach(([j, k], r) => {
    if (j === k) basis[r * n * n + j * n + j] = 1;
    else basis[r * n * n + j * n + k] = basis[r * n * n + k * n + j] = Math.SQRT1_2;
  });
  const E = tensor(basis, { ...o, shape: [p, n * n] });
  const X = tensor(x, { ...o, shape: [count, n] });
  const identity = eye(m, o);
  type Packed = { q: Tensor; l: Tensor; f: Tensor };

  const loss = (xb: Tensor) => (w: Packed): Tensor => {
    const B = xb.shape[0]!;
    const S = reshape(matmul(matrixTranspose(w.q), E), [m, n, n]); // S_i = reshape(q[:, i]ᵀ E)
    const T = matmul(xb, S); // [m, B, n]: rows S_i x_b
    const Q = add(add(matrixTranspose(sum(mul(T, xb), 2)), matmul(xb, w.l)), w.f); // [B, m]
    const gradQ = add(mul(T, 2), reshape(matrixTranspose(w.l), [m, 1, n])); // ∇Q_i(x_b) = 2 S_i x_b + b_i
    const gSq = matrixTranspose(sum(square(gradQ), 2)); // [B, m]
    const g = sqrt(gSq);
    const sNorm = sqrt(sum(square(w.q), 0)); // ‖S_i‖_F = ‖q[:, i]‖
    const d = div(sub(sqrt(add(div(gSq, 4), mul(abs(Q), sNorm))), div(g, 2)), sNorm);
    const penalty = sumSquares(sub(matmul(matrixTranspose(w.q), w.q), identity));
    return add(div(sum(d), B), mul(penalty, lambda));
  };

  let w: Packed = {
    q: tensor(qCoefs, { ...o, shape: [p, m] }),
    l: tensor(lCoefs, { ...o, shape: [n, m] }),
    f: tensor(freeCoefs, { ...o, shape: [1, m] }),
  };
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let start = 0; start < count; start += batchSize) {
      const idx = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
      const nextW = tidy(() => {
        const { value, grads } = valueAndGrad(loss(gather(X, idx)))(w);
        losses.push(dataSync(value)[0]!);
        return {
          q: keep(sub(w.q, mul(grads.q, lr))),
          l: keep(sub(w.l, mul(grads.l, lr))),
          f: keep(sub(w.f, mul(grads.f, lr))),
        };
      });
      dispose(w);
      w = nextW;
    }
  }
  const result = { q: Float64Array.from(dataSync(w.q)), l: Float64Array.from(dataSync(w.l)), f: Float64Array.from(dataSync(w.f)), losses };
  dispose([w, E, X, identity]);
  return result;
};

describe('quadrix fit follows the reference SGD trajectory', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  const count = 20;
  const x = Float64Array.from(normal(rng(99), count * n), (v) => 0.7 * v);
  before(async () => {
    t = await tempDir();
    await writeNpy(t.path('q_coefs.npy'), f64([p, m], qCoefs));
    await writeNpy(t.path('l_coefs.npy'), f64([n, m], lCoefs));
    await writeNpy(t.path('free_coefs.npy'), f64([1, m], freeCoefs));
    await writeMatrix(t.path('x.npy'), count, n, x);
  });
  after(() => t.remove());

  it('2 epochs of batch 5 from the imported model equal SGD on the packed coordinates', async () => {
    await ok('import-reference', '--q-coefs', t.path('q_coefs.npy'), '--l-coefs', t.path('l_coefs.npy'), '--free-coefs', t.path('free_coefs.npy'), '--out', t.path('init.json'));
    const r = await ok(
      'fit', '--init', t.path('init.json'), '--data', t.path('x.npy'), '--optimizer', 'sgd', '--no-shuffle', '--epochs', '2',
      '--batch-size', '5', '--lr', '0.1', '--lambda', '1', '--distance', 'dist2', '--dtype', 'float64', '--out', t.path('fitted.json'),
    );
    assert.match(r.out, /fitted 3 quadrics in R\^4 on 20 points: 8 steps/);
    const fitted = await readModel(t.path('fitted.json'));
    assert.equal(fitted.dtype, 'float64');
    assert.equal(fitted.training!.steps, 8);

    const sim = simulateReference(x, count, { epochs: 2, batchSize: 5, lr: 0.1, lambda: 1 });
    assert.equal(sim.losses.length, 8);
    assert.ok(sim.losses.every(Number.isFinite));
    // the reference's parameters in quadrix's layout: S_i [m, n, n], b [m, n], c [m]
    const S = new Float64Array(m * n * n);
    rows.forEach(([j, k], row) => {
      for (let i = 0; i < m; i++) {
        const v = j === k ? sim.q[row * m + i]! : sim.q[row * m + i]! / Math.SQRT2;
        S[(i * n + j) * n + k] = v;
        S[(i * n + k) * n + j] = v;
      }
    });
    const b = Float64Array.from({ length: m * n }, (_, k) => sim.l[(k % n) * m + Math.floor(k / n)]!);
    const c = sim.f;

    // the trajectory moved: a wrong step would show
    const init = await readModel(t.path('init.json'));
    assert.ok(relativeError(init.params.quadratic, S) > 1e-3, 'training barely moved the quadratic parts');
    assert.ok(relativeError(init.params.linear, b) > 1e-3, 'training barely moved the linear parts');

    const errors = {
      quadratic: relativeError(fitted.params.quadratic, S),
      linear: relativeError(fitted.params.linear, b),
      free: relativeError(fitted.params.free, c),
    };
    for (const [name, e] of Object.entries(errors)) assert.ok(e <= 1e-10, `${name}: relative error ${e} (${JSON.stringify(errors)})`);
    // the mean training loss of the last epoch, as the reference computes it
    const lastEpoch = sim.losses.slice(4).reduce((a, v) => a + v, 0) / 4;
    assert.ok(Math.abs((fitted.training!.finalLoss as number) - lastEpoch) <= 1e-10 * Math.abs(lastEpoch), `${fitted.training!.finalLoss} vs ${lastEpoch}`);
  });
});
