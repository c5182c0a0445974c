/**
 * @quadrix/core/testing: what every backend's tests share. The float64 oracle backend, the
 * cross-backend suite, the gradient suite, the leak check and fast-check arbitraries for shapes.
 * Needs fast-check (a peer dependency); runs under any describe/it test runner.
 */
export { referenceBackend, type HostTensor } from './reference.js';
export { backendSuite, gradientSuite, checkGradient, type BackendUnderTest, type GradientCheckOptions, type TestApi } from './suites.js';
export { expectNoLeaks } from './leaks.js';
export { fusedQuadricSuite } from './fused.js';
export { OP_CASES, COMPOSITE_CASES, type OpCase, type OpInstance } from './cases.js';
export {
  shapeArb, broadcastableShapesArb, dataArb, permutationArb, range, grid,
  type HostData, type ShapeOptions, type ValueSpec,
} from './arbitraries.js';
