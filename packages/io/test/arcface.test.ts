// The real data of the project: NumPy files published with the quadric-intersection paper's code,
// laid in ../shared/data/arcface-toy/ beside the repository. Absent, these tests skip and say why;
// with QUADRIX_REQUIRE_ALL=1 (as CI sets it) they fail instead, so the data cannot silently go missing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkFinite, encodeNpy, matrixFromNpy, parseNpy } from '../src/index.js';
import { readNpy } from '../src/node.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = join(repoRoot, '..', 'shared', 'data', 'arcface-toy');
const present = existsSync(dataDir);
const required = process.env.QUADRIX_REQUIRE_ALL === '1';
const skip = present || required ? false : `the arcface-toy data is absent (no folder ${dataDir}); set QUADRIX_REQUIRE_ALL=1 to make this a failure`;
const needData = () => {
  if (!present) assert.fail(`QUADRIX_REQUIRE_ALL=1 but the arcface-toy data folder ${dataDir} does not exist`);
};

describe('arcface-toy: real NumPy files', () => {
  it('embeddings.npy: float32, 1009 × 512, finite, values as NumPy reads them', { skip }, async () => {
    needData();
    const file = join(dataDir, 'embeddings.npy');
    const a = await readNpy(file);
    assert.equal(a.dtype, '<f4');
    assert.deepEqual(a.shape, [1009, 512]);
    const m = checkFinite(matrixFromNpy(a, file), file);
    assert.equal(m.data.length, 1009 * 512);
    // First and last elements, bit for bit (np.load(...)[0, 0].view(np.uint32) == 3180371114).
    assert.equal(new Uint32Array(m.data.buffer, m.data.byteOffset, 1)[0], 3180371114);
    assert.equal(m.data[0], Math.fround(-0.07061131298542023));
    assert.equal(m.data[m.data.length - 1], Math.fround(-0.5827656));
    let sum = 0;
    for (const v of m.data) sum += v;
    assert.ok(Math.abs(sum - -637.046228451106) < 1e-6, `sum ${sum}`); // NumPy's float64 sum
  });

  it('labels.npy: <U31 strings, 1009 of them, 342 distinct identities', { skip }, async () => {
    needData();
    const a = await readNpy(join(dataDir, 'labels.npy'));
    assert.equal(a.dtype, '<U');
    if (a.dtype !== '<U') return;
    assert.equal(a.itemChars, 31);
    assert.deepEqual(a.shape, [1009]);
    assert.equal(a.data.length, 1009);
    const counts = new Map<string, number>();
    for (const s of a.data) counts.set(s, (counts.get(s) ?? 0) + 1);
    assert.equal(counts.size, 342);
    // 326 identities with 3 images, 15 with 2, 1 with 1 (as NumPy counts them).
    const perSize = new Map<number, number>();
    for (const c of counts.values()) perSize.set(c, (perSize.get(c) ?? 0) + 1);
    assert.deepEqual([...perSize].sort(), [[1, 1], [2, 15], [3, 326]]);
    assert.equal(a.data[0], 'Karen_Sharpe_Kramer');
    assert.equal(a.data[1008], 'Phil_Jackson');
    assert.equal(a.data[531], 'Barbora_Strycov\u251c\u0431'); // non-ASCII (mojibake in the source data)
    assert.ok(a.data.includes('Maria_Soledad_Alvear_Valenzuela')); // exactly 31 characters, no NUL padding
    assert.ok(a.data.every((s) => s.length > 0 && !s.includes('\0')));
  });

  it('every file re-encodes to exactly its bytes (as numpy.save wrote them)', { skip }, async () => {
    needData();
    const files = readdirSync(dataDir).filter((f) => f.endsWith('.npy'));
    assert.equal(files.length, 5);
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(join(dataDir, f)));
      assert.deepEqual(encodeNpy(parseNpy(bytes, f)), bytes, f);
    }
  });
});
