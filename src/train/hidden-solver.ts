import { totalmem } from 'node:os';
import type { RandomState } from '../data/rng.js';
import type { Prepared } from '../data/split.js';
import { FactorTeam } from '../linalg/cholesky.js';
import { dualFactor, dualGram, inputGram } from '../linalg/dual-gram.js';
import { FiringPairs, packedSize } from '../linalg/firing-gram.js';
import { ridgeSolve } from '../linalg/ridge.js';
import { NormalOperator, operatorDims } from '../linalg/normal-operator.js';
import { flooredSvdSolve } from '../linalg/symmetric.js';
import { firingMomentsKernel, hiddenRhsKernel } from '../model/kernels.js';
import { firingFlags, fitOf, hiddenPre, totalSquares, type Fit, type Network } from '../model/network.js';
import { AnminError } from '../util/errors.js';
import { addPhase, phase, profiling } from '../util/profile.js';
import { ANMIN_DEFAULTS, DENSE_MAX_SIZE, type AnminOptions } from './anmin-options.js';
import { answerBy, assemble, gatedPairs, hiddenSystem, PairMoments, refitOutput, scaledLambda, setOutputLayer, solveHidden, solveHiddenCg, type HiddenSolve, type HiddenSystem } from './hidden-system.js';

/**
 * The two least-squares steps of Algorithm 1 for a run: the output refit (lines 2 and 14), which
 * freezes the firing pattern, and the new A for that pattern (lines 6–13). It owns what it needs across
 * iterations (the firing-pair sums and their helper threads, or the matrix-free operator and its rows)
 * and the arithmetic it is asked for (λ's scale, float32).
 */
export interface HiddenSolver {
  /** The next system will be for these weights: work that needs only A starts now (the helpers' sums). */
  prepare(A: Float64Array): void;
  /**
   * (B, b⁰) for the network's A by ridge (Eq. 4), and A's firing pattern frozen for `solve`. Returns
   * the refitted network's training fit when the refit's own pass over the rows gives it.
   */
  refit(net: Network): Fit | undefined;
  /** The new A for the pattern the last refit froze. */
  solve(net: Network): HiddenSolve;
  /** That pattern's firing flags (n×h): 1 where a neuron fires on a training row. */
  firing(): Uint8Array;
  close(): void;
}

/**
 * Multiply-adds of one hidden-layer solve, roughly, by the dense system (the firing-pair sums with
 * about half the neurons firing, n·h²/8 pairs of p(p+1)/2 entries, then the Cholesky of (d+1)h) and
 * by its dual in the rows' space (m = n·c rows: their Gram, m²/2 entries of p + h products, then the
 * Cholesky of m): what `solver: auto` weighs.
 */
export function solveCosts(n: number, p: number, h: number, c: number): { dense: number; dual: number } {
  const size = p * h;
  const m = n * c;
  return { dense: (n * h * h * p * (p + 1)) / 16 + size ** 3 / 6, dual: (m * m * (p + h)) / 2 + m ** 3 / 6 };
}

/**
 * `solver: auto`: the dual where the rows (× outputs) are fewer than the unknowns and it costs less
 * (and its system is no larger than DENSE_MAX_SIZE); else matrix-free above DENSE_MAX_SIZE unknowns;
 * else dense. The published numerics (float32 sums and factors) are the dense system's by definition;
 * with λ = 0 the dual's ln|M + λI| is not defined.
 */
export function chooseSolver(n: number, p: number, h: number, c: number, o: Pick<AnminOptions, 'solver' | 'precision' | 'accumulate' | 'lambda'>): 'dense' | 'dual' | 'cg' {
  if (o.solver !== 'auto') return o.solver;
  if (o.precision !== 'float64' || o.accumulate !== 'exact' || o.lambda === 0) return 'dense';
  const size = p * h;
  const m = n * c;
  const cost = solveCosts(n, p, h, c);
  if (m < size && m <= DENSE_MAX_SIZE && cost.dual < cost.dense) return 'dual';
  return size > DENSE_MAX_SIZE ? 'cg' : 'dense';
}

