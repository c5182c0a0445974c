import { QuadrixError, isDType, type DType, type FloatArray } from '@quadrix/core';
import { isDistance, type Distance } from './distances.js';
import { checkSizes, type HostQuadrics } from './quadrics.js';
import type { OptimizerState } from './optimizers.js';
import type { Checkpoint, EpochRecord } from './trainer.js';

export const MODEL_FORMAT = 'quadrix.quadrics';
export const MODEL_VERSION = 1;

/** What a model file records about how the model was trained (free-form, JSON values). */
export type TrainingRecord = { readonly [key: string]: string | number | boolean | null | TrainingRecord | readonly unknown[] };

/**
 * A quadric model as stored: sizes, the distance it scores with, the parameters in their dtype
 * (S_i symmetric [m, n, n], b [m, n], c [m], row-major) and how it was trained.
 */
export interface ModelFile {
  readonly n: number;
  readonly m: number;
  readonly distance: Distance;
  readonly dtype: DType;
  readonly params: HostQuadrics & { readonly quadratic: FloatArray; readonly linear: FloatArray; readonly free: FloatArray };
  readonly training?: TrainingRecord;
}

const fail = (detail: string): never => {
  throw new QuadrixError('value', `model file: ${detail}`);
};

// Little-endian IEEE bytes in base64, written through a DataView so the file is the same on any host.
const encode = (values: FloatArray): string => {
  const width = values instanceof Float64Array ? 8 : 4;
  const view = new DataView(new ArrayBuffer(values.length * width));
  values.forEach((v, i) => (width === 8 ? view.setFloat64(i * 8, v, true) : view.setFloat32(i * 4, v, true)));
  const bytes = new Uint8Array(view.buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};

const decode = (text: unknown, dtype: DType, count: number, name: string): FloatArray => {
  if (typeof text !== 'string') return fail(`parameters.${name} must be a base64 string`);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return fail(`parameters.${name} is not valid base64`);
  }
  const width = dtype === 'float64' ? 8 : 4;
  if (binary.length !== count * width) {
    return fail(`parameters.${name} holds ${binary.length / width} ${dtype} values, expected ${count}`);
  }
  const view = new DataView(Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer);
  const out = dtype === 'float64' ? new Float64Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = width === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`parameters.${name}[${bad}] is ${out[bad]}`);
  return out;
};

/** The model as JSON text (format `quadrix.quadrics`, version 1); `parseModel` restores it bit for bit. */
export const serializeModel = (model: ModelFile): string =>
  JSON.stringify(
    {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      n: model.n,
      m: model.m,
      distance: model.distance,
      dtype: model.dtype,
      ...(model.training ? { training: model.training } : {}),
      parameters: {
        encoding: 'base64-le',
        quadratic: encode(model.params.quadratic),
        linear: encode(model.params.linear),
        free: encode(model.params.free),
      },
    },
    null,
    2,
  ) + '\n';

/** Parses and validates a model file; every problem is a QuadrixError naming the field. */
export const parseModel = (text: string): ModelFile => {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object') return fail('not a JSON object');
  if (json.format !== MODEL_FORMAT) return fail(`format is ${JSON.stringify(json.format)}, expected "${MODEL_FORMAT}"`);
  if (json.version !== MODEL_VERSION) return fail(`version ${JSON.stringify(json.version)} is not supported (this reader knows ${MODEL_VERSION})`);
  const { n, m, distance, dtype } = json;
  if (typeof n !== 'number' || typeof m !== 'number') return fail('n and m must be numbers');
  checkSizes('model file', n, m);
  if (!isDistance(distance)) return fail(`unknown distance ${JSON.stringify(distance)}`);
  if (!isDType(dtype)) return fail(`unknown dtype ${JSON.stringify(dtype)}`);
  const p = json.parameters as Record<string, unknown> | undefined;
  if (!p || p.encoding !== 'base64-le') return fail('parameters.encoding must be "base64-le"');
  const params = {
    n,
    m,
    quadratic: decode(p.quadratic, dtype, m * n * n, 'quadratic'),
    linear: decode(p.linear, dtype, m * n, 'linear'),
    free: decode(p.free, dtype, m, 'free'),
  };
  const training = json.training as TrainingRecord | undefined;
  return { n, m, distance, dtype, params, ...(training ? { training } : {}) };
};

