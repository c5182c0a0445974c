import { argumentError, valueError } from './errors.js';
import type { Matrix } from './matrix.js';

/** What libsvm-js offers that we use. */
interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  getSVIndices(): number[];
  serializeModel(): string;
  free(): void;
}
interface LibsvmConstructor {
  new (options: Record<string, unknown>): LibsvmModel;
  readonly SVM_TYPES: Record<string, string>;
  readonly KERNEL_TYPES: Record<string, string>;
}

let loading: Promise<LibsvmConstructor> | undefined;

/**
 * libsvm compiled to JavaScript (the `libsvm-js` package, its asm.js build: no WebAssembly file to
 * fetch). Loaded on first use. Under Node its Emscripten prelude installs a process-wide
 * 'unhandledRejection' listener that exits silently with status 1; it is removed again at once, so
 * loading the library changes nothing for the rest of the program.
 */
const loadLibsvm = (): Promise<LibsvmConstructor> => {
  loading ??= (async () => {
    const proc = (globalThis as { process?: NodeJS.Process }).process;
    const before = proc?.listeners?.('unhandledRejection') ?? [];
    const mod = (await import('libsvm-js/asm.js')) as { default: LibsvmConstructor };
    if (proc?.listeners) {
      for (const l of proc.listeners('unhandledRejection')) if (!before.includes(l)) proc.off('unhandledRejection', l);
    }
    return mod.default;
  })();
  return loading;
};

export interface OneClassSvmOptions {
  /** ν: an upper bound on the fraction of training errors and a lower bound on that of support vectors (scikit-learn: 0.5) */
  readonly nu?: number;
  /** polynomial degree (scikit-learn's OneClassSVM(kernel='poly'): 3) */
  readonly degree?: number;
  /** 'scale' (scikit-learn's default): 1 / (n_features · variance of all entries of X); or a number */
  readonly gamma?: 'scale' | 'auto' | number;
  /** the kernel's constant term (scikit-learn: 0) */
  readonly coef0?: number;
  /** stopping tolerance of the solver (scikit-learn: 1e-3) */
  readonly tolerance?: number;
  /** shrinking heuristics (scikit-learn: true) */
  readonly shrinking?: boolean;
}

/**
 * A trained one-class SVM with the polynomial kernel K(x, y) = (γ·⟨x, y⟩ + coef0)^degree: the
 * decision function is f(x) = Σ_i coef_i K(sv_i, x) − ρ (positive inside the learned region).
 */
export interface OneClassSvmModel {
  readonly gamma: number;
  readonly coef0: number;
  readonly degree: number;
  readonly nu: number;
  /** the support vectors, rows of the training data */
  readonly supportVectors: Matrix;
  /** their indices in the training data */
  readonly supportIndices: Int32Array;
  /** the dual coefficients α_i (0 ≤ α_i ≤ 1, Σ α_i = ν·N in libsvm's scaling, as scikit-learn's dual_coef_) */
  readonly coefficients: Float64Array;
  /** the offset ρ (libsvm writes it with 6 significant digits) */
  readonly rho: number;
}

/** scikit-learn's gamma for a data matrix: 'scale' = 1/(n·Var(X)), 'auto' = 1/n. */
export const resolveGamma = (x: Matrix, gamma: OneClassSvmOptions['gamma'] = 'scale'): number => {
  if (typeof gamma === 'number') {
    if (!(gamma > 0 && Number.isFinite(gamma))) throw argumentError('oneClassSvm', `gamma must be positive, got ${gamma}`);
    return gamma;
  }
  if (gamma === 'auto') return 1 / x.cols;
  let s = 0;
  for (let i = 0; i < x.data.length; i++) s += x.data[i]!;
  const m = s / x.data.length;
  let v = 0;
  for (let i = 0; i < x.data.length; i++) v += (x.data[i]! - m) ** 2;
  v /= x.data.length;
  return v === 0 ? 1 : 1 / (x.cols * v);
};

/**
 * Fits a one-class SVM with a polynomial kernel on the rows of `x`, by libsvm's own solver (the one
 * inside scikit-learn), so that the support vectors and coefficients are those of
 * `OneClassSVM(kernel='poly', degree=3)` with the same parameters.
 */
export const fitOneClassSvm = async (x: Matrix, options: OneClassSvmOptions = {}): Promise<OneClassSvmModel> => {
  const nu = options.nu ?? 0.5;
  const degree = options.degree ?? 3;
  const coef0 = options.coef0 ?? 0;
  const tolerance = options.tolerance ?? 1e-3;
  if (!(nu > 0 && nu <= 1)) throw argumentError('oneClassSvm', `nu must be in (0, 1], got ${nu}`);
  if (!Number.isInteger(degree) || degree < 1) throw argumentError('oneClassSvm', `the degree must be a positive integer, got ${degree}`);
  if (!(tolerance > 0)) throw argumentError('oneClassSvm', `the tolerance must be positive, got ${tolerance}`);
  if (x.rows === 0) throw argumentError('oneClassSvm', 'no training points');
  const gamma = resolveGamma(x, options.gamma);
  const SVM = await loadLibsvm();
  const samples = Array.from({ length: x.rows }, (_, r) => Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols)));
  const svm = new SVM({
    type: SVM.SVM_TYPES.ONE_CLASS,
    kernel: SVM.KERNEL_TYPES.POLYNOMIAL,
    degree,
    gamma,
    coef0,
    nu,
    tolerance,
    shrinking: options.shrinking ?? true,
    quiet: true,
  });
  try {
    svm.train(samples, samples.map(() => 1));
    const text = svm.serializeModel();
    const indices = Int32Array.from(svm.getSVIndices());
    const lines = text.split('\n');
    const svAt = lines.indexOf('SV');
    const rhoLine = lines.find((l) => l.startsWith('rho '));
    if (svAt < 0 || rhoLine === undefined) throw valueError('oneClassSvm', 'libsvm returned a model without support vectors');
    const coefficients = Float64Array.from(lines.slice(svAt + 1, svAt + 1 + indices.length), (l) => Number(l.split(' ')[0]));
    if (coefficients.length !== indices.length || coefficients.some((c) => !Number.isFinite(c))) {
      throw valueError('oneClassSvm', `libsvm returned ${indices.length} support vectors but ${coefficients.length} coefficients`);
    }
    const sv = new Float64Array(indices.length * x.cols);
    indices.forEach((r, k) => sv.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), k * x.cols));
    return {
      gamma, coef0, degree, nu,
      supportVectors: { rows: indices.length, cols: x.cols, data: sv },
      supportIndices: indices,
      coefficients,
      rho: Number(rhoLine.slice(4)),
    };
  } finally {
    svm.free();
  }
};
