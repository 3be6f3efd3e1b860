import { availableParallelism } from 'node:os';
import { sharedFloat64 } from '../util/shared.js';
import { Team } from '../util/team.js';
import { flatNetwork, type FlatNetwork } from './backprop.js';
import { lossAndGradient } from './kernels.js';
import type { Network } from './types.js';

/** What the threads of a pass share: the rows, θ, and one slot per chunk for its loss share and gradient. */
interface PassState {
  x: Float64Array;
  y: Float64Array;
  p: number;
  h: number;
  c: number;
  alpha: number;
  /** [0]: rows of the current data; [1]: its chunks (chunkCount); [2 + t]: the first chunk of thread t (threads + 1 entries). */
  layout: Int32Array;
  theta: Float64Array;
  /** Chunk k's gradient share at k·(P + 1), its loss share after it. */
  partial: Float64Array;
}

/** One thread's chunks of a pass: each chunk's share of the loss and gradient into its own slot. */
export class ChunkShare {
  private readonly net: Network;

  constructor(private readonly s: PassState, private readonly thread: number) {
    this.net = flatNetwork(s.p, s.h, s.c, s.alpha, s.theta);
  }

  compute(): void {
    const { x, y, layout, partial, theta } = this.s;
    const [n, count] = layout;
    const P = theta.length;
    for (let k = layout[2 + this.thread]; k < layout[3 + this.thread]; k++) {
      const from = Math.floor((k * n) / count);
      const at = k * (P + 1);
      partial[at + P] = lossAndGradient(this.net, x, y, Math.floor(((k + 1) * n) / count) - from, partial.subarray(at, at + P), from, n);
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
 * The MSE and its gradient over a batch of rows, the way a gradient method asks for them again and
 * again. `chunkRows` 0: one pass in row order (the numbers of the paper's protocols). Otherwise the rows
 * go in chunks of at most that many (chunkCount) whose shares are added in chunk order, so the numbers
 * depend on the chunk size and the rows (by rounding only) and never on `threads`, which share the
 * chunks out.
 */
export class GradientPass {
  private readonly s: PassState | null;
  private readonly team: Team<ChunkShare> | null;
  private readonly threads: number;
  private x: Float64Array;
  private y: Float64Array;
  private n = 0;

  /** At most `rows` rows at a time, of p inputs (ones column included) and c outputs. */
  constructor(private readonly net: FlatNetwork, rows: number, private readonly chunkRows: number, threads = 1) {
    const { p, h, c, alpha } = net;
    this.x = new Float64Array(0);
    this.y = new Float64Array(0);
    // The most chunks any load of at most `rows` rows takes (chunkCount grows with the rows).
    const most = chunkRows > 0 ? chunkCount(rows, chunkRows) : 1;
    this.threads = Math.max(1, Math.min(threads, availableParallelism(), most));
    if (chunkRows === 0) {
      this.s = null;
      this.team = null;
      return;
    }
    const shared = this.threads > 1;
    const f64 = (len: number) => (shared ? sharedFloat64(len) : new Float64Array(len));
    const P = p * h + h * c + c;
    this.s = {
      x: f64(rows * p), y: f64(rows * c), p, h, c, alpha,
      layout: new Int32Array(shared ? new SharedArrayBuffer((this.threads + 3) * 4) : new ArrayBuffer((this.threads + 3) * 4)),
      theta: f64(P), partial: f64(most * (P + 1)),
    };
    this.team = new Team({ what: 'gradient pass', module: new URL(import.meta.url), member: 'ChunkShare', commands: ['compute'] as const, state: this.s }, new ChunkShare(this.s, 0), this.threads);
  }

  /** The rows the next evaluations run over (the first n of x and y); load again after changing them. */
  load(x: Float64Array, y: Float64Array, n: number): void {
    this.n = n;
    const s = this.s;
    if (!s) {
      this.x = x;
      this.y = y;
      return;
    }
    s.x.set(x.subarray(0, n * s.p));
    s.y.set(y.subarray(0, n * s.c));
    const chunks = chunkCount(n, this.chunkRows);
    s.layout[0] = n;
    s.layout[1] = chunks;
    for (let t = 0; t <= this.threads; t++) s.layout[2 + t] = Math.floor((t * chunks) / this.threads);
  }

  /** The MSE of the network at its θ now over the loaded rows; its gradient into `grad`. */
  evaluate(grad: Float64Array): number {
    const s = this.s;
    if (!s) return lossAndGradient(this.net, this.x, this.y, this.n, grad);
    s.theta.set(this.net.theta);
    this.team!.run('compute');
    const P = grad.length;
    grad.set(s.partial.subarray(0, P));
    let loss = s.partial[P];
    for (let k = 1; k < s.layout[1]; k++) {
      const at = k * (P + 1);
      for (let t = 0; t < P; t++) grad[t] += s.partial[at + t];
      loss += s.partial[at + P];
    }
    return loss;
  }

  close(): void {
    this.team?.close();
  }
}
