import { availableParallelism } from 'node:os';
import { copyRows } from '../util/rows.js';
import { sharedFloat64, toShared } from '../util/shared.js';
import { addFloat32 } from './float32.js';
import { Team } from '../util/team.js';
import { allocate, kernel, type KernelModule } from '../util/wasm.js';

/**
 * The expensive part of ANMIN: for every pair of hidden neurons j ≤ l, the packed symmetric
 * (p×p) matrix U^F_jl = Σ_i F_ij F_il x̃_i x̃_iᵀ over the rows where both fire. x̃ x̃ᵀ is symmetric
 * (p(p+1)/2 entries, not p²), only firing pairs contribute, rows sharing a firing pattern are summed
 * once (the SDF data has ~1,000 patterns in 58k rows), and groups are added 64 at a time through
 * subset tables (assembly/firing.ts says how).
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
 * Reference-simple and exact; FiringPairs below is the version the solver uses.
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

interface FiringKernel extends KernelModule {
  group(x: number, n: number, p: number, h: number, A: number, z: number, key: number, table: number, tableSize: number, pats: number, sums: number): number;
  accumulate(acc: number, sums: number, pats: number, count: number, p: number, h: number, t0: number, t1: number, cols: number, tables: number): void;
  addRounded(total: number, acc: number, len: number): void;
  SUBSET_TABLE_BYTES: WebAssembly.Global;
}

/** q rounded up to 8: the kernel's stride for group sums (whole register tiles). */
function paddedSize(p: number): number {
  return Math.ceil(packedSize(p) / 8) * 8;
}

/** What every thread of a FiringPairs reads: the rows, the current A, where to write its entries. */
export interface PairState {
  x: Float64Array;
  n: number;
  p: number;
  h: number;
  chunkRows: number;
  A: Float64Array;
  /** pairCount(h) × packedSize(p): thread t writes entries [split[t], split[t + 1]) of every pair. */
  out: Float64Array;
  /** Moved between calls to balance the threads (results do not depend on it). */
  split: Int32Array;
  /** Milliseconds each thread spent in its last compute. */
  busy: Float64Array;
  /**
   * Float32 batches (the published code's accumulation): rows taken in `order`, each chunk of
   * chunkRows rows summed, rounded to float32 and added to a float32 total. Null: exact sums.
   */
  order: Int32Array | null;
}

/**
 * One thread's share of the firing-pair sums: a range of the q entries of every pair, over all rows.
 * Each entry's sum runs over the same chunks, blocks and groups in the same order whichever thread
 * computes it, so the result does not depend on the number of threads. Kernel memory is laid out
 * afresh per call (the rows are copied in each time), so no view outlives a call.
 */
export class PairShare {
  private readonly k = kernel<FiringKernel>('firing');

  constructor(private readonly s: PairState, private readonly thread: number) {}

  compute(): void {
    const started = performance.now();
    try {
      this.computeShare();
    } finally {
      this.s.busy[this.thread] = performance.now() - started;
    }
  }

  private computeShare(): void {
    const { x, n, p, h, chunkRows, A, out, split, order } = this.s;
    const t0 = split[this.thread];
    const t1 = split[this.thread + 1];
    if (t0 === t1) return;
    const q = packedSize(p);
    const rows = Math.min(n, chunkRows);
    const words = Math.ceil(h / 64);
    let tableSize = 2;
    while (tableSize < 2 * rows) tableSize *= 2;
    const pairs = pairCount(h);
    const width = t1 - t0;
    // Group sums are padded to whole blocks of 64 groups; a pattern is `words` 64-bit words.
    const { at, view } = allocate(this.k, {
      x: ['f64', n * p], A: ['f64', p * h], z: ['f64', h], key: ['f64', words], table: ['i32', tableSize], pats: ['f64', rows * words],
      sums: ['f64', Math.ceil(rows / 64) * 64 * paddedSize(p)], cols: ['f64', h], tables: ['u8', this.k.SUBSET_TABLE_BYTES.value as number], acc: ['f64', pairs * width],
      total: ['f32', order ? pairs * width : 0],
    });
    if (order) copyRows(view.x, x, p, order, 0, n);
    else view.x.set(x.subarray(0, n * p));
    view.A.set(A);
    const acc = view.acc;
    const total = order ? view.total : acc;
    acc.fill(0);
    total.fill(0);
    for (let r0 = 0; r0 < n; r0 += rows) {
      const m = Math.min(rows, n - r0);
      const count = this.k.group(at.x + r0 * p * 8, m, p, h, at.A, at.z, at.key, at.table, tableSize, at.pats, at.sums);
      this.k.accumulate(at.acc, at.sums, at.pats, count, p, h, t0, t1, at.cols, at.tables);
      if (order) this.k.addRounded(at.total, at.acc, pairs * width);
    }
    // Entries past q are the padding of the last tile.
    const used = Math.min(t1, q) - t0;
    for (let k = 0; k < pairs; k++) for (let e = 0; e < used; e++) out[k * q + t0 + e] = total[k * width + e];
  }
}

/**
 * Entry boundaries (multiples of 8): this thread (0) takes `own` units of 8 entries, the helpers share
 * the rest as evenly as they can.
 */
function splitEntries(units: number, own: number, threads: number, out: Int32Array): void {
  out[0] = 0;
  for (let t = 1; t <= threads; t++) out[t] = 8 * (own + Math.round(((units - own) * (t - 1)) / Math.max(1, threads - 1)));
  out[threads] = 8 * units;
}