/** Refuses, before minutes of work, a dense system (and its factor) of `size` that would not fit in half the memory. */
function checkDenseMemory(size: number, what: string, remedy: string): void {
  const need = 2 * 8 * size * size;
  if (need > totalmem() / 2) throw new AnminError(`ANMIN: ${what} = ${size} needs ${(need / 2 ** 30).toFixed(1)} GiB, more than half this machine's ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${remedy}`);
}

/** The solve the options ask for (see chooseSolver): dense (M formed, ln|M + λI|, the degenerate branch), its dual, or matrix-free. */
export function hiddenSolver(train: Prepared, h: number, o: AnminOptions, rng: RandomState): HiddenSolver {
  const kind = chooseSolver(train.n, train.p, h, train.c, o);
  if (kind !== 'dense' && o.precision === 'float32') throw new AnminError(`ANMIN: --precision float32 factors the dense system; it does not go with --solver ${kind}`);
  if (kind !== 'dense' && o.accumulate !== 'exact') throw new AnminError(`ANMIN: --accumulate float32-batches sums the dense system; it does not go with --solver ${kind}`);
  if (o.accumulate === 'exact' && o.batchRows !== ANMIN_DEFAULTS.batchRows) throw new AnminError('ANMIN: --batch-rows sets the float32 batches; it goes with --accumulate float32-batches');
  if (kind === 'dense') checkDenseMemory(train.p * h, 'the dense system for (d+1)h', 'use --solver cg (matrix-free) or fewer hidden units');
  if (kind === 'dual' && o.lambda === 0) throw new AnminError('ANMIN: --solver dual needs λ > 0 (with λ = 0 its ln|M + λI| is not defined); use --solver dense');
  if (kind === 'dual') checkDenseMemory(train.n * train.c, 'the dual system for rows × outputs', 'use --solver dense or cg');
  if (kind === 'cg') return new CgHiddenSolver(train, h, o);
  return kind === 'dual' ? new DualHiddenSolver(train, h, o) : new DenseHiddenSolver(train, h, o, rng);
}

/** Σ_i k_i(k_i + 1)/2 · q: the additions of the plain firing-pair sum (k_i neurons firing on row i). */
function plainPairAdditions(z: Float64Array, n: number, h: number, q: number): number {
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 0; j < h; j++) if (z[i * h + j] > 0) k++;
    pairs += (k * (k + 1)) / 2;
  }
  return pairs * q;
}

/** M formed from the firing-pair sums (computed ahead on helper threads), factored, solved or floored. */
class DenseHiddenSolver implements HiddenSolver {
  private readonly pairs: FiringPairs;
  private readonly factors: FactorTeam;
  /** Exact sums: the last refit's pair sums and moments, from which the next system is built. */
  private moments: PairMoments | null = null;
  private readonly batches: boolean;
  /** Σ_i y_i per output. */
  private readonly ySums: Float64Array;
  private readonly lambda: number;
  /** ln|M + λI| is reported for the averaged system when λ is on the averages. */
  private readonly logScale: number;

  constructor(private readonly train: Prepared, private readonly h: number, private readonly o: AnminOptions, private readonly rng: RandomState) {
    const { x, n, p } = train;
    this.batches = o.accumulate === 'float32-batches';
    this.pairs = new FiringPairs(x, n, p, h, o.threads, o.chunkRows, this.batches ? { rows: o.batchRows } : undefined);
    this.factors = new FactorTeam(o.threads);
    this.lambda = scaledLambda(o, n);
    this.logScale = o.lambdaScale === 'sum' ? 0 : p * h * Math.log(n);
    this.ySums = new Float64Array(train.c);
    for (let i = 0; i < n; i++) for (let k = 0; k < train.c; k++) this.ySums[k] += train.y[i * train.c + k];
  }

  prepare(A: Float64Array): void {
    // Float32 batches: a fresh row order per system, as a DataLoader with shuffle=True draws one per pass.
    if (this.batches) this.pairs.shuffle(this.rng.permutation(this.train.n));
    this.pairs.prefetch(A);
  }

