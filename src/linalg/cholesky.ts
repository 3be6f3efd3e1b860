import { availableParallelism } from 'node:os';
import { Team } from '../util/team.js';
import { allocate, compiledKernel, kernel, kernelOn, stillClaimed, type KernelModule } from '../util/wasm.js';
import type { Factorization } from './lu.js';

/**
 * In-place Cholesky factorization of a symmetric positive definite n×n row-major matrix: on success
 * the lower triangle holds L (K = L Lᵀ) and the result is ln|K| = 2 Σ ln L_ii. Returns NaN (and
 * leaves `k` partly overwritten) when a pivot is not positive, i.e. the matrix is not numerically PD.
 * Row-oriented so the inner dot products run over contiguous memory. The plain version: small systems
 * (the output layer's ridge) and the reference the SIMD kernel below is tested against.
 */
export function choleskyInPlace(k: Float64Array, n: number): number {
  let logdet = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = k[ri + j];
      let t = 0;
      let m = 0;
      // Two accumulators break the dependency chain of one long sum.
      for (; m + 1 < j; m += 2) {
        s -= k[ri + m] * k[rj + m];
        t -= k[ri + m + 1] * k[rj + m + 1];
      }
      for (; m < j; m++) s -= k[ri + m] * k[rj + m];
      s += t;
      if (i === j) {
        if (!(s > 0)) return NaN;
        const l = Math.sqrt(s);
        k[ri + i] = l;
        logdet += Math.log(l);
      } else {
        k[ri + j] = s / k[rj + j];
      }
    }
  }
  return 2 * logdet;
}

/** Solves L Lᵀ x = b in place on `b`, with L from `choleskyInPlace`. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = i * n;
    for (let m = 0; m < i; m++) s -= l[ri + m] * b[m];
    b[i] = s / l[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let m = i + 1; m < n; m++) s -= l[m * n + i] * b[m];
    b[i] = s / l[i * n + i];
  }
}

/** assembly/cholesky.ts: the factorization, its solve, and two systems formed where they are factored (dual-gram.ts, pair-system.ts). */
export interface CholeskyKernel extends KernelModule {
  cholesky(a: number, n: number): number;
  factorBegin(): void;
  factorRows(a: number, n: number, thread: number, threads: number): void;
  factorEnd(a: number, n: number): number;
  factorAbort(): void;
  MAX_THREADS: WebAssembly.Global;
  solve(a: number, n: number, b: number): void;
  dualGram(x: number, w: number, m: number, px: number, pw: number, lambda: number, out: number): void;
  pairSystem(u: number, bb: number, packed: number, p: number, h: number, lambda: number, out: number): void;
}

/**
 * Factors K by the kernel and keeps L in kernel memory, where `solve` runs too: no copy of L comes
 * back (for the hidden-layer system, which is solved once right after it is factored). The solve is
 * valid until the kernel's memory is used again on this thread (any factorization) and throws after.
 */
export function choleskyKernelFactor(k: Float64Array, n: number): Factorization {
  const ker = kernel<CholeskyKernel>('cholesky');
  const { at, view, claim } = allocate(ker, { a: ['f64', n * n], b: ['f64', n] });
  view.a.set(k.subarray(0, n * n));
  return factorHeld(ker, at, view, claim, n);
}

/** Factors the n×n matrix the kernel holds at `at.a` in place, with `at.b` (n doubles) for the solves (see choleskyKernelFactor). */
export function factorHeld(ker: CholeskyKernel, at: { a: number; b: number }, view: { b: Float64Array }, claim: number, n: number, team?: FactorTeam): Factorization {
  const logdet = team ? team.factor(at.a, n) : ker.cholesky(at.a, n);
  return {
    logdet,
    solve(b: Float64Array): void {
      // Unclaimed memory may also have grown, which detaches or outdates the views: check before touching them.
      if (!stillClaimed(ker, claim)) throw new Error('choleskyKernelFactor: solve after the kernel\'s memory was used again');
      view.b.set(b.subarray(0, n));
      ker.solve(at.a, n, at.b);
      b.set(view.b);
    },
  };
}

/**
 * The same factorization by the WebAssembly SIMD kernel (assembly/cholesky.ts), L copied back: the
 * conjugate-gradient preconditioner's per-neuron blocks (normal-cg.ts), which it keeps and reuses.
 * `k` is left as it is; L comes back in a new array, with ln|K| (NaN if not positive definite).
 */
export function choleskyFactor(k: Float64Array, n: number): { l: Float64Array; logdet: number } {
  const ker = kernel<CholeskyKernel>('cholesky');
  const { at, view } = allocate(ker, { a: ['f64', n * n] });
  view.a.set(k.subarray(0, n * n));
  const logdet = ker.cholesky(at.a, n);
  return { l: view.a.slice(), logdet };
}

/** What the threads of a factorization share: the kernel's memory, and where its matrix lies ([a, n]). */
interface FactorState {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  args: Int32Array;
  threads: number;
}

/** One thread's blocks of rows of a factorization (the kernel's factorRows), on the main thread's kernel memory. */
export class RowBlocks {
  private readonly ker: CholeskyKernel;

  constructor(private readonly s: FactorState, private readonly thread: number) {
    this.ker = thread === 0 ? kernel<CholeskyKernel>('cholesky') : kernelOn<CholeskyKernel>(s.module, s.memory);
  }

  factor(): void {
    try {
      this.ker.factorRows(this.s.args[0], this.s.args[1], this.thread, this.s.threads);
    } catch (e) {
      // The other threads wait inside the kernel, where no Team timeout reaches them.
      this.ker.factorAbort();
      throw e;
    }
  }
}

/**
 * Below this order a factorization stays on one thread: waking the helpers (tens of microseconds)
 * would cost more than their share (n³/3 flops: 0.3 ms at 256 on one core).
 */
const TEAM_ORDER = 256;

/**
 * Cholesky factorizations in the kernel's memory on `threads` threads (at most `cores`), blocks of rows dealt
 * out in turn (assembly/cholesky.ts's factorRows): the same L, to the bit, as one thread's. Takes its
 * helpers from the pool at the first factorization of order TEAM_ORDER or more, and holds them until
 * `close`.
 */
export class FactorTeam {
  private readonly ker = kernel<CholeskyKernel>('cholesky');
  private readonly threads: number;
  /** The helpers and the words that tell them where the matrix lies, from the first factorization on a team. */
  private held: { team: Team<RowBlocks>; args: Int32Array } | null = null;

  constructor(threads: number, cores = availableParallelism()) {
    this.threads = Math.max(1, Math.min(threads, cores, this.ker.MAX_THREADS.value as number));
  }

  /** Factors the n×n matrix at byte offset `a` of the kernel's memory in place: ln|K|, NaN if not positive definite (see `cholesky`). */
  factor(a: number, n: number): number {
    if (this.threads === 1 || n < TEAM_ORDER) return this.ker.cholesky(a, n);
    if (!this.held) {
      const s = { module: compiledKernel('cholesky'), memory: this.ker.memory, args: new Int32Array(new SharedArrayBuffer(8)), threads: this.threads };
      const spec = { what: 'Cholesky factorization', module: new URL(import.meta.url), member: 'RowBlocks', commands: ['factor'] as const, state: s };
      this.held = { team: new Team(spec, new RowBlocks(s, 0), this.threads), args: s.args };
    }
    this.ker.factorBegin();
    this.held.args[0] = a;
    this.held.args[1] = n;
    this.held.team.run('factor');
    return this.ker.factorEnd(a, n);
  }

  close(): void {
    this.held?.team.close();
    this.held = null;
  }
}
