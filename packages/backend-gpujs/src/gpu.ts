/**
 * The one place that touches gpu.js's loosely typed surface: creating the GPU, compiling kernels
 * from generated source, wrapping typed arrays, naming the kernel class that really ran, and
 * reading or freeing what a kernel produced. Everything else in the package sees the narrow
 * types below.
 */
import {
  CPUKernel, GPU, HeadlessGLKernel, Input, WebAssemblyKernel, WebGL2Kernel, WebGLKernel,
  type IKernelRunShortcut, type Texture,
} from 'gpu.js';

/** gpu.js's kernel classes, by the names its documentation uses. */
export type KernelClass =
  | 'WebGL2Kernel' | 'WebGLKernel' | 'HeadlessGLKernel' | 'WebAssemblyKernel' | 'CPUKernel';

/** The modes gpu.js can be asked for: 'gpu' lets it choose (and it may choose webasm). */
export type GpujsMode = 'gpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu';

/** The GL classes: the ones that run on a graphics device (real or software). */
export const GL_CLASSES: readonly KernelClass[] = ['WebGL2Kernel', 'WebGLKernel', 'HeadlessGLKernel'];

/** What a kernel produced: a GL texture (GL classes) or a typed array (webasm, cpu). */
export type Stored = Texture | Float32Array;

/** An argument as gpu.js receives it. */
export type KernelArg = Stored | Input | number;

/** A compiled kernel, narrowed to what the backend uses. */
export interface CompiledKernel {
  /** Runs on `args` with an output of `size` elements (1-D); returns the output storage. */
  run(args: readonly KernelArg[], size: number): Stored;
  /** The class of the kernel object that ran last (gpu.js may swap in a CPU fallback). */
  kernelClass(): KernelClass;
  /** gpu.js's reason when it fell back to another class, if any. */
  fallbackReason(): string | undefined;
  destroy(): void;
}

export interface GpuHandle {
  readonly gpu: GPU;
  /** The class gpu.js chose for new kernels. */
  readonly chosen: KernelClass;
  /** The GL context's renderer string, where there is one. */
  readonly renderer: string | undefined;
  compile(source: string, opts: { readonly functions: readonly string[] }): CompiledKernel;
}

// Most specific first: HeadlessGLKernel and WebGL2Kernel both extend WebGLKernel.
const CLASSES: readonly [KernelClass, unknown][] = [
  ['HeadlessGLKernel', HeadlessGLKernel],
  ['WebGL2Kernel', WebGL2Kernel],
  ['WebGLKernel', WebGLKernel],
  ['WebAssemblyKernel', WebAssemblyKernel],
  ['CPUKernel', CPUKernel],
];

/** The class of a gpu.js kernel object or kernel constructor. */
export const classOf = (kernelOrConstructor: unknown): KernelClass => {
  const ctor = (typeof kernelOrConstructor === 'function' ? kernelOrConstructor : (kernelOrConstructor as { constructor: unknown }).constructor) as {
    prototype: unknown;
  };
  for (const [name, cls] of CLASSES) {
    if (ctor === cls || (cls as { prototype: object }).prototype.isPrototypeOf(ctor.prototype as object)) return name;
  }
  throw new Error(`gpu.js kernel of an unknown class (${String((ctor as { name?: string }).name)})`);
};

/** Wraps a typed array for gpu.js (its types declare number[]; a Float32Array is what it reads). */
export const inputOf = (values: Float32Array): Input => new Input(values as unknown as number[], [values.length]);

/** Reads every element of what a kernel produced (a fresh array the caller owns). */
export const readStored = (s: Stored, size: number): Float32Array => {
  if (s instanceof Float32Array) return s.slice(0, size);
  return (s.toArray() as Float32Array).slice(0, size);
};

/** A second reference to the same storage (textures count references; arrays are immutable). */
export const shareStored = (s: Stored): Stored => (s instanceof Float32Array ? s : s.clone());

export const releaseStored = (s: Stored): void => {
  if (!(s instanceof Float32Array)) s.delete();
};

const rendererOf = (context: unknown): string | undefined => {
  const gl = context as { getParameter?: (p: number) => unknown; RENDERER?: number; getExtension?: (n: string) => unknown } | null;
  if (!gl || typeof gl.getParameter !== 'function' || gl.RENDERER === undefined) return undefined;
  try {
    const debug = gl.getExtension?.('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null | undefined;
    return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return undefined;
  }
};

/**
 * Settings every kernel gets: 1-D outputs resized per call (dynamicOutput) over inputs whose sizes
 * vary per call (dynamicArguments), so one compiled kernel serves a whole shape class; outputs stay
 * in GPU textures (pipeline) and every run writes a new one (immutable); float32 textures
 * (precision 'single', never 'unsigned') holding four values per texel (optimizeFloatMemory), at
 * highp everywhere (tactic 'precision': gpu.js would otherwise pick lowp/mediump for small
 * textures).
 */
const KERNEL_SETTINGS = {
  output: [1],
  dynamicOutput: true,
  dynamicArguments: true,
  pipeline: true,
  immutable: true,
  precision: 'single',
  tactic: 'precision',
  optimizeFloatMemory: true,
  strictIntegers: false,
} as const;

export const createGpu = (mode: GpujsMode): GpuHandle => {
  const gpu = new GPU({ mode } as ConstructorParameters<typeof GPU>[0]);
  const chosen = classOf((gpu as unknown as { Kernel: unknown }).Kernel);
  let renderer: string | undefined;
  return {
    gpu,
    chosen,
    // gpu.js makes its GL context with the first kernel; until then there is nothing to ask.
    get renderer() {
      renderer ??= rendererOf(gpu.context);
      return renderer;
    },
    compile: (source, { functions }) => {
      const shortcut: IKernelRunShortcut = gpu.createKernel(source, {
        ...KERNEL_SETTINGS,
        functions: functions as unknown as [],
      } as unknown as Parameters<GPU['createKernel']>[1]);
      const loose = shortcut as unknown as {
        kernel: { constructor: unknown; fallbackReason?: string | null; texture?: Texture | null };
        setOutput(o: number[]): unknown;
        destroy(removeCanvasReferences?: boolean): void;
      } & ((...args: unknown[]) => unknown);
      return {
        run: (args, size) => {
          // setOutput on every run, even at an unchanged size: on GL it gives the kernel a fresh
          // output texture. gpu.js's own immutable path (re-rendering after `beforeMutate`) left
          // rows of stale values from an earlier run on headless-gl, seen as wrong sums; and the
          // kernel no longer holds a reference that would make it allocate one (below).
          loose.setOutput([size]);
          const out = loose(...args) as Stored;
          // The result is a clone sharing the kernel's output texture; drop the kernel's reference so
          // that disposing the tensor frees the texture at once, not at this kernel's next run.
          const own = loose.kernel.texture;
          if (own && own !== out && !(out instanceof Float32Array)) own.delete();
          return out;
        },
        kernelClass: () => classOf(loose.kernel),
        fallbackReason: () => loose.kernel.fallbackReason ?? undefined,
        destroy: () => loose.destroy(),
      };
    },
  };
};
