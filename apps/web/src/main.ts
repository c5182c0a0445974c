import { randomKey } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import { checkFinite, encodeNpy, matrixFromNpy, parseNpy } from '@quadrix/io';
import { projectToVariety, serializeModel, tennis, type Distance } from '@quadrix/models';
import { PAGE_BACKENDS } from './backends.js';
import { histogram, lineChart } from './charts.js';
import type { BackendName, FitRequest, FromWorker, HostModel } from './protocol.js';
import { createView, type Layer, type P3 } from './view3d.js';

const $ = <T extends Element>(sel: string): T => document.querySelector<T>(sel)!;

const triples = (a: ArrayLike<number>, from = 0, to = a.length / 3): P3[] =>
  Array.from({ length: to - from }, (_, i) => [a[3 * (from + i)]!, a[3 * (from + i) + 1]!, a[3 * (from + i) + 2]!] as const);

const newWorker = (): Worker => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

/**
 * Fills every backend selector: a worker tries each backend where training would run, and those
 * that fail stay listed, greyed out, with the reason.
 */
const offerBackends = async (): Promise<void> => {
  const worker = newWorker();
  const unavailable = await new Promise<Record<string, string | undefined>>((resolve) => {
    worker.onmessage = (e: MessageEvent<FromWorker>) => e.data.type === 'probe' && resolve(e.data.unavailable);
    worker.postMessage({ type: 'probe' });
  });
  worker.terminate();
  for (const select of document.querySelectorAll<HTMLSelectElement>('select.backend')) {
    for (const b of PAGE_BACKENDS) {
      const why = unavailable[b.name];
      const option = new Option(why ? `${b.label} — unavailable: ${why}` : b.label, b.name);
      option.disabled = why !== undefined;
      select.add(option);
    }
  }
};

/** Runs one fit in a fresh worker; `onProgress` sees every report. Resolves with the final message. */
const runFit = (
  request: FitRequest,
  form: HTMLFormElement,
  onProgress: (m: Extract<FromWorker, { type: 'progress' }>) => void,
): Promise<Extract<FromWorker, { type: 'done' }>> =>
  new Promise((resolve, reject) => {
    const worker = newWorker();
    const stop = form.querySelector<HTMLButtonElement>('.stop')!;
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    stop.disabled = false;
    submit.disabled = true;
    stop.onclick = () => worker.postMessage({ type: 'stop' });
    const finish = (): void => {
      stop.disabled = true;
      submit.disabled = false;
      worker.terminate();
    };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'progress') onProgress(m);
      else if (m.type !== 'probe') {
        finish();
        if (m.type === 'done') resolve(m);
        else reject(new Error(m.message));
      }
    };
    worker.onerror = (e) => {
      finish();
      reject(new Error(e.message));
    };
    worker.postMessage(request, [request.points.buffer]);
  });

// ---- the tennis-ball seam --------------------------------------------------------------------

const view = createView($<HTMLCanvasElement>('#view'));
const exact = triples(tennis.curve(400));
const ring = [...exact, exact[0]!];

const seamLayers = (points: Float64Array, count: number, outliers: number, model?: HostModel): Layer[] => [
  { color: '#999', line: ring, dashed: true },
  ...(model ? [{ color: '#d9480f', line: projectToVariety(model, ring) as (P3 | undefined)[] }] : []),
  { color: '#1c7ed6', points: triples(points, 0, count - outliers) },
  { color: '#c2255c', points: triples(points, count - outliers, count), radius: 4 },
];

const seamForm = $<HTMLFormElement>('#seam-form');
const seamData = () => {
  const f = new FormData(seamForm);
  const num = (k: string) => Number(f.get(k));
  return { f, data: tennis.toyData(randomKey(num('seed')), num('points'), num('noise'), num('outliers')), seed: num('seed'), epochs: num('epochs') };
};
const redrawSeam = () => {
  const { data } = seamData();
  view.show(seamLayers(data.points, data.count, data.outliers));
};
seamForm.addEventListener('input', redrawSeam);

seamForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const { f, data, seed, epochs } = seamData();
  const sgd = f.get('optimizer') === 'sgd';
  const status = $('#seam-status');
  const metric = $<HTMLElement>('#seam-metric');
  metric.textContent = '';
  delete metric.dataset.dist2Full;
  status.className = 'status';
  const loss: number[] = [];
  const stiefel: number[] = [];
  try {
    const done = await runFit(
      {
        type: 'fit', backend: f.get('backend') as BackendName, points: Float32Array.from(data.points), rows: data.count, n: 3, m: 2,
        distance: 'dist2_full', optimizer: sgd ? 'sgd' : 'adam', lr: sgd ? 0.1 : 0.01, epochs, batchSize: 20, seed, liveParams: true, score: false,
      },
      seamForm,
      (p) => {
        loss.push(p.loss);
        stiefel.push(p.stiefelError);
        lineChart($('#curves'), [{ name: 'loss', color: '#d9480f', values: loss }, { name: 'Stiefel error', color: '#5f3dc4', values: stiefel }], 'training');
        status.textContent = `epoch ${p.epoch}/${epochs} · loss ${p.loss.toFixed(4)} · ${Math.round(p.pointsPerSecond)} points/s`;
        if (p.params) view.show(seamLayers(data.points, data.count, data.outliers, p.params));
      },
    );
    view.show(seamLayers(data.points, data.count, data.outliers, done.params));
    const m = tennis.fitMetrics(done.params, cpuBackend());
    status.textContent = `${done.stopped} after ${done.steps} steps on ${done.backend}`;
    metric.textContent = `mean dist2_full on the exact curve: ${m.dist2Full.toFixed(4)} · mean Σ|Q|/‖S‖: ${m.normalizedQ.toFixed(4)}`;
    metric.dataset.dist2Full = String(m.dist2Full);
  } catch (err) {
    status.className = 'status error';
    status.textContent = (err as Error).message;
  }
});

// ---- your own embeddings ---------------------------------------------------------------------

const ownForm = $<HTMLFormElement>('#own-form');
const ownStatus = $('#own-status');
let embeddings: { rows: number; cols: number; values: Float32Array; name: string } | undefined;

const showError = (message: string): void => {
  ownStatus.className = 'status error';
  ownStatus.textContent = message;
};

const loadFile = async (file: File): Promise<void> => {
  try {
    const m = checkFinite(matrixFromNpy(parseNpy(new Uint8Array(await file.arrayBuffer()), file.name), file.name), file.name);
    if (m.rows === 0) throw new Error(`${file.name}: no rows`);
    embeddings = { rows: m.rows, cols: m.cols, values: Float32Array.from(m.data), name: file.name };
    ownStatus.className = 'status';
    ownStatus.textContent = `${file.name}: ${m.rows} embeddings of dimension ${m.cols}.`;
    $<HTMLButtonElement>('#own-fit').disabled = false;
  } catch (err) {
    embeddings = undefined;
    $<HTMLButtonElement>('#own-fit').disabled = true;
    showError((err as Error).message);
  }
};

$<HTMLInputElement>('#file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void loadFile(file);
});
const drop = $<HTMLElement>('#drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) void loadFile(file);
});

const normalizeRows = (values: Float32Array, rows: number, cols: number): Float32Array => {
  const out = values.slice();
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += out[r * cols + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < cols; c++) out[r * cols + c]! *= inv;
  }
  return out;
};

const offer = (id: string, bytes: BlobPart, type: string): void => {
  const a = $<HTMLAnchorElement>(id);
  if (a.href) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([bytes], { type }));
  a.hidden = false;
};

ownForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!embeddings) return;
  const f = new FormData(ownForm);
  const m = Number(f.get('quadrics'));
  const distance = f.get('distance') as Distance;
  const normalize = f.get('normalize') === 'on';
  const { rows, cols } = embeddings;
  const points = normalize ? normalizeRows(embeddings.values, rows, cols) : embeddings.values.slice();
  ownStatus.className = 'status';
  try {
    const done = await runFit(
      { type: 'fit', backend: f.get('backend') as BackendName, points, rows, n: cols, m, distance, optimizer: 'adam', lr: 0.01, epochs: Number(f.get('epochs')), batchSize: 32, seed: 0, liveParams: false, score: true },
      ownForm,
      (p) => (ownStatus.textContent = `epoch ${p.epoch} · loss ${p.loss.toPrecision(4)} · ${Math.round(p.pointsPerSecond)} points/s`),
    );
    const scores = done.scores!;
    histogram($('#histogram'), scores, 40, `outlier scores (${distance}, sum over ${m} quadrics)`);
    const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!).slice(0, 10);
    $('#outlying tbody').replaceChildren(
      ...order.map((r) => {
        const tr = document.createElement('tr');
        tr.innerHTML = `<td>${r}</td><td>${scores[r]!.toPrecision(5)}</td>`;
        return tr;
      }),
    );
    const model = serializeModel({
      n: cols, m, distance, dtype: 'float32', params: done.params,
      training: { optimizer: 'adam', lr: 0.01, epochs: Number(f.get('epochs')), batchSize: 32, seed: 0, normalize, data: embeddings.name, backend: done.backend, stopped: done.stopped, steps: done.steps },
    });
    offer('#download-model', model, 'application/json');
    offer('#download-scores', encodeNpy({ dtype: '<f4', shape: [rows], data: scores }) as Uint8Array<ArrayBuffer>, 'application/octet-stream');
    ownStatus.textContent = `${done.stopped} after ${done.steps} steps on ${done.backend}; the most outlying rows are listed.`;
  } catch (err) {
    showError((err as Error).message);
  }
});

await offerBackends();
redrawSeam();
document.body.dataset.ready = 'true';
