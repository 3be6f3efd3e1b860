import { availableParallelism } from 'node:os';
import type { Prepared } from '../data/split.js';
import { sharedFloat64, toShared } from '../util/shared.js';
import { Team } from '../util/team.js';
import { flatNetwork, type FlatNetwork } from './backprop.js';
import { lossAndGradient, lossAndGradientSparse, predictSparseKernel, sumSquaredErrors, sumSquaredErrorsSparse } from './kernels.js';
import { fillSparseRows, shiftTheta, sparseRoom, toSparseRows, unshiftGradient, type Alloc, type SparseRows } from './sparse-rows.js';
import { rowSquaredErrors } from './network.js';
import type { Network } from './types.js';

/** What the threads of a pass share: the rows, θ, and one slot per chunk for its loss share and gradient. */
interface PassState {
  /** The loaded rows, or with `order` the whole data set the batches are picked from. */
  x: Float64Array;
  y: Float64Array;
  /** With a source: the batch's rows, by index into x and y, each thread gathering its chunks' rows itself. */
  order: Int32Array | null;
  p: number;
  h: number;
  c: number;
  alpha: number;
  /** See `lay`. */
  layout: Int32Array;
  theta: Float64Array;
  /** Chunk k's gradient share at k·(P + 1), its loss share after it. */
  partial: Float64Array;
  /** With a shift (GradientPass's `shift`): the rows x would hold, less the shift, by their nonzero inputs; x is then empty. */
  sparse?: SparseRows;
  /** Rows scored by `score` (the validation rows), their layout as `layout`'s, and each chunk's squared errors. */
  held?: { x: Float64Array; y: Float64Array; layout: Int32Array; sse: Float64Array; sparse?: SparseRows };
}

/** Entries of a layout for `threads` threads. */
const layoutLength = (threads: number) => threads + 3;

/**
 * [rows, chunks, the first chunk of each thread… and the end]: the chunks of n rows of at most `most`
 * each (chunkCount), shared out, a lone chunk (a short last batch) to this thread rather than to a
 * helper it would wait for.
 */
function lay(layout: Int32Array, n: number, most: number, threads: number): void {
  const chunks = chunkCount(n, most);
  layout[0] = n;
  layout[1] = chunks;
  for (let t = 0; t <= threads; t++) layout[2 + t] = Math.ceil((t * chunks) / threads);
}

/** Row range [from, to) of chunk k in a layout. */
const chunkRange = (layout: Int32Array, k: number) => [Math.floor((k * layout[0]) / layout[1]), Math.floor(((k + 1) * layout[0]) / layout[1])];

/** One thread's chunks of a pass: each chunk's share of the loss and gradient into its own slot. */
export class ChunkShare {
  private readonly net: Network;

  constructor(private readonly s: PassState, private readonly thread: number) {
    this.net = flatNetwork(s.p, s.h, s.c, s.alpha, s.theta);
  }

  compute(): void {
    const { x, y, order, layout, partial, theta, sparse } = this.s;
    const P = theta.length;
    for (let k = layout[2 + this.thread]; k < layout[3 + this.thread]; k++) {
      const [from, to] = chunkRange(layout, k);
      const at = k * (P + 1);
      const grad = partial.subarray(at, at + P);
      partial[at + P] = sparse
        ? lossAndGradientSparse(this.net, sparse, y, to - from, grad, from, layout[0], order ?? undefined)
        : lossAndGradient(this.net, x, y, to - from, grad, from, layout[0], order ?? undefined);
    }
  }

  score(): void {
    const { x, y, layout, sse, sparse } = this.s.held!;
    const { p, c } = this.s;
    for (let k = layout[2 + this.thread]; k < layout[3 + this.thread]; k++) {
      const [from, to] = chunkRange(layout, k);
      sse[k] = sparse ? sumSquaredErrorsSparse(this.net, sparse, y, from, to - from) : sumSquaredErrors(this.net, x.subarray(from * p, to * p), y.subarray(from * c, to * c), to - from);
    }
  }
}

/**
 * How many chunks a pass over n rows takes, each of at most `most` rows: one where n fits, else an even
 * number (or n, if fewer: no chunk is empty), chunk k starting at row ⌊kn/count⌋, so two threads get
 * the same work (3,200 rows in chunks of 1,024 went 2,048 to one thread and 1,152 to the other; the pass
 * took 1.30 ms, 1.18 in four chunks of 800). The count depends on n and `most` alone, never on the threads.
 */
export function chunkCount(n: number, most: number): number {
  return n <= most ? 1 : Math.min(n, 2 * Math.ceil(n / (2 * most)));
}

