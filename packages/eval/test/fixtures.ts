// Shared helpers of the eval tests: scikit-learn's answers (fixtures/sklearn.json, made by
// fixtures/make-fixtures.py), its deterministic points, a backend with a leak check, the data folder.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuBackend } from '@quadrix/backend-cpu';
import type { Matrix } from '../src/index.js';

export const sklearn = JSON.parse(readFileSync(new URL('./fixtures/sklearn.json', import.meta.url), 'utf8')) as {
  roc_auc: { y: number[]; s: number[]; auc: number }[];
  ocsvm: { gamma: number; support: number[]; dual_coef: number[]; offset: number; score_samples_test: number[]; score_samples_train: number[] };
  quantile: { q: number; value: number }[];
};

/** The fixture script's points: x[i][j] = sin(a + 0.37 i + b j) + 0.1 cos(3 i j). */
export const points = (count: number, dim: number, a: number, b: number): Matrix => {
  const data = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = Math.sin(a + 0.37 * i + b * j) + 0.1 * Math.cos(3 * i * j);
  return { rows: count, cols: dim, data };
};

/** Runs `fn` with a fresh CPU backend and fails if it leaves tensors alive. */
export const withBackend = async <T>(fn: (backend: ReturnType<typeof cpuBackend>) => Promise<T>): Promise<T> => {
  const backend = cpuBackend();
  const result = await fn(backend);
  assert.equal(backend.liveTensors(), 0, `${backend.liveTensors()} tensors leaked`);
  return result;
};

export const close = (actual: number, expected: number, tol: number, what = ''): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} is not within ${tol} of ${expected}`);
};

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const arcfaceDir = join(repoRoot, '..', 'shared', 'data', 'arcface-toy');
const present = existsSync(arcfaceDir);
const required = process.env.QUADRIX_REQUIRE_ALL === '1';
/** `skip` for tests that need the real data: a reason when it is absent (unless QUADRIX_REQUIRE_ALL=1). */
export const skipWithoutData = present || required
  ? false
  : `the arcface-toy data is absent (no folder ${arcfaceDir}); set QUADRIX_REQUIRE_ALL=1 to make this a failure`;
export const needData = (): void => {
  if (!present) assert.fail(`QUADRIX_REQUIRE_ALL=1 but the arcface-toy data folder ${arcfaceDir} does not exist`);
};
