import type { FinalMetrics, JobRecord } from '../experiments/store.js';
import { pairedTTest, summarize } from './stats.js';
import { metricValues, paired, ResultGrid, type Values } from './results.js';
import { SHARED_CORE_SHARE, sharedMachine } from '../util/machine.js';

export interface Cell {
  mean: number;
  sd: number;
  n: number;
  /** Best of its row (or column), or not significantly worse than the best (paired t-test, p > 0.01). */
  bold?: boolean;
  /** p-value of the paired t-test against the best cell. */
  p?: number;
  published?: { mean: number; sd?: number };
}

export interface Row {
  label: string;
  cells: (Cell | null)[];
}

export interface TableModel {
  id: string;
  title: string;
  corner: string;
  columns: string[];
  rows: Row[];
  notes: string[];
}

/**
 * Marks the best cell of a line and every cell not significantly worse than it (two-sided paired
 * t-test, p > 0.01), as the paper's tables bold them.
 */
function markBold(line: { cell: Cell; values: Values }[], better: 'lower' | 'higher'): void {
  const live = line.filter((e) => Number.isFinite(e.cell.mean));
  if (live.length === 0) return;
  const sign = better === 'lower' ? 1 : -1;
  const best = live.reduce((a, b) => (sign * b.cell.mean < sign * a.cell.mean ? b : a));
  for (const e of live) {
    if (e === best) {
      e.cell.bold = true;
      continue;
    }
    const [a, b] = paired(e.values, best.values);
    const t = pairedTTest(a, b);
    e.cell.p = t.p;
    e.cell.bold = !(t.p <= 0.01);
  }
}

export interface GridSpec {
  id: string;
  title: string;
  corner: string;
  rows: string[];
  columns: string[];
  values: (row: string, col: string) => Values | undefined;
  published?: (row: string, col: string) => Cell['published'] | undefined;
  better?: 'lower' | 'higher';
  /** Compare the cells of each row (methods side by side) or of each column (variants stacked). */
  boldAlong?: 'row' | 'column';
  notes?: string[];
}

export function grid(s: GridSpec): TableModel {
  const vals = s.rows.map((r) => s.columns.map((c) => s.values(r, c)));
  const cells: (Cell | null)[][] = vals.map((row, i) =>
    row.map((v, j) => {
      if (!v) return null;
      const pub = s.published?.(s.rows[i], s.columns[j]);
      return { ...summarize([...v.values()]), ...(pub ? { published: pub } : {}) };
    }),
  );
  if (s.better) {
    const lines = s.boldAlong === 'column' ? s.columns.map((_, j) => s.rows.map((_, i) => [i, j])) : s.rows.map((_, i) => s.columns.map((_, j) => [i, j]));
    for (const line of lines) {
      markBold(line.filter(([i, j]) => cells[i][j]).map(([i, j]) => ({ cell: cells[i][j]!, values: vals[i][j]! })), s.better);
    }
  }
  return { id: s.id, title: s.title, corner: s.corner, columns: s.columns, rows: s.rows.map((label, i) => ({ label, cells: cells[i] })), notes: s.notes ?? [] };
}

/** The four measures of a returned model, each a Table 3-style block. */
export interface MetricBlock {
  metric: Exclude<keyof FinalMetrics, 'recovery'>;
  title: string;
  better: 'lower' | 'higher';
}

export const METRIC_BLOCKS: MetricBlock[] = [
  { metric: 'trainMse', title: 'MSE train', better: 'lower' },
  { metric: 'testMse', title: 'MSE test', better: 'lower' },
  { metric: 'trainR2', title: 'R² train', better: 'higher' },
  { metric: 'testR2', title: 'R² test', better: 'higher' },
];

export const BOLD_RULE = 'mean (sd) over splits; bold: best and not significantly worse (paired t-test, p > 0.01)';

/**
 * A Table 3-style block per metric: datasets by methods, mean (sd) over splits, bold by paired t-test;
 * published beside where `published` knows the cell.
 */
