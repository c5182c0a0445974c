/**
 * `@quadrix/eval/node`: reading evaluation inputs from .npy files and writing reports, for Node.
 *
 * @packageDocumentation
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { QuadrixError } from '@quadrix/core';
import { checkFinite, int64ToNumbers, matrixFromNpy, type NpyArray } from '@quadrix/io';
import { readNpy } from '@quadrix/io/node';
import { normalizeRows, type Matrix } from './matrix.js';
import type { ArcfaceData, ExperimentReport } from './experiments.js';

export type { ArcfaceData, ExperimentReport } from './experiments.js';

/** A 2-D float .npy as a matrix (finite values only, not empty), rows scaled to unit length if asked. */
export const readMatrix = async (path: string, { normalize = false } = {}): Promise<Matrix> => {
  const name = basename(path);
  const m = checkFinite(matrixFromNpy(await readNpy(path), path), path);
  if (m.rows === 0 || m.cols === 0) throw new QuadrixError('shape', `${name}: the data is empty (shape [${m.rows}, ${m.cols}])`);
  return normalize ? normalizeRows(m, name) : m;
};

const vectorOf = (a: NpyArray, path: string): Float64Array => {
  const shape = a.shape;
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    throw new QuadrixError('shape', `${path}: expected a vector ([N] or [N, 1]), got shape [${shape.join(', ')}]`);
  }
  if (a.dtype === '<U') throw new QuadrixError('dtype', `${path}: expected numbers, got strings`);
  const values = a.dtype === '<i8' ? int64ToNumbers(a, path) : Float64Array.from(a.data as ArrayLike<number>);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new QuadrixError('value', `${path}: element ${bad} is ${values[bad]}`);
  return values;
};

/** A 1-D numeric .npy (or [N, 1]) as float64 values, e.g. scores or features. */
export const readVector = async (path: string): Promise<Float64Array> => vectorOf(await readNpy(path), path);

/** Labels from a .npy of strings (<U) or integers, as strings or numbers. */
export const readLabels = async (path: string): Promise<(string | number)[]> => {
  const a = await readNpy(path);
  if (a.dtype === '<U') {
    if (a.shape.length !== 1) throw new QuadrixError('shape', `${path}: expected a vector of labels, got shape [${a.shape.join(', ')}]`);
    return a.data;
  }
  if (a.dtype === '<f4' || a.dtype === '<f8') throw new QuadrixError('dtype', `${path}: labels must be strings or integers, got ${a.dtype}`);
  return Array.from(vectorOf(a, path));
};

/**
 * The real embeddings of `../shared/data/arcface-toy/` (see its README): CPLFW embeddings (not
 * normalised), their identities and the authors' quadric features, MegaFace distractors and theirs.
 */
export const loadArcfaceToy = async (dir: string): Promise<ArcfaceData> => ({
  embeddings: await readMatrix(join(dir, 'embeddings.npy')),
  labels: (await readLabels(join(dir, 'labels.npy'))).map(String),
  distractors: await readMatrix(join(dir, 'distractors.npy')),
  features: await readVector(join(dir, 'cplfw_quadrics_features.npy')),
  distractorFeatures: await readVector(join(dir, 'megaface_quadrics_features.npy')),
});

/** Writes the report's files (Markdown, SVG, JSON) into `dir`, creating it; returns their paths. */
export const writeReport = async (dir: string, report: ExperimentReport): Promise<string[]> => {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, text] of Object.entries(report.files)) {
    const p = join(dir, name);
    await writeFile(p, text);
    paths.push(p);
  }
  return paths;
};
