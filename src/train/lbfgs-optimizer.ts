import { allocate, ownKernel, type Allocation, type KernelModule } from '../util/wasm.js';

/**
 * torch.optim.LBFGS step for step, with its line_search_fn None ('none', the paper's) or 'strong_wolfe': state
 * (history, direction, step length) persists across `step` calls; the very first iteration's step is
 * min(1, 1/‖g‖₁)·lr, later ones lr (the line search's first trial); max_eval defaults to max_iter·5/4;
 * the same tolerance checks break the inner loop in the same order. Infinity and NaN flow through as
 * they do in torch (the run is recorded, never aborted).
 */
export interface LbfgsSettings {
  lr: number;
  maxIter: number;
  maxEval?: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearch?: 'none' | 'strong_wolfe';
}

/** Evaluates the loss at θ and writes its gradient into `grad`. */
export type Closure = (grad: Float64Array) => number;

/** assembly/optim.ts's L-BFGS functions. */
interface LbfgsKernel extends KernelModule {
  lbfgsDot(a: number, b: number, n: number): number;
  lbfgsPair(g: number, gPrev: number, d: number, t: number, y: number, s: number, n: number): number;
  lbfgsTwoLoop(q: number, g: number, dirs: number, stps: number, ro: number, al: number, first: number, num: number, slots: number, n: number, hDiag: number): void;
}

/**
 * Σ a·b in four running sums (entry k into sum k mod 4), joined as (s₀ + s₁) + (s₂ + s₃), then the last
 * n mod 4 entries in order: four chains of additions the CPU overlaps, where one chain waits on each add
 * (torch's own dot, a BLAS one, reassociates too). Every dot product of the optimizer sums so, the
 * kernel's (LbfgsHistory) too.
 */
export function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const e = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k < e; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  let s = s0 + s1 + (s2 + s3);
  for (; k < n; k++) s += a[k] * b[k];
  return s;
}

// Loops, not TypedArray.map: map calls its callback per element, slow before the JIT has warmed up and after.
const negated = (a: Float64Array) => {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = -a[i];
  return out;
};

/** LbfgsHistory's arrays in its kernel's memory: `slots` pairs of vectors of `size`, 1/yᵀs and the recursion's coefficients per slot, and the vectors passed in and out. */
const historyLayout = (size: number, slots: number) =>
  ({ dirs: ['f64', slots * size], stps: ['f64', slots * size], ro: ['f64', slots], al: ['f64', slots], q: ['f64', size], g: ['f64', size], gPrev: ['f64', size], d: ['f64', size] }) as const;

/**
 * torch's history of directions (y, gradient changes) and steps (s) and its two-loop recursion, in a
 * SIMD kernel's memory of its own (a ring of capacity + 1 slots, so a new pair is written before it is
 * kept or dropped). The recursion was written in TypeScript as passes shared through a function that
 * took each pass's update as an argument: from one process to the next V8 inlined it or not, and the
 * same fit took 2.0 or 4.4–5.5 s (tecator-like data, 153 fit rows × 100 inputs: 6,529 parameters,
 * where the recursion at history 100 is most of an L-BFGS iteration). Each update of q sums the next dot
 * product with the new q as it goes (the plain loops' values, in dot's order): one pass over q for two.
 */
export class LbfgsHistory {
  private readonly k = ownKernel<LbfgsKernel>('optim');
  private readonly slots: number;
  private readonly at: Allocation<ReturnType<typeof historyLayout>>['at'];
  private readonly view: Allocation<ReturnType<typeof historyLayout>>['view'];
  private first = 0;
  /** Pairs kept, at most the capacity. */
  length = 0;

  constructor(private readonly size: number, capacity: number) {
    this.slots = capacity + 1;
    // Laid out once, in memory no other caller touches: the views stay valid.
    ({ at: this.at, view: this.view } = allocate(this.k, historyLayout(size, this.slots)));
  }

  clear(): void {
    this.first = 0;
    this.length = 0;
  }