export const CHECKPOINT_FORMAT = 'quadrix.checkpoint';

const dtypeOf = (a: FloatArray): DType => (a instanceof Float64Array ? 'float64' : 'float32');

const packArray = (a: FloatArray) => ({ dtype: dtypeOf(a), length: a.length, base64: encode(a) });

const unpackArray = (v: unknown, name: string): FloatArray => {
  const o = v as { dtype?: unknown; length?: unknown; base64?: unknown } | null;
  if (!o || !isDType(o.dtype) || typeof o.length !== 'number') return fail(`checkpoint field ${name} is malformed`);
  return decode(o.base64, o.dtype, o.length, name);
};

const packParams = (h: HostQuadrics) => ({
  n: h.n,
  m: h.m,
  quadratic: packArray(h.quadratic as FloatArray),
  linear: packArray(h.linear as FloatArray),
  free: packArray(h.free as FloatArray),
});

const unpackParams = (v: unknown, name: string): HostQuadrics => {
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o.n !== 'number' || typeof o.m !== 'number') return fail(`checkpoint field ${name} is malformed`);
  return { n: o.n, m: o.m, quadratic: unpackArray(o.quadratic, `${name}.quadratic`), linear: unpackArray(o.linear, `${name}.linear`), free: unpackArray(o.free, `${name}.free`) };
};

/** A training checkpoint as JSON (exact: arrays in base64 in their dtype). */
export const serializeCheckpoint = (c: Checkpoint): string => {
  const moments = c.optimizer.moments;
  return JSON.stringify({
    format: CHECKPOINT_FORMAT,
    version: 1,
    epoch: c.epoch,
    step: c.step,
    params: packParams(c.params),
    optimizer: {
      name: c.optimizer.name,
      t: c.optimizer.t,
      ...(moments
        ? { moments: Object.fromEntries(Object.entries(moments).map(([k, [m1, m2]]) => [k, [packArray(m1), packArray(m2)]])) }
        : {}),
    },
    history: c.history,
    ...(c.best ? { best: { epoch: c.best.epoch, validationLoss: c.best.validationLoss, params: packParams(c.best.params) } } : {}),
  }) + '\n';
};

export const parseCheckpoint = (text: string): Checkpoint => {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return fail(`checkpoint is not JSON (${(e as Error).message})`);
  }
  if (j?.format !== CHECKPOINT_FORMAT || j.version !== 1) return fail(`not a ${CHECKPOINT_FORMAT} version 1 file`);
  const opt = j.optimizer as { name?: unknown; t?: unknown; moments?: Record<string, [unknown, unknown]> };
  if (opt?.name !== 'sgd' && opt?.name !== 'adam') return fail('checkpoint optimizer is malformed');
  const moments = opt.moments
    ? (Object.fromEntries(
        Object.entries(opt.moments).map(([k, [a, b]]) => [k, [unpackArray(a, `moments.${k}`), unpackArray(b, `moments.${k}`)]]),
      ) as unknown as OptimizerState['moments'])
    : undefined;
  const best = j.best as { epoch: number; validationLoss: number; params: unknown } | undefined;
  return {
    epoch: j.epoch as number,
    step: j.step as number,
    params: unpackParams(j.params, 'params'),
    optimizer: { name: opt.name, t: opt.t as number, ...(moments ? { moments } : {}) },
    history: j.history as EpochRecord[],
    ...(best ? { best: { epoch: best.epoch, validationLoss: best.validationLoss, params: unpackParams(best.params, 'best.params') } } : {}),
  };
};
