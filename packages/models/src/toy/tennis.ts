/**
 * The paper's toy example: points near the seam line of a tennis ball, 2 quadrics against
 * quadratic kernel PCA. Used by `quadrix demo`, the web demo and the tests.
 */
import {
  dataSync, dispose, normalValues, randomKey, splitKey, tensor, tidy, uniformValues, type Backend, type Key,
} from '@quadrix/core';
import { fitKernelPca } from '../baselines/kpca.js';
import { distances, fromHost, initQuadrics, toHost, type HostQuadrics } from '../quadrics.js';
import { train, type TrainOptions } from '../trainer.js';

/** The seam line of a tennis ball (the paper's toy example) with a = 0.8, b = 0.2. */
export const A = 0.8;
export const B = 0.2;

export const seam = (t: number): [number, number, number] => [
  A * Math.cos(t) + B * Math.cos(3 * t),
  A * Math.sin(t) - B * Math.sin(3 * t),
  2 * Math.sqrt(A * B) * Math.sin(2 * t),
];

/** `count` points of the exact curve at equally spaced parameters. */
export const curve = (count: number): Float64Array =>
  Float64Array.from({ length: count * 3 }, (_, i) => seam((2 * Math.PI * Math.floor(i / 3)) / count)[i % 3]!);

export interface ToyData {
  /** row-major [count, 3]: noisy curve points, then the outliers */
  readonly points: Float64Array;
  readonly count: number;
  readonly outliers: number;
}

/**
 * The paper's training set: `inliers` points at uniform random parameters with Gaussian noise of
 * standard deviation `noise` on every coordinate, plus `outliers` points at distance 2 from the origin.
 */
export const toyData = (key: Key, inliers = 100, noise = 0.12, outliers = 1): ToyData => {
  const [kt, kn, ko] = splitKey(key, 3) as [Key, Key, Key];
  const ts = uniformValues(kt, inliers, 0, 2 * Math.PI);
  const eps = normalValues(kn, inliers * 3);
  const dirs = normalValues(ko, outliers * 3);
  const points = new Float64Array((inliers + outliers) * 3);
  for (let i = 0; i < inliers; i++) {
    const p = seam(ts[i]!);
    for (let j = 0; j < 3; j++) points[i * 3 + j] = p[j]! + noise * eps[i * 3 + j]!;
  }
  for (let o = 0; o < outliers; o++) {
    const d = dirs.subarray(o * 3, o * 3 + 3);
    const len = Math.hypot(...d);
    for (let j = 0; j < 3; j++) points[(inliers + o) * 3 + j] = (2 * d[j]!) / len;
  }
  return { points, count: inliers + outliers, outliers };
};

export interface FitMetrics {
  /** mean over the exact curve of the dist2_full summed over quadrics */
  readonly dist2Full: number;
  /** mean over the exact curve of Σ_i |Q_i| / ‖S_i‖ */
  readonly normalizedQ: number;
}

/** The example's fit metrics of a model, on 200 points of the exact curve. */
export const fitMetrics = (h: HostQuadrics, backend: Backend): FitMetrics =>
  tidy(() => {
    const p = fromHost(h, { backend, dtype: backend.dtypes.includes('float64') ? 'float64' : 'float32' });
    const x = tensor(curve(200), { backend, dtype: p.quadratic.dtype, shape: [200, 3] });
    const d = dataSync(distances(p, x, 'dist2_full'));
    const q = dataSync(distances(p, x, 'dist0'));
    const { n, m } = h;
    const sNorm = Array.from({ length: m }, (_, i) => {
      let s = 0;
      for (let k = 0; k < n * n; k++) s += h.quadratic[i * n * n + k]! ** 2;
      return Math.sqrt(s);
    });
    let dist2Full = 0;
    let normalizedQ = 0;
    for (let r = 0; r < 200; r++) {
      for (let i = 0; i < m; i++) {
        dist2Full += d[r * m + i]!;
        normalizedQ += q[r * m + i]! / sNorm[i]!;
      }
    }
    return { dist2Full: dist2Full / 200, normalizedQ: normalizedQ / 200 };
  });

export type Recipe = 'reference' | 'adam' | 'adam-retraction' | 'kpca-warm-start' | 'adam-long';

export const RECIPES: Readonly<Record<Recipe, { readonly label: string; readonly options: Partial<TrainOptions>; readonly warmStart?: boolean }>> = {
  reference: { label: 'SGD, lr 0.1, 500 epochs (reference recipe)', options: {} },
  adam: { label: 'Adam, lr 0.01, 500 epochs', options: { optimizer: 'adam', lr: 0.01 } },
  'adam-long': { label: 'Adam, lr 0.01, 2000 epochs', options: { optimizer: 'adam', lr: 0.01, epochs: 2000 } },
  'adam-retraction': { label: 'Adam, lr 0.01, exact orthonormality', options: { optimizer: 'adam', lr: 0.01, orthonormality: 'retraction' } },
  'kpca-warm-start': { label: 'SGD from the kernel PCA solution', options: {}, warmStart: true },
};

export interface SeedResult {
  readonly seed: number;
  readonly kpca: FitMetrics;
  readonly quadrics: Partial<Record<Recipe, FitMetrics & { readonly model: HostQuadrics }>>;
  readonly data: ToyData;
  readonly kpcaModel: HostQuadrics;
}

/** Fits kernel PCA and the requested recipes (2 quadrics, dist2_full, batch 20) on one seed's data. */
export const runSeed = async (seed: number, backend: Backend, recipes: readonly Recipe[]): Promise<SeedResult> => {
  const [kd, ki] = splitKey(randomKey(seed)) as [Key, Key];
  const data = toyData(kd);
  const kpcaModel = fitKernelPca(data.points, data.count, 3, 2);
  const dtype = backend.dtypes.includes('float64') ? 'float64' : 'float32';
  const x = tensor(data.points, { backend, dtype, shape: [data.count, 3] });
  const quadrics: SeedResult['quadrics'] = {};
  for (const recipe of recipes) {
    const { options, warmStart } = RECIPES[recipe];
    const init = warmStart ? fromHost(kpcaModel, { backend, dtype }) : initQuadrics(ki, 3, 2, { backend, dtype });
    const result = await train(init, x, { distance: 'dist2_full', epochs: 500, lr: 0.1, batchSize: 20, seed, ...options });
    const model = await toHost(result.params);
    dispose([init, result.params]);
    quadrics[recipe] = { ...fitMetrics(model, backend), model };
  }
  dispose(x);
  return { seed, kpca: fitMetrics(kpcaModel, backend), quadrics, data, kpcaModel };
};
