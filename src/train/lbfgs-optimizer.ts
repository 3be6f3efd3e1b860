/**
 * torch.optim.LBFGS without a line search, step for step: state (history, direction, step length)
 * persists across `step` calls; the very first iteration's step is min(1, 1/‖g‖₁)·lr, later ones lr;
 * max_eval defaults to max_iter·5/4; the same tolerance checks break the inner loop in the same order.
 * Infinity and NaN flow through as they do in torch (the run is recorded, never aborted).
 */
export interface LbfgsSettings {
  lr: number;
  maxIter: number;
  maxEval?: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
}

/** Evaluates the loss at θ and writes its gradient into `grad`. */
export type Closure = (grad: Float64Array) => number;

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
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
    let flatGrad = new Float64Array(size);
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
        d = flatGrad.map((v) => -v);
        this.oldDirs = [];
        this.oldStps = [];
        this.ro = [];
        this.hDiag = 1;
      } else {
        const y = flatGrad.map((v, i) => v - this.prevFlatGrad![i]);
        const sv = d!.map((v) => v * t);
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
        const num = this.oldDirs.length;
        const q = flatGrad.map((v) => -v);
        for (let i = num - 1; i >= 0; i--) {
          this.al[i] = dot(this.oldStps[i], q) * this.ro[i];
          const od = this.oldDirs[i];
          for (let k = 0; k < size; k++) q[k] -= this.al[i] * od[k];
        }
        for (let k = 0; k < size; k++) q[k] *= this.hDiag;
        for (let i = 0; i < num; i++) {
          const be = dot(this.oldDirs[i], q) * this.ro[i];
          const os = this.oldStps[i];
          for (let k = 0; k < size; k++) q[k] += (this.al[i] - be) * os[k];
        }
        d = q;
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
      for (let k = 0; k < size; k++) this.theta[k] += t * d![k];
      if (n !== maxIter) {
        flatGrad = new Float64Array(size);
        loss = closure(flatGrad);
        optCond = maxAbs(flatGrad) <= toleranceGrad;
        lsEvals = 1;
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
