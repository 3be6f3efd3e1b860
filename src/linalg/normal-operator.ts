import { availableParallelism } from 'node:os';
import { sharedFloat64, toShared } from '../util/shared.js';
import { Team } from '../util/team.js';
import { allocate, kernel, stillClaimed, type KernelModule } from '../util/wasm.js';
import { packedSize } from './firing-gram.js';

/** assembly/normal.ts: products with ANMIN's hidden-layer matrix M, never formed. */
interface NormalKernel extends KernelModule {
  product(x: number, f: number, alpha: number, n: number, p: number, h: number, c: number, v: number, bb: number, out: number, u: number, w: number, gv: number, t: number): void;
  blockChanges(x: number, f: number, prev: number, alpha: number, n: number, first: number, step: number, p: number, h: number, out: number, yt: number, wt: number): void;
  notSummed(): number;
  gatherRows(): number;
  rhs(x: number, f: number, alpha: number, y: number, n: number, p: number, h: number, c: number, B: number, b0: number, out: number, w: number, gv: number, e: number): void;
  product32(x32: number, f: number, first: number, step: number, alpha: number, m: number, p: number, h: number, c: number, v32: number, bb: number, out: number, u: number, w: number, u32: number, w32: number, acc: number, gv: number, t: number): void;
  forward(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, A: number, z: number, f: number, g: number, rhs: number, rows: number): void;
  sse(z: number, y: number, n: number, h: number, c: number, alpha: number, B: number, b0: number, s: number, o: number): number;
  RIDGE_ROWS: WebAssembly.Global;
}

/** BBᵀ (h×h, both triangles) of B (h×c): how strongly two neurons' outputs overlap, over all outputs. */
export function outputGram(B: Float64Array, h: number, c: number): Float64Array {
  const bb = new Float64Array(h * h);
  for (let j = 0; j < h; j++) {
    for (let l = j; l < h; l++) {
      let v = 0;
      for (let o = 0; o < c; o++) v += B[j * c + o] * B[l * c + o];
      bb[j * h + l] = bb[l * h + j] = v;
    }
  }
  return bb;
}

/**
 * Rows per partial product, right-hand side and block change. Partials are added in chunk order, so
 * results are the same bit for bit whatever the number of threads.
 */
export const PRODUCT_ROWS = 4096;

/**
 * About this many rows, every step-th row of the data, make the preconditioner's diagonal blocks (scaled
 * up to all rows): a block is a p×p sum that settles long before 16,384 rows (a few thousand firing
 * rows per neuron for p in the hundreds), and summing all of them would cost more than the solve on
 * large data (YearPredictionMSD: 412,276 rows, 64 blocks). Only the solve's speed depends on it.
 */
export const BLOCK_SAMPLE_ROWS = 16384;

export interface OperatorDims {
  n: number;
  p: number;
  h: number;
  /** > 0: `bb` holds B (h×c) and BBᵀu is computed as B(Bᵀu); 0: `bb` holds BBᵀ (h×h). */
  lowRankC: number;
  outs: number;
  /** The gate of a neuron that does not fire (0: ReLU). */
  alpha: number;
  /** The diagonal blocks sum rows 0, step, 2·step, … */
  step: number;
  /** The sampled products (applySampled) sum rows 0, sampleStep, 2·sampleStep, … (1: no sampling). */
  sampleStep: number;
}

/**
 * What every thread reads and writes: data (inputs and targets), firing flags (and those the diagonal
 * blocks were last summed for), the output layer, the vector, per-chunk partial products, ridge sums and
 * squared errors, one partial block change per thread and the round of those.
 */
export interface SharedState {
  dims: OperatorDims;
  x: Float64Array;
  y: Float64Array;
  /** Firing flags, n×h bytes: 1 where neuron j fires on row i (gate 1), else 0 (gate α). */
  f: Uint8Array;
  B: Float64Array;
  b0: Float64Array;
  prev: Uint8Array;
  bb: Float64Array;
  /** The vector of a product, or A for `forward`. */
  v: Float64Array;
  partials: Float64Array;
  /** Per chunk: the output layer's ridge sums ((h+1)² then (h+1)×c), and the squared errors. */
  ridge: Float64Array;
  sse: Float64Array;
  blocks: Float64Array;
  round: Int32Array;
  threads: number;
}

const chunks = (n: number, rows: number) => Math.ceil(n / rows);

/** What a sum over rows 0, step, 2·step, … below n is multiplied by to stand for all n rows. */
const scaleUp = (n: number, step: number) => n / Math.ceil(n / step);

