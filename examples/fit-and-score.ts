import { dataSync, randomKey, tensor, tidy } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { initQuadrics, score, train } from '@quadrix/models';

const backend = cpuBackend();
// 300 points near the unit circle in the plane z = 0 of R³
const pts = Array.from({ length: 300 }, (_, i) => [Math.cos(i), Math.sin(i), 0.01 * Math.sin(7 * i)]);
const x = tensor(pts, { backend });

const init = initQuadrics(randomKey(0), 3, 2, { backend });          // 2 HS-orthonormal quadrics
const { params, history } = await train(init, x, {
  distance: 'dist2', optimizer: 'adam', lr: 0.01, epochs: 200, batchSize: 32, seed: 0,
  onProgress: (p) => void (p.epoch % 50 === 0 && console.log(p.epoch, p.loss, p.stiefelError)),
});
const probe = tensor([[1, 0, 0], [0, 0, 1]], { backend });           // on the circle; far from it
console.log(tidy(() => dataSync(score(params, probe, 'dist2'))));    // small, then large
