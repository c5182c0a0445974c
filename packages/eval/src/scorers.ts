import {
  add, data, dispose, keep, matmul, matrixTranspose, maximum, mean, mul, norm, randomKey, sqrt, sub, sum, sumSquares, tensor, tidy,
  type Backend, type DType, type Tensor,
} from '@quadrix/core';
import {
  fitKernelPca, fromHost, initQuadrics, score as quadricScore, train, type Distance, type QuadricParams, type TrainOptions,
} from '@quadrix/models';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { argumentError, shapeError } from './errors.js';
import { checkMatrix, normalizeRows, rowRange, toTensor, type Matrix } from './matrix.js';
import { fitOneClassSvm, type OneClassSvmModel, type OneClassSvmOptions } from './ocsvm.js';

/**
 * An outlier detector: `fit` on in-distribution points, then `score` any points, higher = more
 * outlying. Computation runs on the backend the scorer was made with; `dispose` frees its tensors.
 */
export interface Scorer {
  readonly name: string;
  fit(x: Matrix): Promise<void>;
  score(x: Matrix): Promise<Float64Array>;
  dispose(): void;
}

/** Where a scorer computes: a backend (eval never picks one) and the dtype of its tensors. */
export interface ScorerContext {
  readonly backend: Backend;
  readonly dtype?: DType;
  /** rows per kernel call when scoring (bounds memory); default 1024 */
  readonly rowsPerBlock?: number;
}

const dtypeOf = (ctx: ScorerContext): DType => ctx.dtype ?? 'float32';

/** Runs `f` on blocks of rows of `x` and concatenates the per-row results. */
const scoreInBlocks = async (ctx: ScorerContext, x: Matrix, f: (block: Tensor) => Tensor): Promise<Float64Array> => {
  const out = new Float64Array(x.rows);
  const step = ctx.rowsPerBlock ?? 1024;
  for (let start = 0; start < x.rows; start += step) {
    const end = Math.min(start + step, x.rows);
    const s = tidy(() => f(toTensor(rowRange(x, start, end), ctx.backend, dtypeOf(ctx))));
    out.set(await data(s), start);
    dispose(s);
  }
  return out;
};

const checkFitted = <T>(name: string, state: T | undefined): T => {
  if (state === undefined) throw argumentError(name, 'score called before fit');
  return state;
};

const checkCols = (name: string, x: Matrix, n: number): void => {
  if (x.cols !== n) throw shapeError(name, `the points have dimension ${x.cols} but the scorer was fitted in dimension ${n}`);
};

/** `norm`: minus the L2 norm of the raw embedding (small norms are suspicious for face embeddings). */
export const normScorer = (ctx: ScorerContext): Scorer => {
  let n: number | undefined;
  return {
    name: 'norm',
    fit: async (x) => {
      checkMatrix('norm.fit', 'the training data', x);
      n = x.cols;
    },
    score: async (x) => {
      checkCols('norm', x, checkFitted('norm', n));
      const s = await scoreInBlocks(ctx, x, (b) => norm(b, 1));
      return s.map((v) => -v);
    },
    dispose: () => undefined,
  };
};

export interface PcaOptions {
  /** number of principal components k (the paper: 170 for n = 512) */
  readonly components: number;
  /**
   * true (the paper): rows are scaled to unit length, components are those of the centred unit
   * vectors, and the score is sqrt(1 − ‖P x‖²) with P the projection on them (x not re-centred, as
   * the reference). false: the score is the distance of x − mean to the principal subspace.
   */
  readonly normalize?: boolean;
}

/**
 * `pca`: the residual of a point after projection on its k principal components, sqrt(‖x‖² − ‖Px‖²).
 * The components come from the symmetric eigen-decomposition (ml-matrix) of the scatter matrix,
 * which is computed on the backend.
 */