/** One thread's share: chunk k belongs to thread k mod threads; its rows live in that thread's kernel memory. */
export class RowShare {
  private readonly k = kernel<NormalKernel>('normal');
  private at: Record<string, number> = {};
  private view: Record<string, Float64Array> = {};
  private flags: Record<'f' | 'prev', Uint8Array> = { f: new Uint8Array(0), prev: new Uint8Array(0) };
  private floats: Record<'v32' | 'x32', Float32Array> = { v32: new Float32Array(0), x32: new Float32Array(0) };
  /** The kernel memory's layout while nobody else has laid it out since: x and y are in place. */
  private claim = -1;
  private readonly mine: number[] = [];
  /** Where each of this thread's chunks' sampled rows start in x32. */
  private readonly sampleAt: number[] = [];
  /** Sampled rows in all of this thread's chunks (0 without sampling: no float32 copy). */
  private readonly sampled32: number;

  constructor(private readonly s: SharedState, private readonly thread: number) {
    const { n } = s.dims;
    for (let k = 0; k < chunks(n, PRODUCT_ROWS); k++) if (k % s.threads === thread) this.mine.push(k);
    let at = 0;
    this.mine.forEach((chunk, i) => {
      this.sampleAt.push(at);
      at += this.sample(i, ...this.rows(chunk)).count;
    });
    this.sampled32 = at;
  }

  private rows(chunk: number): [number, number] {
    const r0 = chunk * PRODUCT_ROWS;
    return [r0, Math.min(this.s.dims.n, r0 + PRODUCT_ROWS)];
  }

  /**
   * Brings this thread's kernel memory up to one system: its rows of the firing flags and of the flags
   * the blocks were last summed for, and the output layer. Its rows of x and y are copied once and again
   * only when another user of the kernel on this thread has laid its memory out since.
   */
  load(): void {
    const { h } = this.s.dims;
    if (!stillClaimed(this.k, this.claim)) this.layOut();
    this.mine.forEach((chunk, i) => {
      const [r0, r1] = this.rows(chunk);
      const row = i * PRODUCT_ROWS;
      this.flags.f.set(this.s.f.subarray(r0 * h, r1 * h), row * h);
      this.flags.prev.set(this.s.prev.subarray(r0 * h, r1 * h), row * h);
    });
    this.view.bb.set(this.s.bb);
    this.view.B.set(this.s.B);
    this.view.b0.set(this.s.b0);
  }

  private layOut(): void {
    const { p, h, outs: c } = this.s.dims;
    const P = p * h;
    const q = packedSize(p);
    const m = h + 1;
    const rows = this.mine.length * PRODUCT_ROWS;
    const sampled = this.s.dims.sampleStep > 1 ? this.sampled32 : 0;
    const { at, view, claim } = allocate(this.k, {
      x: ['f64', rows * p], y: ['f64', rows * c], f: ['u8', rows * h], prev: ['u8', rows * h], v: ['f64', P], bb: ['f64', this.s.bb.length], B: ['f64', h * c], b0: ['f64', c], out: ['f64', P], u: ['f64', 2 * h], w: ['f64', 2 * h], gv: ['f64', h], t: ['f64', c], blocks: ['f64', h * q], yt: ['f64', (p + 1) * this.k.gatherRows()], wt: ['f64', (p + 1) * this.k.gatherRows()],
      x32: ['f32', sampled * p], v32: ['f32', sampled > 0 ? P : 0], u32: ['f32', 2 * h], w32: ['f32', 2 * h], acc: ['f32', sampled > 0 ? P : 0],
      z: ['f64', rows * h], g: ['f64', m * m], rhs: ['f64', m * c], scratch: ['f64', (this.k.RIDGE_ROWS.value as number) * m],
    });
    const { f, prev, x32, v32, u32, w32, acc, ...doubles } = view;
    this.at = at;
    this.view = doubles;
    this.flags = { f, prev };
    this.floats = { v32, x32 };
    this.claim = claim;
    const step = this.s.dims.sampleStep;
    this.mine.forEach((chunk, i) => {
      const [r0, r1] = this.rows(chunk);
      const row = i * PRODUCT_ROWS;
      this.view.x.set(this.s.x.subarray(r0 * p, r1 * p), row * p);
      this.view.y.set(this.s.y.subarray(r0 * c, r1 * c), row * c);
      if (sampled === 0) return;
      const { first, count, at: s0 } = this.sample(i, r0, r1);
      for (let r = 0; r < count; r++) {
        const src = (r0 + first + r * step) * p;
        x32.set(this.s.x.subarray(src, src + p), (s0 + r) * p);
      }
    });
  }

