import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  dataSync, dispose, grad, matmul, randomKey, reshape, sub, mul, tensor, tidy, transpose, type Tensor,
} from '@quadrix/core';
import { checkGradient, expectNoLeaks } from '@quadrix/core/testing';
import { cpuBackend } from '@quadrix/backend-cpu';
import {
  DISTANCES, distances, fromHost, fromReferencePacked, fromReferenceSaved, initQuadrics, loss, packQuadratic,
  packedRow, score, stiefelError, toHost, toReference, unpackQuadratic, type Distance, type QuadricParams,
} from '../src/index.js';

const backend = cpuBackend();
const f64 = { backend, dtype: 'float64' } as const;
const values = (t: Tensor): number[] => [...dataSync(t)];

describe('distances', () => {
  it('match the closed forms on the unit sphere', () =>
    expectNoLeaks(backend, () => {
      // Q(x) = |x|² − 1 in R³: at radius r, Q = r² − 1, ‖∇Q‖ = 2r, ‖S‖ = √3.
      const p = fromHost({ n: 3, m: 1, quadratic: [1, 0, 0, 0, 1, 0, 0, 0, 1], linear: [0, 0, 0], free: [-1] }, f64);
      const radii = [0.5, 1, 1.5, 3];
      const x = tensor(radii.map((r) => [r, 0, 0]), f64);
      const got = Object.fromEntries(DISTANCES.map((d) => [d, tidy(() => values(distances(p, x, d)))]));
      radii.forEach((r, i) => {
        const q = Math.abs(r * r - 1);
        const root = (s: number): number => (-2 * r + Math.sqrt(4 * r * r + 4 * s * q)) / (2 * s);
        assert.ok(Math.abs(got.dist0![i]! - q) < 1e-15);
        assert.ok(Math.abs(got.dist1![i]! - q / (2 * r)) < 1e-15);
        assert.ok(Math.abs(got.dist2![i]! - root(Math.sqrt(3))) < 1e-14, `dist2 at r = ${r}`);
        assert.ok(Math.abs(got.dist2_full![i]! - root(1)) < 1e-14, `dist2_full at r = ${r}`);
      });
      dispose([p, x]);
    }));

  const paramsArb = (n: number, m: number) =>
    fc.tuple(
      fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: m * n * n, maxLength: m * n * n }),
      fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: m * n, maxLength: m * n }),
      fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: m, maxLength: m }),
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 5 * n, maxLength: 5 * n }),
    );

  it('are non-negative and finite, with dist2 ≤ dist1 and dist2 ≤ dist2_full·max(1, 1/‖S‖)…', () =>
    expectNoLeaks(backend, () =>
      fc.assert(
        fc.property(paramsArb(3, 2), ([q, l, f, xs]) => {
          tidy(() => {
            const p = fromHost({ n: 3, m: 2, quadratic: q, linear: l, free: f }, f64);
            const x = tensor(xs, { ...f64, shape: [5, 3] });
            const d = Object.fromEntries(DISTANCES.map((k) => [k, values(distances(p, x, k))]));
            for (const k of DISTANCES) assert.ok(d[k]!.every((v) => v >= 0 && Number.isFinite(v)), `${k} finite and ≥ 0`);
            d.dist2!.forEach((v, i) => assert.ok(v <= d.dist1![i]! * (1 + 1e-12) + 1e-300, 'dist2 ≤ dist1'));
            d.dist2_full!.forEach((v, i) => assert.ok(v <= d.dist1![i]! * (1 + 1e-12) + 1e-300, 'dist2_full ≤ dist1'));
          });
        }),
        { numRuns: 100 },
      ),
    ));

  it('stay finite, with finite gradients, where S = 0, ∇Q = 0 or Q = 0', () =>
    expectNoLeaks(backend, () => {
      const cases: [string, number[], number[], number[], number[]][] = [
        // name, quadratic, linear, free, point
        ['S = 0 (a plane)', [0, 0, 0, 0], [1, 0], [0], [0.5, 2]],
        ['∇Q = 0 at the centre', [1, 0, 0, 1], [0, 0], [-1], [0, 0]],
        ['Q = 0 and ∇Q = 0', [1, 0, 0, 1], [0, 0], [0], [0, 0]],
        ['everything zero', [0, 0, 0, 0], [0, 0], [0], [0, 0]],
      ];
      for (const [name, q, l, f, pt] of cases) {
        for (const distance of DISTANCES) {
          tidy(() => {
            const p = fromHost({ n: 2, m: 1, quadratic: q, linear: l, free: f }, f64);
            const x = tensor([pt], f64);
            const v = values(score(p, x, distance));
            assert.ok(v.every(Number.isFinite), `${name}, ${distance}: score ${v}`);
            const g = grad((pp: QuadricParams) => loss(pp, x, { distance, lambda: 1 }))(p);
            for (const t of [g.quadratic, g.linear, g.free]) {
              assert.ok(values(t).every(Number.isFinite), `${name}, ${distance}: gradient ${values(t)}`);
            }
          });
        }
      }
    }));
});

