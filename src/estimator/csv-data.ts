import { readCsvHeader, readNumericTable } from '../data/csv.js';
import { AnminError } from '../util/errors.js';
import type { Flat } from './matrix.js';

export interface CsvData {
  x: Flat;
  /** Present when the file has the target columns. */
  y?: Flat;
  features: string[];
  targets: string[];
}

async function readColumns(path: string, features: string[], targets: string[], withTargets: boolean): Promise<CsvData> {
  const cols = withTargets ? [...features, ...targets] : features;
  const t = await readNumericTable(path, { label: path, header: true, select: cols });
  const d = features.length;
  const c = targets.length;
  const x = new Float64Array(t.rows * d);
  const y = withTargets ? new Float64Array(t.rows * c) : undefined;
  for (let i = 0; i < t.rows; i++) {
    x.set(t.data.subarray(i * t.cols, i * t.cols + d), i * d);
    y?.set(t.data.subarray(i * t.cols + d, (i + 1) * t.cols), i * c);
  }
  return { x: { data: x, rows: t.rows, cols: d }, ...(y ? { y: { data: y, rows: t.rows, cols: c } } : {}), features, targets };
}

/** A training table: the target columns, and the named features (default: every other column). */
export async function readTrainingCsv(path: string, target: string[], features?: string[]): Promise<CsvData> {
  const header = await readCsvHeader(path, path);
  for (const name of [...target, ...(features ?? [])]) {
    if (!header.includes(name)) throw new AnminError(`${path}: no column "${name}" (has: ${header.join(', ')})`);
  }
  const both = target.find((t) => features?.includes(t));
  if (both) throw new AnminError(`--features: "${both}" is also a --target column`);
  const inputs = features ?? header.filter((h) => !target.includes(h));
  if (inputs.length === 0) throw new AnminError(`${path}: no input columns besides the target`);
  return readColumns(path, inputs, target, true);
}

/**
 * Inputs for a saved model, matched by name in any order: a missing input or a column that is neither
 * an input nor a target is an error; targets are read when `needTargets` (evaluate) or when present.
 */
export async function readModelInputs(path: string, features: string[], targets: string[], needTargets: boolean): Promise<CsvData> {
  const header = await readCsvHeader(path, path);
  const missing = features.find((f) => !header.includes(f));
  if (missing) throw new AnminError(`${path}: no column "${missing}", an input of the model (inputs: ${features.join(', ')})`);
  const extra = header.find((h) => !features.includes(h) && !targets.includes(h));
  if (extra) throw new AnminError(`${path}: column "${extra}" is not an input or target of the model (inputs: ${features.join(', ')}; targets: ${targets.join(', ')})`);
  const hasTargets = targets.every((t) => header.includes(t));
  if (needTargets && !hasTargets) throw new AnminError(`${path}: no column "${targets.find((t) => !header.includes(t))}", the model's target, to evaluate against`);
  return readColumns(path, features, targets, hasTargets);
}