export const pcaScorer = (ctx: ScorerContext, options: PcaOptions): Scorer => {
  const k = options.components;
  const normalize = options.normalize ?? true;
  let state: { n: number; basis: Tensor; center: Tensor | undefined } | undefined;
  const prepare = (x: Matrix): Matrix => (normalize ? normalizeRows(x) : x);
  const release = () => {
    if (state) dispose([state.basis, state.center]);
    state = undefined;
  };
  return {
    name: 'pca',
    fit: async (raw) => {
      checkMatrix('pca.fit', 'the training data', raw);
      if (!Number.isInteger(k) || k < 1 || k > raw.cols) {
        throw argumentError('pca', `the number of components must be an integer in 1..${raw.cols}, got ${k}`);
      }
      if (raw.rows < 2) throw argumentError('pca', `needs at least 2 training points, got ${raw.rows}`);
      const x = prepare(raw);
      const n = x.cols;
      const { scatter, center } = tidy(() => {
        // the scatter matrix in float64 where the backend has it: its small eigenvalues matter
        const t = toTensor(x, ctx.backend, ctx.backend.dtypes.includes('float64') ? 'float64' : dtypeOf(ctx));
        const mu = mean(t, 0, true);
        const c = sub(t, mu);
        return { scatter: matmul(matrixTranspose(c), c), center: mu };
      });
      const values = await data(scatter);
      dispose(scatter);
      const cov = new MlMatrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cov.set(i, j, (values[i * n + j]! + values[j * n + i]!) / 2);
      const eig = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
      const order = eig.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, k);
      const basis = new Float64Array(k * n);
      order.forEach(([, col], r) => {
        for (let j = 0; j < n; j++) basis[r * n + j] = eig.eigenvectorMatrix.get(j, col);
      });
      release();
      const o = { backend: ctx.backend, dtype: dtypeOf(ctx) } as const;
      const mu = await data(center);
      dispose(center);
      state = {
        n,
        basis: keep(tensor(basis, { ...o, shape: [k, n] })),
        center: normalize ? undefined : keep(tensor(mu, { ...o, shape: [1, n] })),
      };
    },
    score: async (raw) => {
      const s = checkFitted('pca', state);
      checkCols('pca', raw, s.n);
      const x = prepare(raw);
      return scoreInBlocks(ctx, x, (b) => {
        const v = s.center ? sub(b, s.center) : b;
        const proj = matmul(v, matrixTranspose(s.basis));
        return sqrt(maximum(sub(sumSquares(v, 1), sumSquares(proj, 1)), 0));
      });
    },
    dispose: release,
  };
};

export interface OcsvmScorerOptions extends OneClassSvmOptions {
  /** scale rows to unit length before fitting and scoring (the paper's protocol); default true */
  readonly normalize?: boolean;
}

/**
 * `ocsvm`: one-class SVM with a polynomial kernel (scikit-learn's `OneClassSVM(kernel='poly',
 * degree=3)`), fitted by libsvm; the score is minus scikit-learn's `score_samples`,
 * −Σ_i α_i (γ⟨sv_i, x⟩ + coef0)^degree, computed on the backend.
 */
export const ocsvmScorer = (ctx: ScorerContext, options: OcsvmScorerOptions = {}): Scorer => {
  const normalize = options.normalize ?? true;
  let state: { model: OneClassSvmModel; sv: Tensor; coef: Tensor } | undefined;
  const prepare = (x: Matrix): Matrix => (normalize ? normalizeRows(x) : x);
  const release = () => {
    if (state) dispose([state.sv, state.coef]);
    state = undefined;
  };
  return {
    name: 'ocsvm',
    fit: async (raw) => {
      checkMatrix('ocsvm.fit', 'the training data', raw);
      const model = await fitOneClassSvm(prepare(raw), options);
      release();
      const o = { backend: ctx.backend, dtype: dtypeOf(ctx) } as const;
      state = {
        model,
        sv: keep(tensor(model.supportVectors.data, { ...o, shape: [model.supportVectors.rows, model.supportVectors.cols] })),
        coef: keep(tensor(model.coefficients, { ...o, shape: [model.coefficients.length, 1] })),
      };
    },
    score: async (raw) => {
      const s = checkFitted('ocsvm', state);
      checkCols('ocsvm', raw, s.model.supportVectors.cols);
      const { gamma, coef0, degree } = s.model;
      return scoreInBlocks(ctx, prepare(raw), (b) => {
        const base = add(mul(matmul(b, matrixTranspose(s.sv)), gamma), coef0);
        let k = base;
        for (let d = 1; d < degree; d++) k = mul(k, base);
        return mul(sum(matmul(k, s.coef), 1), -1);
      });
    },
    dispose: release,
  };
};