/**
 * Multiply-adds of a forward pass over a batch (rows·h·(p + c)) from which summing its gradient in two
 * chunks on two threads pays for the threads' handshake and the second copy of θ's gradient. Adam over 3
 * splits, one pass against two chunks on two threads (batch 256, 64 units): Friedman #1 with 12 inputs
 * on 5,000 rows (229 k) 0.142 → 0.159 s a fit; with 30 inputs on 10,000 rows (524 k) 0.369 → 0.351, on
 * 40,000 rows 1.109 → 1.020; 50 inputs on 40,000 rows (852 k) 1.153 → 0.975; digits (1.1 M) 0.216 →
 * 0.207; dae (7.4 M, 225 targets, 1 split) 18.8 → 12.9.
 */
export const SHARE_WORK = 4e5;

/** The gradientChunk that splits a batch of `rows` rows in two where its work reaches SHARE_WORK, else 0 (one pass in order). */
export function shareChunk(rows: number, p: number, h: number, c: number): number {
  return rows * h * (p + c) >= SHARE_WORK ? Math.ceil(rows / 2) : 0;
}

/**
 * The MSE and its gradient over a batch of rows, the way a gradient method asks for them again and
 * again. `chunkRows` 0: one pass in row order (the numbers of the paper's protocols). Otherwise the rows
 * go in chunks of at most that many (chunkCount) whose shares are added in chunk order, so the numbers
 * depend on the chunk size and the rows (by rounding only) and never on `threads`, which share the
 * chunks out. With a `shift` (sparseShift's, of the rows the pass gets), the rows go to the kernel less
 * the shift, by their nonzero inputs, and θ as shiftTheta maps it: the same function and gradient, by
 * rounding only, at the cost of the nonzeros; then a pass without chunks takes the batch as one.
 */
export class GradientPass {
  private readonly s: PassState | null;
  private readonly team: Team<ChunkShare> | null;
  private readonly threads: number;
  private x: Float64Array;
  private y: Float64Array;
  private n = 0;
  /** Built with a source: batches are picked from it (select), never loaded. */
  private readonly picks: boolean;
  /** Without chunks, the batch picked from `source` (select). */
  private order?: Int32Array;
  private offset = 0;
  /** The chunk size the pass runs with: chunkRows, or with a shift and no chunks, the whole batch. */
  private readonly chunk: number;
  private readonly shift: Float64Array | null;

  /**
   * At most `rows` rows at a time, of p inputs (ones column included) and c outputs. `source`: the data
   * set batches are picked from by `select` (held, on shared memory where threads share the chunks: a
   * copy); without it, rows are given by `load`. `scored`: rows to score (the validation rows). `shift`:
   * see the class.
   */
  constructor(private readonly net: FlatNetwork, private readonly rows: number, chunkRows: number, threads = 1, data: { source?: Prepared; scored?: Prepared; shift?: Float64Array | null } = {}) {
    const { p, h, c, alpha } = net;
    const { source, scored } = data;
    this.shift = data.shift ?? null;
    this.chunk = chunkRows > 0 || !this.shift ? chunkRows : rows;
    this.picks = source !== undefined;
    this.x = source?.x ?? new Float64Array(0);
    this.y = source?.y ?? new Float64Array(0);
    // The most chunks any batch of at most `rows` rows takes (chunkCount grows with the rows).
    const most = this.chunk > 0 ? chunkCount(rows, this.chunk) : 1;
    this.threads = Math.max(1, Math.min(threads, availableParallelism(), most));
    if (this.chunk === 0) {
      this.s = null;
      this.team = null;
      return;
    }
    const shared = this.threads > 1;
    const f64 = (len: number) => (shared ? sharedFloat64(len) : new Float64Array(len));
    const i32 = (len: number) => new Int32Array(shared ? new SharedArrayBuffer(len * 4) : new ArrayBuffer(len * 4));
    const alloc: Alloc = { f64, i32 };
    const copy = (a: Float64Array, len: number) => (shared ? toShared(a, len) : a.subarray(0, len));
    const layout = () => i32(layoutLength(this.threads));
    const P = p * h + h * c + c;
    const shift = this.shift;
    const rowsOf = (d: Prepared) => (shift ? { x: new Float64Array(0), sparse: toSparseRows(d.x, d.n, p, shift, alloc) } : { x: copy(d.x, d.n * p) });
    const given = source ? rowsOf(source) : shift ? { x: new Float64Array(0), sparse: sparseRoom(rows, rows * p, alloc) } : { x: f64(rows * p) };
    const y = source ? copy(source.y, source.n * c) : f64(rows * c);
    const order = source ? i32(rows) : null;
    this.s = { ...given, y, order, p, h, c, alpha, layout: layout(), theta: f64(P), partial: f64(most * (P + 1)) };
    if (scored && scored.n > 0) {
      const held = { ...rowsOf(scored), y: copy(scored.y, scored.n * c), layout: layout(), sse: f64(chunkCount(scored.n, this.chunk)) };
      lay(held.layout, scored.n, this.chunk, this.threads);
      this.s.held = held;
    }
    this.team = new Team({ what: 'gradient pass', module: new URL(import.meta.url), member: 'ChunkShare', commands: ['compute', 'score'] as const, state: this.s }, new ChunkShare(this.s, 0), this.threads);
  }