/**
 * The firing-pair sums U^F (pairCount(h) × packedSize(p)) of the rows x under successive hidden
 * weights A, on `threads` threads that each own a range of the q entries of every pair. Rows are
 * grouped by firing pattern in fixed chunks of `chunkRows`, so the numbers depend on the chunk size
 * (by rounding only) but not on the thread count.
 */
export class FiringPairs {
  private readonly s: PairState;
  private readonly team: Team<PairShare>;
  private readonly threads: number;
  private readonly units: number;
  /** Units of 8 entries this thread computes; the helpers take the rest. */
  private own: number;
  /** `prefetch`: the weights the helpers are working on, and when they started. */
  private ahead: { A: Float64Array; at: number } | null = null;

  constructor(x: Float64Array, n: number, p: number, h: number, threads = 1, chunkRows = CHUNK_ROWS, batches?: Float32Batches) {
    this.units = paddedSize(p) / 8;
    const t = Math.max(1, Math.min(threads, availableParallelism()));
    const len = pairCount(h) * packedSize(p);
    const shared = t > 1;
    this.s = {
      x: shared ? toShared(x, n * p) : x, n, p, h, chunkRows: batches ? batches.rows : chunkRows,
      order: batches ? new Int32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4)) : null,
      A: shared ? sharedFloat64(p * h) : new Float64Array(p * h),
      out: shared ? sharedFloat64(len) : new Float64Array(len),
      split: new Int32Array(shared ? new SharedArrayBuffer((t + 1) * 4) : new ArrayBuffer((t + 1) * 4)),
      busy: shared ? sharedFloat64(t) : new Float64Array(t),
    };
    this.threads = t;
    this.own = Math.round(this.units / t);
    splitEntries(this.units, this.own, t, this.s.split);
    const spec = { what: 'firing-pair sums', module: new URL(import.meta.url), member: 'PairShare', commands: ['compute'] as const, state: this.s };
    this.team = new Team(spec, new PairShare(this.s, 0), t);
  }

  /**
   * Float32 batches: the row order of the next sums (a fresh shuffle per system, as a DataLoader with
   * shuffle=True draws one per pass); set it before `prefetch` or `sums`, never while helpers read it.
   */
  shuffle(order: Int32Array): void {
    if (!this.s.order) throw new Error('FiringPairs.shuffle: exact sums take no row order');
    if (this.ahead) throw new Error('FiringPairs.shuffle: the helpers are summing in the current order (call sums first)');
    this.s.order.set(order);
  }

  /** Σ_i x̃_i x̃_iᵀ packed (the leaky ReLU's always-on part), accumulated as the pair sums are. */
  plainGram(): Float64Array {
    const { x, n, p, order, chunkRows } = this.s;
    if (!order) return packedGram(x, n, p);
    const total = new Float32Array(packedSize(p));
    const batch = new Float64Array(Math.min(n, chunkRows) * p);
    for (let r0 = 0; r0 < n; r0 += chunkRows) {
      const m = Math.min(chunkRows, n - r0);
      copyRows(batch, x, p, order, r0, m);
      addFloat32(total, packedGram(batch, m, p));
    }
    return Float64Array.from(total);
  }

  /**
   * Starts the helpers on U^F for A while this thread does other work (ANMIN's output refit needs the
   * same A and not U^F); the next `sums(A)` adds this thread's share and collects.
   */
  prefetch(A: Float64Array): void {
    if (this.threads === 1 || this.ahead) return;
    this.s.A.set(A);
    this.team.start('compute');
    this.ahead = { A: A.slice(), at: performance.now() };
  }

  /** Milliseconds the threads spent computing the last sums, all threads told. */
  threadMs(): number {
    return this.s.busy.reduce((a, b) => a + b, 0);
  }

  /** U^F for hidden weights A (p×h); a view the next call overwrites. */
  sums(A: Float64Array): Float64Array {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead && !ahead.A.every((v, i) => v === A[i])) {
      this.team.finish();
      return this.sums(A);
    }
    let lead = 0;
    if (ahead) lead = performance.now() - ahead.at;
    else {
      this.s.A.set(A);
      this.team.start('compute');
    }
    this.team.finish();
    this.rebalance(lead);
    return this.s.out;
  }

  /**
   * Moves a unit of entries toward the thread that finished first: this thread's time counts the work
   * it did between prefetch and sums (`lead`) besides its share.
   */
  private rebalance(lead: number): void {
    if (this.threads === 1) return;
    const { busy } = this.s;
    const mine = lead + busy[0];
    const theirs = Math.max(...Array.from(busy.subarray(1)));
    const helperUnits = (this.units - this.own) / (this.threads - 1);
    const perUnit = theirs / Math.max(1, helperUnits);
    if (mine > theirs + perUnit && this.own > 0) this.own--;
    else if (theirs > mine + perUnit && this.own < this.units) this.own++;
    else return;
    splitEntries(this.units, this.own, this.threads, this.s.split);
  }

  close(): void {
    this.team.close();
  }
}

/** The published code's accumulation: float32 totals over shuffled batches of `rows` rows. */
export interface Float32Batches {
  rows: number;
}

/** U^F for one A on this thread: the firing-pair sums without keeping a FiringPairs. */
export function firingGram(x: Float64Array, A: Float64Array, n: number, p: number, h: number, chunkRows = CHUNK_ROWS): Float64Array {
  const f = new FiringPairs(x, n, p, h, 1, chunkRows);
  const out = f.sums(A).slice();
  f.close();
  return out;
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
