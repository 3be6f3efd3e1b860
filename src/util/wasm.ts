import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { AnminError } from './errors.js';

/** Every kernel module exports its memory (pointers into it are byte offsets) and where free memory starts. */
export interface KernelModule {
  memory: WebAssembly.Memory;
  heapBase(): number;
}

const loaded = new Map<string, KernelModule>();

/**
 * V8 first compiles WebAssembly with its baseline compiler and swaps in optimized code between calls
 * (no on-stack replacement), so a kernel call that runs for seconds (a first pass over the data) runs
 * all of it in baseline code, several times slower (measured: 8× on the diagonal blocks, 1.6× on
 * the products with M). The kernels are small: compiling them optimized up front costs milliseconds.
 * The flag is V8's, process-wide, and only touches WebAssembly compilation.
 */
setFlagsFromString('--no-liftoff');

const compiled = new Map<string, WebAssembly.Module>();

/** Kernel `name` compiled (once per thread): a Module can be posted to a helper thread, which then instantiates this compilation. */
export function compiledKernel(name: string): WebAssembly.Module {
  let m = compiled.get(name);
  if (!m) {
    const url = new URL(`../../wasm/${name}.wasm`, import.meta.url);
    if (!existsSync(url)) throw new AnminError(`${fileURLToPath(url)}: the WebAssembly kernel is not built (run: make build)`);
    m = new WebAssembly.Module(readFileSync(url));
    compiled.set(name, m);
  }
  return m;
}

const importsMemory = (m: WebAssembly.Module) => WebAssembly.Module.imports(m).some((i) => i.kind === 'memory');

/**
 * A module built to share its memory between threads (scripts/build.mjs) imports it: a fresh shared
 * memory (one page holds every module's static data; the maximum must be the build's --maximumMemory,
 * or instantiation fails), or `memory` when a helper thread works on another thread's arrays.
 */
function instantiate(m: WebAssembly.Module, memory?: WebAssembly.Memory): KernelModule {
  const imports: WebAssembly.Imports = importsMemory(m) ? { env: { memory: memory ?? new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }) } } : {};
  return new WebAssembly.Instance(m, imports).exports as unknown as KernelModule;
}

/**
 * The SIMD kernels of assembly/NAME.ts, compiled to dist/wasm/NAME.wasm by `make build`. One instance
 * per thread, loaded on first use; a helper works on a shared-memory module's arrays through `kernelOn`.
 */
export function kernel<T extends KernelModule>(name: string): T {
  let k = loaded.get(name);
  if (!k) {
    k = instantiate(compiledKernel(name));
    loaded.set(name, k);
  }
  return k as T;
}

/**
 * A fresh instance of kernel `name` with a memory of its own, for a caller that keeps state in it
 * between calls (an optimizer's moments), which `kernel`'s one instance per thread could not promise:
 * any other caller may lay its memory out again.
 */
export function ownKernel<T extends KernelModule>(name: string): T {
  return instantiate(compiledKernel(name)) as T;
}

/**
 * Another instance of a kernel (`compiledKernel`'s) on `memory`, another thread's shared kernel memory:
 * a helper working on its arrays. Instantiating rewrites the module's static data in that memory (the
 * same values, zeroed scratch), so it must happen while the owning thread waits, as a Team's setup does.
 */
export function kernelOn<T extends KernelModule>(module: WebAssembly.Module, memory: WebAssembly.Memory): T {
  // An unshared build would get a memory of its own, and the threads would wait for each other forever.
  if (!importsMemory(module)) throw new AnminError('a kernel built without shared memory cannot be shared between threads (run: make build)');
  return instantiate(module, memory) as T;
}

/** The most a 32-bit WebAssembly memory can hold. */
const KERNEL_MEMORY_LIMIT = 2 ** 32;

/** How many times each kernel's memory has been laid out: a caller's claim is the count at its call. */
const claims = new WeakMap<KernelModule, number>();

/**
 * Room for `bytes` from `base` (above the module's own static data, such as the tables of its
 * Math.log). Growing detaches earlier views of an unshared memory. Each call takes the memory over from any earlier caller:
 * `claim` stays current (see `stillClaimed`) until the next call.
 */
function kernelMemory(k: KernelModule, bytes: number): { buffer: ArrayBuffer; base: number; claim: number } {
  const base = k.heapBase();
  // WebAssembly's 32-bit memory stops at 4 GiB: a job asking for more gets a line saying how much.
  if (base + bytes > KERNEL_MEMORY_LIMIT) throw new AnminError(`this job needs ${(bytes / 2 ** 30).toFixed(1)} GiB of kernel memory in one piece, more than WebAssembly's 4 GiB; use fewer hidden units, or --solver cg for ANMIN (no (d+1)h × (d+1)h system)`);
  const short = base + bytes - k.memory.buffer.byteLength;
  if (short > 0) {
    try {
      k.memory.grow(Math.ceil(short / 65536));
    } catch {
      throw new AnminError(`this job needs ${(bytes / 2 ** 30).toFixed(1)} GiB of kernel memory and the machine would not give it; use fewer hidden units or rows`);
    }
  }
  const claim = (claims.get(k) ?? 0) + 1;
  claims.set(k, claim);
  return { buffer: k.memory.buffer, base, claim };
}

/** Element types of the arrays a kernel reads and writes. */
const ELEMENT = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
type Element = keyof typeof ELEMENT;
type ViewOf<E extends Element> = InstanceType<(typeof ELEMENT)[E]>;

/** Named arrays for one kernel call: each name's element type and length. */
export type Layout = Record<string, readonly [Element, number]>;

export interface Allocation<L extends Layout> {
  /** Byte offset of each array in the kernel's memory: the pointers its functions take. */
  at: { [N in keyof L]: number };
  /** A view of each array, valid until the kernel's memory is laid out again. */
  view: { [N in keyof L]: ViewOf<L[N][0]> };
  /** See `stillClaimed`. */
  claim: number;
}

/** Arrays start on 16 bytes, so a SIMD load of a whole array never reads across two of them. */
const ALIGN = 16;

/**
 * The one allocator of kernel memory: the named arrays, one after another (aligned), laid out for one
 * call. Growing the memory detaches earlier views (a shared memory's keep their old length), so callers take fresh ones per call and never keep
 * one across calls.
 */
export function allocate<L extends Layout>(k: KernelModule, layout: L): Allocation<L> {
  const names = Object.keys(layout) as (keyof L & string)[];
  const offsets: number[] = [];
  let bytes = 0;
  for (const name of names) {
    const [type, length] = layout[name];
    offsets.push(bytes);
    bytes += Math.ceil((length * ELEMENT[type].BYTES_PER_ELEMENT) / ALIGN) * ALIGN;
  }
  const { buffer, base, claim } = kernelMemory(k, bytes);
  const at = {} as Allocation<L>['at'];
  const view = {} as Allocation<L>['view'];
  names.forEach((name, i) => {
    const [type, length] = layout[name];
    at[name] = base + offsets[i];
    view[name] = new ELEMENT[type](buffer, base + offsets[i], length) as ViewOf<L[typeof name][0]>;
  });
  return { at, view, claim };
}

/** Whether what a caller left in the kernel's memory at `claim` is still there (nobody laid it out since). */
export function stillClaimed(k: KernelModule, claim: number): boolean {
  return claims.get(k) === claim;
}
