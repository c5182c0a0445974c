import { describe, it } from 'node:test';
import { gpujsBackend } from '../src/index.js';
import { agreementSuite } from './agreement.js';

// On the kernel class gpu.js picks here (HeadlessGLKernel under Xvfb with gl built, else webasm).
const backend = gpujsBackend();
agreementSuite({ describe, it }, backend, { numRuns: 40, log: (line) => console.log(`${backend.kernelClass}: ${line}`) });
