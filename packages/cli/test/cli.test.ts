// The quadrix command in-process: fit → model → score, help and usage, determinism, checkpoint/resume.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { readNpy } from '@quadrix/io/node';
import { parseCheckpoint } from '@quadrix/models';
import { COMMANDS } from '../src/main.js';
import { flatParams, manifoldPoints, ok, quadrix, readModel, tempDir, writeMatrix } from './helpers.js';

type Temp = Awaited<ReturnType<typeof tempDir>>;

describe('quadrix fit and score', () => {
  let t: Temp;
  const N = 60;
  const n = 4;
  before(async () => {
    t = await tempDir();
    await writeMatrix(t.path('train.npy'), N, n, manifoldPoints(1, N, n));
    // inliers near the training manifold and points far from it
    await writeMatrix(t.path('inliers.npy'), 20, n, manifoldPoints(2, 20, n));
    await writeMatrix(t.path('far.npy'), 20, n, manifoldPoints(3, 20, n).map((v) => 2.5 * v));
  });
  after(() => t.remove());

  it('fit writes a valid model recording n, m, the distance, the dtype and the training options', async () => {
    const { out } = await ok('fit', '--data', t.path('train.npy'), '--quadrics', '2', '--distance', 'dist1', '--epochs', '2', '--batch-size', '16', '--out', t.path('m.json'));
    assert.match(out, /fitted 2 quadrics in R\^4 on 60 points: 8 steps, completed/);
    assert.ok(out.includes(t.path('m.json')), out);
    const model = await readModel(t.path('m.json'));
    assert.equal(model.n, n);
    assert.equal(model.m, 2);
    assert.equal(model.distance, 'dist1');
    assert.equal(model.dtype, 'float32');
    assert.ok(model.params.quadratic instanceof Float32Array);
    assert.equal(model.params.quadratic.length, 2 * n * n);
    assert.equal(model.params.linear.length, 2 * n);
    assert.equal(model.params.free.length, 2);
    assert.ok(flatParams(model).every(Number.isFinite));
    // the stored quadratic parts are symmetric
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < n; k++) assert.equal(model.params.quadratic[(i * n + j) * n + k], model.params.quadratic[(i * n + k) * n + j]);
      }
    }
    const tr = model.training!;
    assert.equal(tr.epochs, 2);
    assert.equal(tr.batchSize, 16);
    assert.equal(tr.steps, 8);
    assert.equal(tr.stopped, 'completed');
    assert.equal(tr.distance, 'dist1');
    assert.equal(typeof tr.finalLoss, 'number');
  });

  it('fit --dtype float64 writes a float64 model', async () => {
    await ok('fit', '--data', t.path('train.npy'), '--quadrics', '3', '--dtype', 'float64', '--out', t.path('m64.json'));
    const model = await readModel(t.path('m64.json'));
    assert.equal(model.dtype, 'float64');
    assert.equal(model.m, 3);
    assert.equal(model.distance, 'dist2', 'dist2 is the default distance');
    assert.ok(model.params.quadratic instanceof Float64Array);
  });

  it('score writes [N] sums and, with --per-quadric, [N, m] finite non-negative distances', async () => {
    await ok('fit', '--data', t.path('train.npy'), '--quadrics', '2', '--optimizer', 'adam', '--lr', '0.01', '--epochs', '60', '--batch-size', '20', '--out', t.path('fitted.json'));
    const r = await ok('score', '--model', t.path('fitted.json'), '--data', t.path('inliers.npy'), '--out', t.path('s.npy'));
    assert.match(r.out, /scored 20 points of inliers\.npy with dist2/);
    const s = await readNpy(t.path('s.npy'));
    assert.deepEqual(s.shape, [20]);
    assert.equal(s.dtype, '<f4');
    const sums = s.data as Float32Array;
    assert.ok(sums.every((v) => Number.isFinite(v) && v >= 0), `scores ${sums}`);

    await ok('score', '--model', t.path('fitted.json'), '--data', t.path('inliers.npy'), '--per-quadric', '--out', t.path('sq.npy'));
    const pq = await readNpy(t.path('sq.npy'));
    assert.deepEqual(pq.shape, [20, 2]);
    const per = pq.data as Float32Array;
    assert.ok(per.every((v) => Number.isFinite(v) && v >= 0), `scores ${per}`);
    // the score is the sum of the per-quadric distances
    for (let r = 0; r < 20; r++) {
      const total = per[2 * r]! + per[2 * r + 1]!;
      assert.ok(Math.abs(total - sums[r]!) <= 1e-5 * Math.max(1, total), `row ${r}: ${sums[r]} vs ${total}`);
    }

    // the model's distance is the default; another distance gives other numbers
    await ok('score', '--model', t.path('fitted.json'), '--data', t.path('inliers.npy'), '--distance', 'dist2', '--out', t.path('s2.npy'));
    assert.deepEqual(await readFile(t.path('s2.npy')), await readFile(t.path('s.npy')));
    await ok('score', '--model', t.path('fitted.json'), '--data', t.path('inliers.npy'), '--distance', 'dist0', '--out', t.path('s0.npy'));
    assert.notDeepEqual([...((await readNpy(t.path('s0.npy'))).data as Float32Array)], [...sums]);

    // points near the manifold score lower than points far from it
    await ok('score', '--model', t.path('fitted.json'), '--data', t.path('far.npy'), '--out', t.path('sfar.npy'));
    const far = (await readNpy(t.path('sfar.npy'))).data as Float32Array;
    const mean = (a: Float32Array) => a.reduce((x, y) => x + y, 0) / a.length;
    assert.ok(mean(sums) < mean(far), `inliers ${mean(sums)} vs far points ${mean(far)}`);

    await ok('score', '--model', t.path('fitted.json'), '--data', t.path('inliers.npy'), '--dtype', 'float64', '--out', t.path('s64.npy'));
    const s64 = await readNpy(t.path('s64.npy'));
    assert.equal(s64.dtype, '<f8');
    assert.deepEqual(s64.shape, [20]);
    for (let r = 0; r < 20; r++) assert.ok(Math.abs(s64.data[r] as number - sums[r]!) <= 1e-4 * Math.max(1, sums[r]!));
  });
});

