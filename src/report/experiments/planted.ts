import { points, type JobRecord } from '../../experiments/store.js';
import { shareClaim, type CheckRow } from '../check.js';
import type { ExperimentReport } from '../experiment.js';
import { band, bandPanels, bandRows, type BandRow, type Figure } from '../figures.js';
import { metricValues, perRun, type ResultGrid, type Values } from '../results.js';
import { grid, type TableModel } from '../tables.js';

const EXPERIMENT = 'planted';

/** A run recovered the planted network when its recovery error (see recoveryError) is at most this. */
const RECOVERED = 0.05;

/** 1 when the run's returned network recovered the truth, else 0 (runs without a recovery are left out). */
function recovered(r: JobRecord): number | undefined {
  const v = r.final?.recovery;
  return typeof v === 'number' ? (v <= RECOVERED ? 1 : 0) : undefined;
}

/**
 * A linear rate: the largest ratio of successive recovery errors while the error is still above
 * three times where the run ends (its noise floor); below 1 means every such step contracted.
 * Undefined when the run starts at its floor already.
 */
function worstContraction(r: JobRecord): number | undefined {
  const rec = points(r.trace ?? {}).map((p) => p.recovery).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (rec.length < 2) return undefined;
  const floor = rec[rec.length - 1];
  let worst: number | undefined;
  for (let t = 0; t + 1 < rec.length && rec[t] > 3 * floor; t++) worst = Math.max(worst ?? 0, rec[t + 1] / rec[t]);
  return worst;
}

/** The returned model's training MSE as a fraction of the initial model's. */
function trainingLossDrop(r: JobRecord): number | undefined {
  const first = r.trace?.trainMse?.[0];
  const last = r.final?.trainMse;
  return typeof first === 'number' && typeof last === 'number' && first > 0 ? last / first : undefined;
}

/** The data's parameters, as every run of the dataset shares them. */
const params = (r: JobRecord) => r.params ?? {};
/** Training rows per d·k², the sample size the recovery theorems count in. */
const samplesPerParameter = (r: JobRecord) => (params(r).simN ?? NaN) / ((params(r).simD ?? NaN) * (params(r).plantedK ?? NaN) ** 2);
/** A planted network of the usual kind (not Li & Yuan's identity plus W*, not Razborov's random labels). */
const isPlain = (r: JobRecord) => params(r).plantedIdentity === undefined && params(r).plantedRandomLabels === undefined;
const fromGoodStart = (r: JobRecord) => isPlain(r) && params(r).plantedStart !== undefined;

/** The planted study: per cell and method, recovery, the share recovered, train and test MSE, seconds. */
function plantedTables(g: ResultGrid): TableModel[] {
  const tables: { id: string; title: string; values: (d: string, m: string) => Values | undefined; better?: 'lower' }[] = [
    { id: 'planted-recovered', title: `Planted — share of runs that recovered the true network (recovery error ≤ ${RECOVERED}): mean (sd) of 0/1 over runs`, values: (d, m) => perRun(g.runs(d, m), recovered) },
    { id: 'planted-recovery', title: 'Planted — recovery error of the returned network (0 exact, 1 no better than zero; units matched up to order and scale): mean (sd) over runs', values: (d, m) => metricValues(g.runs(d, m), 'recovery'), better: 'lower' },
    { id: 'planted-train', title: 'Planted — train MSE (the noise floor is σ² = 0.0025 but on random labels): mean (sd) over runs', values: (d, m) => metricValues(g.runs(d, m), 'trainMse'), better: 'lower' },
    { id: 'planted-test', title: 'Planted — test MSE on fresh draws: mean (sd) over runs', values: (d, m) => metricValues(g.runs(d, m), 'testMse'), better: 'lower' },
    { id: 'planted-seconds', title: 'Planted — seconds per run: mean (sd)', values: (d, m) => metricValues(g.runs(d, m), 'seconds') },
  ];
  return tables.map((t) => grid({ id: t.id, title: t.title, corner: 'data', rows: g.datasets, columns: g.methods, values: t.values, ...(t.better ? { better: t.better } : {}), notes: g.notes() }));
}

