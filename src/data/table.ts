import { basename } from 'node:path';
import { AnminError } from '../util/errors.js';
import { readCsvHeader, readNumericTable, type Dropped, type TableOptions } from './csv.js';
import { splitColumns, type Dataset } from './dataset.js';

/**
 * The columns of a user's training table: the targets, and the inputs (default: every other column).
 * One set of rules for `anmin train`, the estimators and a protocol's CSV dataset. `words`: input
 * columns of words read beside these (--categorical), which may be all the inputs there are.
 */
export async function tableColumns(path: string, target: string[], features?: string[], words = 0): Promise<{ features: string[]; targets: string[] }> {
  const header = await readCsvHeader(path, path);
  for (const name of [...target, ...(features ?? [])]) {
    if (!header.includes(name)) throw new AnminError(`${path}: no column "${name}" (has: ${header.join(', ')})`);
  }
  const both = target.find((t) => features?.includes(t));
  if (both) throw new AnminError(`${path}: "${both}" is both a target and a feature`);
  const inputs = features ?? header.filter((h) => !target.includes(h));
  if (inputs.length + words === 0) throw new AnminError(`${path}: no input columns besides the target`);
  return { features: inputs, targets: target };
}

/** The named columns of a CSV with a header as a dataset (no targets: `targets` empty), and the rows a `missing: 'drop'` read left out. */
export async function readTable(path: string, features: string[], targets: string[], rows: Pick<TableOptions, 'missing' | 'skip'> = {}): Promise<Dataset & { dropped?: Dropped }> {
  const t = await readNumericTable(path, { label: path, header: true, select: [...features, ...targets], ...rows });
  return { ...splitColumns(basename(path), t.data, t.rows, t.cols, features.length, features, targets, {}), ...(t.dropped ? { dropped: t.dropped } : {}) };
}
