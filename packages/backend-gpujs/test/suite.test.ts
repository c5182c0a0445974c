import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendSuite, fusedQuadricSuite } from '@quadrix/core/testing';
import { gpujsBackend } from '../src/index.js';
import { expectedNodeClass, headlessGlUnavailable, ulpsFor } from './env.js';

// The shared suites on the kernel class gpu.js picks by itself in this environment.
const backend = gpujsBackend();
const expected = expectedNodeClass();
console.log(`gpujs in Node: ${backend.describe()} (expected ${expected})`);

describe('gpujs in Node picks the kernel class this environment provides', () => {
  it(`runs ${expected}`, () => {
    const why = expected === 'HeadlessGLKernel' ? headlessGlUnavailable() : undefined;
    assert.equal(backend.kernelClass, expected, `${backend.describe()}${why ? `: ${why}` : ''}`);
  });
});
const name = `gpujs ${backend.kernelClass} float32`;
backendSuite({ describe, it }, { name, backend, dtype: 'float32', ulps: ulpsFor(backend.kernelClass), numRuns: 30 });
fusedQuadricSuite({ describe, it }, backend, 'float32');
describe(`${name}: only the kernel class it names ran`, () => {
  it('ran no other class (no silent CPU fallback)', () => {
    assert.deepEqual(backend.kernelClassesRun(), [backend.kernelClass]);
  });
});
