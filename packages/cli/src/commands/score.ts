import { basename } from 'node:path';
import { data, dispose, gather, tidy } from '@quadrix/core';
import { writeNpy } from '@quadrix/io/node';
import { DISTANCES, distances, fromHost, parseModel, score as scoreRows, type Distance } from '@quadrix/models';
import { BACKEND_LIST, backendOption, resolveBackend } from '../backends.js';
import { choice, required, type Command } from '../cli.js';
import { checkDimension, readPoints, toTensor } from '../data.js';
import { checkOutputDir, readText } from '../files.js';

/** Rows scored per kernel call: bounds memory whatever the file size. */
const CHUNK = 4096;

export const score: Command = {
  name: 'score',
  summary: 'score the rows of an .npy file by their distance to a model',
  usage: `quadrix score --model model.json --data X.npy --out scores.npy [options]

  --model FILE      a model written by quadrix fit or import-reference
  --data FILE       points to score, a 2-D float .npy [N, n]
  --out FILE        scores as .npy: [N] (sum over quadrics) or [N, m] with --per-quadric
  --distance D      dist0 | dist1 | dist2 | dist2_full (default: the model's)
  --per-quadric     one column per quadric instead of the sum
  --normalize       scale every row to unit length first
  --backend NAME    ${BACKEND_LIST}
  --dtype T         float32 (default) | float64`,
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    distance: { type: 'string' },
    'per-quadric': { type: 'boolean' },
    normalize: { type: 'boolean' },
    ...backendOption,
  },
  run: async (v, io) => {
    const model = parseModel(await readText(required(v, 'model')));
    const dataPath = required(v, 'data');
    const out = required(v, 'out');
    await checkOutputDir(out);
    const distance = choice<Distance>(v, 'distance', DISTANCES, model.distance);
    const perQuadric = v['per-quadric'] === true;
    const { backend, dtype } = await resolveBackend(v);
    const points = await readPoints(dataPath, v.normalize === true);
    checkDimension(points, model.n, `--data ${dataPath}`);
    const params = fromHost(model.params, { backend, dtype });
    const x = toTensor(points, backend, dtype);
    const width = perQuadric ? model.m : 1;
    const scores = dtype === 'float64' ? new Float64Array(points.rows * width) : new Float32Array(points.rows * width);
    try {
      for (let start = 0; start < points.rows; start += CHUNK) {
        const idx = Array.from({ length: Math.min(CHUNK, points.rows - start) }, (_, i) => start + i);
        const s = tidy(() => (perQuadric ? distances(params, gather(x, idx), distance) : scoreRows(params, gather(x, idx), distance)));
        scores.set(await data(s), start * width);
        dispose(s);
      }
    } finally {
      dispose([params, x]);
    }
    const shape = perQuadric ? [points.rows, model.m] : [points.rows];
    await writeNpy(out, dtype === 'float64' ? { dtype: '<f8', shape, data: scores as Float64Array } : { dtype: '<f4', shape, data: scores as Float32Array });
    io.out(`scored ${points.rows} points of ${basename(dataPath)} with ${distance}${perQuadric ? ` per quadric (${model.m} columns)` : ''} → ${out}`);
  },
};
