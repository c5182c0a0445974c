import { popTape, pushTape, releaseTape, tidy, upload, type Tape } from './engine.js';
import { QuadrixError, fmtShape } from './errors.js';
import { add } from './primitives/elementwise.js';
import { Tensor } from './tensor.js';

/**
 * What `grad` differentiates with respect to: a tensor, or arrays and records (interfaces
 * included) whose leaves are tensors; a leaf that is not a tensor is an 'argument' error.
 */
export type Params = Tensor | readonly Params[] | object;

const notATensor = (where: string): never => {
  throw new QuadrixError('argument', `grad: parameter ${where || '(root)'} is not a tensor`);
};

const leavesOf = (p: unknown, out: Tensor[] = [], where = ''): Tensor[] => {
  if (p instanceof Tensor) out.push(p);
  else if (Array.isArray(p)) p.forEach((q, i) => leavesOf(q, out, `${where}[${i}]`));
  else if (p !== null && typeof p === 'object') for (const [k, q] of Object.entries(p)) leavesOf(q, out, `${where}.${k}`);
  else notATensor(where);
  return out;
};

const mapParams = <P>(p: P, f: (t: Tensor) => Tensor): P => {
  if (p instanceof Tensor) return f(p) as P;
  if (Array.isArray(p)) return p.map((q: unknown) => mapParams(q, f)) as P;
  return Object.fromEntries(Object.entries(p as object).map(([k, q]) => [k, mapParams(q, f)])) as P;
};

const onesLike = (t: Tensor): Tensor => {
  const ones = t.dtype === 'float64' ? new Float64Array(t.size) : new Float32Array(t.size);
  return upload(t.backend, ones.fill(1), t.shape, t.dtype);
};

const zerosLike = (t: Tensor): Tensor =>
  upload(t.backend, t.dtype === 'float64' ? new Float64Array(t.size) : new Float32Array(t.size), t.shape, t.dtype);

/** Walks the tape backwards from `y`, returning the cotangent of every tracked tensor reached. */
const backward = (tape: Tape, y: Tensor): Map<number, Tensor> => {
  const ct = new Map<number, Tensor>([[y.id, onesLike(y)]]);
  for (let i = tape.nodes.length - 1; i >= 0; i--) {
    const node = tape.nodes[i]!;
    const g = ct.get(node.output.id);
    if (g === undefined) continue;
    const needs = node.inputs.map((x) => tape.tracked.has(x.id));
    const grads = node.def.vjp(g, node.inputs, node.output, node.attrs as never, needs);
    node.inputs.forEach((x, j) => {
      const gx = grads[j];
      if (gx === undefined || !needs[j]) return;
      const prev = ct.get(x.id);
      ct.set(x.id, prev === undefined ? gx : add(prev, gx));
    });
  }
  return ct;
};

/**
 * `valueAndGrad(f)(params)` evaluates the scalar `f(params)` and its gradient with respect to every
 * tensor in `params`, returned in the same structure. Intermediates are disposed; the value and the
 * gradients belong to the caller's scope. Gradients of gradients work: the backward pass is made of
 * ordinary ops, which an enclosing `grad` records.
 */
export const valueAndGrad =
  <P extends Params>(f: (params: P) => Tensor) =>
  (params: P): { value: Tensor; grads: P } => {
    const leaves = leavesOf(params);
    const tape = pushTape(leaves);
    try {
      return tidy(() => {
        let y: Tensor;
        try {
          y = f(params);
        } finally {
          popTape(tape);
        }
        if (!(y instanceof Tensor) || y.size !== 1) {
          const got = y instanceof Tensor ? `shape ${fmtShape(y.shape)}` : typeof y;
          throw new QuadrixError('shape', `grad: the function must return a one-element tensor, got ${got}`);
        }
        const ct = backward(tape, y);
        const grads = mapParams(params, (t) => ct.get(t.id) ?? zerosLike(t));
        return { value: y, grads };
      });
    } finally {
      releaseTape(tape);
    }
  };

/** `grad(f)(params)`: the gradient of the scalar `f` with respect to `params`, in their structure. */
export const grad =
  <P extends Params>(f: (params: P) => Tensor) =>
  (params: P): P =>
    // The value goes with this scope if f made it; a tensor f merely returned stays the caller's.
    tidy(() => valueAndGrad(f)(params).grads);
