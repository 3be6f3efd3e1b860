import type { Prepared } from '../data/split.js';
import { dualFactor, dualGram, inputGram, onesWeights } from '../linalg/dual-gram.js';
import { ridgeSolve, ridgeSolveKernel, solveColumns } from '../linalg/ridge.js';
import { outputNormalEquations } from '../model/kernels.js';
import { fitOf, totalSquares, type Fit } from '../model/network.js';
import type { Network } from '../model/types.js';
import { descend } from './validation.js';

/**
 * The ridge penalties per fit row (λ·n on the standardized inputs) the linear candidate chooses among
 * by validation: from next to none to strong shrinkage on one-hot columns of rare words.
 */
export const LINEAR_LAMBDAS: readonly number[] = [1e-6, 1e-4, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1];

/**
 * The most columns (inputs and the intercept) a linear fit is made for: its cost grows as the square of
 * the columns a row and their cube a penalty (session 35, 1,600 fit and 400 validation rows: 200 inputs
 * 31 ms, 400 65 ms, 800 0.27 s, 1,200 0.67 s, about 7 Adam epochs there). Where the fit rows are far fewer
 * than the columns the fit goes by its dual, a system of the rows' size (bySums).
 */
export const LINEAR_MAX_COLUMNS = 1024;

/**
 * Whether a linear fit is made on `p` columns (the ones column counted; any number of rows: bySums) and `c`
 * targets for networks of at least `hidden` units: LINEAR_MAX_COLUMNS, and a pair of units for each target
 * or each input (linearNetwork), else it could not be kept, and its floor would stop Adam for nothing.
 */
export const linearFits = (p: number, c: number, hidden: number) => p <= LINEAR_MAX_COLUMNS && 2 * Math.min(c, p - 1) <= hidden;

/** d inputs (the ones column not counted) and c targets. */
interface Shape {
  d: number;
  c: number;
}

/** A linear fit of the targets: W ((d+1)×c, the intercept's row last) on inputs standardized as the network's. */
export interface LinearFit extends Shape {
  /** The penalty per row it was fitted with (LINEAR_LAMBDAS). */
  lambda: number;
  w: Float64Array;
}

/** A part's inputs without the ones column the networks take first. */
function inputsOf(part: Prepared): Float64Array {
  const d = part.p - 1;
  const out = new Float64Array(part.n * d);
  for (let i = 0; i < part.n; i++) out.set(part.x.subarray(i * part.p + 1, (i + 1) * part.p), i * d);
  return out;
}

/** The sums of a ridge fit with an intercept over `n` rows: (X, 1)ᵀ(X, 1) and (X, 1)ᵀY, which add over parts. */
interface Sums extends Shape {
  g: Float64Array;
  rhs: Float64Array;
  n: number;
}

function sums(part: Prepared): Sums {
  const d = part.p - 1;
  return { ...outputNormalEquations(inputsOf(part), 1, part.y, part.n, d, part.c), n: part.n, d, c: part.c };
}

const added = (a: Sums, b: Sums): Sums => ({ ...a, g: a.g.map((v, j) => v + b.g[j]), rhs: a.rhs.map((v, j) => v + b.rhs[j]), n: a.n + b.n });

/** The ridge fit of the sums' rows at `lambda` per row. */
const solve = (s: Sums, lambda: number): LinearFit => ({ lambda, w: ridgeSolveKernel(s.g, s.rhs, s.d + 1, s.c, lambda * s.n), d: s.d, c: s.c });

/** X̃X̃ᵀ of a part's rows, the ones column included, as the hidden layer's dual solve sums it (inputGram): the dual's system. */
const rowGram = (part: Prepared): Float64Array => inputGram(part.x, part.n, part.p);

/**
 * The same ridge fit as `solve` by its dual, for more columns than rows: W = X̃ᵀ(X̃X̃ᵀ + λI)⁻¹Y, a system of
 * the rows' size (X̃ with its ones column, so the intercept is penalized alike), from `gram` = rowGram(part),
 * formed and factored by the kernels of the hidden layer's dual solve (dualFactor, with one weight column
 * of ones); ridgeSolve where the factorization fails.
 */
function dualSolve(part: Prepared, gram: Float64Array, lambda: number): LinearFit {
  const { n, p, c, x } = part;
  const f = dualFactor(x, onesWeights(n), n, p, 2, lambda * n, undefined, gram);
  const alpha = Number.isNaN(f.logdet) ? ridgeSolve(dualGram(x, onesWeights(n), n, p, 2), part.y, n, c, lambda * n) : solveColumns(f, part.y, n, c);
  const d = p - 1;
  const w = new Float64Array(p * c);
  // X̃ᵀα has the intercept first (the ones column); a LinearFit keeps it last.
  for (let i = 0; i < n; i++)
    for (let k = 0; k < c; k++) {
      const v = alpha[i * c + k];
      w[d * c + k] += v;
      for (let a = 0; a < d; a++) w[a * c + k] += x[i * p + 1 + a] * v;
    }
  return { lambda, w, d, c };
}

/** Both parts' rows as one part (in their one standardization). */
const joined = (a: Prepared, b: Prepared): Prepared => ({ n: a.n + b.n, p: a.p, c: a.c, x: stacked(a.x, b.x), y: stacked(a.y, b.y) });

/** `b`'s values after `a`'s, in a new array. */
function stacked(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Whether a fit on n rows of p columns goes by the sums rather than the dual: the cheaper, by the sums'
 * n·p²/2 and the dual's n²·p/2 (each a SIMD kernel's), and a factorization a penalty, 4 of them, p³/3 or n³/3.
 */
