import { join } from 'node:path';
import type { LoadOptions } from '../data/dataset.js';
import { startRunProgress } from '../util/progress.js';
import { pendingJobs, runExperiment, selectJobs, type RunSummary } from './runner.js';
import { parseSplits } from './splits.js';

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
}

const selection = (p: Phase, load: LoadOptions) => ({ experiment: p.experiment, preset: p.preset, workers: p.workers, load, ...(p.splits ? { splits: parseSplits(p.splits) } : {}), ...(p.methods ? { methods: p.methods } : {}) });

/** What each phase has left, counting a job two phases share (the same store and key) once. */
export async function planReproduction(root: string, load: LoadOptions = {}, phases: readonly Phase[] = REPRODUCTION): Promise<PhasePlan[]> {
  const counted = new Set<string>();
  const plan: PhasePlan[] = [];
  for (const phase of phases) {
    const out = join(root, phase.store);
    const { jobs } = await selectJobs(selection(phase, load));
    const pending = pendingJobs(jobs, out).pending.filter((j) => !counted.has(`${out}\0${j.key}`));
    for (const j of pending) counted.add(`${out}\0${j.key}`);
    plan.push({ phase, out, jobs: jobs.length, pending: pending.length });
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
  const bar = startRunProgress('reproduction', total, Math.max(...phases.map((p) => p.workers)));
  try {
    for (const [i, { phase, out, pending }] of plan.entries()) {
      if (pending === 0) continue;
      const tag = `${i + 1}/${plan.length} ${phase.name}`;
      const progress = { done: (job: string) => bar.done(`${tag}: ${job}`), started: (slot: number, job: string) => bar.started(slot, `${tag}: ${job}`), stop() {} };
      const s = await runExperiment({ ...selection(phase, load), out, progress });
      runs.push(s);
      if (s.failed > 0) break;
    }
  } finally {
    bar.stop();
  }
  return { plan, runs };
}