  /** The gradient the next pair's y is measured from. */
  setGradient(g: Float64Array): void {
    this.view.gPrev.set(g);
  }

  /**
   * The pair y = g − (the last gradient set), s = t·d, kept (the oldest dropped at capacity) where
   * yᵀs > 1e-10 as torch keeps it; g becomes the last gradient. Returns torch's H_diag = yᵀs/yᵀy for a
   * kept pair, else undefined.
   */
  push(g: Float64Array, d: Float64Array, t: number): number | undefined {
    const { k, at, view, size } = this;
    view.g.set(g);
    view.d.set(d);
    const free = (this.first + this.length) % this.slots;
    const offset = free * size * Float64Array.BYTES_PER_ELEMENT;
    const y = at.dirs + offset;
    const ys = k.lbfgsPair(at.g, at.gPrev, at.d, t, y, at.stps + offset, size);
    view.gPrev.set(g);
    if (!(ys > 1e-10)) return undefined;
    view.ro[free] = 1 / ys;
    if (this.length === this.slots - 1) this.first = (this.first + 1) % this.slots;
    else this.length++;
    return ys / k.lbfgsDot(y, y, size);
  }

  /** −H·g by the two-loop recursion over the pairs kept, H's initial diagonal hDiag. */
  direction(g: Float64Array, hDiag: number): Float64Array {
    const { at, view } = this;
    view.g.set(g);
    this.k.lbfgsTwoLoop(at.q, at.g, at.dirs, at.stps, at.ro, at.al, this.first, this.length, this.slots, this.size, hDiag);
    return view.q.slice();
  }
}

const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
};

export class TorchLbfgs {
  private nIter = 0;
  private d: Float64Array | null = null;
  private t = 0;
  private readonly history: LbfgsHistory;
  private hDiag = 1;
  private prevLoss = 0;
  funcEvals = 0;

  constructor(private readonly theta: Float64Array, private readonly s: LbfgsSettings) {
    this.history = new LbfgsHistory(theta.length, s.historySize);
  }

