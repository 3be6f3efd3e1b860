import { loadDataset, type Dataset } from '../data/dataset.js';
import type { PlantedTruth } from '../data/generate.js';
import { RandomState } from '../data/rng.js';
import type { Network } from '../model/network.js';
import { datasetSplit, prepareSplit } from '../data/split.js';
import { checkResult, importTrainer, TRAINERS } from '../train/registry.js';
import type { OnStep } from '../train/types.js';
import { packageVersion } from '../util/fsx.js';
import { measureMachineUse } from '../util/machine.js';
import type { Job } from './protocol.js';
import { columns, numericsOf, type JobRecord } from './store.js';
import { summarize } from './summary.js';

/** A generated dataset is drawn per run, from the run's split index as its seed. */
function loadGenerated(job: Job): Promise<Dataset> {
  return loadDataset(job.source, { ...job.params, seed: job.split });
}

/**
 * Runs one job to its record (a generated dataset is drawn here; any other comes `loaded`). Everything it depends on is in the job (options, seed) and the data,
 * so the numbers are the same in whichever worker or shard it runs. A failure becomes a record with
 * the error, so a long run keeps going and the failure stays visible in the results. `threads`: what a
 * method that takes threads may use; no number depends on it, so it is not an option of the record.
 */
export async function executeJob(job: Job, loaded: Dataset | undefined, onStep?: OnStep, threads = 1): Promise<JobRecord> {
  const base = recordBase(job);
  try {
    const ds = loaded ?? (await loadGenerated(job));
    const data = prepareSplit(ds, datasetSplit(ds, job.split), job.inputs);
    const truth = ds.truth && job.inputs === 'raw' ? truthNetwork(ds.truth) : undefined;
    const trainer = job.trainerFile ? await importTrainer(job.trainerFile) : TRAINERS[job.trainer];
    // A good start goes to the methods that take a warm start (altmin, ANMIN); the others start as they do.
    const start = truth && job.params.plantedStart !== undefined && 'initA' in trainer.constraints ? { initA: goodStart(truth, job.params.plantedStart, job.seed) } : {};
    const resources = 'threads' in trainer.constraints && job.options.threads === undefined ? { threads } : {};
    const { value: r, use } = measureMachineUse(threads, () => checkResult(trainer.train({ train: data.train, test: data.test, truth }, { ...job.options, ...start, ...resources, seed: job.seed }, onStep), job.trainer));
    return {
      ...base,
      status: 'ok',
      seconds: r.seconds,
      machine: use,
      selected: r.selected,
      ...(r.stoppedAt !== undefined ? { stoppedAt: r.stoppedAt } : {}),
      final: summarize(r.trace, r.selected, job.summary),
      trace: columns(r.trace),
      finishedAt: new Date().toISOString(),
    };
  } catch (e) {
    return failedRecord(job, (e as Error).message);
  }
}

/** Planted data's truth as the network the trainers fit (raw inputs: no ones column, no biases). */
function truthNetwork(t: PlantedTruth): Network {
  return { p: t.d, h: t.k, c: 1, alpha: 0, A: t.A, B: new Float64Array(t.k).fill(1), b0: new Float64Array(1) };
}

/**
 * The theorems' "good start": the true first layer plus a random perturbation of relative size δ
 * (‖A₀ − A*‖_F = δ‖A*‖_F), drawn from a stream of its own: the trainers draw from the seed itself and
 * the data from plantedStream(seed).
 */
function goodStart(truth: Network, delta: number, seed: number): Float64Array {
  const g = new RandomState((seed ^ 0x5bd1e995) >>> 0).fillNormal(new Float64Array(truth.A.length));
  const norm = (a: Float64Array) => Math.sqrt(a.reduce((t, v) => t + v * v, 0));
  const scale = (delta * norm(truth.A)) / norm(g);
  return truth.A.map((a, i) => a + scale * g[i]);
}

export function recordBase(job: Job) {
  const { key, experiment, dataset, method, trainer, source, split, seed, options, inputs, summary, params, csv, trainerFile } = job;
  // The bytes of every file the user gave: a mask or image in place of the paper's, a table, a trainer module.
  const files = { ...job.dataFiles, ...(csv ? { csv: csv.sha256 } : {}), ...(trainerFile ? { trainer: trainerFile.sha256 } : {}) };
  const table = csv ? { table: { file: csv.name, target: csv.target, ...(csv.features ? { features: csv.features } : {}) } } : {};
  const numerics = numericsOf(trainer);
  return { key, experiment, dataset, method, trainer, ...(source !== dataset ? { source } : {}), split, seed, options, ...(inputs !== 'standardized' ? { inputs } : {}), ...(Object.keys(params).length ? { params } : {}), ...(summary !== 'selected' ? { summary } : {}), ...(Object.keys(files).length ? { dataFiles: files } : {}), ...table, ...(numerics !== 1 ? { numerics } : {}), version: packageVersion() };
}

export function failedRecord(job: Job, error: string): JobRecord {
  return { ...recordBase(job), status: 'error', error, finishedAt: new Date().toISOString() };
}