  /**
   * The pair sums this A's system needs anyway (begun on the helper threads by `prepare`) and one pass
   * for the gated moments (on this thread meanwhile) give the ridge system, so the rows are read once,
   * not twice. With float32 batches the output layer's sums then come from the float32 pair sums, as
   * the published code's refit summed in float32 on its GPU (a float64 pass over the rows cost sdf's
   * published reading 76 of its 117 ms an iteration).
   */
  refit(net: Network): undefined {
    const { x, y, n, p, c } = this.train;
    const h = this.h;
    const m = phase('gated moments (one pass over the rows)', () => firingMomentsKernel(net.A, net.alpha, x, y, n, p, h, c));
    const uf = phase('firing-pair sums: this thread (its share, then the wait)', () => this.pairs.sums(net.A));
    this.profilePairs(net.A);
    // A copy: the helpers overwrite their sums when they start on the next A.
    const u = gatedPairs(uf, () => this.pairs.plainGram(), h, packedSize(p), net.alpha);
    this.moments = new PairMoments(net.A, u === uf ? uf.slice() : u, m, this.ySums, n, p, h);
    const sys = this.moments.outputSystem();
    phase('output refit from the sums (Eq. 4)', () => setOutputLayer(net, ridgeSolve(sys.g, sys.rhs, h + 1, c, this.lambda)));
    return undefined;
  }

  solve(net: Network): HiddenSolve {
    const { x, y, n, p } = this.train;
    const m = this.moments;
    let sys: HiddenSystem;
    if (m && m.A.every((v, i) => v === net.A[i])) {
      sys = assemble(net, m.pairs(), m.hiddenRhs(net.B, net.b0), this.lambda);
    } else {
      // No refit for these weights (altmin keeps its output layer): the pair sums and Eq. 8's pass.
      sys = hiddenSystem(net, x, y, n, this.lambda, this.pairs);
      this.profilePairs(net.A);
    }
    return solveHidden(sys, p, this.h, this.o, this.logScale, this.factors);
  }

  /** The threads' time on the pair sums for A, against the additions a plain sum over rows and firing pairs would make. */
  private profilePairs(A: Float64Array): void {
    if (profiling()) addPhase('firing-pair sums: thread time, all threads', this.pairs.threadMs(), plainPairAdditions(this.preActivations(A), this.train.n, this.h, packedSize(this.train.p)));
  }

  private preActivations(A: Float64Array): Float64Array {
    const { x, n, p, c } = this.train;
    return hiddenPre({ p, h: this.h, c, alpha: this.o.alpha, A, B: new Float64Array(this.h * c), b0: new Float64Array(c) }, x, n);
  }

  /** The pattern the last refit froze. */
  firing(): Uint8Array {
    return firingFlags(this.preActivations(this.moments!.A));
  }

  close(): void {
    try {
      this.pairs.close();
    } finally {
      this.factors.close();
    }
  }
}

/**
 * The most entries of X Xᵀ the dual solver keeps between its solves (32 MB, m ≤ 2,048 rows). The inputs
 * do not change within a run, so their part of each entry of ΦΦᵀ = (X Xᵀ) ⊙ (W Wᵀ) is summed once: p of
 * the p + h products an entry. Larger m is left to form it each time: there the m³/3 factorization
 * outweighs the forming more and more.
 */
export const CACHED_GRAM_ENTRIES = 2 ** 22;

/**
 * The system's rows of inputs and their X Xᵀ by the inputs' array, kept while it lives: the runs of one
 * fit (its λ candidates, the widths, the restarts) share the inputs, and so the sums, which are the same
 * numbers however often they are formed. On 300 word flags, 1,280 fit rows: 0.1 s a run, 3–4 runs a fit.
 * Taken only where the array still holds the values it was kept with (a caller may refill one array
 * between runs): a comparison of n·p numbers, 1.4–4 ms there against 0.1 s to sum them again.
 */
