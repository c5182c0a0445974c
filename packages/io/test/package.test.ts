// The package as its users see it: the entries of its exports map, and a core free of Node APIs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as io from '@quadrix/io';
import * as ioNode from '@quadrix/io/node';

const src = new URL('../src/', import.meta.url);

describe('@quadrix/io package', () => {
  it('exports the byte-level API from the main entry and the file API from ./node', () => {
    for (const name of ['parseNpy', 'encodeNpy', 'readNpz', 'encodeNpz', 'matrixFromNpy', 'npyFromMatrix', 'checkFinite', 'int64ToNumbers', 'IoError']) {
      assert.equal(typeof (io as Record<string, unknown>)[name], 'function', name);
    }
    for (const name of ['readNpy', 'writeNpy', 'readNpz', 'writeNpz', 'writeFileAtomic']) {
      assert.equal(typeof (ioNode as Record<string, unknown>)[name], 'function', name);
    }
    assert.equal(ioNode.IoError, io.IoError, 'one IoError class for both entries');
  });

  it('nothing but src/node.ts imports Node built-ins, and the main entry does not import it', () => {
    const files = readdirSync(src).filter((f) => f.endsWith('.ts'));
    assert.ok(files.includes('index.ts') && files.includes('node.ts'));
    for (const f of files) {
      const text = readFileSync(new URL(f, src), 'utf8');
      const imports = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);
      const nodeImports = imports.filter((m) => m.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'buffer'].includes(m));
      if (f === 'node.ts') assert.ok(nodeImports.length > 0);
      else {
        assert.deepEqual(nodeImports, [], `${f} imports Node built-ins`);
        assert.ok(!imports.includes('./node.js'), `${f} imports the Node entry`);
        assert.ok(!/\b(Buffer|process)\./.test(text), `${f} uses Node globals`);
      }
    }
  });
});
