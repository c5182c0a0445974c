// Failures of the quadrix command: one clear line on standard error, exit 1 for bad data or files,
// 2 for bad usage.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { writeNpy, writeNpz } from '@quadrix/io/node';
import { expectError, manifoldPoints, ok, quadrix, tempDir, writeMatrix } from './helpers.js';

describe('quadrix errors', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    t = await tempDir();
    await writeMatrix(t.path('x3.npy'), 30, 3, manifoldPoints(1, 30, 3));
    await writeMatrix(t.path('x4.npy'), 30, 4, manifoldPoints(2, 30, 4));
    const nan = manifoldPoints(3, 30, 3);
    nan[7 * 3 + 2] = NaN;
    await writeMatrix(t.path('nan.npy'), 30, 3, nan);
    const inf = manifoldPoints(3, 30, 3);
    inf[12 * 3 + 0] = -Infinity;
    await writeMatrix(t.path('inf.npy'), 30, 3, inf);
    await writeNpy(t.path('empty.npy'), { dtype: '<f8', shape: [0, 3], data: new Float64Array(0) });
    await writeNpy(t.path('vector.npy'), { dtype: '<f8', shape: [5], data: new Float64Array(5) });
    await writeNpy(t.path('ints.npy'), { dtype: '<i4', shape: [4, 3], data: new Int32Array(12) });
    await writeFile(t.path('text.npy'), 'these are not the bytes you are looking for\n');
    await ok('fit', '--data', t.path('x3.npy'), '--quadrics', '2', '--out', t.path('m3.json'));
    await writeFile(t.path('bad.json'), '{"format": "something else"}');
  });
  after(() => t.remove());

  describe('bad files and data: exit 1', () => {
    it('a missing --data file names the path', async () => {
      const missing = t.path('no-such-file.npy');
      await expectError(['fit', '--data', missing, '--quadrics', '2', '--out', t.path('o.json')], 1, missing, 'no such file');
      await expectError(['score', '--model', t.path('m3.json'), '--data', missing, '--out', t.path('o.npy')], 1, missing, 'no such file');
    });

    it('a missing --model file names the path', async () => {
      const missing = t.path('no-model.json');
      await expectError(['score', '--model', missing, '--data', t.path('x3.npy'), '--out', t.path('o.npy')], 1, missing, 'no such file');
      await expectError(['export-reference', '--model', missing, '--out', t.path('o.npz')], 1, missing);
      await expectError(['fit', '--data', t.path('x3.npy'), '--init', missing, '--out', t.path('o.json')], 1, missing);
    });

    it('a model of dimension 3 on data of dimension 4 names both dimensions', async () => {
      const line = await expectError(['score', '--model', t.path('m3.json'), '--data', t.path('x4.npy'), '--out', t.path('o.npy')], 1, 'dimension');
      assert.match(line, /\b4\b/);
      assert.match(line, /\b3\b/);
      await expectError(['fit', '--init', t.path('m3.json'), '--data', t.path('x4.npy'), '--out', t.path('o.json')], 1, /dimension 4/, /dimension 3/);
    });

    it('NaN or Inf in the data names the file, row and column', async () => {
      await expectError(['fit', '--data', t.path('nan.npy'), '--quadrics', '2', '--out', t.path('o.json')], 1, 'nan.npy', 'NaN', 'row 7', 'column 2');
      await expectError(['score', '--model', t.path('m3.json'), '--data', t.path('nan.npy'), '--out', t.path('o.npy')], 1, 'NaN', 'row 7', 'column 2');
      await expectError(['fit', '--data', t.path('inf.npy'), '--quadrics', '2', '--out', t.path('o.json')], 1, 'Infinity', 'row 12', 'column 0');
    });

    it('a file that is not an .npy says so', async () => {
      await expectError(['fit', '--data', t.path('text.npy'), '--quadrics', '2', '--out', t.path('o.json')], 1, 'text.npy', /not a(n)? \.npy/);
      await expectError(['score', '--model', t.path('m3.json'), '--data', t.path('text.npy'), '--out', t.path('o.npy')], 1, /not a(n)? \.npy/);
      await expectError(['import-reference', '--q-coefs', t.path('text.npy'), '--l-coefs', t.path('x3.npy'), '--free-coefs', t.path('x3.npy'), '--out', t.path('o.json')], 1, /not a(n)? \.npy/);
    });

    it('data that is not a 2-D float matrix is refused', async () => {
      await expectError(['fit', '--data', t.path('vector.npy'), '--quadrics', '1', '--out', t.path('o.json')], 1, 'vector.npy', '2-D');
      await expectError(['fit', '--data', t.path('ints.npy'), '--quadrics', '1', '--out', t.path('o.json')], 1, 'ints.npy', '<i4');
    });

    it('empty data (shape [0, 3]) is refused', async () => {
      await expectError(['fit', '--data', t.path('empty.npy'), '--quadrics', '2', '--out', t.path('o.json')], 1, 'empty.npy', 'empty', '[0, 3]');
      await expectError(['score', '--model', t.path('m3.json'), '--data', t.path('empty.npy'), '--out', t.path('o.npy')], 1, 'empty');
    });

    it('more quadrics than n(n+1)/2 are refused, naming the count and the limit', async () => {
      // n = 3: at most 6 HS-orthonormal quadrics
      await ok('fit', '--data', t.path('x3.npy'), '--quadrics', '6', '--out', t.path('six.json'));
      const r = await quadrix('fit', '--data', t.path('x3.npy'), '--quadrics', '7', '--out', t.path('o.json'));
      assert.notEqual(r.code, 0);
      assert.equal(r.io.lines.err.length, 1);
      assert.ok(!r.err.includes('\n'));
      assert.match(r.err, /\b7\b/);
      assert.match(r.err, /\b6\b/);
    });

    it('a model file that is not a quadrix model is refused', async () => {
      await expectError(['score', '--model', t.path('bad.json'), '--data', t.path('x3.npy'), '--out', t.path('o.npy')], 1, 'model file', 'format');
      await expectError(['score', '--model', t.path('text.npy'), '--data', t.path('x3.npy'), '--out', t.path('o.npy')], 1, 'not JSON');
    });

    it('an output folder that does not exist is named', async () => {
      const out = t.path('no/such/folder/o.json');
      await expectError(['fit', '--data', t.path('x3.npy'), '--quadrics', '1', '--out', out], 1, out);
    });

    it('a missing reference archive is named', async () => {
      await expectError(['import-reference', '--npz', t.path('no.npz'), '--out', t.path('o.json')], 1, t.path('no.npz'), 'no such file');
    });

    it('a reference archive without either layout is refused, naming what it holds', async () => {
      await writeNpz(t.path('other.npz'), { weights: { dtype: '<f8', shape: [2, 2], data: new Float64Array(4) } });
      await expectError(['import-reference', '--npz', t.path('other.npz'), '--out', t.path('o.json')], 1, 'weights', 'q_coefs', 'quadratic');
    });

    it('reference arrays of inconsistent shapes are refused, naming the array', async () => {
      await writeNpy(t.path('q.npy'), { dtype: '<f8', shape: [10, 3], data: new Float64Array(30) }); // n = 4, m = 3
      await writeNpy(t.path('l.npy'), { dtype: '<f8', shape: [3, 3], data: new Float64Array(9) });
      await writeNpy(t.path('f.npy'), { dtype: '<f8', shape: [1, 3], data: new Float64Array(3) });
      await expectError(['import-reference', '--q-coefs', t.path('q.npy'), '--l-coefs', t.path('l.npy'), '--free-coefs', t.path('f.npy'), '--out', t.path('o.json')], 1, 'l_coefs', '[3, 3]', '[4, 3]');
      await writeNpy(t.path('q9.npy'), { dtype: '<f8', shape: [9, 3], data: new Float64Array(27) });
      await expectError(['import-reference', '--q-coefs', t.path('q9.npy'), '--l-coefs', t.path('l.npy'), '--free-coefs', t.path('f.npy'), '--out', t.path('o.json')], 1, 'q_coefs', '[9, 3]');
    });
  });

  describe('bad usage: exit 2', () => {
    const fit = () => ['fit', '--data', t.path('x3.npy'), '--out', t.path('o.json')];

    it('an unknown distance names it and the choices', async () => {
      await expectError([...fit(), '--quadrics', '2', '--distance', 'dist9'], 2, "'dist9'", 'dist0, dist1, dist2, dist2_full');
      await expectError(['score', '--model', t.path('m3.json'), '--data', t.path('x3.npy'), '--out', t.path('o.npy'), '--distance', 'dist9'], 2, 'dist9');
      await expectError(['import-reference', '--npz', t.path('a.npz'), '--distance', 'dist9', '--out', t.path('o.json')], 2, 'dist9');
    });

    it('zero quadrics are refused', async () => {
      await expectError([...fit(), '--quadrics', '0'], 2, '--quadrics', "'0'");
      await expectError([...fit(), '--quadrics', '1.5'], 2, '--quadrics', 'integer');
    });

    it('missing required options are named', async () => {
      await expectError(['fit', '--quadrics', '2', '--out', t.path('o.json')], 2, '--data');
      await expectError(['fit', '--data', t.path('x3.npy'), '--quadrics', '2'], 2, '--out');
      await expectError(['fit', '--data', t.path('x3.npy'), '--out', t.path('o.json')], 2, '--quadrics', '--init');
      await expectError(['score', '--data', t.path('x3.npy'), '--out', t.path('o.npy')], 2, '--model');
      await expectError(['export-reference', '--model', t.path('m3.json')], 2, '--out');
    });

    it('unknown options and stray arguments are named', async () => {
      await expectError([...fit(), '--quadrics', '2', '--epoch', '3'], 2, '--epoch');
      await expectError([...fit(), '--quadrics', '2', 'extra'], 2, "'extra'");
    });

    it('bad numbers, dtypes and backends are named', async () => {
      await expectError([...fit(), '--quadrics', '2', '--lr', 'fast'], 2, '--lr', "'fast'");
      await expectError([...fit(), '--quadrics', '2', '--lr', '0'], 2, '--lr');
      await expectError([...fit(), '--quadrics', '2', '--batch-size', '0'], 2, '--batch-size');
      await expectError([...fit(), '--quadrics', '2', '--epochs=-1'], 2, '--epochs', "'-1'");
      await expectError([...fit(), '--quadrics', '2', '--dtype', 'float16'], 2, 'float16');
      await expectError([...fit(), '--quadrics', '2', '--backend', 'tpu'], 2, "'tpu'", 'cpu');
      await expectError([...fit(), '--quadrics', '2', '--optimizer', 'lbfgs'], 2, 'lbfgs', 'sgd, adam');
      await expectError([...fit(), '--quadrics', '2', '--patience', '3'], 2, '--patience', '--val');
    });

    it(
      'a negative number as a separate argument gives a one-line error',
      async () => {
        await expectError([...fit(), '--quadrics', '2', '--epochs', '-1'], 2, '--epochs');
        await expectError([...fit(), '--quadrics', '2', '--lr', '-0.1'], 2, '--lr');
      },
    );

    it('an option without its value is named', async () => {
      await expectError(['fit', '--quadrics', '2', '--out', t.path('o.json'), '--data'], 2, '--data');
      await expectError([...fit(), '--quadrics', '2', '--no-shuffle=yes'], 2, '--no-shuffle');
    });

    it('import-reference wants exactly one input form, complete', async () => {
      await expectError(['import-reference', '--out', t.path('o.json')], 2, '--npz');
      await expectError(['import-reference', '--npz', t.path('a.npz'), '--quadratic', t.path('q.npy'), '--out', t.path('o.json')], 2, 'exactly one');
      await expectError(['import-reference', '--q-coefs', t.path('x3.npy'), '--out', t.path('o.json')], 2, '--l-coefs');
      await expectError(['import-reference', '--quadratic', t.path('x3.npy'), '--free', t.path('x3.npy'), '--out', t.path('o.json')], 2, '--linear');
    });

    it(
      'an incomplete import-reference command line is a usage error whatever the files',
      async () => {
        await expectError(['import-reference', '--q-coefs', t.path('absent.npy'), '--out', t.path('o.json')], 2, '--l-coefs');
      },
    );

    it('the hint points to the command help', async () => {
      await expectError([...fit(), '--quadrics', '0'], 2, 'quadrix fit --help');
    });
  });
});
