// The shared cross-backend suites against the WebGPU backend in Node (Dawn).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendSuite, fusedQuadricSuite } from '@quadrix/core/testing';
import { adapterDescription } from '../src/index.js';
import { requireAll, sharedBackend } from './device.js';

const { backend, info, missing } = await sharedBackend();

describe('webgpu in Node: the adapter', { skip: !requireAll && missing !== undefined ? missing : false }, () => {
  it('is a real device, not missing and not Dawn\'s null backend', () => {
    assert.equal(missing, undefined, missing);
    assert.ok(info !== undefined && info.vendor !== '' && info.device !== 'null-backend', adapterDescription(info));
    console.log(`# adapter: ${backend!.describe!()}`);
  });
});

if (backend !== undefined) {
  // Tolerance c = 6 units of roundoff instead of the suite's default 4: WGSL specifies x / y only to
  // 2.5 ULP, which is 5 u (one ULP of a float32 value v is at most 2⁻²³|v| = 2u|v|). exp, log and sqrt
  // are our own (wgsl.ts) and stay within about 3 u; WGSL's built-in exp (3 + 2|x| ULP, i.e. 18 u on
  // the suite's [−3, 3]) and log (2⁻²¹ absolute near 1, no relative bound at all) are not used.
  backendSuite({ describe, it }, { name: 'webgpu float32', backend, dtype: 'float32', ulps: 6, numRuns: 40 });
  fusedQuadricSuite({ describe, it }, backend, 'float32');
}
