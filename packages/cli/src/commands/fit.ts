import { QuadrixError, dispose, randomKey } from '@quadrix/core';
import { writeFileAtomic } from '@quadrix/io/node';
import {
  DISTANCES, checkSizes, fromHost, initQuadrics, parseCheckpoint, parseModel, serializeCheckpoint, serializeModel, toHost, train,
  TrainingError, type Distance,
} from '@quadrix/models';
import { BACKEND_LIST, backendOption, resolveBackend } from '../backends.js';
import { choice, numberOption, optionalString, required, UsageError, type Command } from '../cli.js';
import { checkDimension, readPoints, toTensor } from '../data.js';
import { progressPrinter } from '../progress.js';
import { checkOutputDir, readText } from '../files.js';

export const fit: Command = {
  name: 'fit',
  summary: 'learn m quadrics from the rows of an .npy file',
  usage: `quadrix fit --data X.npy (--quadrics M | --init model.json) --out model.json [options]

  --data FILE           training points, a 2-D float .npy [N, n]
  --quadrics M          number of quadrics (1 ≤ M ≤ n(n+1)/2)
  --init FILE           start from this model instead of a random one (keeps its M)
  --out FILE            where to write the model (JSON, written atomically)
  --distance D          dist0 | dist1 | dist2 | dist2_full (default dist2)
  --epochs E            default 1
  --batch-size B        default 32 (the reference's)
  --lr LR               learning rate, default 0.1 (the reference's)
  --lambda L            Stiefel penalty weight, default 1
  --optimizer O         sgd | adam (default sgd)
  --orthonormality O    penalty | retraction (default penalty)
  --seed S              initialisation and shuffling seed, default 0
  --no-shuffle          batches in data order
  --normalize           scale every row to unit length first
  --val FILE            validation points: validation loss after each epoch
  --patience P          with --val: stop after P epochs without improvement, keep the best
  --checkpoint FILE     write a checkpoint after every epoch
  --resume FILE         continue from a checkpoint (same data and options)
  --backend NAME        ${BACKEND_LIST}
  --dtype T             float32 (default) | float64`,
  options: {
    data: { type: 'string' },
    quadrics: { type: 'string' },
    init: { type: 'string' },
    out: { type: 'string' },
    distance: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    lambda: { type: 'string' },
    optimizer: { type: 'string' },
    orthonormality: { type: 'string' },
    seed: { type: 'string' },
    'no-shuffle': { type: 'boolean' },
    normalize: { type: 'boolean' },
    val: { type: 'string' },
    patience: { type: 'string' },
    checkpoint: { type: 'string' },
    resume: { type: 'string' },
    ...backendOption,
  },
  run: async (v, io) => {
    const dataPath = required(v, 'data');
    const out = required(v, 'out');
    await checkOutputDir(out);
    const initPath = optionalString(v, 'init');
    if (initPath === undefined && v.quadrics === undefined) throw new UsageError('give --quadrics M or --init model.json');
    const distance = choice<Distance>(v, 'distance', DISTANCES, 'dist2');
    const epochs = numberOption(v, 'epochs', 1, { integer: true, min: 0 });
    const batchSize = numberOption(v, 'batch-size', 32, { integer: true, min: 1 });
    const lr = numberOption(v, 'lr', 0.1, { min: Number.MIN_VALUE });
    const lambda = numberOption(v, 'lambda', 1, { min: 0 });
    const seed = numberOption(v, 'seed', 0, { integer: true, min: 0 });
    const optimizer = choice(v, 'optimizer', ['sgd', 'adam'] as const, 'sgd');
    const orthonormality = choice(v, 'orthonormality', ['penalty', 'retraction'] as const, 'penalty');
    const valPath = optionalString(v, 'val');
    const patience = v.patience === undefined ? undefined : numberOption(v, 'patience', 0, { integer: true, min: 1 });
    if (patience !== undefined && valPath === undefined) throw new UsageError('--patience needs --val');
    const normalize = v.normalize === true;
    const { backend, dtype } = await resolveBackend(v);

    const points = await readPoints(dataPath, normalize);
    const quadrics = numberOption(v, 'quadrics', 1, { integer: true, min: 1 });
    if (initPath === undefined) checkSizes('--quadrics', points.cols, quadrics);
    const init = initPath === undefined
      ? initQuadrics(randomKey(seed), points.cols, quadrics, { backend, dtype })
      : fromHost(parseModel(await readText(initPath)).params, { backend, dtype });
    const n = init.quadratic.shape[1]!;
    const m = init.quadratic.shape[0]!;
    checkDimension(points, n, `--data ${dataPath}`);
    const x = toTensor(points, backend, dtype);
    const valPoints = valPath === undefined ? undefined : await readPoints(valPath, normalize);
    if (valPoints) checkDimension(valPoints, n, `--val ${valPath}`);
    const validation = valPoints && toTensor(valPoints, backend, dtype);
    const resumePath = optionalString(v, 'resume');
    const checkpointPath = optionalString(v, 'checkpoint');

    const options = { distance, epochs, batchSize, lr, lambda, optimizer, orthonormality, seed, shuffle: v['no-shuffle'] !== true };
    const write = async (params: Awaited<ReturnType<typeof toHost>>, extra: Record<string, string | number>): Promise<void> =>
      writeFileAtomic(out, new TextEncoder().encode(serializeModel({
        n, m, distance, dtype, params,
        training: { ...options, normalize, backend: backend.name, data: dataPath, ...extra },
      })));
    try {
      const result = await train(init, x, {
        ...options,
        ...(validation ? { validation } : {}),
        ...(patience ? { earlyStopping: { patience } } : {}),
        ...(resumePath ? { resume: parseCheckpoint(await readText(resumePath)) } : {}),
        ...(checkpointPath ? { checkpoint: { save: (c) => writeFileAtomic(checkpointPath, new TextEncoder().encode(serializeCheckpoint(c))) } } : {}),
        onProgress: progressPrinter(io, epochs),
      });
      if (io.tty) io.status('');
      const last = result.history.at(-1);
      await write(await toHost(result.params), { steps: result.steps, stopped: result.stopped, ...(last ? { finalLoss: last.loss } : {}) });
      io.out(
        `fitted ${m} quadrics in R^${n} on ${points.rows} points: ${result.steps} steps, ${result.stopped}` +
          `${last ? `, loss ${last.loss.toPrecision(5)}, stiefel error ${last.stiefelError.toExponential(2)}` : ''}` +
          `${result.bestEpoch ? `, kept epoch ${result.bestEpoch}` : ''}, on ${backend.describe?.() ?? backend.name} → ${out}`,
      );
      dispose(result.params);
    } catch (e) {
      if (e instanceof TrainingError) {
        await write(await toHost(e.params), { stopped: 'diverged' });
        dispose(e.params);
        throw new QuadrixError('value', `${e.message}; wrote them to ${out}`);
      }
      throw e;
    } finally {
      dispose([init, x, validation]);
    }
  },
};
