import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AnminError } from './errors.js';

/** Every kernel module exports its memory (pointers into it are byte offsets) and where free memory starts. */
export interface KernelModule {
  memory: WebAssembly.Memory;
  heapBase(): number;
}

const loaded = new Map<string, KernelModule>();

/**
 * The SIMD kernels of assembly/NAME.ts, compiled to dist/wasm/NAME.wasm by `make build`. One instance
 * per thread (worker threads do not share it), loaded on first use.
 */
export function kernel<T extends KernelModule>(name: string): T {
  let k = loaded.get(name);
  if (!k) {
    const url = new URL(`../../wasm/${name}.wasm`, import.meta.url);
    if (!existsSync(url)) throw new AnminError(`${fileURLToPath(url)}: the WebAssembly kernel is not built (run: make build)`);
    k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(url)), {}).exports as unknown as KernelModule;
    loaded.set(name, k);
  }
  return k as T;
}

/** How many times each kernel's memory has been laid out: a caller's claim is the count at its call. */
const claims = new WeakMap<KernelModule, number>();

/**
 * Room for `bytes` of the caller's arrays in the kernel's memory, from `base` (above the module's own
 * static data, such as the tables of its Math.log). Growing detaches earlier views, so callers take
 * fresh views after each call and never keep one across calls. Each call also takes the memory over
 * from any earlier caller: `claim` stays current (see `stillClaimed`) until the next call.
 */
export function kernelMemory(k: KernelModule, bytes: number): { buffer: ArrayBuffer; base: number; claim: number } {
  const base = k.heapBase();
  const short = base + bytes - k.memory.buffer.byteLength;
  if (short > 0) k.memory.grow(Math.ceil(short / 65536));
  const claim = (claims.get(k) ?? 0) + 1;
  claims.set(k, claim);
  return { buffer: k.memory.buffer, base, claim };
}

/** kernelMemory for named arrays of the given sizes in bytes, one after another: where each starts. */
export function kernelLayout<K extends string>(k: KernelModule, bytes: Record<K, number>): { buffer: ArrayBuffer; at: Record<K, number>; claim: number } {
  const entries = Object.entries(bytes) as [K, number][];
  const { buffer, base, claim } = kernelMemory(k, entries.reduce((a, [, b]) => a + b, 0));
  const at = {} as Record<K, number>;
  let off = base;
  for (const [name, b] of entries) {
    at[name] = off;
    off += b;
  }
  return { buffer, at, claim };
}

/** Whether what a caller left in the kernel's memory at `claim` is still there (nobody laid it out since). */
export function stillClaimed(k: KernelModule, claim: number): boolean {
  return claims.get(k) === claim;
}
