import { describe, it } from 'node:test';
import { backendSuite, fusedQuadricSuite, gradientSuite } from '@quadrix/core/testing';
import { cpuBackend } from '../src/index.js';

const backend = cpuBackend();
backendSuite({ describe, it }, { name: 'cpu float32', backend, dtype: 'float32' });
backendSuite({ describe, it }, { name: 'cpu float64', backend, dtype: 'float64' });
gradientSuite({ describe, it }, backend);
fusedQuadricSuite({ describe, it }, backend, 'float32');
fusedQuadricSuite({ describe, it }, backend, 'float64');