  /** The rows the next evaluations run over (the first n of x and y); load again after changing them. */
  load(x: Float64Array, y: Float64Array, n: number): void {
    this.fits(n);
    if (this.picks) throw new Error('gradient pass: built to pick batches from its source (select), not to load rows');
    const s = this.s;
    if (!s) {
      this.x = x;
      this.y = y;
    } else {
      if (s.sparse) fillSparseRows(s.sparse, x, n, s.p, this.shift!);
      else s.x.set(x.subarray(0, n * s.p));
      s.y.set(y.subarray(0, n * s.c));
      lay(s.layout, n, this.chunk, this.threads);
    }
    this.n = n;
  }

  /**
   * Source rows order[from…from + m) as the rows the next evaluations run over: each chunk's rows are
   * gathered straight into the kernel's memory by the thread that sums it (only the m indices are copied here).
   */
  select(order: Int32Array, from: number, m: number): void {
    this.fits(m);
    if (!this.picks) throw new Error('gradient pass: built without a source to select batches from');
    if (from < 0 || from + m > order.length) throw new Error(`gradient pass: rows ${from}…${from + m} of an order of ${order.length}`);
    const s = this.s;
    this.n = m;
    if (!s) {
      this.order = order;
      this.offset = from;
      return;
    }
    s.order!.set(order.subarray(from, from + m));
    lay(s.layout, m, this.chunk, this.threads);
  }

  /** Runs `command` on every thread at the network's θ now (the threads read the shared copy, shifted with the rows). */
  private runAtTheta(s: PassState, command: 'compute' | 'score'): void {
    if (this.shift) shiftTheta(this.shift, this.net.theta, s.p, s.h, s.theta);
    else s.theta.set(this.net.theta);
    this.team!.run(command);
  }

  private fits(n: number): void {
    if (n > this.rows) throw new Error(`gradient pass: ${n} rows given to a pass built for at most ${this.rows}`);
  }

  /**
   * Σ of squared errors of the network at its θ now over the rows the pass was built to score, summed
   * over chunks as a gradient's (at most chunkRows rows each, added in chunk order) on the pass's
   * threads; null where the pass sums in one pass in order or holds no such rows (the caller scores them itself).
   */
  score(): number | null {
    const s = this.s;
    if (!s?.held) return null;
    this.runAtTheta(s, 'score');
    let sse = 0;
    for (const v of s.held.sse) sse += v;
    return sse;
  }

  /**
   * Each held row's squared error (over its outputs) of the network at its θ now, where the pass holds
   * those rows by their nonzeros; else null (the caller sums them itself, as cheaply).
   */
  rowErrors(): Float64Array | null {
    const s = this.s;
    const held = s?.held;
    if (!s || !held?.sparse) return null;
    const n = held.layout[0];
    // On this thread, the helpers idle: the shifted θ goes where runAtTheta puts it for them.
    shiftTheta(this.shift!, this.net.theta, s.p, s.h, s.theta);
    return rowSquaredErrors(predictSparseKernel(flatNetwork(s.p, s.h, s.c, s.alpha, s.theta), held.sparse, held.y, 0, n), held.y, n, s.c);
  }

  /** The MSE of the network at its θ now over the loaded rows; its gradient into `grad`. */
  evaluate(grad: Float64Array): number {
    const s = this.s;
    if (!s) return lossAndGradient(this.net, this.x, this.y, this.n, grad, this.offset, this.n, this.order);
    this.runAtTheta(s, 'compute');
    const P = grad.length;
    grad.set(s.partial.subarray(0, P));
    let loss = s.partial[P];
    for (let k = 1; k < s.layout[1]; k++) {
      const at = k * (P + 1);
      for (let t = 0; t < P; t++) grad[t] += s.partial[at + t];
      loss += s.partial[at + P];
    }
    if (this.shift) unshiftGradient(this.shift, grad, s.p, s.h);
    return loss;
  }

  close(): void {
    this.team?.close();
  }
}
