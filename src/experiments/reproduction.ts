import { join } from 'node:path';
import type { LoadOptions } from '../data/dataset.js';
import { startRunProgress } from '../util/progress.js';
import { existsSync } from 'node:fs';
import type { Job } from './protocol.js';
import { pendingAmong, runExperiment, selectJobs, type RunSummary } from './runner.js';
import { parseSplits } from './splits.js';
import { readResults, type JobRecord } from './store.js';

/** One `anmin run` of the reproduction: a protocol's preset into its store, so many jobs at once. */
export interface Phase {
  name: string;
  experiment: string;
  preset: string;
  /** Splits to run (parseSplits' syntax); default the preset's. */
  splits?: string;
  /** Methods to run; default the preset's. */
  methods?: string[];
  workers: number;
  /** The store's folder under the reproduction's. */
  store: string;
}

/**
 * The paper at its own power, in the order that makes each part trustworthy: Table 4's timings first,
 * each job alone with the machine (10 splits of Table 3, then the DAE, whose ANMIN and baselines take
 * minutes a run), then the rest of Table 3's 100 splits, the DAE's ANMIN and ANMIN-L to 100 splits (its
 * baselines stay at 10: an LBFGS run there takes minutes), Table 5, the simulation and the planted study
 * two jobs at a time (their seconds are not Table 4's). Phases that share a store skip what an earlier
 * one ran.
 */
export const REPRODUCTION: readonly Phase[] = [
  { name: 'Table 3, splits 0–9 timed alone (Table 4)', experiment: 'table3', preset: 'paper-lowd', splits: '0..9', workers: 1, store: 'table3' },
  { name: 'the DAE, timed alone', experiment: 'table3', preset: 'dae', workers: 1, store: 'dae' },
  { name: 'Table 3 at 100 splits', experiment: 'table3', preset: 'paper-lowd', workers: 2, store: 'table3' },
  { name: 'the DAE\'s ANMIN and ANMIN-L at 100 splits', experiment: 'table3', preset: 'dae', methods: ['ANMIN', 'ANMIN-L'], splits: '10..99', workers: 2, store: 'dae' },
  { name: 'Table 5 at 100 splits', experiment: 'ablation', preset: 'paper', workers: 2, store: 'ablation' },
  { name: 'the simulation at 100 runs', experiment: 'simulation', preset: 'paper', workers: 2, store: 'simulation' },
  { name: 'the planted-network study', experiment: 'planted', preset: 'paper', workers: 2, store: 'planted' },
];

export interface PhasePlan {
  phase: Phase;
  out: string;
  jobs: number;
  /** Jobs this phase will run: not in its store as the protocol now says, nor run by an earlier phase. */
  pending: number;
  /** What they are expected to take, in seconds of the machine (see expectedSeconds), by job key. */
  work: Map<string, number>;
  /** Their sum: this phase's expected duration. */
  seconds: number;
}

/** A job's cell: what it runs and on what, apart from the split. */
const cell = (j: Pick<Job, 'experiment' | 'dataset' | 'method'> & { params?: Job['params'] }) => `${j.experiment}\0${j.dataset}\0${j.method}\0${JSON.stringify(j.params ?? {})}`;
const nearby = (j: Pick<Job, 'dataset' | 'trainer'>) => `${j.dataset}\0${j.trainer}`;
const push = (m: Map<string, number[]>, k: string, v: number) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/**
 * A job's expected wall seconds from the runs the reproduction's stores hold: its cell's mean; else the
 * mean of its data set's runs by the same trainer (Table 5's ANMIN variants from Table 3's ANMIN); else
 * the median run's; with no runs stored, 1 (the estimate counts jobs).
 */
export function expectedSeconds(records: JobRecord[]): (j: Job) => number {
  const byCell = new Map<string, number[]>();
  const byNearby = new Map<string, number[]>();
  const all: number[] = [];
  for (const r of records) {
    const s = r.machine?.wallSeconds ?? r.seconds;
    if (r.status !== 'ok' || s === undefined) continue;
    push(byCell, cell(r), s);
    push(byNearby, nearby({ dataset: r.dataset, trainer: r.trainer ?? '' }), s);
    all.push(s);
  }
  const median = all.length ? all.sort((a, b) => a - b)[all.length >> 1] : 1;
  return (j) => {
    const seen = byCell.get(cell(j)) ?? byNearby.get(nearby(j));
    return seen ? mean(seen) : median;
  };
}

const selection = (p: Phase, load: LoadOptions) => ({ experiment: p.experiment, preset: p.preset, workers: p.workers, load, ...(p.splits ? { splits: parseSplits(p.splits) } : {}), ...(p.methods ? { methods: p.methods } : {}) });

/**
 * What each phase has left, counting a job two phases share (the same store and key) once, and what it
 * is expected to take: its jobs' expected seconds over the jobs it runs at once.
 */
export async function planReproduction(root: string, load: LoadOptions = {}, phases: readonly Phase[] = REPRODUCTION): Promise<PhasePlan[]> {
  const stores = new Map(phases.map((p) => join(root, p.store)).map((out) => [out, existsSync(out) ? readResults([out]) : []]));
  const expected = expectedSeconds([...stores.values()].flat());
  const counted = new Set<string>();
  const plan: PhasePlan[] = [];
  for (const phase of phases) {
    const out = join(root, phase.store);
    const { jobs } = await selectJobs(selection(phase, load));
    const pending = pendingAmong(jobs, stores.get(out)!).pending.filter((j) => !counted.has(`${out}\0${j.key}`));
    for (const j of pending) counted.add(`${out}\0${j.key}`);
    const work = new Map(pending.map((j) => [j.key, expected(j) / phase.workers]));
    plan.push({ phase, out, jobs: jobs.length, pending: pending.length, work, seconds: [...work.values()].reduce((a, b) => a + b, 0) });
  }
  return plan;
}

/**
 * Runs every phase in order into `root`/<store>, resumable as each run is, with one progress for the
 * whole (jobs done of all the phases', the time left from the rate so far, the phase and job last done).
 * Stops at the first phase with failed jobs: its errors are in its store.
 */
export async function runReproduction(root: string, load: LoadOptions = {}, phases: readonly Phase[] = REPRODUCTION): Promise<{ plan: PhasePlan[]; runs: RunSummary[] }> {
  const plan = await planReproduction(root, load, phases);
  const total = plan.reduce((a, p) => a + p.pending, 0);
  const runs: RunSummary[] = [];
  if (total === 0) return { plan, runs };
  const bar = startRunProgress('reproduction', total, Math.max(...phases.map((p) => p.workers)), plan.reduce((a, p) => a + p.seconds, 0));
  try {
    for (const [i, { phase, out, pending, work }] of plan.entries()) {
      if (pending === 0) continue;
      const tag = `${i + 1}/${plan.length} ${phase.name}`;
      const progress = { done: (job: string) => bar.done(`${tag}: ${job}`, work.get(job) ?? 0), started: (slot: number, job: string) => bar.started(slot, `${tag}: ${job}`), stop() {} };
      const s = await runExperiment({ ...selection(phase, load), out, progress });
      runs.push(s);
      if (s.failed > 0) break;
    }
  } finally {
    bar.stop();
  }
  return { plan, runs };
}
