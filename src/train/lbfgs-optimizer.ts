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

/** Entry k of q after a pass's update (which it makes), a the update's factor, x its other vector. */
type Entry = (q: Float64Array, k: number, a: number, x: Float64Array) => number;

/**
 * A pass over q that updates each entry (`entry`) and returns Σ y·q over the new q in four running sums
 * (entry k into sum k mod 4), joined as (s₀ + s₁) + (s₂ + s₃), then the last n mod 4 entries in order:
 * four chains of additions the CPU overlaps, where one chain waits on each add (torch's own dot, a BLAS
 * one, reassociates too). Each kind of pass is a function of its own, sharing this code (the two-loop
 * recursion at history 100 over 901 parameters: 0.28 ms, against 0.26 with each kind written out).
 */
function pass(entry: Entry) {
  return (q: Float64Array, a: number, x: Float64Array, y: Float64Array): number => {
    const n = q.length;
    const e = n - (n % 4);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k < e; k += 4) {
      s0 += y[k] * entry(q, k, a, x);
      s1 += y[k + 1] * entry(q, k + 1, a, x);
      s2 += y[k + 2] * entry(q, k + 2, a, x);
      s3 += y[k + 3] * entry(q, k + 3, a, x);
    }
    let s = s0 + s1 + (s2 + s3);
    for (; k < n; k++) s += y[k] * entry(q, k, a, x);
    return s;
  };
}

const dotPass = pass((q, k) => q[k]);
/** q += a·x, then Σ y·q of the new q (pass's order). */
const axpyDot = pass((q, k, a, x) => (q[k] += a * x[k]));
/** q *= a, then Σ y·q of the new q (pass's order). */
const scaleDot = pass((q, k, a) => (q[k] *= a));

/** Σ a·b in pass's order: every dot product of the optimizer sums so. */
export const dot = (a: Float64Array, b: Float64Array): number => dotPass(b, 0, b, a);

// Loops, not TypedArray.map: map calls its callback per element, slow before the JIT has warmed up and after.
const negated = (a: Float64Array) => {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = -a[i];
  return out;
};
/**
 * torch's two-loop recursion: −H·g from the history of directions (y) and steps (s). Each update of q
 * also sums the next dot product with q as it goes (in dot's order, over the same values), so the
 * numbers are those of the update then the dot, while the dot's chains of additions overlap the
 * update's independent work: one pass over q for two (the recursion was half of an L-BFGS step at
 * P = 641 parameters and more on wider, shorter data). At history 100 over 901 parameters: 0.39 ms
 * with each dot one chain, 0.28 ms with pass's four.
 */
export function twoLoop(g: Float64Array, dirs: Float64Array[], stps: Float64Array[], ro: number[], al: number[], hDiag: number): Float64Array {
  const size = g.length;
  const num = dirs.length;
  const q = negated(g);
  let next = num > 0 ? dot(stps[num - 1], q) : 0;
  for (let i = num - 1; i >= 0; i--) {
    al[i] = next * ro[i];
    // q − al·d is q + (−al)·d to the bit. The next dot: with the step before, or (the last) after the
    // loop with the first direction once q is scaled.
    if (i > 0) next = axpyDot(q, -al[i], dirs[i], stps[i - 1]);
    else for (let k = 0; k < size; k++) q[k] -= al[i] * dirs[i][k];
  }
  if (num > 0) next = scaleDot(q, hDiag, q, dirs[0]);
  else for (let k = 0; k < size; k++) q[k] *= hDiag;
  for (let i = 0; i < num; i++) {
    const c = al[i] - next * ro[i];
    if (i + 1 < num) next = axpyDot(q, c, stps[i], dirs[i + 1]);
    else for (let k = 0; k < size; k++) q[k] += c * stps[i][k];
  }
  return q;
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
  private oldDirs: Float64Array[] = [];
  private oldStps: Float64Array[] = [];
  private ro: number[] = [];
  private hDiag = 1;
  private prevFlatGrad: Float64Array | null = null;
  private prevLoss = 0;
  private readonly al: number[];
  funcEvals = 0;

  constructor(private readonly theta: Float64Array, private readonly s: LbfgsSettings) {
    this.al = new Array(s.historySize).fill(0);
  }

  /** One optimizer.step(closure); returns the loss at the start of the step, as torch does. */
  step(closure: Closure): number {
    const { lr, maxIter, toleranceGrad, toleranceChange, historySize } = this.s;
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
        this.oldDirs = [];
        this.oldStps = [];
        this.ro = [];
        this.hDiag = 1;
      } else {
        const y = new Float64Array(size);
        const sv = new Float64Array(size);
        const prev = this.prevFlatGrad!;
        for (let k = 0; k < size; k++) {
          y[k] = flatGrad[k] - prev[k];
          sv[k] = d![k] * t;
        }
        const ys = dot(y, sv);
        if (ys > 1e-10) {
          if (this.oldDirs.length === historySize) {
            this.oldDirs.shift();
            this.oldStps.shift();
            this.ro.shift();
          }
          this.oldDirs.push(y);
          this.oldStps.push(sv);
          this.ro.push(1 / ys);
          this.hDiag = ys / dot(y, y);
        }
        d = twoLoop(flatGrad, this.oldDirs, this.oldStps, this.ro, this.al, this.hDiag);
      }
      this.prevFlatGrad = flatGrad.slice();
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