export function metricTables(g: ResultGrid, blocks: MetricBlock[], head: { id: (b: MetricBlock) => string; title: (b: MetricBlock) => string }, published?: (b: MetricBlock, dataset: string, method: string) => Cell['published'] | undefined): TableModel[] {
  return blocks.map((b) =>
    grid({
      id: head.id(b),
      title: head.title(b),
      corner: 'dataset',
      rows: g.datasets,
      columns: g.methods,
      values: (d, m) => metricValues(g.runs(d, m), b.metric),
      ...(published ? { published: (d: string, m: string) => published(b, d, m) } : {}),
      better: b.better,
      notes: g.notes(),
    }),
  );
}

/**
 * Which runs' seconds are measurements: those timed alone (one job at a time, on the training clock),
 * as `grid`; `refusal` when there are none, or when some come from before the clock paused for
 * evaluation (`report` names the command that prints the table). A store may hold both: splits timed
 * alone for Table 4, the rest run two at a time for the other tables (`make reproduce`). Also the threads
 * the timed runs were allowed and what the table must say (runs left out, other processes' share, the
 * host's steal).
 */
export function timing(g: ResultGrid, report: string): { refusal?: string; grid?: ResultGrid; threads: number[]; notes: string[] } {
  const all = g.succeeded();
  // A job timed beside another measures the pair: here two one-thread jobs at once, a core each, slow each
  // other by 30–60% (two of the paper's datasets, 1 against 2 workers).
  const timed = all.filter((r) => r.workers === 1);
  if (!timed.length) {
    const unknown = all.filter((r) => r.workers === undefined).length;
    return { refusal: `${report}: ${all.length} of ${all.length} timed runs ${unknown === all.length ? 'come from a store that did not record how many jobs ran at once' : 'shared the machine with other jobs (--workers > 1)'}, so their seconds are not measurements; time them alone: anmin run ${g.experiment} --workers 1 --out DIR (same preset or --splits), then anmin report ${report} --in DIR`, threads: [], notes: [] };
  }
  // Before the machine was recorded, a run's seconds also counted the trace's evaluation every epoch.
  const unclocked = timed.filter((r) => r.machine === undefined).length;
  if (unclocked) return { refusal: `${report}: ${unclocked} of ${timed.length} timed runs come from a store written before the clock paused for evaluation (their seconds include the per-epoch test passes), so they do not compare with the paper's; time them again: anmin run ${g.experiment} --workers 1 --out DIR, then anmin report ${report} --in DIR`, threads: [], notes: [] };
  const threads = [...new Set(timed.map((r) => r.machine!.threads))].sort((a, b) => a - b);
  const busy = timed.filter((r) => sharedMachine(r.machine!));
  const wall = timed.reduce((t, r) => t + r.machine!.wallSeconds, 0);
  const stolen = timed.reduce((t, r) => t + (r.machine!.stolenCpuSeconds ?? 0), 0);
  const left = all.length - timed.length;
  const leftNote = left ? [`From the ${timed.length} runs timed alone; the other ${left} ran beside other jobs (--workers > 1): they count in the other tables, not here.`] : [];
  // A virtual machine's host may take cycles from every run alike (steal): said, not held against a run.
  const stealNote = stolen > 0 ? [`The host took ${((100 * stolen) / (wall * Math.max(...threads))).toFixed(1)}% of the cores' time over these runs (steal: this is a virtual machine).`] : [];
  const busyNote = busy.length
    ? [`${busy.length} of ${timed.length} runs shared the machine with other processes (more than ${SHARED_CORE_SHARE} of a core while they ran): ${[...new Set(busy.map((r) => `${r.dataset} ${r.method}`))].join(', ')}; rerun them on an idle machine before quoting their seconds.`]
    : [];
  return { grid: left ? new ResultGrid(timed, g.experiment) : g, threads, notes: [...leftNote, ...busyNote, ...stealNote] };
}

/** A Table 4-style table: seconds per training run, mean (sd) over splits, datasets by methods. */
export function secondsTable(g: ResultGrid, head: { id: string; title: string; notes: string[] }, published?: (dataset: string, method: string) => Cell['published'] | undefined): TableModel {
  return grid({
    id: head.id,
    title: head.title,
    corner: 'dataset',
    rows: g.datasets,
    columns: g.methods,
    values: (d, m) => metricValues(g.runs(d, m), 'seconds'),
    ...(published ? { published } : {}),
    notes: [...head.notes, ...g.notes()],
  });
}
