import { availableParallelism } from 'node:os';
import { sharedFloat64, toShared } from '../util/shared.js';
import { Team } from '../util/team.js';
import { allocate, kernel, type KernelModule } from '../util/wasm.js';
import { packedSize } from './firing-gram.js';

/** assembly/normal.ts: products with ANMIN's hidden-layer matrix M, never formed. */
interface NormalKernel extends KernelModule {
  product(x: number, g: number, n: number, p: number, h: number, c: number, v: number, bb: number, out: number, u: number, w: number, t: number): void;
  diagonalBlocks(x: number, g: number, n: number, p: number, h: number, out: number, q2: number): void;
}

/**
 * Rows per partial product and per partial block sum. Partials are added in chunk order, so results are
 * the same bit for bit whatever the number of threads; the block chunks are coarser because each
 * partial holds h packed p×p blocks.
 */
export const PRODUCT_ROWS = 4096;
export const BLOCK_ROWS = 65536;

export interface OperatorDims {
  n: number;
  p: number;
  h: number;
  /** > 0: `bb` holds B (h×c) and BBᵀu is computed as B(Bᵀu); 0: `bb` holds BBᵀ (h×h). */
  lowRankC: number;
  outs: number;
}

/** What every thread reads and writes: data, gates, the vector, per-chunk partials. */
export interface SharedState {
  dims: OperatorDims;
  x: Float64Array;
  g: Float64Array;
  bb: Float64Array;
  v: Float64Array;
  partials: Float64Array;
  blocks: Float64Array;
  threads: number;
}

const chunks = (n: number, rows: number) => Math.ceil(n / rows);

/** One thread's share: chunk k belongs to thread k mod threads; its rows live in that thread's kernel memory. */
export class RowShare {
  private readonly k = kernel<NormalKernel>('normal');
  private at: Record<string, number> = {};
  private view: Record<string, Float64Array> = {};
  private readonly mine: number[] = [];
  private readonly rowAt = new Map<number, number>();
  private readonly blockChunks: number[] = [];
  private readonly ranges: number[][];

  constructor(private readonly s: SharedState, thread: number) {
    const { n } = s.dims;
    for (let r0 = 0, k = 0; r0 < n; r0 += PRODUCT_ROWS, k++) if (k % s.threads === thread) this.mine.push(k);
    for (let k = 0; k < chunks(n, BLOCK_ROWS); k++) if (k % s.threads === thread) this.blockChunks.push(k);
    // This thread's rows: its product chunks, then its block chunks (a block chunk spans product chunks).
    this.ranges = [...this.mine.map((k) => [k * PRODUCT_ROWS, Math.min(n, (k + 1) * PRODUCT_ROWS)]), ...this.blockChunks.map((k) => [k * BLOCK_ROWS, Math.min(n, (k + 1) * BLOCK_ROWS)])];
  }

  /**
   * Lays out this thread's kernel memory for one system: its rows of x and of the gates, and the output
   * weights. Every system lays it out afresh (the rows are copied again, a small cost beside a solve), so
   * another user of the kernel on this thread between systems cannot leave stale rows behind.
   */
  load(): void {
    const { p, h, outs } = this.s.dims;
    const P = p * h;
    const q = packedSize(p);
    const rows = this.ranges.reduce((a, [r0, r1]) => a + r1 - r0, 0);
    const { at, view } = allocate(this.k, {
      x: ['f64', rows * p], g: ['f64', rows * h], v: ['f64', P], bb: ['f64', this.s.bb.length], out: ['f64', P], u: ['f64', h], w: ['f64', h], t: ['f64', outs], blocks: ['f64', h * q], q2: ['f64', q],
    });
    this.at = at;
    this.view = view;
    let row = 0;
    this.ranges.forEach(([r0, r1], i) => {
      this.rowAt.set(i, row);
      this.view.x.set(this.s.x.subarray(r0 * p, r1 * p), row * p);
      this.view.g.set(this.s.g.subarray(r0 * h, r1 * h), row * h);
      row += r1 - r0;
    });
    this.view.bb.set(this.s.bb);
  }

