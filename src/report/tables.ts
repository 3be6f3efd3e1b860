import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENTS_DIR, loadProtocol, protocolPath, readJson } from '../experiments/protocol.js';
import { identity, type FinalMetrics, type JobRecord } from '../experiments/store.js';
import { provenanceLines } from '../experiments/provenance.js';
import { AnminError } from '../util/errors.js';
import { pairedTTest, summarize } from './stats.js';
import { recovered, RECOVERED } from './planted.js';
import { SHARED_CORE_SHARE, sharedMachine } from '../util/machine.js';

const rank = (name: string, known: string[]) => (known.includes(name) ? known.indexOf(name) : known.length);

/** The paper's numbers, as experiments/published.json holds them. */
export interface Published {
  table3: Record<'mse_train' | 'mse_test' | 'r2_train' | 'r2_test', Record<string, Record<string, [number, number]>>>;
  table4_seconds_per_run: Record<string, Record<string, number>>;
  table5_ablation_bike_sharing: { columns: string[]; rows: Record<string, [boolean, boolean, number, number, number, number]> };
}

export function loadPublished(): Published {
  return readJson<Published>(join(EXPERIMENTS_DIR(), 'published.json'));
}

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

/** Records of one experiment, by dataset, method and split (successful runs only). */
export class ResultGrid {
  private readonly ok = new Map<string, Map<number, JobRecord>>();
  readonly failed: JobRecord[] = [];
  constructor(records: JobRecord[], readonly experiment: string) {
    for (const r of records) {
      if (r.experiment !== experiment) continue;
      if (r.status !== 'ok') {
        this.failed.push(r);
        continue;
      }
      const k = `${r.dataset}\u0000${r.method}`;
      if (!this.ok.has(k)) this.ok.set(k, new Map());
      this.ok.get(k)!.set(r.split, r);
    }
    // One cell pools runs of one protocol: records produced with other options are not averaged in.
    for (const runs of this.ok.values()) {
      const [first, ...rest] = [...runs.values()];
      const other = rest.find((r) => identity(r) !== identity(first));
      if (other) throw new AnminError(`${experiment} ${first.dataset}/${first.method}: split ${first.split} was run with ${identity(first)} and split ${other.split} with ${identity(other)}; rerun the cell into one store (anmin run … reruns what changed)`);
    }
  }

  runs(dataset: string, method: string): Map<number, JobRecord> | undefined {
    return this.ok.get(`${dataset}\u0000${method}`);
  }

  /** Datasets and methods that ran, in the order of experiments/<experiment>.json (others after, by name). */
  axes(): { datasets: string[]; methods: string[] } {
    const all = [...[...this.ok.values()].flatMap((m) => [...m.values()]), ...this.failed];
    const file = protocolPath(this.experiment);
    const p = existsSync(file) ? loadProtocol(file) : undefined;
    const order = (names: Iterable<string>, known: string[]) =>
      [...new Set(names)].sort((a, b) => rank(a, known) - rank(b, known) || a.localeCompare(b, 'en', { numeric: true }));
    return {
      datasets: order(all.map((r) => r.dataset), Object.keys(p?.datasets ?? {})),
      methods: order(all.map((r) => r.method), Object.keys(p?.methods ?? {})),
    };
  }

  /** Every successful run of the experiment, in no particular order. */
  succeeded(): JobRecord[] {
    return [...this.ok.values()].flatMap((m) => [...m.values()]);
  }

  /** A table's notes: where the runs came from (machine, code), then the failed runs left out. */
  notes(): string[] {
    const by = new Map<string, JobRecord[]>();
    for (const r of this.failed) by.set(`${r.dataset}/${r.method}`, [...(by.get(`${r.dataset}/${r.method}`) ?? []), r]);
    return [...provenanceLines(this.succeeded()), ...[...by].map(([k, rs]) => `${k}: ${rs.length} failed run(s), left out of the averages (split ${rs[0].split}: ${rs[0].error})`)];
  }
}

export type Metric = keyof FinalMetrics | 'seconds';
type Values = Map<number, number>;

export function metricValues(runs: Map<number, JobRecord> | undefined, metric: Metric): Values | undefined {
  if (!runs) return undefined;
  const out: Values = new Map();
  for (const [split, r] of runs) {
    const v = metric === 'seconds' ? r.seconds : r.final?.[metric];
    if (typeof v === 'number') out.set(split, v);
  }
  return out.size ? out : undefined;
}