/** The model behind an `ocsvm` scorer after `fit` (for inspection and tests). */
export type { OneClassSvmModel };

export interface QuadricsScorerOptions extends Partial<Omit<TrainOptions, 'distance' | 'validation' | 'resume' | 'checkpoint' | 'earlyStopping'>> {
  /** number of quadrics m */
  readonly quadrics: number;
  /** the distance trained and scored with: dist2 (Q-FULL in the paper) or dist0 (Q-SUB) or another */
  readonly distance: Distance;
  /** scale rows to unit length before fitting and scoring (the paper's protocol); default true */
  readonly normalize?: boolean;
  /**
   * 'random' (default): the reference's orthonormal random start. 'kpca': start from quadratic
   * kernel PCA (`fitKernelPca`), practical only for small n (n(n+1)/2 ≤ 2080, i.e. n ≤ 64).
   */
  readonly init?: 'random' | 'kpca';
  /** display name; default Q-FULL for dist2, Q-SUB for dist0, else quadrics-<distance> */
  readonly name?: string;
}

export const quadricsName = (distance: Distance): string =>
  distance === 'dist2' ? 'Q-FULL' : distance === 'dist0' ? 'Q-SUB' : `quadrics-${distance}`;

/**
 * The quadric manifold: m quadrics learned by `train` from `@quadrix/models`, scoring a point by
 * the sum over quadrics of its distance (dist2: Q-FULL, dist0: Q-SUB).
 */
export const quadricsScorer = (ctx: ScorerContext, options: QuadricsScorerOptions): Scorer => {
  const normalize = options.normalize ?? true;
  const dtype = dtypeOf(ctx);
  let params: QuadricParams | undefined;
  let n = 0;
  const prepare = (x: Matrix): Matrix => (normalize ? normalizeRows(x) : x);
  const release = () => {
    if (params) dispose(params);
    params = undefined;
  };
  const { quadrics: m, distance, normalize: _n, init: initKind, name, ...trainOptions } = options;
  return {
    name: name ?? quadricsName(distance),
    fit: async (raw) => {
      checkMatrix('quadrics.fit', 'the training data', raw);
      const x = prepare(raw);
      n = x.cols;
      let init: QuadricParams;
      if (initKind === 'kpca') {
        if ((n * (n + 1)) / 2 > 2080) throw argumentError('quadrics', `kernel PCA initialisation needs n ≤ 64, got n = ${n}`);
        init = fromHost(fitKernelPca(x.data, x.rows, n, m), { backend: ctx.backend, dtype });
      } else {
        init = initQuadrics(randomKey(options.seed ?? 0), n, m, { backend: ctx.backend, dtype });
      }
      const t = toTensor(x, ctx.backend, dtype);
      try {
        const result = await train(init, t, { ...trainOptions, distance });
        release();
        params = result.params;
      } finally {
        dispose([init, t]);
      }
    },
    score: async (raw) => {
      const p = checkFitted('quadrics', params);
      checkCols('quadrics', raw, n);
      return scoreInBlocks(ctx, prepare(raw), (b) => quadricScore(p, b, distance));
    },
    dispose: release,
  };
};
