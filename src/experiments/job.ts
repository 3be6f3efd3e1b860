import { loadDataset, type Dataset } from '../data/dataset.js';
import { datasetSplit, prepareSplit } from '../data/split.js';
import { TRAINERS } from '../train/registry.js';
import type { OnStep } from '../train/types.js';
import { packageVersion } from '../util/fsx.js';
import type { Job } from './protocol.js';
import { columns, type JobRecord } from './store.js';
import { summarize } from './summary.js';

/** A generated dataset is drawn per run, from the run's split index as its seed. */
function loadGenerated(job: Job): Promise<Dataset> {
  return loadDataset(job.source, { ...job.params, seed: job.split });
}

/**
 * Runs one job to its record (a generated dataset is drawn here; any other comes `loaded`). Everything it depends on is in the job (options, seed) and the data,
 * so the numbers are the same in whichever worker or shard it runs. A failure becomes a record with
 * the error, so a long run keeps going and the failure stays visible in the results.
 */
export async function executeJob(job: Job, loaded: Dataset | undefined, onStep?: OnStep): Promise<JobRecord> {
  const base = recordBase(job);
  try {
    const ds = loaded ?? (await loadGenerated(job));
    const data = prepareSplit(ds, datasetSplit(ds, job.split), job.inputs);
    const r = TRAINERS[job.trainer].train({ train: data.train, test: data.test }, { ...job.options, seed: job.seed }, onStep);
    return {
      ...base,
      status: 'ok',
      seconds: r.seconds,
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

export function recordBase(job: Job) {
  const { key, experiment, dataset, method, split, seed, options, inputs, summary, params } = job;
  return { key, experiment, dataset, method, split, seed, options, ...(inputs !== 'standardized' ? { inputs } : {}), ...(Object.keys(params).length ? { params } : {}), ...(summary !== 'selected' ? { summary } : {}), version: packageVersion() };
}

export function failedRecord(job: Job, error: string): JobRecord {
  return { ...recordBase(job), status: 'error', error, finishedAt: new Date().toISOString() };
}