  /**
   * The output refit's pass for A in s.v: each of this thread's chunks' pre-activations (kept in kernel
   * memory for `sse`), firing flags (into s.f) and ridge sums (into its slot of s.ridge).
   */
  forward(): void {
    const { p, h, outs: c, alpha } = this.s.dims;
    if (!stillClaimed(this.k, this.claim)) this.layOut();
    const { at, view, k } = this;
    const m = h + 1;
    view.v.set(this.s.v);
    this.mine.forEach((chunk, i) => {
      const [r0, r1] = this.rows(chunk);
      const row = i * PRODUCT_ROWS;
      view.g.fill(0);
      view.rhs.fill(0);
      k.forward(at.x + row * p * 8, at.y + row * c * 8, r1 - r0, p, h, c, alpha, at.v, at.z + row * h * 8, at.f + row * h, at.g, at.rhs, at.scratch);
      this.s.f.set(this.flags.f.subarray(row * h, (row + r1 - r0) * h), r0 * h);
      const off = chunk * (m * m + m * c);
      this.s.ridge.set(view.g, off);
      this.s.ridge.set(view.rhs, off + m * m);
    });
  }

  /** Each of this thread's chunks' squared errors for the output layer in s.B, s.b0, from the pre-activations of the last `forward`. */
  sse(): void {
    const { h, outs: c, alpha } = this.s.dims;
    // The kept pre-activations are gone if another user of the kernel laid its memory out since.
    if (!stillClaimed(this.k, this.claim)) throw new Error('NormalOperator: sse needs the pre-activations of forward, and the kernel memory was used since');
    const { at, view, k } = this;
    view.B.set(this.s.B);
    view.b0.set(this.s.b0);
    this.mine.forEach((chunk, i) => {
      const [r0, r1] = this.rows(chunk);
      const row = i * PRODUCT_ROWS;
      this.s.sse[chunk] = k.sse(at.z + row * h * 8, at.y + row * c * 8, r1 - r0, h, c, alpha, at.B, at.b0, at.gv, at.t);
    });
  }

  /** Partial M·v of each of this thread's chunks into its slot of `partials`. */
  product(): void {
    const { p, h, lowRankC, alpha } = this.s.dims;
    const P = p * h;
    const { at, view, k } = this;
    view.v.set(this.s.v);
    this.mine.forEach((chunk, i) => {
      const [r0, r1] = this.rows(chunk);
      const row = i * PRODUCT_ROWS;
      k.product(at.x + row * p * 8, at.f + row * h, alpha, r1 - r0, p, h, lowRankC, at.v, at.bb, at.out, at.u, at.w, at.gv, at.t);
      this.s.partials.set(view.out, chunk * P);
    });
  }

  /** Partial M_S·v in single precision, over the sampled rows of each of this thread's chunks, into its slot of `partials`. */
  sampled(): void {
    const { p, h, lowRankC, alpha, sampleStep } = this.s.dims;
    const P = p * h;
    const { at, view, k } = this;
    this.floats.v32.set(this.s.v);
    this.mine.forEach((chunk, i) => {
      const [r0, r1] = this.rows(chunk);
      const { first, count, at: s0 } = this.sample(i, r0, r1);
      k.product32(at.x32 + s0 * p * 4, at.f + i * PRODUCT_ROWS * h, first, sampleStep, alpha, count, p, h, lowRankC, at.v32, at.bb, at.out, at.u, at.w, at.u32, at.w32, at.acc, at.gv, at.t);
      this.s.partials.set(view.out, chunk * P);
    });
  }

  /** The sampled rows of this thread's i-th chunk (rows r0..r1): the first (chunk-relative), how many, and where they start in x32. */
  private sample(i: number, r0: number, r1: number): { first: number; count: number; at: number } {
    const step = this.s.dims.sampleStep;
    const first = (step - (r0 % step)) % step;
    return { first, count: first < r1 - r0 ? Math.ceil((r1 - r0 - first) / step) : 0, at: this.sampleAt[i] };
  }

  /** Partial right-hand side (Eq. 8) of each of this thread's chunks into its slot of `partials`. */
  rhs(): void {
    const { p, h, outs: c, alpha } = this.s.dims;
    const P = p * h;
    const { at, view, k } = this;
    this.mine.forEach((chunk, i) => {
      const [r0, r1] = this.rows(chunk);
      const row = i * PRODUCT_ROWS;
      k.rhs(at.x + row * p * 8, at.f + row * h, alpha, at.y + row * c * 8, r1 - r0, p, h, c, at.B, at.b0, at.out, at.w, at.gv, at.t);
      this.s.partials.set(view.out, chunk * P);
    });
  }

