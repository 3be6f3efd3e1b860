import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AnminError } from '../util/errors.js';

/** The SIMD kernels of assembly/, compiled to dist/wasm/ by `make build`. */
export interface FiringKernel {
  memory: WebAssembly.Memory;
  accumulate(acc: number, sums: number, fired: number, start: number, count: number, q: number, h: number, j0: number, j1: number): void;
}

let kernel: FiringKernel | undefined;

/** One instance per thread (worker threads do not share it); loaded on first use. */
export function firingKernel(): FiringKernel {
  if (!kernel) {
    const url = new URL('../../wasm/firing.wasm', import.meta.url);
    if (!existsSync(url)) throw new AnminError(`${fileURLToPath(url)}: the WebAssembly kernel is not built (run: make build)`);
    kernel = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(url)), {}).exports as unknown as FiringKernel;
  }
  return kernel;
}

/** The kernel's memory, grown to hold at least `bytes` (growing detaches earlier views: take new ones). */
export function kernelBuffer(k: FiringKernel, bytes: number): ArrayBuffer {
  const short = bytes - k.memory.buffer.byteLength;
  if (short > 0) k.memory.grow(Math.ceil(short / 65536));
  return k.memory.buffer;
}