/** The related papers' claims that planted data can decide (see experiments/planted.json). */
function checks(g: ResultGrid): CheckRow[] {
  const rows: (CheckRow | undefined)[] = [];
  const good = (r: JobRecord) => (recovered(r) === undefined ? undefined : recovered(r) === 1);
  const trainer = (name: string) => g.methodsWhere((r) => r.trainer === name);
  // Jagatap & Hegde's theorems need enough samples: their regime here is n ≥ 10·dk².
  for (const d of g.datasetsWhere((r) => fromGoodStart(r) && samplesPerParameter(r) >= 10)) {
    for (const m of trainer('altmin')) {
      rows.push(shareClaim(`claim (Jagatap & Hegde): ${m} from a good start recovers the network on ${d}`, g.runs(d, m), good, `recovery ≤ ${RECOVERED}`));
      rows.push(
        shareClaim(`claim (Jagatap & Hegde): ${m} from a good start contracts at a linear rate on ${d}`, g.runs(d, m), (r) => {
          const c = worstContraction(r);
          return c === undefined ? undefined : c < 1;
        }, 'every step above 3× the final error shrinks it (worst ratio < 1)'),
      );
    }
  }
  for (const d of g.datasetsWhere((r) => params(r).plantedIdentity !== undefined)) {
    for (const m of trainer('identity-sgd')) rows.push(shareClaim(`claim (Li & Yuan): ${m} from the standard start reaches the global minimum on ${d}`, g.runs(d, m), good, `recovery of I + W* ≤ ${RECOVERED}`));
  }
  for (const d of g.datasetsWhere((r) => params(r).plantedRandomLabels !== undefined)) {
    for (const m of trainer('two-rate-gd')) {
      rows.push(
        shareClaim(`claim (Razborov): ${m} fits adversarial labels (train MSE ≤ 1e-3 × its start) on ${d}`, g.runs(d, m), (r) => {
          const drop = trainingLossDrop(r);
          return drop === undefined ? undefined : drop <= 1e-3;
        }, 'final train MSE over the initial one ≤ 1e-3'),
      );
    }
  }
  return rows.filter((r): r is CheckRow => r !== undefined);
}

/**
 * Per cell, recovery error and train MSE against seconds (mean over runs, 95% band); and the returned
 * networks' recovery error against n/(dk²), from a random and a good start.
 */
function figures(g: ResultGrid): Figure[] {
  const rs = g.succeeded();
  if (!rs.length) return [];
  const cells = [...new Set(rs.map((r) => r.dataset))];
  const out: Figure[] = cells.map((d) => ({
    name: `planted-${d}`,
    spec: bandPanels(`${d}: recovery error and train MSE vs seconds (mean over runs, 95% band)`, bandRows(rs.filter((r) => r.dataset === d), ['recovery', 'trainMse'], 'seconds'), { title: 'seconds (log)', log: true }, { title: 'value' }, false),
  }));
  const rows: BandRow[] = [];
  for (const [start, measure] of [[false, 'random start'], [true, 'good start']] as const) {
    for (const m of new Set(rs.map((r) => r.method))) {
      for (const d of g.datasetsWhere((r) => isPlain(r) && fromGoodStart(r) === start).filter((c) => cells.includes(c))) {
        const runs = rs.filter((r) => r.dataset === d && r.method === m);
        const v = runs.map((r) => r.final?.recovery).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
        if (v.length) rows.push(band(m, measure, samplesPerParameter(runs[0]), v));
      }
    }
  }
  if (rows.length) out.push({ name: 'planted-recovery-vs-samples', spec: bandPanels('Recovery error of the returned network vs n/(dk²) (d = 10, k = 3; mean over runs, 95% band)', rows, { title: 'n / (d·k²) (log)', log: true }, { title: 'recovery error' }) });
  return out;
}

/** Planted networks: ANMIN beside the methods of three related papers, recovery measured against the truth. */
export const plantedReport: ExperimentReport = {
  experiment: EXPERIMENT,
  sections: [{ name: 'planted', heading: 'Planted study', htmlHeading: 'Planted study', tables: plantedTables }],
  figures,
  checks,
};