  /** Partial M·v of each of this thread's chunks into its slot of `partials`. */
  product(): void {
    const { n, p, h, lowRankC } = this.s.dims;
    const P = p * h;
    const { at, view, k } = this;
    view.v.set(this.s.v);
    this.mine.forEach((chunk, i) => {
      const r0 = chunk * PRODUCT_ROWS;
      const m = Math.min(n, r0 + PRODUCT_ROWS) - r0;
      const row = this.rowAt.get(i)!;
      k.product(at.x + row * p * 8, at.g + row * h * 8, m, p, h, lowRankC, at.v, at.bb, at.out, at.u, at.w, at.t);
      this.s.partials.set(view.out, chunk * P);
    });
  }

  /** Partial per-neuron blocks Σ g_ij² x̃x̃ᵀ of each of this thread's block chunks. */
  blocks(): void {
    const { n, p, h } = this.s.dims;
    const hq = h * packedSize(p);
    const { at, view, k } = this;
    this.blockChunks.forEach((chunk, i) => {
      const r0 = chunk * BLOCK_ROWS;
      const m = Math.min(n, r0 + BLOCK_ROWS) - r0;
      const row = this.rowAt.get(this.mine.length + i)!;
      k.diagonalBlocks(at.x + row * p * 8, at.g + row * h * 8, m, p, h, at.blocks, at.q2);
      this.s.blocks.set(view.blocks, chunk * hq);
    });
  }
}

/** The operator's shape for n rows, p inputs, h neurons and c outputs. */
export function operatorDims(n: number, p: number, h: number, c: number): OperatorDims {
  // BBᵀu as B(Bᵀu) when that is cheaper (2hc < h², e.g. one output), else through BBᵀ.
  return { n, p, h, lowRankC: 2 * c < h ? c : 0, outs: c };
}

/**
 * Products with M (and its diagonal blocks) over the rows, spread over `threads` threads (a Team), so
 * the solver's loop stays synchronous. The rows are shared with the threads once; each system then
 * `load`s its gates and output weights, and each thread copies its rows into its kernel memory.
 */
export class NormalOperator {
  private readonly s: SharedState;
  private readonly team: Team<RowShare>;
  private readonly sum: Float64Array;

  constructor(x: Float64Array, dims: OperatorDims, threads = 1) {
    const { n, p, h, lowRankC } = dims;
    const t = Math.max(1, Math.min(threads, availableParallelism(), chunks(n, PRODUCT_ROWS)));
    // Helpers need shared memory; a single thread reads the caller's rows in place.
    const alloc = (len: number) => (t > 1 ? sharedFloat64(len) : new Float64Array(len));
    this.s = {
      dims, x: t > 1 ? toShared(x, n * p) : x.subarray(0, n * p), threads: t,
      g: alloc(n * h),
      bb: alloc(lowRankC > 0 ? h * lowRankC : h * h),
      v: alloc(p * h),
      partials: alloc(chunks(n, PRODUCT_ROWS) * p * h),
      blocks: alloc(chunks(n, BLOCK_ROWS) * h * packedSize(p)),
    };
    this.sum = new Float64Array(p * h);
    const spec = { what: 'conjugate gradients', module: new URL(import.meta.url), member: 'RowShare', commands: ['load', 'product', 'blocks'] as const, state: this.s };
    this.team = new Team(spec, new RowShare(this.s, 0), t);
  }

  /** The system to multiply by: gates (n×h) and `bb`, B (h×c) when dims.lowRankC > 0, else BBᵀ (h×h). */
  load(gates: Float64Array, bb: Float64Array): void {
    this.s.g.set(gates.subarray(0, this.s.g.length));
    this.s.bb.set(bb.subarray(0, this.s.bb.length));
    this.team.run('load');
  }

  /** out = M·v, the chunks' partials added in chunk order. */
  apply(v: Float64Array, out: Float64Array): void {
    const P = v.length;
    this.s.v.set(v);
    this.team.run('product');
    this.sum.fill(0);
    const { partials } = this.s;
    for (let off = 0; off < partials.length; off += P) for (let t = 0; t < P; t++) this.sum[t] += partials[off + t];
    out.set(this.sum);
  }

  /** The per-neuron blocks Σ_i g_ij² x̃_i x̃_iᵀ (h × packed p×p), chunk partials added in order. */
  diagonalBlocks(): Float64Array {
    this.team.run('blocks');
    const { p, h } = this.s.dims;
    const hq = h * packedSize(p);
    const out = new Float64Array(hq);
    const { blocks } = this.s;
    for (let off = 0; off < blocks.length; off += hq) for (let t = 0; t < hq; t++) out[t] += blocks[off + t];
    return out;
  }

  close(): void {
    this.team.close();
  }
}