describe('quadrix help and usage', () => {
  const leaves = COMMANDS.flatMap((c) => ('subcommands' in c ? c.subcommands.map((s) => ({ words: [c.name, s.name], usage: s.usage })) : [{ words: [c.name], usage: c.usage }]));
  for (const { words, usage } of leaves) {
    it(`${words.join(' ')} --help and -h exit 0 and print its usage`, async () => {
      for (const flag of ['--help', '-h']) {
        const r = await quadrix(...words, flag);
        assert.equal(r.code, 0);
        assert.equal(r.out, usage);
        assert.ok(r.out.startsWith(`quadrix ${words.join(' ')} `), r.out);
        assert.equal(r.err, '');
      }
    });
  }

  it('lists the commands', () => {
    assert.deepEqual(COMMANDS.map((c) => c.name), ['fit', 'score', 'import-reference', 'export-reference', 'demo', 'eval']);
  });

  it('no arguments prints the overview and exits 2; --help prints it and exits 0', async () => {
    const none = await quadrix();
    assert.equal(none.code, 2);
    assert.match(none.out, /usage: quadrix <command>/);
    for (const c of COMMANDS) assert.ok(none.out.includes(`  ${c.name} `), `overview lacks ${c.name}`);
    const help = await quadrix('--help');
    assert.equal(help.code, 0);
    assert.equal(help.out, none.out);
  });

  it('an unknown command exits 2 naming it and the commands', async () => {
    const r = await quadrix('fitt', '--data', 'x.npy');
    assert.equal(r.code, 2);
    assert.equal(r.io.lines.err.length, 1);
    assert.match(r.err, /unknown command 'fitt'/);
    assert.match(r.err, /fit, score, import-reference, export-reference, demo/);
    assert.equal(r.out, '');
  });
});

describe('quadrix fit is deterministic', () => {
  let t: Temp;
  before(async () => {
    t = await tempDir();
    await writeMatrix(t.path('x.npy'), 50, 3, manifoldPoints(7, 50, 3));
  });
  after(() => t.remove());

  const fitSeed = (seed: string, out: string) =>
    ok('fit', '--data', t.path('x.npy'), '--quadrics', '2', '--epochs', '3', '--batch-size', '8', '--seed', seed, '--out', t.path(out));

  it('the same --seed gives byte-identical model files; another seed differs', async () => {
    await fitSeed('5', 'a.json');
    await fitSeed('5', 'b.json');
    await fitSeed('6', 'c.json');
    const [a, b, c] = await Promise.all(['a.json', 'b.json', 'c.json'].map((f) => readFile(t.path(f))));
    assert.ok(a!.length > 0);
    assert.ok(a!.equals(b!), 'two fits with --seed 5 differ');
    assert.ok(!a!.equals(c!), '--seed 5 and --seed 6 gave the same file');
    const [ma, mc] = [await readModel(t.path('a.json')), await readModel(t.path('c.json'))];
    assert.notDeepEqual(flatParams(ma), flatParams(mc), 'the parameters do not depend on the seed');
  });
});

describe('quadrix fit --checkpoint / --resume', () => {
  let t: Temp;
  before(async () => {
    t = await tempDir();
    await writeMatrix(t.path('x.npy'), 45, 3, manifoldPoints(11, 45, 3));
  });
  after(() => t.remove());

  for (const optimizer of ['sgd', 'adam']) {
    it(`${optimizer}: 1 epoch then resuming to 3 equals 3 epochs at once`, async () => {
      const common = ['--data', t.path('x.npy'), '--quadrics', '2', '--batch-size', '10', '--seed', '4', '--optimizer', optimizer, '--lr', optimizer === 'adam' ? '0.01' : '0.05'];
      await ok('fit', ...common, '--epochs', '3', '--checkpoint', t.path(`full-${optimizer}.ck.json`), '--out', t.path(`full-${optimizer}.json`));
      await ok('fit', ...common, '--epochs', '1', '--checkpoint', t.path(`ck-${optimizer}.json`), '--out', t.path(`part-${optimizer}.json`));
      const ck = parseCheckpoint(await readFile(t.path(`ck-${optimizer}.json`), 'utf8'));
      assert.equal(ck.epoch, 1);
      assert.equal(ck.step, 5);
      assert.equal(ck.optimizer.name, optimizer);
      await ok('fit', ...common, '--epochs', '3', '--resume', t.path(`ck-${optimizer}.json`), '--out', t.path(`resumed-${optimizer}.json`));

      const full = await readModel(t.path(`full-${optimizer}.json`));
      const part = await readModel(t.path(`part-${optimizer}.json`));
      const resumed = await readModel(t.path(`resumed-${optimizer}.json`));
      assert.deepEqual(flatParams(resumed), flatParams(full));
      assert.notDeepEqual(flatParams(part), flatParams(full), 'one epoch already gives the three-epoch model');
      assert.equal(resumed.training!.steps, 15);
      assert.equal(full.training!.steps, 15);
      assert.equal(resumed.training!.finalLoss, full.training!.finalLoss);
      const fullCk = parseCheckpoint(await readFile(t.path(`full-${optimizer}.ck.json`), 'utf8'));
      assert.equal(fullCk.epoch, 3);
      assert.deepEqual(fullCk.history.map((h) => h.epoch), [1, 2, 3]);
    });
  }
});
