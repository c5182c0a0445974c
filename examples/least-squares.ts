// The built-in example run by `pnpm example`: fit a line y ≈ a·x + b by gradient descent with
// `valueAndGrad`, on points generated from a seeded key, and report the fit against the truth.
import {
  add, data, dispose, keep, mean, mul, normal, randomKey, setBackend, splitKey, square, sub,
  tensor, tidy, uniform, valueAndGrad, type Tensor,
} from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';

const backend = cpuBackend();
setBackend(backend);

const [kx, kn] = splitKey(randomKey(7));
const x = uniform(kx!, [200], { low: -1, high: 1 });
const y = tidy(() => add(add(mul(x, 3), 0.5), mul(normal(kn!, [200]), 0.1)));

type Line = { a: Tensor; b: Tensor };
const loss = ({ a, b }: Line): Tensor => mean(square(sub(add(mul(x, a), b), y)));
const step = valueAndGrad(loss);

let params: Line = { a: tensor(0), b: tensor(0) };
for (let i = 0; i <= 200; i++) {
  const { value, grads } = step(params);
  const next = tidy(() => ({ a: keep(sub(params.a, mul(grads.a, 0.5))), b: keep(sub(params.b, mul(grads.b, 0.5))) }));
  if (i % 50 === 0) console.log(`step ${String(i).padStart(3)}  loss ${(await data(value))[0]!.toFixed(6)}`);
  dispose([value, grads, params]);
  params = next;
}
const [a, b] = [(await data(params.a))[0]!, (await data(params.b))[0]!];
console.log(`fitted y = ${a.toFixed(4)}·x + ${b.toFixed(4)}  (truth: 3·x + 0.5, noise σ 0.1)`);
dispose([params, x, y]);
console.log(`live tensors at exit: ${backend.liveTensors()}`);
