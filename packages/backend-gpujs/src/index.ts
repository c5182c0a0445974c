/**
 * @quadrix/backend-gpujs: every primitive of @quadrix/core and the fused quadric kernel as gpu.js
 * kernels. WebGL2 in browsers, headless-gl in Node (with a display), and gpu.js's WebAssembly or
 * CPU modes where no GL context exists, always saying which one really runs. float32 only.
 */
import { QuadrixError, type Backend, type DType, type FloatArray, type KernelTable, type OutputInfo, type Shape } from '@quadrix/core';
import {
  GL_CLASSES, createGpu, inputOf, readStored, releaseStored, shareStored,
  type CompiledKernel, type GpujsMode, type KernelArg, type KernelClass, type Stored,
} from './gpu.js';
import { makeKernels, type LaunchArg, type Launcher } from './kernels.js';
import { readTextureAsync } from './readback.js';
import { ACCURATE_LOG, IDIV, uploadSource, type Source } from './sources.js';
import { GpujsHandle } from './storage.js';

export { GpujsHandle } from './storage.js';
export { GL_CLASSES, type GpujsMode, type KernelClass } from './gpu.js';

/** What a user may insist on: any GL class ('gpu'), or one gpu.js mode. */
export type KernelRequirement = 'gpu' | Exclude<GpujsMode, 'gpu'>;

export interface GpujsOptions {
  /** The gpu.js mode to ask for (default 'gpu': gpu.js picks, and falls back to webasm or cpu). */
  readonly mode?: GpujsMode;
  /**
   * Fail, with a 'backend' QuadrixError, unless gpu.js runs this kind of kernel: at creation for
   * the class gpu.js chose, and at every launch for the class that really ran (gpu.js may swap
   * a kernel for a CPU one when it cannot compile it).
   */
  readonly require?: KernelRequirement;
}

export interface GpujsBackend extends Backend<GpujsHandle> {
  /** The gpu.js kernel class chosen for this backend's kernels. */
  readonly kernelClass: KernelClass;
  /** One line: the kernel class really running (and any other that ran), gpu.js's mode, the GL renderer. */
  describe(): string;
  /** Every kernel class that has really run a kernel of this backend (a CPU fallback shows here). */
  kernelClassesRun(): readonly KernelClass[];
  /** How many kernels have been compiled: one per shape class, never one per call. */
  compiledKernels(): number;
  /** Frees every compiled kernel and the GPU context; the backend is unusable afterwards. */
  destroy(): void;
}

/** Above this many elements float32 index arithmetic is no longer exact. */
export const MAX_ELEMENTS = 2 ** 24;

const REQUIREMENT: Record<KernelRequirement, readonly KernelClass[]> = {
  gpu: GL_CLASSES,
  webgl2: ['WebGL2Kernel'],
  webgl: ['WebGLKernel'],
  headlessgl: ['HeadlessGLKernel'],
  webasm: ['WebAssemblyKernel'],
  cpu: ['CPUKernel'],
};

const MODES: readonly GpujsMode[] = ['gpu', 'webgl2', 'webgl', 'headlessgl', 'webasm', 'cpu'];

const HINT =
  'in Node a GL context needs the optional native `gl` package (built by pnpm, see README) and a display ' +
  '(e.g. `xvfb-run -a`); in browsers WebGL2 must be enabled';

/**
 * A new gpu.js backend. Each call makes its own gpu.js instance, kernel cache and live-tensor
 * count. Throws a 'backend' QuadrixError when `require` is not met.
 */