  /** One optimizer.step(closure); returns the loss at the start of the step, as torch does. */
  step(closure: Closure): number {
    const { lr, maxIter, toleranceGrad, toleranceChange } = this.s;
    const maxEval = this.s.maxEval ?? Math.floor((maxIter * 5) / 4);
    const size = this.theta.length;
    let flatGrad: Float64Array = new Float64Array(size);
    const origLoss = closure(flatGrad);
    let loss = origLoss;
    let currentEvals = 1;
    this.funcEvals++;
    let optCond = maxAbs(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;
    let d = this.d;
    let t = this.t;
    let n = 0;
    while (n < maxIter) {
      n++;
      this.nIter++;
      if (this.nIter === 1) {
        d = negated(flatGrad);
        this.history.clear();
        this.history.setGradient(flatGrad);
        this.hDiag = 1;
      } else {
        this.hDiag = this.history.push(flatGrad, d!, t) ?? this.hDiag;
        d = this.history.direction(flatGrad, this.hDiag);
      }
      this.prevLoss = loss;
      if (this.nIter === 1) {
        let l1 = 0;
        for (let k = 0; k < size; k++) l1 += Math.abs(flatGrad[k]);
        t = Math.min(1, 1 / l1) * lr;
      } else {
        t = lr;
      }
      const gtd = dot(flatGrad, d!);
      if (gtd > -toleranceChange) break;
      let lsEvals = 0;
      if (this.s.lineSearch === 'strong_wolfe') {
        const found = strongWolfe(closure, this.theta, t, d!, loss, flatGrad, gtd, toleranceChange);
        ({ loss, grad: flatGrad, t, evals: lsEvals } = found);
        optCond = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        for (let k = 0; k < size; k++) this.theta[k] += t * d![k];
        if (n !== maxIter) {
          flatGrad = new Float64Array(size);
          loss = closure(flatGrad);
          optCond = maxAbs(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      this.funcEvals += lsEvals;
      if (n === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (maxAbs(d!) * Math.abs(t) <= toleranceChange) break;
      if (Math.abs(loss - this.prevLoss) < toleranceChange) break;
    }
    this.d = d;
    this.t = t;
    return origLoss;
  }
}

/** Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds; their middle when it has none (torch's _cubic_interpolate). */
export function cubicMinimum(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (!(d2Square >= 0)) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const at = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(at, lo), hi);
}

interface LinePoint {
  t: number;
  f: number;
  g: Float64Array;
  gtd: number;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LS = 25;

/**
 * torch's _strong_wolfe: from θ₀ = theta along d, a step t with f(θ₀ + td) ≤ f + c₁t·gtd and
 * |∇f(θ₀ + td)·d| ≤ −c₂·gtd, by bracketing then cubic zoom (at most 25 evaluations). Leaves theta at
 * θ₀ + td for the step returned, with its loss and gradient.
 */
export function strongWolfe(closure: Closure, theta: Float64Array, t0: number, d: Float64Array, f: number, g: Float64Array, gtd: number, toleranceChange: number): { loss: number; grad: Float64Array; t: number; evals: number } {
  const x0 = theta.slice();
  const dNorm = maxAbs(d);
  const at = (t: number): LinePoint => {
    for (let k = 0; k < theta.length; k++) theta[k] = x0[k] + t * d[k];
    const grad = new Float64Array(theta.length);
    const loss = closure(grad);
    return { t, f: loss, g: grad, gtd: dot(grad, d) };
  };
  let t = t0;
  let next = at(t);
  let evals = 1;
  let prev: LinePoint = { t: 0, f, g, gtd };
  let bracket: LinePoint[] = [];
  let done = false;
  let lsIter = 0;
  while (lsIter < MAX_LS) {
    if (next.f > f + C1 * t * gtd || (lsIter > 1 && next.f >= prev.f)) {
      bracket = [prev, next];
      break;
    }
    if (Math.abs(next.gtd) <= -C2 * gtd) {
      bracket = [next];
      done = true;
      break;
    }
    if (next.gtd >= 0) {
      bracket = [prev, next];
      break;
    }
    const minStep = t + 0.01 * (t - prev.t);
    const maxStep = t * 10;
    t = cubicMinimum(prev.t, prev.f, prev.gtd, t, next.f, next.gtd, [minStep, maxStep]);
    prev = next;
    next = at(t);
    evals++;
    lsIter++;
  }
  if (lsIter === MAX_LS) bracket = [{ t: 0, f, g, gtd }, next];
  // The zoom: shrink the bracket by cubic steps, kept a tenth of its length off its ends when progress stalls.
  let insufficient = false;
  let [low, high] = bracket.length === 1 || bracket[0].f <= bracket[bracket.length - 1].f ? [0, 1] : [1, 0];
  while (!done && lsIter < MAX_LS) {
    if (Math.abs(bracket[1].t - bracket[0].t) * dNorm < toleranceChange) break;
    t = cubicMinimum(bracket[0].t, bracket[0].f, bracket[0].gtd, bracket[1].t, bracket[1].f, bracket[1].gtd);
    const top = Math.max(bracket[0].t, bracket[1].t);
    const bottom = Math.min(bracket[0].t, bracket[1].t);
    const eps = 0.1 * (top - bottom);
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficient || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficient = false;
      } else {
        insufficient = true;
      }
    } else {
      insufficient = false;
    }
    const point = at(t);
    evals++;
    lsIter++;
    if (point.f > f + C1 * t * gtd || point.f >= bracket[low].f) {
      bracket[high] = point;
      [low, high] = bracket[0].f <= bracket[1].f ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(point.gtd) <= -C2 * gtd) done = true;
      else if (point.gtd * (bracket[high].t - bracket[low].t) >= 0) bracket[high] = bracket[low];
      bracket[low] = point;
    }
  }
  const best = bracket[low];
  for (let k = 0; k < theta.length; k++) theta[k] = x0[k] + best.t * d[k];
  return { loss: best.f, grad: best.g, t: best.t, evals };
}
