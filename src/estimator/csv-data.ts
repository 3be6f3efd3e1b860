import { isMissing, readCsvHeader, readTextColumns, type Missing } from '../data/csv.js';
import { indicatorName, learnCategories, oneHot, sideBySide, type OneHot } from '../data/encoding.js';
import { readTable, tableColumns } from '../data/table.js';
import { AnminError } from '../util/errors.js';
import type { Flat } from './matrix.js';

export interface CsvData {
  x: Flat;
  /** Present when the file has the target columns. */
  y?: Flat;
  /** The model's inputs, in x's column order: the numeric columns, then each category's indicator. */
  features: string[];
  targets: string[];
  /** The one-hot code of the columns of words, when there are any. */
  encoding?: OneHot[];
  /** Rows holding a category the code does not know (all-zero code), and one such, for a warning. */
  unseen?: { rows: number; example?: string };
  /** Rows left out for a missing value (`missing: 'drop'`): how many, of how many in the file, and each column's missing fields among them. */
  dropped?: { rows: number; of: number; columns: Record<string, number> };
}

/** Columns of words to one-hot encode, and the training rows (of n) whose words define the categories. */
export interface Categorical {
  columns: string[];
  trainRows: (n: number) => ArrayLike<number>;
}

/**
 * A table's numeric columns, and its columns of words as text row by row. `missing`: 'drop' leaves out
 * every row holding a missing value (isMissing) in a column read, numbers or words, and says how many
 * in `dropped`; by default a missing number is an error naming it, and a missing word a category like
 * any other.
 */
async function readRows(path: string, features: string[], targets: string[], withTargets: boolean, words: string[], missing: Missing | undefined): Promise<{ numbers: CsvData; text: string[][] }> {
  const drop = missing === 'drop';
  const all = words.length ? await readTextColumns(path, path, words) : [];
  // The rows whose words are missing, for the numbers' reader to leave out with its own.
  const skip = new Set<number>();
  const byWord: Record<string, number> = {};
  if (drop) {
    all.forEach((row, i) =>
      row.forEach((w, j) => {
        if (!isMissing(w)) return;
        skip.add(i);
        byWord[words[j]] = (byWord[words[j]] ?? 0) + 1;
      }),
    );
  }
  const t = await readTable(path, features, withTargets ? targets : [], { missing, skip });
  const numbers: CsvData = { x: { data: t.x, rows: t.n, cols: t.d }, ...(withTargets ? { y: { data: t.y, rows: t.n, cols: t.c } } : {}), features, targets };
  if (!t.dropped) return { numbers, text: all };
  const gone = new Set(t.dropped.indices);
  return { numbers: { ...numbers, dropped: { rows: gone.size, of: t.n + gone.size, columns: { ...t.dropped.columns, ...byWord } } }, text: all.filter((_, i) => !gone.has(i)) };
}

/** What a read with `missing: 'drop'` left out, in a line: `left out 6 of 398 rows of auto.csv holding a missing value (missing: horsepower 6)`. */
export function droppedNote(path: string, d: NonNullable<CsvData['dropped']>): string {
  return `left out ${d.rows} of ${d.of} rows of ${path} holding a missing value (missing: ${Object.entries(d.columns).map(([column, k]) => `${column} ${k}`).join(', ')})`;
}

/** The numeric columns read, then the columns of words one-hot encoded by `code` beside them. */
function withWords(path: string, data: CsvData, code: OneHot[], words: string[][]): CsvData {
  if (words.length !== data.x.rows) throw new AnminError(`${path}: ${words.length} rows of words against ${data.x.rows} of numbers`);
  const hot = oneHot(code, words);
  const cols = data.x.cols + hot.names.length;
  return { ...data, x: { data: sideBySide(data.x.data, data.x.cols, hot.x, hot.names.length, data.x.rows), rows: data.x.rows, cols }, features: [...data.features, ...hot.names], encoding: code, unseen: hot.unseen };
}

/**
 * A training table: the target columns, and the named features (default: every other column); columns
 * of words named in `categorical` are one-hot encoded, their categories learned on its training rows;
 * rows holding a missing value as `missing` says (readRows).
 */
export async function readTrainingCsv(path: string, target: string[], features?: string[], categorical?: Categorical, missing: Missing = 'error'): Promise<CsvData & { y: Flat }> {
  const words = categorical?.columns ?? [];
  const header = words.length ? await readCsvHeader(path, path) : [];
  for (const w of words) {
    if (!header.includes(w)) throw new AnminError(`${path}: no column "${w}" (has: ${header.join(', ')})`);
    if (target.includes(w)) throw new AnminError(`--categorical: "${w}" is a target; a target must be numbers`);
  }
  // A column of words is an input by being named categorical, whatever --features lists.
  const numeric = words.length ? (features ?? header.filter((h) => !target.includes(h))).filter((f) => !words.includes(f)) : features;
  const cols = await tableColumns(path, target, numeric, words.length);
  const { numbers, text } = await readRows(path, cols.features, cols.targets, true, words, missing);
  if (!words.length) return numbers as CsvData & { y: Flat };
  const code = learnCategories(words, text, categorical!.trainRows(numbers.x.rows));
  return withWords(path, numbers, code, text) as CsvData & { y: Flat };
}

/**
 * Inputs for a saved model, matched by name in any order: a missing input or a column that is neither
 * an input nor a target (nor one of `carried`, columns the caller passes through, such as an id) is an
 * error; targets are read when `needTargets` (evaluate) or when present. A model with a one-hot code
 * reads its columns of words and encodes them as it was trained; rows holding a missing value as
 * `missing` says (readRows).
 */
export async function readModelInputs(path: string, features: string[], targets: string[], needTargets: boolean, carried: string[] = [], encoding: OneHot[] = [], missing?: Missing): Promise<CsvData> {
  const indicators = new Set(encoding.flatMap((c) => c.categories.map((k) => indicatorName(c.column, k))));
  const numeric = features.filter((f) => !indicators.has(f));
  const words = encoding.map((c) => c.column);
  const header = await readCsvHeader(path, path);
  const absent = [...numeric, ...words, ...carried].find((f) => !header.includes(f));
  if (absent) throw new AnminError(`${path}: no column "${absent}", ${carried.includes(absent) ? 'named by --id' : `an input of the model (inputs: ${[...numeric, ...words].join(', ')})`}`);
  const extra = header.find((h) => !numeric.includes(h) && !words.includes(h) && !targets.includes(h) && !carried.includes(h));
  if (extra) throw new AnminError(`${path}: column "${extra}" is not an input or target of the model (inputs: ${[...numeric, ...words].join(', ')}; targets: ${targets.join(', ')}); to carry it into the predictions: --id ${extra}`);
  const hasTargets = targets.every((t) => header.includes(t));
  if (needTargets && !hasTargets) throw new AnminError(`${path}: no column "${targets.find((t) => !header.includes(t))}", the model's target, to evaluate against`);
  const { numbers: data, text } = await readRows(path, numeric, targets, hasTargets, words, missing);
  if (!encoding.length) return data;
  const coded = withWords(path, data, encoding, text);
  if (coded.features.join('\u0000') !== features.join('\u0000')) throw new AnminError(`${path}: the model's inputs are not its numeric columns then its categories' indicators (a model file edited by hand?)`);
  return coded;
}
