import { basename, join } from 'node:path';
import { Command } from 'commander';
import { againstMlp, checkMethods, compare, DEFAULT_METHODS, type CompareData } from '../compare/compare.js';
import { loadDataset } from '../data/dataset.js';
import type { Missing } from '../data/csv.js';
import { droppedNote, readTrainingCsv } from '../estimator/csv-data.js';
import { AnminError, USAGE } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { endAtOnceOnInterrupt } from '../util/interrupt.js';
import { startProgress } from '../util/progress.js';
import { loadOptions, withDataOptions, type DataFlags } from './datasets.js';
import { DESCRIPTIONS } from './descriptions.js';
import { emit, outputPath } from './io.js';
import { option } from './options.js';

type CompareFlags = DataFlags & {
  dataset?: string;
  target?: string[];
  features?: string[];
  categorical?: string[];
  missing: Missing;
  splits: number;
  methods?: string[];
  json?: boolean;
  out?: string;
};

const OUT_FILES = ['table.md', 'results.jsonl', 'figure.svg'] as const;

async function dataOf(file: string | undefined, f: CompareFlags): Promise<CompareData & { dropped?: string }> {
  if (file && f.dataset) throw new AnminError('compare: give a CSV or --dataset, not both', USAGE);
  if (!file && !f.dataset) throw new AnminError('compare: give a CSV (with --target) or --dataset NAME', USAGE);
  if (f.dataset) {
    if (f.target || f.features || f.categorical || f.missing !== 'error') throw new AnminError(`compare: --target, --features, --categorical and --missing are for a CSV; --dataset ${f.dataset} has its own`, USAGE);
    return loadDataset(f.dataset, loadOptions(f));
  }
  if (!f.target) throw new AnminError('compare: --target is required with a CSV (the column to predict)', USAGE);
  // Every value a column of words holds gets an indicator; each split then zeroes those its training rows lack (unseenIndicators).
  const every = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  const t = await readTrainingCsv(file!, f.target, f.features, f.categorical ? { columns: f.categorical, trainRows: every } : undefined, f.missing);
  const dropped = t.dropped ? droppedNote(basename(file!), t.dropped) : undefined;
  const words = t.encoding?.reduce((k, c) => k + c.categories.length, 0) ?? 0;
  const indicators = Array.from({ length: words }, (_, k) => t.x.cols - words + k);
  return { name: basename(file!), n: t.x.rows, d: t.x.cols, c: t.y.cols, x: t.x.data, y: t.y.data, ...(words ? { indicators } : {}), ...(dropped ? { dropped } : {}) };
}

/** `anmin compare`: every method on the same K splits, a table of test MSE and seconds, optionally its files. */
export function compareCommand(): Command {
  const cmd = withDataOptions(new Command('compare').description(DESCRIPTIONS.compare).argument('[data.csv]', 'your data: a header of column names, numeric columns (columns of words: --categorical)'));
  for (const k of ['dataset', 'target', 'features', 'compareCategorical', 'missing', 'compareSplits', 'compareMethods', 'json', 'compareOut'] as const) cmd.addOption(option(k));
  cmd.action(async (file: string | undefined, f: CompareFlags) => {
    const methods = checkMethods(f.methods ?? DEFAULT_METHODS);
    if (f.out) for (const name of OUT_FILES) outputPath(join(f.out, name), '--out', { files: file ? [file] : [] });
    const data = await dataOf(file, f);
    if (data.dropped) process.stderr.write(`anmin compare: ${data.dropped}\n`);
    if (data.n < 5) throw new AnminError(`compare: ${data.name} has ${data.n} rows; a split needs at least 5 (4 to train, 1 to test)`, USAGE);
    const bar = startProgress(`compare ${data.name}`, methods.length * f.splits, 'fits');
    let run;
    try {
      endAtOnceOnInterrupt();
      run = await compare(data, methods, f.splits, (r) => bar.increment(1, { status: `${r.method} split ${r.split}` }));
    } finally {
      bar.stop();
    }
    if (run.skipped) process.stderr.write(`anmin: ${run.skipped}\n`);
    // The report layer (vega among it) loads only once there is something to show, so a refused flag answers at once.
    const [{ compareFigure, compareTable }, { toSvg }, { render }] = await Promise.all([import('../report/compare.js'), import('../report/figures.js'), import('../report/render.js')]);
    const shown = methods.filter((m) => run.records.some((r) => r.method === m));
    const title = `${data.name}: test MSE and fit seconds over ${f.splits} split(s) (test 20%)`;
    const verdict = againstMlp(run.records, shown);
    const notes = [...(data.dropped ? [`${data.dropped}: every method had the same rows`] : []), ...(verdict ? [verdict] : []), ...(run.sklearn ? [`scikit-learn ${run.sklearn}: MLPRegressor(64) lbfgs (max_iter 1000) and adam (early stopping), RidgeCV (alphas 1e-3…1e3), HistGradientBoostingRegressor, on the same rows and standardization`] : [])];
    const md = render([compareTable(title, shown, run.records, notes)], 'md');
    if (f.out) {
      writeFileAtomic(join(f.out, 'table.md'), md);
      writeFileAtomic(join(f.out, 'results.jsonl'), run.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      writeFileAtomic(join(f.out, 'figure.svg'), await toSvg(compareFigure(title, shown, run.records)));
    }
    emit(f.json ? JSON.stringify({ data: data.name, splits: f.splits, methods: shown, ...(data.dropped ? { dropped: data.dropped } : {}), ...(run.sklearn ? { sklearn: run.sklearn } : {}), ...(run.skipped ? { skipped: run.skipped } : {}), records: run.records }) : md);
  });
  return cmd;
}
