// The TensorFlow.js peer of the benchmark: the same quadric training loss and gradients as
// quadrix's `loss(…, { distance: 'dist2', lambda })`, written the fast way for TensorFlow.js wasm.
//
// Fast for tfjs wasm means: no matMul with a transpose flag (its wasm matMul is several times
// slower with transposeA/transposeB than after an explicit `transpose`), so matMul gets a custom
// gradient made of explicit transposes; and one GEMM X·[S_1 … S_m] for all quadrics at once
// (DESIGN.md, "Computing it fast") rather than m small ones.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { StepResult } from './common.js';

/** Switches tfjs to its wasm backend, loading the .wasm files from node_modules (no download). */
export const useTfjsWasm = async (): Promise<string> => {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  setWasmPaths(`${dir}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js: the wasm backend did not initialise');
  await tf.ready();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  return `TensorFlow.js ${tf.version.tfjs} wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'threads' : '1 thread'})`;
};

/** matMul whose gradient uses explicit transposes instead of tfjs's transpose flags. */
const mm = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(sb!) as tf.Tensor2D),
      tf.matMul(tf.transpose(sa!) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as never) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

const FLOOR = 2 ** -63; // the float32 denominator floor of @quadrix/models' distances

/**
 * sqrt with value and gradient 0 where x ≤ 0, as @quadrix/models' safeSqrt and norm (a custom
 * gradient: tfjs's tape refuses to backpropagate through the comparison that builds the mask).
 */
const safeSqrt = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const positive = tf.greater(x, 0);
  const root = tf.where(positive, tf.sqrt(tf.where(positive, x, tf.onesLike(x))), tf.zerosLike(x));
  save([positive, root]);
  return {
    value: root,
    gradFunc: (dy: tf.Tensor, [pos, r]: tf.Tensor[]) => tf.where(pos!, tf.div(dy, tf.mul(r!, 2)), tf.zerosLike(dy)),
  };
}) as never) as unknown as (x: tf.Tensor) => tf.Tensor;

export interface TfParams {
  readonly quadratic: tf.Variable; // W [m, n, n], S = (W + Wᵀ)/2
  readonly linear: tf.Variable; // b [m, n]
  readonly free: tf.Variable; // c [m]
}

/**
 * mean_β Σ_i dist2(x_β, Q_i) + λ‖GᵀG − I‖²_F, term for term as @quadrix/models computes it, with
 * T = X·[S_1 … S_m] as one [B, n]·[n, m·n] GEMM.
 */
export const tfLoss = (p: TfParams, x: tf.Tensor2D, lambda: number): tf.Scalar => {
  const [m, n] = p.quadratic.shape as [number, number, number];
  const B = x.shape[0];
  const s = tf.div(tf.add(p.quadratic, tf.transpose(p.quadratic, [0, 2, 1])), 2);
  const sAll = tf.reshape(tf.transpose(s, [1, 0, 2]), [n, m * n]) as tf.Tensor2D;
  const t = tf.reshape(mm(x, sAll), [B, m, n]);
  const xb = tf.reshape(x, [B, 1, n]);
  const q = tf.add(tf.add(tf.sum(tf.mul(t, xb), 2), mm(x, tf.transpose(p.linear) as tf.Tensor2D)), p.free);
  const v = tf.add(tf.mul(t, 2), p.linear);
  const gradSq = tf.sum(tf.mul(v, v), 2);
  const sNorm = safeSqrt(tf.sum(tf.mul(s, s), [1, 2]));
  const aq = tf.abs(q);
  const root = safeSqrt(tf.add(tf.div(gradSq, 4), tf.mul(aq, sNorm)));
  const d = tf.div(aq, tf.maximum(tf.add(root, tf.div(safeSqrt(gradSq), 2)), FLOOR));
  const fit = tf.mean(tf.sum(d, 1));
  const g = tf.reshape(s, [m, n * n]) as tf.Tensor2D;
  const stiefel = tf.sum(tf.square(tf.sub(mm(g, tf.transpose(g) as tf.Tensor2D), tf.eye(m))));
  return tf.add(fit, tf.mul(stiefel, lambda)) as tf.Scalar;
};

export type TfStep = StepResult;

/** One forward and backward pass; values read back to the host (as quadrix's step does). */
export const tfStep = async (p: TfParams, x: tf.Tensor2D, lambda: number): Promise<TfStep> => {
  const { value, grads } = tf.variableGrads(() => tfLoss(p, x, lambda), [p.quadratic, p.linear, p.free]);
  const out = {
    loss: (await value.data())[0]!,
    quadratic: (await grads[p.quadratic.name]!.data()) as Float32Array,
    linear: (await grads[p.linear.name]!.data()) as Float32Array,
    free: (await grads[p.free.name]!.data()) as Float32Array,
  };
  tf.dispose([value, grads]);
  return out;
};

export const tfParams = (quadratic: Float32Array, linear: Float32Array, free: Float32Array, n: number, m: number): TfParams => ({
  quadratic: tf.variable(tf.tensor3d(quadratic, [m, n, n]), true, `W_${n}_${m}_${Math.random()}`),
  linear: tf.variable(tf.tensor2d(linear, [m, n]), true, `b_${n}_${m}_${Math.random()}`),
  free: tf.variable(tf.tensor1d(free), true, `c_${n}_${m}_${Math.random()}`),
});

export const tfTensor2d = (values: Float32Array, rows: number, cols: number): tf.Tensor2D => tf.tensor2d(values, [rows, cols]);

