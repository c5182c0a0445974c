import { type Backend } from '../index.js';

/**
 * Runs `fn` and fails (rejects) if it leaves the backend with more or fewer live tensors than it
 * found: the test helper behind "no test leaks tensors".
 */
export const expectNoLeaks = async <T>(backend: Backend, fn: () => T | Promise<T>): Promise<T> => {
  const before = backend.liveTensors();
  const result = await fn();
  const after = backend.liveTensors();
  if (after !== before) {
    throw new Error(`tensor leak on backend '${backend.name}': ${before} live tensors before, ${after} after`);
  }
  return result;
};