const bySums = (n: number, p: number) => (n * p * p) / 2 + (4 * p ** 3) / 3 <= (n * n * p) / 2 + (4 * n ** 3) / 3;

/** The ridge fits of one part's rows at any penalty, and of both parts' rows: by the sums or by the dual (bySums). */
function ridgeFits(fit: Prepared, validation: Prepared): { on: (lambda: number) => LinearFit; both: (lambda: number) => LinearFit } {
  if (bySums(fit.n, fit.p)) {
    const f = sums(fit);
    return { on: (lambda) => solve(f, lambda), both: (lambda) => solve(added(f, sums(validation)), lambda) };
  }
  const k = rowGram(fit);
  return { on: (lambda) => dualSolve(fit, k, lambda), both: (lambda) => ((all) => dualSolve(all, rowGram(all), lambda))(joined(fit, validation)) };
}

/** The fit at `lambda` per row on every row of `part`, by the sums or by the dual (`form`; default: bySums). */
export function ridgeFit(part: Prepared, lambda: number, form: 'sums' | 'dual' = bySums(part.n, part.p) ? 'sums' : 'dual'): LinearFit {
  return form === 'sums' ? solve(sums(part), lambda) : dualSolve(part, rowGram(part), lambda);
}

/** The fit's squared errors over every entry of `part`'s n×c targets, summed. */
function linearSse(f: LinearFit, part: Prepared): number {
  const { d, c, w } = f;
  let sse = 0;
  for (let i = 0; i < part.n; i++)
    for (let k = 0; k < c; k++) {
      let v = w[d * c + k];
      for (let a = 0; a < d; a++) v += part.x[i * part.p + 1 + a] * w[a * c + k];
      sse += (part.y[i * c + k] - v) ** 2;
    }
  return sse;
}

/** The fit's MSE over every entry of `part`'s n×c targets. */
export const linearMse = (f: LinearFit, part: Prepared): number => linearSse(f, part) / (part.n * f.c);

/**
 * MSE and R² on `part`, or on its rows and `also`'s in one standardization, as evaluate gives a network's,
 * without a pass through its idle units: the two parts' rows are not joined (standardizing every row
 * again took 24,000 rows × 90 inputs 17–37 ms, against 40 ms for their linear fit's search), only their
 * targets.
 */
export function linearFitOf(f: LinearFit, part: Prepared, also?: Prepared): Fit {
  const n = part.n + (also?.n ?? 0);
  const y = also ? stacked(part.y, also.y) : part.y;
  return fitOf(linearSse(f, part) + (also ? linearSse(f, also) : 0), totalSquares(y, n, f.c), n, f.c);
}

/**
 * Of LINEAR_LAMBDAS' fits on the `fit` rows, the one of least MSE on the `validation` rows (both in one
 * standardization) that descent from the grid's middle finds (descend: validation MSE over the penalty is
 * bowl-shaped; 3–5 solves of 8), that MSE, and `all`: the fit at its penalty on both parts' rows, from their
 * sums (each row's products summed once).
 */
export function bestLinear(fit: Prepared, validation: Prepared): { fit: LinearFit; validationMse: number; all: () => LinearFit } {
  const fits = ridgeFits(fit, validation);
  const tried: { fit: LinearFit; validationMse: number }[] = [];
  descend(LINEAR_LAMBDAS, (lambda) => {
    const l = fits.on(lambda);
    tried.push({ fit: l, validationMse: linearMse(l, validation) });
    return tried[tried.length - 1].validationMse;
  });
  const best = tried.reduce((a, b) => (b.validationMse < a.validationMse ? b : a));
  return { ...best, all: () => fits.both(best.fit.lambda) };
}

/** Whether a linear fit of validation MSE `linear` is kept over a network of validation MSE `network` (null: none finite). */
export const linearKept = (linear: number, network: number | null) => network === null || linear < network;

/**
 * The linear fit as a network of `h` units and slope α, the same function: σ(z) − σ(−z) = (1 + α)z, so
 * two units opposite each other carry one linear map. One pair per target (u = the target's weights),
 * or where h holds too few pairs for the targets, one per input (u = that input alone, the output layer
 * holding W); undefined where it holds too few for either. The other units are zero.
 */
export function linearNetwork(f: LinearFit, h: number, alpha: number): Network | undefined {
  const { d, c, w } = f;
  const p = d + 1;
  const byTarget = 2 * c <= h;
  if (!byTarget && 2 * d > h) return undefined;
  const A = new Float64Array(p * h);
  const B = new Float64Array(h * c);
  const b0 = new Float64Array(c);
  const g = 1 / (1 + alpha);
  if (byTarget)
    for (let k = 0; k < c; k++) {
      for (let a = 0; a < d; a++) {
        A[(a + 1) * h + 2 * k] = w[a * c + k];
        A[(a + 1) * h + 2 * k + 1] = -w[a * c + k];
      }
      B[2 * k * c + k] = g;
      B[(2 * k + 1) * c + k] = -g;
    }
  else
    for (let a = 0; a < d; a++) {
      A[(a + 1) * h + 2 * a] = 1;
      A[(a + 1) * h + 2 * a + 1] = -1;
      for (let k = 0; k < c; k++) {
        B[2 * a * c + k] = g * w[a * c + k];
        B[(2 * a + 1) * c + k] = -g * w[a * c + k];
      }
    }
  // A's bias row stays zero in either layout: the intercept is the output's.
  for (let k = 0; k < c; k++) b0[k] = w[d * c + k];
  return { p, h, c, alpha, A, B, b0 };
}
