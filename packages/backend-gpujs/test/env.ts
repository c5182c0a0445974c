/**
 * Which gpu.js kernel class the Node tests must see here. gpu.js picks HeadlessGLKernel when the
 * optional native `gl` package is built and a display answers (CI runs the tests under
 * `xvfb-run -a`), and otherwise silently runs WebAssemblyKernel. The expectation is worked out
 * independently of gpu.js (by asking `gl` for a context), so a backend that claims one class
 * while running another fails.
 */
import { createRequire } from 'node:module';
import type { KernelClass } from '../src/index.js';

/** CI sets QUADRIX_REQUIRE_ALL=1: a missing optional path (GL, browser) is then a failure. */
export const requireAll = process.env.QUADRIX_REQUIRE_ALL === '1';

/** Why headless-gl cannot make a context here, or undefined when it can. */
export const headlessGlUnavailable = (): string | undefined => {
  const require = createRequire(import.meta.url);
  let gl: (w: number, h: number) => unknown;
  try {
    gl = createRequire(require.resolve('gpu.js'))('gl') as typeof gl;
  } catch (e) {
    return `the optional native 'gl' package is not built (${(e as Error).message.split('\n')[0]}); see the README`;
  }
  try {
    const context = gl(1, 1);
    if (context) return undefined;
  } catch (e) {
    return `'gl' failed to create a context (${(e as Error).message})`;
  }
  return `'gl' found no display (run the tests under \`xvfb-run -a\`)`;
};

/**
 * The class expected in Node: QUADRIX_GPUJS_NODE_KERNEL when set; HeadlessGLKernel under
 * QUADRIX_REQUIRE_ALL (CI builds gl and runs under Xvfb) or where headless-gl works; else webasm.
 */
export const expectedNodeClass = (): KernelClass => {
  const forced = process.env.QUADRIX_GPUJS_NODE_KERNEL;
  if (forced) return forced as KernelClass;
  return requireAll || headlessGlUnavailable() === undefined ? 'HeadlessGLKernel' : 'WebAssemblyKernel';
};

/**
 * c in the shared suite's tolerances (pointwise c·u·|expected|, reductions c·k·u·Σ|terms|). The
 * WebAssembly and CPU kernels round every float32 operation correctly (Math functions are
 * evaluated in float64 and rounded), so the suite's default c = 4 holds. GLSL ES 3.00 §4.5.1
 * allows a/b and sqrt 2.5 ULP and exp(x) (3 + 2|x|) ULP, i.e. 9 ULP on the suite's |x| ≤ 3;
 * one ULP is at most 2u·|y|, so c = 20 covers every primitive on a conforming GL implementation
 * (WebGL1 promises nothing; Mesa and SwiftShader stay within the same bound).
 */
export const ulpsFor = (cls: KernelClass): number => (cls === 'WebAssemblyKernel' || cls === 'CPUKernel' ? 4 : 20);