/** Values at the splits both have, in split order, for a paired test. */
export function paired(a: Values, b: Values): [number[], number[]] {
  const splits = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  return [splits.map((s) => a.get(s)!), splits.map((s) => b.get(s)!)];
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

interface GridSpec {
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

function grid(s: GridSpec): TableModel {
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

const pub2 = (v: [number, number] | undefined) => (v ? { mean: v[0], sd: v[1] } : undefined);

const TABLE3_BLOCKS: { metric: keyof FinalMetrics; key: keyof Published['table3']; title: string; better: 'lower' | 'higher' }[] = [
  { metric: 'trainMse', key: 'mse_train', title: 'MSE train', better: 'lower' },
  { metric: 'testMse', key: 'mse_test', title: 'MSE test', better: 'lower' },
  { metric: 'trainR2', key: 'r2_train', title: 'R² train', better: 'higher' },
  { metric: 'testR2', key: 'r2_test', title: 'R² test', better: 'higher' },
];

/** Table 3: mean (sd) over splits of the returned models' MSE and R², with the paper's beside. */
export function table3(records: JobRecord[], published = loadPublished()): TableModel[] {
  const g = new ResultGrid(records, 'table3');
  const { datasets, methods } = g.axes();
  return TABLE3_BLOCKS.map((b) =>
    grid({
      id: `table3-${b.key}`,
      title: `Table 3 — ${b.title}: mean (sd) over splits; bold: best and not significantly worse (paired t-test, p > 0.01)`,
      corner: 'dataset',
      rows: datasets,
      columns: methods,
      values: (d, m) => metricValues(g.runs(d, m), b.metric),
      published: (d, m) => pub2(published.table3[b.key][d]?.[m]),
      better: b.better,
      notes: g.notes(),
    }),
  );
}

/** Table 4: training seconds per run (this machine's CPU beside the paper's GPU). */
export function table4(records: JobRecord[], published = loadPublished()): TableModel[] {
  const g = new ResultGrid(records, 'table3');
  const { datasets, methods } = g.axes();
  const timed = g.succeeded();
  // A job timed beside another measures the pair: here two one-thread jobs at once, a core each, slow each
  // other by 30–60% (abalone and sdf, quick preset, 1 against 2 workers).
  const shared = timed.filter((r) => r.workers !== 1);
  if (shared.length) {
    const unknown = shared.filter((r) => r.workers === undefined).length;
    throw new AnminError(`table4: ${shared.length} of ${timed.length} timed runs ${unknown === shared.length ? 'come from a store that did not record how many jobs ran at once' : 'shared the machine with other jobs (--workers > 1)'}, so their seconds are not measurements; time them alone: anmin run table3 --workers 1 --out DIR (same preset or --splits), then anmin report table4 --in DIR`);
  }
  // Before the machine was recorded, a run's seconds also counted the trace's evaluation every epoch.
  const unclocked = timed.filter((r) => r.machine === undefined).length;
  if (unclocked) throw new AnminError(`table4: ${unclocked} of ${timed.length} timed runs come from a store written before the clock paused for evaluation (their seconds include the per-epoch test passes), so they do not compare with the paper's; time them again: anmin run table3 --workers 1 --out DIR, then anmin report table4 --in DIR`);
  const threads = [...new Set(timed.map((r) => r.machine!.threads))].sort((a, b) => a - b);
  const busy = timed.filter((r) => sharedMachine(r.machine!));
  const wall = timed.reduce((t, r) => t + r.machine!.wallSeconds, 0);
  const stolen = timed.reduce((t, r) => t + (r.machine!.stolenCpuSeconds ?? 0), 0);
  // A virtual machine's host may take cycles from every run alike (steal): said, not held against a run.
  const stealNote = stolen > 0 ? [`The host took ${((100 * stolen) / (wall * Math.max(...threads))).toFixed(1)}% of the cores' time over these runs (steal: this is a virtual machine).`] : [];
  const busyNote = busy.length
    ? [`${busy.length} of ${timed.length} runs shared the machine with other processes (more than ${SHARED_CORE_SHARE} of a core while they ran): ${[...new Set(busy.map((r) => `${r.dataset} ${r.method}`))].join(', ')}; rerun them on an idle machine before quoting their seconds.`]
    : [];
  return [
    grid({
      id: 'table4',
      title: 'Table 4 — seconds per training run: mean (sd) over splits here; the paper: PyTorch on a GeForce 3080 GPU',
      corner: 'dataset',
      rows: datasets,
      columns: methods,
      values: (d, m) => metricValues(g.runs(d, m), 'seconds'),
      published: (d, m) => {
        const v = published.table4_seconds_per_run[d]?.[m];
        return v === undefined ? undefined : { mean: v };
      },
      notes: [`Wall seconds of training (no data loading; the clock pauses while the trace's test metrics are evaluated, and counts the training MSE only where the method selects its model by it: ANMIN, LBFGS), each run alone on the machine (one job at a time) with ${threads.join(' or ')} thread(s) allowed: the gradient methods use one, ANMIN all.`, ...busyNote, ...stealNote, ...g.notes()],
    }),
  ];
}

/** The published Table 5 row of an ablation variant (named by the protocol's `published` field). */
export function ablationRow(published: Published, method: string): Published['table5_ablation_bike_sharing']['rows'][string] | undefined {
  return published.table5_ablation_bike_sharing.rows[loadProtocol('ablation').methods[method]?.published ?? method];
}

/** Table 5: the ablation variants on bike-sharing. */
export function table5(records: JobRecord[], published = loadPublished()): TableModel[] {
  const g = new ResultGrid(records, 'ablation');
  const { datasets, methods } = g.axes();
  const cols: { name: string; metric: keyof FinalMetrics; at: 2 | 4 }[] = [
    { name: 'MSE train', metric: 'trainMse', at: 2 },
    { name: 'MSE test', metric: 'testMse', at: 4 },
  ];
  return datasets.map((d) =>
    grid({
      id: `table5-${d}`,
      title: `Table 5 — ablation on ${d}: mean (sd) over splits; bold: best and not significantly worse (paired t-test, p > 0.01)`,
      corner: 'variant',
      rows: methods,
      columns: cols.map((c) => c.name),
      values: (m, c) => metricValues(g.runs(d, m), cols.find((x) => x.name === c)!.metric),
      published: (m, c) => {
        const row = ablationRow(published, m);
        const at = cols.find((x) => x.name === c)!.at;
        return row ? { mean: row[at], sd: row[(at + 1) as 3 | 5] } : undefined;
      },
      better: 'lower',
      boldAlong: 'column',
      notes: g.notes(),
    }),
  );
}

/** Section 3.2: train and test MSE per (d, N), ANMIN beside Adam. */
export function simulationTables(records: JobRecord[]): TableModel[] {
  const g = new ResultGrid(records, 'simulation');
  const { datasets, methods } = g.axes();
  return (['trainMse', 'testMse'] as const).map((metric) =>
    grid({
      id: `simulation-${metric}`,
      title: `Simulation — ${metric === 'trainMse' ? 'train' : 'test'} MSE, y = sin(‖x‖²): mean (sd) over runs; bold: best and not significantly worse (p > 0.01)`,
      corner: 'data',
      rows: datasets,
      columns: methods,
      values: (d, m) => metricValues(g.runs(d, m), metric),
      better: 'lower',
      notes: g.notes(),
    }),
  );
}

/** The planted study: per cell and method, recovery, the share recovered, train and test MSE, seconds. */
export function plantedTables(records: JobRecord[]): TableModel[] {
  const g = new ResultGrid(records, 'planted');
  const { datasets, methods } = g.axes();
  const share = (runs: Map<number, JobRecord> | undefined) => {
    if (!runs) return undefined;
    const out = new Map<number, number>();
    for (const [k, r] of runs) {
      const v = recovered(r);
      if (v !== undefined) out.set(k, v);
    }
    return out.size ? out : undefined;
  };
  const tables: { id: string; title: string; values: (d: string, m: string) => Map<number, number> | undefined; better?: 'lower' }[] = [
    { id: 'planted-recovered', title: `Planted — share of runs that recovered the true network (recovery error ≤ ${RECOVERED}): mean (sd) of 0/1 over runs`, values: (d, m) => share(g.runs(d, m)) },
    { id: 'planted-recovery', title: 'Planted — recovery error of the returned network (0 exact, 1 no better than zero; units matched up to order and scale): mean (sd) over runs', values: (d, m) => metricValues(g.runs(d, m), 'recovery'), better: 'lower' },
    { id: 'planted-train', title: 'Planted — train MSE (the noise floor is σ² = 0.0025 but on random labels): mean (sd) over runs', values: (d, m) => metricValues(g.runs(d, m), 'trainMse'), better: 'lower' },
    { id: 'planted-test', title: 'Planted — test MSE on fresh draws: mean (sd) over runs', values: (d, m) => metricValues(g.runs(d, m), 'testMse'), better: 'lower' },
    { id: 'planted-seconds', title: 'Planted — seconds per run: mean (sd)', values: (d, m) => metricValues(g.runs(d, m), 'seconds') },
  ];
  return tables.map((t) => grid({ id: t.id, title: t.title, corner: 'data', rows: datasets, columns: methods, values: t.values, ...(t.better ? { better: t.better } : {}), notes: g.notes() }));
}

export const REPORTS = {
  table3,
  table4,
  table5,
  simulation: (records: JobRecord[]) => simulationTables(records),
  planted: (records: JobRecord[]) => plantedTables(records),
} as const;

export type ReportName = keyof typeof REPORTS;

/**
 * A report's tables, or why these records cannot give them (Table 4 from timings that shared the
 * machine): for the pages that show every report, where one refusal must not hide the rest.
 */
export function tablesOrReason(name: ReportName, records: JobRecord[]): { tables: TableModel[]; reason?: string } {
  try {
    return { tables: REPORTS[name](records) };
  } catch (e) {
    if (!(e instanceof AnminError)) throw e;
    return { tables: [], reason: e.message };
  }
}
