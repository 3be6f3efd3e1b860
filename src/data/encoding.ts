import { AnminError } from '../util/errors.js';

/** One column of words and the categories its one-hot code has, in order (learned from training rows). */
export interface OneHot {
  column: string;
  categories: string[];
}

/** The input name of one category's indicator: `color=red`. */
export const indicatorName = (column: string, category: string): string => `${column}=${category}`;

/**
 * The categories of each column, as the training rows hold them (sorted, so the code does not depend on
 * row order); `values[i][j]` is row i's word in column j. A test row's words play no part.
 */
export function learnCategories(columns: string[], values: string[][], trainRows: ArrayLike<number>): OneHot[] {
  return columns.map((column, j) => {
    const seen = new Set<string>();
    for (let t = 0; t < trainRows.length; t++) seen.add(values[trainRows[t]][j]);
    if (seen.size < 2) throw new AnminError(`--categorical: column "${column}" holds ${seen.size === 0 ? 'no value' : `one value ("${[...seen][0]}")`} in the training rows; it cannot tell rows apart`);
    return { column, categories: [...seen].sort() };
  });
}

/**
 * Rows × Σ categories of 0/1 indicators. A word the code has no category for (a category first seen
 * at prediction) gets all zeros, as scikit-learn's OneHotEncoder(handle_unknown='ignore'): the model
 * predicts for it as for a row of none of the known categories; `unseen` counts such rows, for a warning.
 */
export function oneHot(code: OneHot[], values: string[][]): { x: Float64Array; names: string[]; unseen: { rows: number; example?: string } } {
  const names = code.flatMap((c) => c.categories.map((k) => indicatorName(c.column, k)));
  const x = new Float64Array(values.length * names.length);
  const index = code.map((c) => new Map(c.categories.map((k, i) => [k, i])));
  let rows = 0;
  let example: string | undefined;
  values.forEach((row, i) => {
    let at = i * names.length;
    let missed = false;
    code.forEach((c, j) => {
      const hit = index[j].get(row[j]);
      if (hit === undefined) {
        missed = true;
        example ??= indicatorName(c.column, row[j]);
      } else x[at + hit] = 1;
      at += c.categories.length;
    });
    if (missed) rows++;
  });
  return { x, names, unseen: { rows, ...(example !== undefined ? { example } : {}) } };
}

/** Rows of two tables side by side: a (n×da) then b (n×db), row-major. */
export function sideBySide(a: Float64Array, da: number, b: Float64Array, db: number, n: number): Float64Array {
  const out = new Float64Array(n * (da + db));
  for (let i = 0; i < n; i++) {
    out.set(a.subarray(i * da, (i + 1) * da), i * (da + db));
    out.set(b.subarray(i * db, (i + 1) * db), i * (da + db) + da);
  }
  return out;
}
