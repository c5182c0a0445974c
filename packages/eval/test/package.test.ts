// The package's shape: eval receives its backend (never imports one), its main entry stays
// browser-safe (no Node built-ins), and both entries export what the README promises.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as main from '../src/index.js';
import * as node from '../src/node.js';

const srcDir = new URL('../src/', import.meta.url);
const sources = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const importsOf = (file: string): string[] =>
  [...readFileSync(new URL(file, srcDir), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('@quadrix/eval package', () => {
  it('no source file imports a backend', () => {
    for (const f of sources) {
      const bad = importsOf(f).filter((i) => i.startsWith('@quadrix/backend'));
      assert.deepEqual(bad, [], `${f} imports ${bad.join(', ')}`);
    }
  });

  it('only node.ts touches Node built-ins', () => {
    for (const f of sources.filter((s) => s !== 'node.ts')) {
      const bad = importsOf(f).filter((i) => i.startsWith('node:') || ['fs', 'path', 'os'].includes(i));
      assert.deepEqual(bad, [], `${f} imports ${bad.join(', ')}`);
    }
    assert.ok(importsOf('node.ts').some((i) => i.startsWith('node:')));
  });

  it('exports the metrics, scorers, protocols and report writers', () => {
    for (const name of ['rocAuc', 'rocCurve', 'thresholdAtFpr', 'normScorer', 'pcaScorer', 'ocsvmScorer', 'quadricsScorer', 'outlierDetection',
      'identificationRate', 'irEvaluator', 'alphaGridSearch', 'transformSimilarity', 'syntheticBenchmark', 'lineChart', 'runExperiments']) {
      assert.equal(typeof (main as Record<string, unknown>)[name], 'function', name);
    }
    for (const name of ['readMatrix', 'readVector', 'readLabels', 'loadArcfaceToy', 'writeReport']) {
      assert.equal(typeof (node as Record<string, unknown>)[name], 'function', name);
    }
  });
});
