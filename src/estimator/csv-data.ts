import { readCsvHeader } from '../data/csv.js';
import { readTable, tableColumns } from '../data/table.js';
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
  const t = await readTable(path, features, withTargets ? targets : []);
  return { x: { data: t.x, rows: t.n, cols: t.d }, ...(withTargets ? { y: { data: t.y, rows: t.n, cols: t.c } } : {}), features, targets };
}

/** A training table: the target columns, and the named features (default: every other column). */
export async function readTrainingCsv(path: string, target: string[], features?: string[]): Promise<CsvData & { y: Flat }> {
  const cols = await tableColumns(path, target, features);
  return (await readColumns(path, cols.features, cols.targets, true)) as CsvData & { y: Flat };
}

/**
 * Inputs for a saved model, matched by name in any order: a missing input or a column that is neither
 * an input nor a target (nor one of `carried`, columns the caller passes through, such as an id) is an
 * error; targets are read when `needTargets` (evaluate) or when present.
 */
export async function readModelInputs(path: string, features: string[], targets: string[], needTargets: boolean, carried: string[] = []): Promise<CsvData> {
  const header = await readCsvHeader(path, path);
  const missing = [...features, ...carried].find((f) => !header.includes(f));
  if (missing) throw new AnminError(`${path}: no column "${missing}", ${carried.includes(missing) ? 'named by --id' : `an input of the model (inputs: ${features.join(', ')})`}`);
  const extra = header.find((h) => !features.includes(h) && !targets.includes(h) && !carried.includes(h));
  if (extra) throw new AnminError(`${path}: column "${extra}" is not an input or target of the model (inputs: ${features.join(', ')}; targets: ${targets.join(', ')}); to carry it into the predictions: --id ${extra}`);
  const hasTargets = targets.every((t) => header.includes(t));
  if (needTargets && !hasTargets) throw new AnminError(`${path}: no column "${targets.find((t) => !header.includes(t))}", the model's target, to evaluate against`);
  return readColumns(path, features, targets, hasTargets);
}
