import { add, data, dispose, div, keep, mul, sqrt, sub, tensor, tidy, zerosLike, type FloatArray, type Tensor } from '@quadrix/core';
import type { QuadricParams } from './quadrics.js';

export type OptimizerName = 'sgd' | 'adam';

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

type Keys = keyof QuadricParams;
const KEYS: readonly Keys[] = ['quadratic', 'linear', 'free'];

/**
 * An optimizer is a pure step: (params, grads) → new params, with its state held in tensors it
 * owns. `step` disposes nothing it was given; the caller disposes old params and grads.
 */
export interface Optimizer {
  readonly name: OptimizerName;
  step(params: QuadricParams, grads: QuadricParams): QuadricParams;
  /** Host copy of the state, for checkpoints. */
  saveState(): Promise<OptimizerState>;
  dispose(): void;
}

export interface OptimizerState {
  readonly name: OptimizerName;
  readonly t: number;
  /** Adam's first and second moments, per parameter (absent for SGD). */
  readonly moments?: { readonly [K in Keys]: readonly [FloatArray, FloatArray] };
}

const mapParams = (f: (k: Keys) => Tensor): QuadricParams => ({ quadratic: f('quadratic'), linear: f('linear'), free: f('free') });

/** Plain SGD as the reference uses it (torch.optim.SGD without momentum). */
export const sgd = (lr: number): Optimizer => ({
  name: 'sgd',
  step: (p, g) => tidy(() => mapParams((k) => keep(sub(p[k], mul(g[k], lr))))),
  saveState: async () => ({ name: 'sgd', t: 0 }),
  dispose: () => undefined,
});

/** Adam (Kingma & Ba) with bias correction, as torch.optim.Adam's defaults. */
export const adam = (lr: number, like: QuadricParams, opts: AdamOptions = {}, state?: OptimizerState): Optimizer => {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = opts;
  let t = state?.t ?? 0;
  const fromState = (k: Keys, which: 0 | 1): Tensor => {
    const saved = state?.moments?.[k][which];
    const { shape, dtype, backend } = like[k];
    return keep(saved === undefined ? zerosLike(like[k]) : tensor(saved, { shape, dtype, backend }));
  };
  let m = mapParams((k) => fromState(k, 0));
  let v = mapParams((k) => fromState(k, 1));
  return {
    name: 'adam',
    step: (p, g) => {
      t += 1;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      const next = tidy(() => {
        const m2 = mapParams((k) => keep(add(mul(m[k], beta1), mul(g[k], 1 - beta1))));
        const v2 = mapParams((k) => keep(add(mul(v[k], beta2), mul(mul(g[k], g[k]), 1 - beta2))));
        const params = mapParams((k) => keep(sub(p[k], mul(div(div(m2[k], c1), add(sqrt(div(v2[k], c2)), epsilon)), lr))));
        return { m2, v2, params };
      });
      dispose([m, v]);
      m = next.m2;
      v = next.v2;
      return next.params;
    },
    saveState: async () => {
      const pair = async (k: Keys): Promise<readonly [FloatArray, FloatArray]> => [await data(m[k]), await data(v[k])];
      return { name: 'adam', t, moments: { quadratic: await pair('quadratic'), linear: await pair('linear'), free: await pair('free') } };
    },
    dispose: () => dispose([m, v]),
  };
};
