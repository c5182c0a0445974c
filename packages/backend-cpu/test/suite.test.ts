import { describe, it } from 'node:test';
import { backendSuite, gradientSuite } from '@quadrix/core/testing';
import { cpuBackend } from '../src/index.js';

const backend = cpuBackend();
backendSuite({ describe, it }, { name: 'cpu float32', backend, dtype: 'float32' });
backendSuite({ describe, it }, { name: 'cpu float64', backend, dtype: 'float64' });
gradientSuite({ describe, it }, backend);
