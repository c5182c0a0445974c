// The training worker: fits quadrics off the main thread so the page stays responsive.
import { data, dispose, randomKey, tensor, tidy } from '@quadrix/core';
import { initQuadrics, score, toHost, train, type QuadricParams } from '@quadrix/models';
import { pageBackend, probeBackends } from './backends.js';
import type { FitRequest, FromWorker, HostModel, ToWorker } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

let stop: AbortController | undefined;

const host = async (p: QuadricParams): Promise<HostModel> => {
  const h = await toHost(p);
  return { n: h.n, m: h.m, quadratic: Float32Array.from(h.quadratic), linear: Float32Array.from(h.linear), free: Float32Array.from(h.free) };
};

const fit = async (r: FitRequest): Promise<void> => {
  const backend = await pageBackend(r.backend).create();
  const x = tensor(r.points, { backend, shape: [r.rows, r.n] });
  const init = initQuadrics(randomKey(r.seed), r.n, r.m, { backend });
  stop = new AbortController();
  try {
    const result = await train(init, x, {
      distance: r.distance,
      optimizer: r.optimizer,
      lr: r.lr,
      epochs: r.epochs,
      batchSize: r.batchSize,
      seed: r.seed,
      signal: stop.signal,
      onProgress: async (p) => {
        post({ type: 'progress', epoch: p.epoch, step: p.step, loss: p.loss, stiefelError: p.stiefelError, pointsPerSecond: p.pointsPerSecond, ...(r.liveParams ? { params: await host(p.params) } : {}) });
        // Reads on the CPU backend resolve at once: yield so that a Stop message can arrive.
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    let scores: Float32Array | undefined;
    if (r.score) {
      const s = tidy(() => score(result.params, x, r.distance));
      scores = Float32Array.from(await data(s));
      dispose(s);
    }
    const params = await host(result.params);
    post({ type: 'done', stopped: result.stopped, steps: result.steps, params, ...(scores ? { scores } : {}), backend: backend.describe?.() ?? backend.name });
    dispose(result.params);
  } finally {
    dispose([x, init]);
    stop = undefined;
  }
};

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === 'stop') stop?.abort();
  else if (msg.type === 'probe') void probeBackends().then((unavailable) => post({ type: 'probe', unavailable }));
  else fit(msg).catch((err: unknown) => post({ type: 'error', message: (err as Error).message ?? String(err) }));
};
