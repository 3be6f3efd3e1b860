import { splitIndices } from '../data/split.js';
import { AnminError } from '../util/errors.js';
import { copyRows } from '../util/rows.js';

/**
 * A table of numbers as users hold one: rows of numbers, a flat row-major array with its shape, or one
 * with its rows and cols (what readTrainingCsv returns, so its x and y go straight into fit).
 */
export type Matrix = readonly (readonly number[])[] | { readonly data: ArrayLike<number>; readonly shape: readonly [number, number] } | Readonly<Flat>;

/** Targets: one per row, rows of several, or a flat row-major array with its shape. */
export type Targets = readonly number[] | Matrix;

export interface Flat {
  data: Float64Array;
  rows: number;
  cols: number;
}

function finite(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AnminError(`${at} is ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v)}, not a finite number`);
  return v;
}

/**
 * A matrix as a flat Float64Array, refusing ragged rows and anything not finite, by position. A
 * Float64Array given is taken as it is, not copied: fit, predict and evaluate only read it (a copy of
 * 24,000 rows × 90 inputs took 5–10 ms, a sixth of their linear fit's search).
 */
export function toFlat(m: Matrix, name: string): Flat {
  if (Array.isArray(m)) {
    const rows = m as readonly (readonly number[])[];
    if (rows.length === 0) throw new AnminError(`${name} has no rows`);
    const cols = rows[0]?.length ?? 0;
    const data = new Float64Array(rows.length * cols);
    rows.forEach((row, i) => {
      if (!Array.isArray(row)) throw new AnminError(`${name}[${i}] is not an array of numbers`);
      if (row.length !== cols) throw new AnminError(`${name}[${i}] has ${row.length} values, ${name}[0] has ${cols}`);
      for (let j = 0; j < cols; j++) data[i * cols + j] = finite(row[j], `${name}[${i}][${j}]`);
    });
    if (cols === 0) throw new AnminError(`${name} has no columns`);
    return { data, rows: rows.length, cols };
  }
  const flat = m as Partial<Flat>;
  const { data: src, shape } = (typeof flat.rows === 'number' && typeof flat.cols === 'number' && !('shape' in m) ? { data: flat.data!, shape: [flat.rows, flat.cols] } : m) as { data: ArrayLike<number>; shape: readonly [number, number] };
  if (!shape || !Number.isInteger(shape[0]) || !Number.isInteger(shape[1]) || shape[0] < 1 || shape[1] < 1) {
    throw new AnminError(`${name}: expected rows of numbers or { data, shape: [rows, cols] } with positive integer rows and cols`);
  }
  if (src.length !== shape[0] * shape[1]) throw new AnminError(`${name}.data has ${src.length} values, shape [${shape[0]}, ${shape[1]}] needs ${shape[0] * shape[1]}`);
  const data = src instanceof Float64Array ? src : Float64Array.from(src);
  for (let t = 0; t < data.length; t++) if (!Number.isFinite(data[t])) finite(data[t], `${name}[${Math.floor(t / shape[1])}][${t % shape[1]}]`);
  return { data, rows: shape[0], cols: shape[1] };
}

/** Targets as a flat matrix: a plain list of numbers is one column. */
export function targetsToFlat(y: Targets, name: string): Flat {
  if (Array.isArray(y) && y.length > 0 && !Array.isArray(y[0])) return toFlat((y as readonly number[]).map((v) => [v]), name);
  return toFlat(y as Matrix, name);
}

/** A flat table as a Matrix, without copying. */
export const asMatrix = (m: Flat): { data: Float64Array; shape: [number, number] } => ({ data: m.data, shape: [m.rows, m.cols] });

function rowsOf(m: Flat, rows: Int32Array): { data: Float64Array; shape: [number, number] } {
  const data = new Float64Array(rows.length * m.cols);
  copyRows(data, m.data, m.cols, rows, 0, rows.length);
  return { data, shape: [rows.length, m.cols] };
}

/**
 * The rows to train on and a held-out share to test on, drawn by the seed as a protocol's split is
 * (scikit-learn's train_test_split); `fraction` 0 trains on every row.
 */
export function holdOut(x: Flat, y: Flat, fraction: number, seed: number): { train: { X: Matrix; y: Matrix }; test?: { X: Matrix; y: Matrix } } {
  if (fraction === 0) return { train: { X: asMatrix(x), y: asMatrix(y) } };
  const idx = splitIndices(x.rows, seed, fraction);
  if (idx.train.length < 2) throw new AnminError(`a test fraction of ${fraction} leaves ${idx.train.length} training rows of ${x.rows}`);
  return { train: { X: rowsOf(x, idx.train), y: rowsOf(y, idx.train) }, test: { X: rowsOf(x, idx.test), y: rowsOf(y, idx.test) } };
}
