import type { Prepared } from '../data/split.js';

/**
 * Rows held by their nonzero inputs (compressed sparse rows): row r's entries are [start[r], start[r + 1])
 * of `col` (the input's index, in order) and `val`. A column of words one-hot encoded and standardized
 * is dense, every row holding its level's −mean/sd; shifted by that common value (sparseShift) it is zero
 * on every row but its level's.
 */
export interface SparseRows {
  start: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/**
 * What a nonzero input costs the sparse pass, in inputs of the dense pass: the sparse pass goes one row
 * and one input at a time, where the dense one takes four rows per load of A (256 rows, 64 units: 29
 * inputs, 38% nonzero, 0.203 ms against 0.210; 406 inputs, 1.7% nonzero, 0.182 against 2.64).
 */
export const SPARSE_COST = 2.6;

/** The share of nonzero inputs after the shift at or below which a gradient pass takes rows by their nonzeros: below 1/SPARSE_COST, with a margin. */
export const SPARSE_SHARE = 0.25;

/** Arrays for sparse rows: plain, or on shared memory for a pass's threads. */
export type Alloc = { f64: (len: number) => Float64Array; i32: (len: number) => Int32Array };

const PLAIN: Alloc = { f64: (len) => new Float64Array(len), i32: (len) => new Int32Array(len) };

/** What sparseShift finds: each input's shift, and a shifted row's work in inputs of the dense pass (gradientWidth). */
export interface SparseShift {
  values: Float64Array;
  width: number;
}

const found = new WeakMap<Prepared, SparseShift | null>();

/**
 * The value each input column is shifted by so that it is mostly zero: a column that takes two values
 * on the rows (a one-hot level, a flag, standardized) is shifted by the one more rows hold, every
 * other column by 0. Null unless the first column is the ones column (the shift's constant goes into
 * its weights: shiftTheta) and the shifted rows' nonzeros are at most SPARSE_SHARE of the entries.
 * Found once for a data set's rows (a fit's runs each ask).
 */
export function sparseShift(data: Prepared): SparseShift | null {
  let s = found.get(data);
  if (s === undefined) {
    s = findShift(data);
    found.set(data, s);
  }
  return s;
}

function findShift(data: Prepared): SparseShift | null {
  const { n, p, x } = data;
  if (n === 0 || p < 2) return null;
  for (let r = 0; r < n; r++) if (x[r * p] !== 1) return null;
  const { values, nonzeros } = scanColumns(x, p, 1, (r) => r, n);
  return n + nonzeros <= SPARSE_SHARE * n * p ? { values, width: SPARSE_COST * (1 + nonzeros / n) } : null;
}

/**
 * Columns from…p of the n rows row(0…n) of x (row-major, p wide): each two-valued column's more common
 * value (0 for the others) and the entries left nonzero once the two-valued columns are shifted by it,
 * the others counted whole unless constant.
 */
function scanColumns(x: Float64Array, p: number, from: number, row: (r: number) => number, n: number): { values: Float64Array; nonzeros: number } {
  // Row by row, each column's state in arrays: a column's entries lie p apart, so a pass down each
  // column would touch a cache line per entry.
  const first = x.slice(row(0) * p, row(0) * p + p);
  const second = new Float64Array(p).fill(NaN);
  const firsts = new Int32Array(p);
  const more = new Uint8Array(p);
  for (let r = 0; r < n; r++) {
    const o = row(r) * p;
    for (let a = from; a < p; a++) {
      const v = x[o + a];
      if (v === first[a]) firsts[a]++;
      else if (Number.isNaN(second[a])) second[a] = v;
      else if (v !== second[a]) more[a] = 1;
    }
  }
  const values = new Float64Array(p);
  let nonzeros = 0;
  for (let a = from; a < p; a++) {
    if (more[a]) nonzeros += n;
    else if (firsts[a] === n) values[a] = first[a];
    else {
      values[a] = 2 * firsts[a] >= n ? first[a] : second[a];
      nonzeros += Math.min(firsts[a], n - firsts[a]);
    }
  }
  return { values, nonzeros };
}

/**
 * A gradient pass's work on a row of these raw inputs (n rows of d, `rows` of them or all), in inputs
 * of the dense pass, the ones column counted, as sparseShift finds it once standardized: SPARSE_COST
 * times the shifted rows' nonzeros where they are few enough, else d + 1. What auto weighs an Adam
 * fit's work by.
 */
export function gradientWidth(x: Float64Array, d: number, rows?: Int32Array): number {
  const n = rows?.length ?? x.length / d;
  if (n === 0) return d + 1;
  const { nonzeros } = scanColumns(x, d, 0, rows ? (r) => rows[r] : (r) => r, n);
  return n + nonzeros <= SPARSE_SHARE * n * (d + 1) ? SPARSE_COST * (1 + nonzeros / n) : d + 1;
}

/** Empty sparse rows with room for `rows` rows and `entries` entries, in arrays from `alloc`. */
export function sparseRoom(rows: number, entries: number, alloc: Alloc = PLAIN): SparseRows {
  return { start: alloc.i32(rows + 1), col: alloc.i32(entries), val: alloc.f64(entries) };
}

/** Rows of x (n×p) less `shift`, by their nonzeros, in arrays from `alloc`. */
export function toSparseRows(x: Float64Array, n: number, p: number, shift: Float64Array, alloc: Alloc = PLAIN): SparseRows {
  let count = 0;
  for (let r = 0; r < n; r++) for (let a = 0; a < p; a++) if (x[r * p + a] !== shift[a]) count++;
  const rows = sparseRoom(n, count, alloc);
  fillSparseRows(rows, x, n, p, shift);
  return rows;
}

/** Writes rows of x (n×p) less `shift` into `rows`' arrays (room enough), by their nonzeros. */
export function fillSparseRows(rows: SparseRows, x: Float64Array, n: number, p: number, shift: Float64Array): void {
  let k = 0;
  for (let r = 0; r < n; r++) {
    rows.start[r] = k;
    for (let a = 0; a < p; a++) {
      const v = x[r * p + a] - shift[a];
      if (v !== 0) {
        rows.col[k] = a;
        rows.val[k++] = v;
      }
    }
  }
  rows.start[n] = k;
}

/**
 * θ′ for rows shifted by `shift` (x = x′ + shift, the first column the ones): x A = x′ A + shift·A, so
 * the first layer's ones row takes shift·A and every other weight stays. The network at θ′ on the
 * shifted rows is the network at θ on the rows.
 */
export function shiftTheta(shift: Float64Array, theta: Float64Array, p: number, h: number, out: Float64Array): void {
  out.set(theta);
  for (let a = 1; a < p; a++) {
    const u = shift[a];
    if (u === 0) continue;
    for (let j = 0; j < h; j++) out[j] += u * theta[a * h + j];
  }
}

/** The gradient with respect to θ from the one with respect to θ′ (shiftTheta), in place: ∂/∂A_a = ∂/∂A′_a + shift_a ∂/∂A′_ones. */
export function unshiftGradient(shift: Float64Array, grad: Float64Array, p: number, h: number): void {
  for (let a = 1; a < p; a++) {
    const u = shift[a];
    if (u === 0) continue;
    for (let j = 0; j < h; j++) grad[a * h + j] += u * grad[j];
  }
}
