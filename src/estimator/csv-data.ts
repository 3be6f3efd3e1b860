import { readCsvHeader, readTextColumns } from '../data/csv.js';
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
}

/** Columns of words to one-hot encode, and the training rows (of n) whose words define the categories. */
export interface Categorical {
  columns: string[];
  trainRows: (n: number) => ArrayLike<number>;
}

async function readColumns(path: string, features: string[], targets: string[], withTargets: boolean): Promise<CsvData> {
  const t = await readTable(path, features, withTargets ? targets : []);
  return { x: { data: t.x, rows: t.n, cols: t.d }, ...(withTargets ? { y: { data: t.y, rows: t.n, cols: t.c } } : {}), features, targets };
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
 * of words named in `categorical` are one-hot encoded, their categories learned on its training rows.
 */
export async function readTrainingCsv(path: string, target: string[], features?: string[], categorical?: Categorical): Promise<CsvData & { y: Flat }> {
  const words = categorical?.columns ?? [];
  const header = words.length ? await readCsvHeader(path, path) : [];
  for (const w of words) {
    if (!header.includes(w)) throw new AnminError(`${path}: no column "${w}" (has: ${header.join(', ')})`);
    if (target.includes(w)) throw new AnminError(`--categorical: "${w}" is a target; a target must be numbers`);
  }
  // A column of words is an input by being named categorical, whatever --features lists.
  const numeric = words.length ? (features ?? header.filter((h) => !target.includes(h))).filter((f) => !words.includes(f)) : features;
  const cols = await tableColumns(path, target, numeric, words.length);
  const numbers = await readColumns(path, cols.features, cols.targets, true);
  if (!words.length) return numbers as CsvData & { y: Flat };
  const text = await readTextColumns(path, path, words);
  const code = learnCategories(words, text, categorical!.trainRows(numbers.x.rows));
  return withWords(path, numbers, code, text) as CsvData & { y: Flat };
}

/**
 * Inputs for a saved model, matched by name in any order: a missing input or a column that is neither
 * an input nor a target (nor one of `carried`, columns the caller passes through, such as an id) is an
 * error; targets are read when `needTargets` (evaluate) or when present. A model with a one-hot code
 * reads its columns of words and encodes them as it was trained.
 */
export async function readModelInputs(path: string, features: string[], targets: string[], needTargets: boolean, carried: string[] = [], encoding: OneHot[] = []): Promise<CsvData> {
  const indicators = new Set(encoding.flatMap((c) => c.categories.map((k) => indicatorName(c.column, k))));
  const numeric = features.filter((f) => !indicators.has(f));
  const words = encoding.map((c) => c.column);
  const header = await readCsvHeader(path, path);
  const missing = [...numeric, ...words, ...carried].find((f) => !header.includes(f));
  if (missing) throw new AnminError(`${path}: no column "${missing}", ${carried.includes(missing) ? 'named by --id' : `an input of the model (inputs: ${[...numeric, ...words].join(', ')})`}`);
  const extra = header.find((h) => !numeric.includes(h) && !words.includes(h) && !targets.includes(h) && !carried.includes(h));
  if (extra) throw new AnminError(`${path}: column "${extra}" is not an input or target of the model (inputs: ${[...numeric, ...words].join(', ')}; targets: ${targets.join(', ')}); to carry it into the predictions: --id ${extra}`);
  const hasTargets = targets.every((t) => header.includes(t));
  if (needTargets && !hasTargets) throw new AnminError(`${path}: no column "${targets.find((t) => !header.includes(t))}", the model's target, to evaluate against`);
  const data = await readColumns(path, numeric, targets, hasTargets);
  if (!encoding.length) return data;
  const coded = withWords(path, data, encoding, await readTextColumns(path, path, words));
  if (coded.features.join('\u0000') !== features.join('\u0000')) throw new AnminError(`${path}: the model's inputs are not its numeric columns then its categories' indicators (a model file edited by hand?)`);
  return coded;
}