const systemRows = new WeakMap<Float64Array, SystemRows>();

/** The rows of n samples × p inputs, c outputs, that a dual system is formed from (see systemRows). */
interface SystemRows {
  n: number;
  p: number;
  c: number;
  /** The inputs' values when kept. */
  inputs: Float64Array;
  xs: Float64Array;
  gram?: Float64Array | null;
}

/** The kept rows of `x` as n × p inputs and c outputs, where it holds the same values; else new ones, kept. */
function systemRowsOf(x: Float64Array, n: number, p: number, c: number): SystemRows {
  const kept = systemRows.get(x);
  if (kept && kept.n === n && kept.p === p && kept.c === c && sameValues(kept.inputs, x)) return kept;
  const rows = { n, p, c, inputs: x.slice(0, n * p), xs: c === 1 ? x : repeatRows(x, n, p, c) };
  systemRows.set(x, rows);
  return rows;
}

/** Whether `x` begins with `inputs`' values, bit for bit (NaN included). */
function sameValues(inputs: Float64Array, x: Float64Array): boolean {
  for (let t = 0; t < inputs.length; t++) if (!Object.is(inputs[t], x[t])) return false;
  return true;
}

/**
 * The hidden-layer solve in the rows' space. With Φ the m×(d+1)h matrix of Eq. 5 (m = n·c; the row of
 * sample i and output k is g_i ⊙ B_·k ⊗ x̃_i), M = ΦᵀΦ and Eq. 8's c = Φᵀr with r_ik = y_ik − b⁰_k, so
 * (M + λI)a = c has the solution a = Φᵀβ with (ΦΦᵀ + λI)β = r, and ln|M + λI| = ln|ΦΦᵀ + λI| +
 * ((d+1)h − m) ln λ. Where rows are fewer than unknowns that is an m×m system, not (d+1)h×(d+1)h: on
 * 384 rows and 704 unknowns a fifth of the work. The floored inverse of a degenerate system is taken
 * in the same space: c lies in Φ's row space, which the eigenvalues λ alone (the ones that differ)
 * never touch, so its answer is the dense system's.
 */
class DualHiddenSolver implements HiddenSolver {
  private readonly lambda: number;
  private readonly logScale: number;
  private readonly factors: FactorTeam;
  /** The pre-activations of the last refit: the firing pattern the next solve freezes. */
  private z: Float64Array | null = null;
  /** The system's rows of inputs, each sample's once per output, and X Xᵀ of them (inputGram), summed on the first solve of any run on these inputs for the later ones; null where too large to keep (CACHED_GRAM_ENTRIES). */
  private rows: SystemRows | undefined;

  constructor(private readonly train: Prepared, private readonly h: number, private readonly o: AnminOptions) {
    this.lambda = scaledLambda(o, train.n);
    this.factors = new FactorTeam(o.threads);
    this.logScale = o.lambdaScale === 'sum' ? 0 : train.p * h * Math.log(train.n);
  }

  prepare(): void {}

  refit(net: Network): undefined {
    const { x, y, n } = this.train;
    this.z = phase('output refit (Eq. 4: pre-activations, ridge sums, solve)', () => refitOutput(net, x, y, n, this.lambda));
    return undefined;
  }

