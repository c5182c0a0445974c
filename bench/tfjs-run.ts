// The TensorFlow.js side of `pnpm bench`, run by it in a child process per size so that its wasm
// heap (up to 4 GiB at n = 512) does not compete with quadrix's memory in one process. Times the
// step as the parent times quadrix's, and writes the time and the step's results to a file.
// Usage: tfjs-run.ts n m out.bin
import { writeFileSync } from 'node:fs';
import { data } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { LAMBDA, B, disposeProblem, problem, timeBoth, type StepResult } from './common.js';
import { tfParams, tfStep, tfTensor2d, useTfjsWasm } from './tfjs.js';

const [n, m] = process.argv.slice(2, 4).map(Number) as [number, number];
const out = process.argv[4]!;
const name = await useTfjsWasm();
// The same parameters and points as quadrix's rows, drawn on a CPU backend and copied.
const host = cpuBackend({ kernels: 'reference' });
const prob = problem(host, n, m);
const f32 = async (t: Parameters<typeof data>[0]): Promise<Float32Array> => Float32Array.from(await data(t));
const p = tfParams(await f32(prob.params.quadratic), await f32(prob.params.linear), await f32(prob.params.free), n, m);
const x = tfTensor2d(await f32(prob.x), B, n);
disposeProblem(prob);
let last: StepResult | undefined;
const { median: ms, min } = await timeBoth(async () => {
  last = await tfStep(p, x, LAMBDA);
});
const r = last!;
const header = new Float64Array([ms, r.loss, r.quadratic.length, r.linear.length, r.free.length, min]);
const body = new Float32Array(r.quadratic.length + r.linear.length + r.free.length);
body.set(r.quadratic, 0);
body.set(r.linear, r.quadratic.length);
body.set(r.free, r.quadratic.length + r.linear.length);
writeFileSync(out, Buffer.concat([Buffer.from(header.buffer), Buffer.from(body.buffer)]));
console.error(`  (${name}: ${ms.toFixed(1)} ms median, ${min.toFixed(1)} ms min at n = ${n}, m = ${m})`);