describe('initialisation and layouts', () => {
  it('is Hilbert–Schmidt orthonormal, deterministic, with b and c in [-1, 1)', () =>
    expectNoLeaks(backend, async () => {
      const a = initQuadrics(randomKey(3), 6, 10, f64);
      const b = initQuadrics(randomKey(3), 6, 10, f64);
      assert.ok(tidy(() => values(stiefelError(a)))[0]! < 1e-26);
      const ha = await toHost(a);
      const hb = await toHost(b);
      assert.deepEqual([...ha.quadratic], [...hb.quadratic]);
      assert.ok([...ha.linear, ...ha.free].every((v) => v >= -1 && v < 1));
      const sym = ha.quadratic.every((v, at) => {
        const [i, j, k] = [Math.floor(at / 36), Math.floor(at / 6) % 6, at % 6];
        return v === ha.quadratic[i * 36 + k * 6 + j];
      });
      assert.ok(sym, 'S_i symmetric');
      dispose([a, b]);
    }));

  it('refuses more quadrics than n(n+1)/2 and zero quadrics', () => {
    assert.throws(() => initQuadrics(randomKey(0), 2, 4, f64), /at most n\(n\+1\)\/2 = 3/);
    assert.throws(() => initQuadrics(randomKey(0), 2, 0, f64), /number of quadrics/);
  });

  it('packs monomials in the reference order with Σq² = ‖S‖²_F, and round-trips', () => {
    assert.deepEqual([packedRow(3, 0, 0), packedRow(3, 0, 2), packedRow(3, 1, 1), packedRow(3, 2, 2)], [0, 2, 3, 5]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), (n, m) => {
        const q = Float64Array.from({ length: ((n * (n + 1)) / 2) * m }, (_, i) => Math.sin(i + 1));
        const s = unpackQuadratic(q, n, m);
        const frob = (i: number) => s.slice(i * n * n, (i + 1) * n * n).reduce((a, v) => a + v * v, 0);
        for (let i = 0; i < m; i++) {
          let qq = 0;
          for (let r = 0; r < q.length / m; r++) qq += q[r * m + i]! ** 2;
          assert.ok(Math.abs(qq - frob(i)) < 1e-12);
        }
        const back = packQuadratic(s, n, m);
        back.forEach((v, i) => assert.ok(Math.abs(v - q[i]!) < 1e-15));
      }),
    );
  });

  it('exports both reference layouts and imports each back exactly', async () => {
    const p = initQuadrics(randomKey(9), 4, 3, f64);
    const h = await toHost(p);
    const ref = toReference(h);
    for (const back of [fromReferencePacked(ref), fromReferenceSaved(ref)]) {
      Array.from(back.quadratic).forEach((v, i) => assert.ok(Math.abs(v - h.quadratic[i]!) < 1e-15));
      assert.deepEqual(Array.from(back.linear), [...h.linear]);
      assert.deepEqual(Array.from(back.free), [...h.free]);
    }
    assert.throws(() => fromReferencePacked({ ...ref, q_coefs: { shape: [7, 3], data: new Float64Array(21) } }), /n\(n\+1\)\/2/);
    dispose(p);
  });
});

describe('the loss', () => {
  for (const distance of DISTANCES) {
    it(`${distance}: its gradient matches float64 finite differences`, () =>
      expectNoLeaks(backend, () =>
        fc.assert(
          fc.asyncProperty(
            // Magnitudes in [0.1, 1] keep Q and ∇Q away from 0, where |Q| and ‖∇Q‖ have kinks.
            fc.array(
              fc.tuple(fc.double({ min: 0.1, max: 1, noNaN: true }), fc.boolean()).map(([a, neg]) => (neg ? -a : a)),
              { minLength: 38, maxLength: 38 },
            ),
            async (v) => {
              const xs = { shape: [4, 3], values: v.slice(26).map((t) => t * 2) };
              await checkGradient(backend, {
                label: `loss ${distance}`,
                inputs: [{ shape: [2, 3, 3], values: v.slice(0, 18) }, { shape: [2, 3], values: v.slice(18, 24) }, { shape: [2], values: v.slice(24, 26) }, xs],
                smooth: [true, true, true, false],
                run: ([quadratic, linear, free, x]) => loss({ quadratic: quadratic!, linear: linear!, free: free! }, x!, { distance, lambda: 0.7 }),
              }, { tolerance: 1e-5 });
            },
          ),
          { numRuns: 15 },
        ),
      ));
  }

  it('an SGD step on W equals an SGD step on the reference packed coordinates', () =>
    expectNoLeaks(backend, async () => {
      const n = 3;
      const m = 2;
      const pdim = (n * (n + 1)) / 2;
      // E [p, n·n]: row r is the symmetric basis matrix of packed coordinate r.
      const basis = Float64Array.from({ length: pdim * n * n }, () => 0);
      for (let r = 0; r < pdim; r++) {
        const unit = new Float64Array(pdim);
        unit[r] = 1;
        basis.set(unpackQuadratic(unit, n, 1), r * n * n);
      }
      const lr = 0.1;
      const init = initQuadrics(randomKey(5), n, m, f64);
      const x = tensor(Array.from({ length: 8 * n }, (_, i) => Math.cos(i)), { ...f64, shape: [8, n] });
      const opts = { distance: 'dist2' as Distance, lambda: 1 };
      const host = await toHost(init);
      const result = tidy(() => {
        const E = tensor(basis, { ...f64, shape: [pdim, n * n] });
        const q = tensor(packQuadratic(host.quadratic, n, m), { ...f64, shape: [pdim, m] });
        const unpack = (qq: Tensor) => reshape(matmul(transpose(qq), E), [m, n, n]);
        const gq = grad((qq: Tensor) => loss({ ...init, quadratic: unpack(qq) }, x, opts))(q);
        const viaPacked = unpack(sub(q, mul(gq, lr)));
        const gw = grad((p: QuadricParams) => loss(p, x, opts))(init);
        const viaW = sub(init.quadratic, mul(gw.quadratic, lr));
        return [values(viaPacked), values(viaW)];
      });
      result[0]!.forEach((v, i) => assert.ok(Math.abs(v - result[1]![i]!) < 1e-14, `entry ${i}: ${v} vs ${result[1]![i]}`));
      dispose([init, x]);
    }));
});
