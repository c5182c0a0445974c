import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { encodeNpy, type NpyArray } from '../src/index.js';
import { readNpy, readNpz, writeFileAtomic, writeNpy, writeNpz } from '../src/node.js';
import { assertSameArray, rejectsIo } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'quadrix-io-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `case-${n++}`);
  mkdirSync(d);
  return d;
};

const a: NpyArray = { dtype: '<f4', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, NaN]) };
const s: NpyArray = { dtype: '<U', itemChars: 4, shape: [2], data: ['ab', 'çdéf'] };

describe('@quadrix/io/node', () => {
  it('writeNpy then readNpy gives the array back, and the file is what encodeNpy makes', async () => {
    const dir = freshDir();
    const file = join(dir, 'a.npy');
    await writeNpy(file, a);
    assertSameArray(await readNpy(file), a);
    assert.deepEqual(new Uint8Array(readFileSync(file)), encodeNpy(a));
    await writeNpy(pathToFileURL(join(dir, 's.npy')), s); // file: URLs work too
    assertSameArray(await readNpy(pathToFileURL(join(dir, 's.npy'))), s);
  });

  it('writeNpz then readNpz, stored and compressed', async () => {
    const dir = freshDir();
    await writeNpz(join(dir, 'stored.npz'), { a, s });
    await writeNpz(join(dir, 'small.npz'), { a, s }, { compress: true });
    for (const f of ['stored.npz', 'small.npz']) {
      const back = await readNpz(join(dir, f));
      assert.deepEqual(Object.keys(back), ['a', 's']);
      assertSameArray(back.a!, a);
      assertSameArray(back.s!, s);
    }
  });

  it('atomic writes leave no temporary files, and replace an existing file whole', async () => {
    const dir = freshDir();
    const file = join(dir, 'x.npy');
    writeFileSync(file, 'old contents that are longer than nothing');
    await writeNpy(file, a);
    await writeNpz(join(dir, 'y.npz'), { a });
    assert.deepEqual(readdirSync(dir).sort(), ['x.npy', 'y.npz']);
    assertSameArray(await readNpy(file), a);
  });

  it('a failed write removes its temporary file and leaves the target as it was', async () => {
    const dir = freshDir();
    const target = join(dir, 'taken');
    mkdirSync(target); // renaming a file onto a folder fails after the temporary file is written
    writeFileSync(join(target, 'inside'), 'keep');
    const e = await rejectsIo(() => writeNpy(target, a), 'io', target);
    assert.ok(e.cause instanceof Error);
    assert.deepEqual(readdirSync(dir), ['taken']);
    assert.deepEqual(readdirSync(target), ['inside']);
  });

  it('an invalid array fails before any file is created', async () => {
    const dir = freshDir();
    const file = join(dir, 'bad.npy');
    await rejectsIo(() => writeNpy(file, { dtype: '<f4', shape: [3], data: new Float32Array(2) }), 'shape', file);
    await rejectsIo(() => writeNpz(join(dir, 'bad.npz'), { k: { dtype: '<f8', shape: [1], data: new Float32Array(1) } as unknown as NpyArray }), 'dtype', 'bad.npz', 'k.npy');
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a missing file is a missing error naming the path; so is a missing folder on writing', async () => {
    const dir = freshDir();
    const missing = join(dir, 'nope.npy');
    const e = await rejectsIo(() => readNpy(missing), 'missing', missing, 'no such file');
    assert.equal(e.file, missing);
    await rejectsIo(() => readNpz(join(dir, 'nope.npz')), 'missing', join(dir, 'nope.npz'));
    const deep = join(dir, 'no', 'such', 'folder', 'a.npy');
    await rejectsIo(() => writeNpy(deep, a), 'missing', deep, join(dir, 'no', 'such', 'folder'));
    await rejectsIo(() => writeFileAtomic(deep, new Uint8Array(1)), 'missing', deep);
  });

  it('reading a folder is an io error; a damaged file is a parse error naming the path', async () => {
    const dir = freshDir();
    await rejectsIo(() => readNpy(dir), 'io', dir);
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, encodeNpy(a).subarray(0, 100));
    await rejectsIo(() => readNpy(bad), 'truncated', bad);
    await rejectsIo(() => readNpz(bad), 'format', bad);
  });
});
