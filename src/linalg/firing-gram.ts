import { kernel, kernelMemory, type KernelModule } from '../util/wasm.js';

interface FiringKernel extends KernelModule {
  accumulate(acc: number, sums: number, fired: number, start: number, count: number, q: number, h: number, j0: number, j1: number): void;
}

/**
 * The expensive part of ANMIN: for every pair of hidden neurons j ≤ l, the packed symmetric
 * (p×p) matrix U^F_jl = Σ_i F_ij F_il x̃_i x̃_iᵀ over the rows where both fire. Three structures make it
 * cheap: x̃ x̃ᵀ is symmetric (p(p+1)/2 entries, not p²), only firing pairs contribute, and rows sharing
 * a firing pattern are summed once (the SDF data has ~1,000 patterns in 58k rows).
 *
 * Rows are reduced in fixed chunks whose partial sums are added in chunk order, so the result is the
 * same bit for bit however the chunks are later spread over workers.
 */

export const CHUNK_ROWS = 4096;

export function packedSize(p: number): number {
  return (p * (p + 1)) / 2;
}

export function pairCount(h: number): number {
  return (h * (h + 1)) / 2;
}

/** Offset of pair (j, j) in the packed upper triangle of an h×h matrix; pair (j, l) is that + l − j. */
export function pairOffset(j: number, h: number): number {
  return j * h - (j * (j - 1)) / 2;
}

/** Upper triangle of x xᵀ, row by row, into out[0..q). */
export function packedOuter(x: Float64Array, off: number, p: number, out: Float64Array, outOff = 0): void {
  let t = outOff;
  for (let a = 0; a < p; a++) {
    const va = x[off + a];
    for (let b = a; b < p; b++) out[t++] = va * x[off + b];
  }
}

/**
 * Accumulates rows [r0, r1) into `acc` (pairCount(h) × packedSize(p)), using pre-activations z (n×h).
 * Reference-simple and exact; `firingGram` below is the version the solver uses.
 */
export function firingGramPlain(x: Float64Array, z: Float64Array, p: number, h: number, r0: number, r1: number, acc: Float64Array): void {
  const q = packedSize(p);
  const qi = new Float64Array(q);
  for (let i = r0; i < r1; i++) {
    packedOuter(x, i * p, p, qi);
    for (let j = 0; j < h; j++) {
      if (!(z[i * h + j] > 0)) continue;
      const oj = pairOffset(j, h);
      for (let l = j; l < h; l++) {
        if (!(z[i * h + l] > 0)) continue;
        const base = (oj + l - j) * q;
        for (let t = 0; t < q; t++) acc[base + t] += qi[t];
      }
    }
  }
}

/** Bytes of accumulator one neuron block may span, so it stays in a 1 MB L2 cache beside its inputs. */
const BLOCK_BYTES = 384 * 1024;

/**
 * Rows [r0, r1) grouped by firing pattern, each group's Σ x̃x̃ᵀ then added to its firing pairs by the
 * WebAssembly SIMD kernel, neuron block by neuron block so the slice of the accumulator being written
 * stays in cache. Returns the chunk's sums (pairCount(h) × packedSize(p)), a view into kernel memory
 * that the next call overwrites.
 */
export function firingGramChunk(x: Float64Array, z: Float64Array, p: number, h: number, r0: number, r1: number): Float64Array {
  const q = packedSize(p);
  const rows = r1 - r0;
  const accLen = pairCount(h) * q;
  // Kernel memory: accumulator, group sums (≤ one group per row), firing lists, list starts.
  const k = kernel<FiringKernel>('firing');
  const { buffer: buf, base } = kernelMemory(k, accLen * 8 + rows * q * 8 + rows * h * 4 + (rows + 1) * 4);
  const sumsAt = base + accLen * 8;
  const firedAt = sumsAt + rows * q * 8;
  const startAt = firedAt + rows * h * 4;
  const acc = new Float64Array(buf, base, accLen);
  const sums = new Float64Array(buf, sumsAt, rows * q);
  const fired = new Int32Array(buf, firedAt, rows * h);
  const start = new Int32Array(buf, startAt, rows + 1);
  acc.fill(0);
  sums.fill(0);
  start[0] = 0;
  const groups = new Map<string, number>();
  const codes = new Array<number>(Math.ceil(h / 16));
  const fire = new Int32Array(h);
  let count = 0;
  for (let i = r0; i < r1; i++) {
    codes.fill(0);
    let m = 0;
    for (let j = 0; j < h; j++) {
      if (z[i * h + j] > 0) {
        codes[j >> 4] |= 1 << (j & 15);
        fire[m++] = j;
      }
    }
    if (m === 0) continue;
    const key = String.fromCharCode(...codes);
    let g = groups.get(key);
    if (g === undefined) {
      g = count++;
      groups.set(key, g);
      fired.set(fire.subarray(0, m), start[g]);
      start[g + 1] = start[g] + m;
    }
    const off = i * p;
    for (let a = 0, t = g * q; a < p; a++) {
      const va = x[off + a];
      for (let b = a; b < p; b++) sums[t++] += va * x[off + b];
    }
  }
  const block = Math.max(1, Math.floor(BLOCK_BYTES / (8 * q * h)));
  for (let j0 = 0; j0 < h; j0 += block) k.accumulate(base, sumsAt, firedAt, startAt, count, q, h, j0, Math.min(h, j0 + block));
  return acc;
}

/** Σ over all rows, chunk by chunk in order. */
export function firingGram(x: Float64Array, z: Float64Array, n: number, p: number, h: number, chunkRows = CHUNK_ROWS): Float64Array {
  const total = new Float64Array(pairCount(h) * packedSize(p));
  for (let r0 = 0; r0 < n; r0 += chunkRows) {
    const part = firingGramChunk(x, z, p, h, r0, Math.min(n, r0 + chunkRows));
    for (let t = 0; t < total.length; t++) total[t] += part[t];
  }
  return total;
}

/** Σ_i x̃_i x̃_iᵀ packed: the leaky ReLU's always-on part. */
export function packedGram(x: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(packedSize(p));
  for (let i = 0; i < n; i++) {
    const off = i * p;
    for (let a = 0, t = 0; a < p; a++) {
      const va = x[off + a];
      for (let b = a; b < p; b++) out[t++] += va * x[off + b];
    }
  }
  return out;
}