  solve(net: Network): HiddenSolve {
    const { x, y, n, p, c } = this.train;
    const z = this.z!;
    const m = n * c;
    const h = net.h;
    this.rows ??= systemRowsOf(x, n, p, c);
    const { xs } = this.rows;
    const w = gatedOutputs(z, net);
    const rhs = new Float64Array(m);
    for (let r = 0; r < m; r++) rhs[r] = y[r] - net.b0[r % c];
    // Sylvester: |λI + ΦᵀΦ| = λ^((d+1)h − m) |λI + ΦΦᵀ| (the eigenvalues past the rank of Φ are λ alone).
    const rest = (p * h - m) * Math.log(this.lambda);
    this.rows.gram ??= m * m <= CACHED_GRAM_ENTRIES ? phase('dual system: the inputs\' Gram X Xᵀ (once for a fit\'s runs)', () => inputGram(xs, m, p), () => m * m * p) : null;
    const gram = this.rows.gram ?? undefined;
    const f = phase('dual system ΦΦᵀ + λI: formed, factored (Cholesky), ln| |', () => dualFactor(xs, w, m, p, h, this.lambda, this.factors, gram), () => m * m * (gram ? h : p + h) + m ** 3 / 3);
    const logdet = f.logdet + rest - this.logScale;
    let beta: Float64Array = rhs;
    let reported = logdet;
    const fallback = !(logdet > this.o.tau);
    const by = answerBy(fallback, f, this.lambda, this.o);
    if (by === 'none') return { A: null, logdet, fallback };
    if (by === 'factor') {
      phase('triangular solves', () => f.solve(rhs));
    } else {
      const fl = phase('degenerate systems: floored SVD inverse', () => flooredSvdSolve(dualGram(xs, w, m, p, h, this.lambda), m, rhs, this.o.svdFloor));
      beta = fl.x;
      if (Number.isNaN(logdet)) reported = fl.logdet + rest - this.logScale;
    }
    // a = Φᵀβ: Eq. 8's right-hand side with β in the place of the residuals y − b⁰.
    const A = phase('a = Φᵀβ', () => hiddenRhsKernel({ ...net, b0: new Float64Array(c) }, x, beta, n, z));
    return { A, logdet: reported, fallback };
  }

  firing(): Uint8Array {
    return firingFlags(this.z!);
  }

  close(): void {
    this.factors.close();
  }
}

/** Rows of W (m×h, m = n·c): w_ik = g_i ⊙ B_·k for sample i and output k, g_ij = 1 where neuron j fires, else α. */
function gatedOutputs(z: Float64Array, net: Network): Float64Array {
  const { h, c, alpha, B } = net;
  const n = z.length / h;
  const w = new Float64Array(n * c * h);
  if (c === 1) {
    for (let t = 0; t < n * h; t++) w[t] = z[t] > 0 ? B[t % h] : alpha * B[t % h];
    return w;
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const r = (i * c + k) * h;
      for (let j = 0; j < h; j++) w[r + j] = (z[i * h + j] > 0 ? 1 : alpha) * B[j * c + k];
    }
  }
  return w;
}

/** Each row of x (n×p) c times over: Φ's rows for the c outputs of one sample share their x̃_i. */
function repeatRows(x: Float64Array, n: number, p: number, c: number): Float64Array {
  const out = new Float64Array(n * c * p);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) out.set(x.subarray(i * p, i * p + p), (i * c + k) * p);
  return out;
}

/**
 * Conjugate gradients on products with the data; one operator serves every system of the run, and its
 * threads make the refit's pass too (the pre-activations never leave them; the training fit comes
 * from the same pass).
 */
class CgHiddenSolver implements HiddenSolver {
  private readonly op: NormalOperator;
  private readonly lambda: number;
  private readonly sst: number;

  constructor(private readonly train: Prepared, h: number, private readonly o: AnminOptions) {
    this.op = new NormalOperator(train.x, train.y, operatorDims(train.n, train.p, h, train.c, o.alpha, undefined, o.cgSampleRows), o.threads);
    this.lambda = scaledLambda(o, train.n);
    this.sst = totalSquares(train.y, train.n, train.c);
  }

  prepare(): void {}

  refit(net: Network): Fit {
    const { h, c } = net;
    const { g, rhs } = this.op.forward(net.A);
    setOutputLayer(net, ridgeSolve(g, rhs, h + 1, c, this.lambda));
    return fitOf(this.op.sse(net.B, net.b0), this.sst, this.train.n, c);
  }

  solve(net: Network): HiddenSolve {
    const { x, y, n } = this.train;
    return solveHiddenCg(net, x, y, n, this.lambda, this.o, this.op.firing, this.op);
  }

  firing(): Uint8Array {
    return this.op.firing;
  }

  close(): void {
    this.op.close();
  }
}
