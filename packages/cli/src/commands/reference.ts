import { basename } from 'node:path';
import { QuadrixError, type DType } from '@quadrix/core';
import type { NpyArray } from '@quadrix/io';
import { readNpy, readNpz, writeFileAtomic, writeNpz } from '@quadrix/io/node';
import {
  DISTANCES, fromReferencePacked, fromReferenceSaved, parseModel, serializeModel, toReference, type DenseArray, type Distance,
  type HostQuadrics,
} from '@quadrix/models';
import { choice, optionalString, required, UsageError, type Command } from '../cli.js';
import { checkOutputDir, readText } from '../files.js';

const dense = (a: NpyArray, name: string): DenseArray & { readonly float32: boolean } => {
  if (a.dtype !== '<f4' && a.dtype !== '<f8') throw new QuadrixError('dtype', `${name}: expected a float array, got dtype ${a.dtype}`);
  return { shape: a.shape, data: a.data as Float32Array | Float64Array, float32: a.dtype === '<f4' };
};

const PACKED = ['q_coefs', 'l_coefs', 'free_coefs'] as const;
const SAVED = ['quadratic', 'linear', 'free'] as const;

/** Reference arrays by name, from an .npz or from three .npy files. */
const loadArrays = async (v: Record<string, unknown>): Promise<Record<string, DenseArray & { float32: boolean }>> => {
  const npz = optionalString(v, 'npz');
  const saved = SAVED.map((k) => optionalString(v, k));
  const packed = PACKED.map((k) => optionalString(v, k.replace('_', '-')));
  const given = [npz !== undefined, saved.some(Boolean), packed.some(Boolean)].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --npz, --quadratic/--linear/--free, --q-coefs/--l-coefs/--free-coefs');
  if (npz !== undefined) {
    const arrays = await readNpz(npz);
    return Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, dense(a, `${basename(npz)}:${k}`)]));
  }
  const [names, paths] = saved.some(Boolean) ? [SAVED, saved] : [PACKED, packed];
  const missing = names.find((_, i) => paths[i] === undefined);
  if (missing !== undefined) throw new UsageError(`--${missing.replace('_', '-')} is required with the other two`);
  const out: Record<string, DenseArray & { float32: boolean }> = {};
  for (const [i, name] of names.entries()) out[name] = dense(await readNpy(paths[i]!), basename(paths[i]!));
  return out;
};

export const importReference: Command = {
  name: 'import-reference',
  summary: "convert a model of the PyTorch reference (spbu-math-cs/Quadric-Intersection) to quadrix's format",
  usage: `quadrix import-reference (--npz FILE | --quadratic Q.npy --linear L.npy --free F.npy |
                          --q-coefs Q.npy --l-coefs L.npy --free-coefs F.npy) --out model.json

  --npz FILE        an archive with either layout's arrays (keys q_coefs/l_coefs/free_coefs
                    or quadratic/linear/free)
  --quadratic …     the reference's save() layout: quadratic (n, n, m) monomial coefficients,
                    linear (n, m), free (1, m)
  --q-coefs …       its trainable parameters: q_coefs (n(n+1)/2, m), l_coefs (n, m), free_coefs (1, m)
  --distance D      the distance the model scores with by default (default dist2)
  --out FILE        the model (JSON); float32 if every input array is float32, else float64`,
  options: {
    npz: { type: 'string' },
    quadratic: { type: 'string' },
    linear: { type: 'string' },
    free: { type: 'string' },
    'q-coefs': { type: 'string' },
    'l-coefs': { type: 'string' },
    'free-coefs': { type: 'string' },
    distance: { type: 'string' },
    out: { type: 'string' },
  },
  run: async (v, io) => {
    const out = required(v, 'out');
    await checkOutputDir(out);
    const distance = choice<Distance>(v, 'distance', DISTANCES, 'dist2');
    const arrays = await loadArrays(v);
    const has = (names: readonly string[]): boolean => names.every((k) => arrays[k] !== undefined);
    let host: HostQuadrics;
    let used: readonly string[];
    // With both layouts present (as export-reference writes), the save() layout wins: S = quadratic/2
    // undoes the export's 2·S exactly, while q·√2 then q/√2 can move an off-diagonal entry by an ulp.
    if (has(SAVED)) {
      host = fromReferenceSaved({ quadratic: arrays.quadratic!, linear: arrays.linear!, free: arrays.free! });
      used = SAVED;
    } else if (has(PACKED)) {
      host = fromReferencePacked({ q_coefs: arrays.q_coefs!, l_coefs: arrays.l_coefs!, free_coefs: arrays.free_coefs! });
      used = PACKED;
    } else {
      throw new QuadrixError('value', `the archive holds ${Object.keys(arrays).join(', ') || 'nothing'}; expected ${PACKED.join(', ')} or ${SAVED.join(', ')}`);
    }
    const dtype: DType = used.every((k) => arrays[k]!.float32) ? 'float32' : 'float64';
    const cast = (a: ArrayLike<number>) => (dtype === 'float32' ? Float32Array.from(a) : Float64Array.from(a));
    const params = { n: host.n, m: host.m, quadratic: cast(host.quadratic), linear: cast(host.linear), free: cast(host.free) };
    await writeFileAtomic(out, new TextEncoder().encode(serializeModel({ n: host.n, m: host.m, distance, dtype, params, training: { importedFrom: 'reference', layout: used.join('/') } })));
    io.out(`imported ${host.m} quadrics in R^${host.n} (${used.join(', ')}, ${dtype}) → ${out}`);
  },
};

export const exportReference: Command = {
  name: 'export-reference',
  summary: "write a model in the PyTorch reference's layouts, as an .npz",
  usage: `quadrix export-reference --model model.json --out file.npz

  Writes q_coefs (n(n+1)/2, m), l_coefs (n, m), free_coefs (1, m) and the save() layout
  quadratic (n, n, m), linear (n, m), free (1, m), in the model's dtype.`,
  options: { model: { type: 'string' }, out: { type: 'string' } },
  run: async (v, io) => {
    const model = parseModel(await readText(required(v, 'model')));
    const out = required(v, 'out');
    await checkOutputDir(out);
    const ref = toReference(model.params);
    const npy = (a: DenseArray): NpyArray =>
      model.dtype === 'float32'
        ? { dtype: '<f4', shape: [...a.shape], data: Float32Array.from(a.data) }
        : { dtype: '<f8', shape: [...a.shape], data: Float64Array.from(a.data) };
    await writeNpz(out, Object.fromEntries(Object.entries(ref).map(([k, a]) => [k, npy(a)])));
    io.out(`exported ${model.m} quadrics in R^${model.n} (${Object.keys(ref).join(', ')}) → ${out}`);
  },
};