  /**
   * The block change of this thread's chunk of the current round (chunk round·threads + thread) into
   * this thread's slot of `blocks`: one round per team run keeps the partials to one per thread.
   */
  blocks(): void {
    const { p, h, step, alpha } = this.s.dims;
    const hq = h * packedSize(p);
    const i = this.s.round[0];
    if (i >= this.mine.length) return;
    const [r0, r1] = this.rows(this.mine[i]);
    const row = i * PRODUCT_ROWS;
    const { at, view, k } = this;
    k.blockChanges(at.x + row * p * 8, at.f + row * h, at.prev + row * h, alpha, r1 - r0, (step - (r0 % step)) % step, step, p, h, at.blocks, at.yt, at.wt);
    this.s.blocks.set(view.blocks, this.thread * hq);
  }
}

/**
 * The operator's shape for n rows, p inputs, h neurons, c outputs and slope α; blocks from about
 * `blockRows` rows, sampled products from about `productRows` rows (0: none).
 */
export function operatorDims(n: number, p: number, h: number, c: number, alpha: number, blockRows = BLOCK_SAMPLE_ROWS, productRows = 0): OperatorDims {
  const every = (rows: number) => Math.max(1, Math.floor(n / rows));
  // BBᵀu as B(Bᵀu) when that is cheaper (2hc < h², e.g. one output), else through BBᵀ.
  return { n, p, h, lowRankC: 2 * c < h ? c : 0, outs: c, alpha, step: every(blockRows), sampleStep: productRows > 0 ? every(productRows) : 1 };
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
  /** The diagonal blocks' sums for the flags in s.prev, kept across systems, updated by the rows whose gates changed. */
  private readonly total: Float64Array;

  constructor(x: Float64Array, y: Float64Array, dims: OperatorDims, threads = 1) {
    const { n, p, h, lowRankC, outs: c } = dims;
    const t = Math.max(1, Math.min(threads, availableParallelism(), chunks(n, PRODUCT_ROWS)));
    // Helpers need shared memory; a single thread reads the caller's rows in place.
    const alloc = (len: number) => (t > 1 ? sharedFloat64(len) : new Float64Array(len));
    const allocBytes = (len: number) => new Uint8Array(t > 1 ? new SharedArrayBuffer(len) : new ArrayBuffer(len));
    const hq = h * packedSize(p);
    this.s = {
      dims, threads: t,
      x: t > 1 ? toShared(x, n * p) : x.subarray(0, n * p),
      y: t > 1 ? toShared(y, n * c) : y.subarray(0, n * c),
      f: allocBytes(n * h),
      B: alloc(h * c),
      b0: alloc(c),
      // Nothing summed into the blocks yet.
      prev: allocBytes(n * h).fill(kernel<NormalKernel>('normal').notSummed()),
      bb: alloc(lowRankC > 0 ? h * lowRankC : h * h),
      v: alloc(p * h),
      partials: alloc(chunks(n, PRODUCT_ROWS) * p * h),
      ridge: alloc(chunks(n, PRODUCT_ROWS) * ((h + 1) * (h + 1) + (h + 1) * c)),
      sse: alloc(chunks(n, PRODUCT_ROWS)),
      blocks: alloc(t * hq),
      round: new Int32Array(t > 1 ? new SharedArrayBuffer(4) : new ArrayBuffer(4)),
    };
    this.sum = new Float64Array(p * h);
    this.total = new Float64Array(hq);
    const spec = { what: 'conjugate gradients', module: new URL(import.meta.url), member: 'RowShare', commands: ['load', 'forward', 'sse', 'product', 'sampled', 'rhs', 'blocks'] as const, state: this.s };
    this.team = new Team(spec, new RowShare(this.s, 0), t);
  }

  /**
   * The output refit's sums for hidden weights A (p×h) in one pass: the ridge system of Eq. 4 (the upper
   * triangle of S₁ᵀS₁, (h+1)², and S₁ᵀY, (h+1)×c, chunks added in chunk order) for S = σ(X̃A). The pass
   * also freezes A's firing pattern (`firing`) and keeps X̃A for `sse`.
   */
  forward(A: Float64Array): { g: Float64Array; rhs: Float64Array } {
    const { h, outs: c } = this.s.dims;
    const m = h + 1;
    this.s.v.set(A);
    this.team.run('forward');
    const g = new Float64Array(m * m);
    const rhs = new Float64Array(m * c);
    const { ridge } = this.s;
    for (let off = 0; off < ridge.length; off += m * m + m * c) {
      for (let t = 0; t < m * m; t++) g[t] += ridge[off + t];
      for (let t = 0; t < m * c; t++) rhs[t] += ridge[off + m * m + t];
    }
    return { g, rhs };
  }

  /** Σ of squared errors over all rows and outputs of the network with the last `forward`'s A and this output layer. */
  sse(B: Float64Array, b0: Float64Array): number {
    this.s.B.set(B.subarray(0, this.s.B.length));
    this.s.b0.set(b0.subarray(0, this.s.b0.length));
    this.team.run('sse');
    let total = 0;
    for (const e of this.s.sse) total += e;
    return total;
  }

  /** The firing flags (n×h) of the last `forward`'s A: 1 where a neuron fires, else 0. */
  get firing(): Uint8Array {
    return this.s.f;
  }

  get dims(): OperatorDims {
    return this.s.dims;
  }

  /** The system: firing flags (n×h, 1 where a neuron fires, else 0: gate α) and the output layer B (h×c), b⁰ (c). */
  load(firing: Uint8Array, B: Float64Array, b0: Float64Array): void {
    const { h, lowRankC, outs } = this.s.dims;
    if (firing !== this.s.f) this.s.f.set(firing.subarray(0, this.s.f.length));
    this.s.B.set(B.subarray(0, this.s.B.length));
    this.s.b0.set(b0.subarray(0, this.s.b0.length));
    this.s.bb.set(lowRankC > 0 ? this.s.B : outputGram(B, h, outs));
    this.team.run('load');
  }

  /** out = M·v, the chunks' partials added in chunk order. */
  apply(v: Float64Array, out: Float64Array): void {
    this.s.v.set(v);
    this.team.run('product');
    out.set(this.sumPartials());
  }

  /**
   * out ≈ M·v in single precision from every dims.sampleStep-th row, scaled up to all rows: a product
   * of a fraction of the cost with a matrix close to M when the rows far outnumber M's unknowns (a
   * row-sampling sketch), for the inner solves of the two-level method.
   */
  applySampled(v: Float64Array, out: Float64Array): void {
    const { n, sampleStep } = this.s.dims;
    this.s.v.set(v);
    this.team.run('sampled');
    out.set(this.sumPartials());
    const scale = scaleUp(n, sampleStep);
    for (let t = 0; t < out.length; t++) out[t] *= scale;
  }

  /** The right-hand side c of Eq. 8 (p×h, laid out like A), the chunks' partials added in chunk order. */
  rhs(): Float64Array {
    this.team.run('rhs');
    return this.sumPartials().slice();
  }

  private sumPartials(): Float64Array {
    const P = this.sum.length;
    this.sum.fill(0);
    const { partials } = this.s;
    for (let off = 0; off < partials.length; off += P) for (let t = 0; t < P; t++) this.sum[t] += partials[off + t];
    return this.sum;
  }

  /**
   * The per-neuron blocks Σ_i g_ij² x̃_i x̃_iᵀ (h × packed p×p) of the loaded gates, over every
   * dims.step-th row scaled up to all rows: the previous system's sums plus the change of the rows
   * whose gates differ (all rows the first time), chunk by chunk in chunk order. Successive ANMIN
   * systems flip few gates, so this costs a fraction of summing afresh. Once per `load`.
   */
  diagonalBlocks(): Float64Array {
    const { n, p, h } = this.s.dims;
    const hq = h * packedSize(p);
    const { blocks, threads, round } = this.s;
    const count = chunks(n, PRODUCT_ROWS);
    for (let r = 0; r * threads < count; r++) {
      round[0] = r;
      this.team.run('blocks');
      for (let t = 0; t < threads && r * threads + t < count; t++) {
        const off = t * hq;
        for (let e = 0; e < hq; e++) this.total[e] += blocks[off + e];
      }
    }
    this.s.prev.set(this.s.f);
    const scale = scaleUp(n, this.s.dims.step);
    // A plain loop: TypedArray.map calls back per entry (tens of milliseconds on the DAE's blocks).
    const out = new Float64Array(hq);
    for (let e = 0; e < hq; e++) out[e] = scale * this.total[e];
    return out;
  }

  close(): void {
    this.team.close();
  }
}
