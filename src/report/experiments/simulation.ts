import type { JobRecord } from '../../experiments/store.js';
import type { TracePoint } from '../../train/types.js';
import { about, lowerClaim, type CheckRow } from '../check.js';
import type { ExperimentReport } from '../experiment.js';
import { LABELS, lines, traceRows, type Figure, type Row } from '../figures.js';
import { metricValues, type ResultGrid } from '../results.js';
import { grid, type TableModel } from '../tables.js';

const EXPERIMENT = 'simulation';

/** Section 3.2: train and test MSE per (d, N), ANMIN beside Adam. */
function simulationTables(g: ResultGrid): TableModel[] {
  return (['trainMse', 'testMse'] as const).map((metric) =>
    grid({
      id: `simulation-${metric}`,
      title: `Simulation — ${metric === 'trainMse' ? 'train' : 'test'} MSE, y = sin(‖x‖²): mean (sd) over runs; bold: best and not significantly worse (p > 0.01)`,
      corner: 'data',
      rows: g.datasets,
      columns: g.methods,
      values: (d, m) => metricValues(g.runs(d, m), metric),
      better: 'lower',
      notes: g.notes(),
    }),
  );
}

/**
 * Section 3.2's claims, per simulated setting that ran: ANMIN's test MSE below Adam's everywhere, its
 * train MSE below Adam's up to d = 3 and above it beyond.
 */
function checks(g: ResultGrid): CheckRow[] {
  const rows: CheckRow[] = [];
  const anmins = g.methodsWhere((r) => r.trainer === 'anmin');
  const adams = g.methodsWhere((r) => r.trainer === 'adam');
  for (const d of g.datasets) {
    const dim = g.methods.map((m) => g.first(d, m)?.params?.simD).find((v) => v !== undefined) ?? NaN;
    for (const an of anmins) {
      for (const ad of adams) {
        const v = (m: string, metric: 'trainMse' | 'testMse') => metricValues(g.runs(d, m), metric);
        const [anTr, adTr, anTe, adTe] = [v(an, 'trainMse'), v(ad, 'trainMse'), v(an, 'testMse'), v(ad, 'testMse')];
        if (!anTr || !adTr || !anTe || !adTe) continue;
        rows.push(about(d, lowerClaim(`claim: ${an} test MSE < ${ad} on ${d}`, anTe, adTe)));
        if (dim <= 3) rows.push(about(d, lowerClaim(`claim: ${an} train MSE < ${ad} on ${d}`, anTr, adTr)));
        else rows.push(about(d, lowerClaim(`claim: ${ad} train MSE < ${an} on ${d}`, adTr, anTr)));
      }
    }
  }
  return rows;
}

/** The simulated setting of a record: input dimension d and training rows N. */
const setting = (r: JobRecord) => ({ d: Number(r.params?.simD ?? NaN), N: Number(r.params?.simN ?? NaN) });

/**
 * Figs 7–8: MSE per iteration of every run, and the final MSEs of all runs sorted by decreasing test
 * MSE; panels by d across and N down, as a reader compares the settings.
 */
function figures(rs: JobRecord[]): Figure[] {
  if (!rs.length) return [];
  const panel = (measure: string, N: number) => `${measure}, N = ${N.toLocaleString('en-US')}`;
  const Ns = [...new Set(rs.map((r) => setting(r).N))].sort((a, b) => a - b);
  const panels = Ns.flatMap((N) => ['train MSE', 'test MSE'].map((m) => panel(m, N)));
  const curves = traceRows(rs, ['trainMse', 'testMse'], setting).map((row) => ({ ...row, panel: panel(LABELS[row.measure as keyof TracePoint]!, row.N as number) }));
  const sorted: Row[] = [];
  for (const d of new Set(rs.map((r) => r.dataset))) {
    for (const m of new Set(rs.map((r) => r.method))) {
      const runs = rs.filter((r) => r.dataset === d && r.method === m && r.final);
      runs.sort((a, b) => (b.final!.testMse ?? 0) - (a.final!.testMse ?? 0));
      runs.forEach((r, rank) => {
        const at = setting(r);
        sorted.push({ ...at, method: m, run: `${m} train`, rank, measure: 'train', value: r.final!.trainMse });
        sorted.push({ ...at, method: m, run: `${m} test`, rank, measure: 'test', value: r.final!.testMse ?? NaN });
      });
    }
  }
  const sortedSpec = lines('Figure 8: final train and test MSE of every run (runs sorted by decreasing test MSE, per method; dashed: train)', sorted.filter((r) => Number.isFinite(r.value as number)), { field: 'rank', title: 'run (sorted)' }, { title: 'MSE', log: true }, { row: 'N', column: 'd' });
  (sortedSpec as { spec: { encoding: Record<string, unknown> } }).spec.encoding.strokeDash = { field: 'measure', type: 'nominal', sort: 'ascending', title: null };
  return [
    { name: 'simulation-curves', spec: lines('Figure 7: MSE of every run per ANMIN iteration or Adam epoch (y = sin(‖x‖²), 64 hidden units)', curves, { field: 'iteration', title: 'iteration / epoch' }, { title: 'MSE', log: true }, { row: 'panel', column: 'd', order: { panel: panels } }) },
    { name: 'simulation-sorted', spec: sortedSpec },
  ];
}

/** Section 3.2 of the paper: y = sin(‖x‖²) on simulated inputs of dimension d. */
export const simulationReport: ExperimentReport = {
  experiment: EXPERIMENT,
  sections: [{ name: 'simulation', heading: 'Simulation (Section 3.2)', htmlHeading: 'Simulation', tables: simulationTables }],
  figures: (g) => figures(g.succeeded()),
  checks,
};
