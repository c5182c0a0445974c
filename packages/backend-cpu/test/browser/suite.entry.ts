// Runs in headless Chromium: the shared suites against the CPU backend in a browser.
import { backendSuite, fusedQuadricSuite } from '@quadrix/core/testing';
import { describe, it, run } from '@quadrix/browser-test/harness';
import { cpuBackend } from '../../src/index.js';

const backend = cpuBackend();
const t = { describe, it };
backendSuite(t, { name: 'cpu float32 (browser)', backend, dtype: 'float32', numRuns: 25 });
fusedQuadricSuite(t, backend, 'float32');
await run({ userAgent: navigator.userAgent });