export const gpujsBackend = (opts: GpujsOptions = {}): GpujsBackend => {
  const mode = opts.mode ?? 'gpu';
  if (!MODES.includes(mode)) {
    throw new QuadrixError('argument', `gpujs: unknown mode '${String(mode)}' (one of ${MODES.join(', ')})`);
  }
  if (opts.require !== undefined && !Object.hasOwn(REQUIREMENT, opts.require)) {
    throw new QuadrixError('argument', `gpujs: unknown requirement '${String(opts.require)}' (one of ${Object.keys(REQUIREMENT).join(', ')})`);
  }
  const allowed = opts.require ? REQUIREMENT[opts.require] : undefined;
  let gpu: ReturnType<typeof createGpu>;
  try {
    gpu = createGpu(mode);
  } catch (e) {
    throw new QuadrixError('backend', `gpujs: gpu.js cannot run mode '${mode}' here (${(e as Error).message}); ${HINT}`);
  }
  const chosen = gpu.chosen;
  const isGL = GL_CLASSES.includes(chosen);
  if (allowed && !allowed.includes(chosen)) {
    throw new QuadrixError(
      'backend',
      `gpujs: required ${opts.require} (${allowed.join(' or ')}) but gpu.js ${mode === 'gpu' ? 'fell back to' : 'chose'} ${chosen}; ${HINT}`,
    );
  }

  const cache = new Map<string, CompiledKernel>();
  const ran = new Set<KernelClass>();
  const live = new Set<GpujsHandle>();
  let destroyed = false;

  const made = (h: GpujsHandle): GpujsHandle => {
    live.add(h);
    return h;
  };

  const compiled = (source: Source): CompiledKernel => {
    let k = cache.get(source.key);
    if (!k) {
      k = gpu.compile(source.text, { functions: [IDIV, ACCURATE_LOG] });
      cache.set(source.key, k);
    }
    return k;
  };

  const argOf = (a: LaunchArg): KernelArg => {
    if (typeof a === 'number') return a;
    if (a instanceof Float32Array) return inputOf(a);
    if (a.stored === null) throw new Error('gpujs: a kernel was handed a tensor with no elements');
    return a.stored instanceof Float32Array ? inputOf(a.stored) : a.stored;
  };

  /** Runs one kernel; checks the class that ran and keeps GL results in textures. */
  const launch = (source: Source, args: readonly LaunchArg[], size: number, uploading = false): Stored => {
    if (destroyed) throw new QuadrixError('backend', 'gpujs: this backend has been destroyed');
    if (size > MAX_ELEMENTS) {
      throw new QuadrixError('argument', `gpujs: ${size} elements exceed the ${MAX_ELEMENTS} this backend indexes exactly`);
    }
    const kernel = compiled(source);
    let out = kernel.run(args.map(argOf), size);
    const cls = kernel.kernelClass();
    ran.add(cls);
    if (allowed && !allowed.includes(cls)) {
      releaseStored(out);
      const why = kernel.fallbackReason();
      throw new QuadrixError(
        'backend',
        `gpujs: required ${opts.require} but kernel '${source.key}' ran on ${cls}${why ? ` (${why})` : ''}`,
      );
    }
    if (isGL && out instanceof Float32Array) {
      // A kernel gpu.js moved to its CPU fallback: bring its result back into a texture, so
      // that every GL kernel keeps seeing textures.
      if (uploading) throw new QuadrixError('backend', `gpujs: gpu.js could not upload to ${chosen} (${kernel.fallbackReason() ?? 'no reason given'})`);
      out = upload(out);
    }
    return out;
  };

  /** Host values into a texture (GL), through a copy kernel. */
  const upload = (values: Float32Array): Stored => launch(uploadSource(), [values], values.length, true);

  const launcher: Launcher = {
    run: (source, args, size) => made(new GpujsHandle(launch(source, args, size), size)),
    empty: () => made(new GpujsHandle(null, 0)),
    alias: (h) => made(new GpujsHandle(h.stored === null ? null : shareStored(h.stored), h.size)),
    release: (h) => dispose(h),
  };

  const dispose = (h: GpujsHandle): void => {
    if (!live.delete(h)) return;
    if (h.stored !== null && !destroyed) releaseStored(h.stored);
  };

  const read = async (h: GpujsHandle): Promise<FloatArray> => {
    if (h.stored === null) return new Float32Array(0);
    if (h.stored instanceof Float32Array) return h.stored.slice(0, h.size);
    return (await readTextureAsync(h.stored, h.size)) ?? readStored(h.stored, h.size);
  };

  const kernels: KernelTable<GpujsHandle> = makeKernels(launcher, { accurateLog: isGL });

  return {
    name: 'gpujs',
    dtypes: ['float32'] as readonly DType[],
    kernelClass: chosen,
    upload: (values: FloatArray, shape: Shape, _dtype: DType) => {
      const size = values.length;
      if (size === 0) return made(new GpujsHandle(null, 0));
      if (size > MAX_ELEMENTS) {
        throw new QuadrixError('argument', `gpujs: shape [${shape.join(', ')}] exceeds the ${MAX_ELEMENTS} elements this backend indexes exactly`);
      }
      const copy = Float32Array.from(values);
      return made(new GpujsHandle(isGL ? upload(copy) : copy, size));
    },
    read: (h: GpujsHandle, _info: OutputInfo) => read(h),
    dispose,
    liveTensors: () => live.size,
    describe: () => {
      const others = [...ran].filter((c) => c !== chosen);
      const renderer = isGL ? gpu.renderer : undefined;
      return (
        `gpujs ${chosen}${others.length ? ` (also ran: ${others.join(', ')})` : ''} ` +
        `(gpu.js mode '${mode}', float32${renderer ? `, ${renderer}` : ''})`
      );
    },
    kernelClassesRun: () => [...ran],
    compiledKernels: () => cache.size,
    destroy: () => {
      if (destroyed) return;
      for (const k of cache.values()) k.destroy();
      cache.clear();
      destroyed = true;
      void gpu.gpu.destroy();
    },
    kernels,
  };
};
