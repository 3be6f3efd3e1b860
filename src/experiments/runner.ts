import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadDataset, type Dataset, type LoadOptions } from '../data/dataset.js';
import { logger } from '../util/log.js';
import { startRunProgress } from '../util/progress.js';
import { packageVersion, sha256File } from '../util/fsx.js';
import { provenance } from './provenance.js';
import { setInterruptHint } from '../util/interrupt.js';
import { toShared } from '../util/shared.js';
import { expandJobs, loadProtocol, shardJobs, type Job, type Protocol, type Selection, type Shard } from './protocol.js';
import { identity, readResults, ResultsStore, type JobRecord } from './store.js';
import { failedRecord, recordBase } from './job.js';
import type { JobMessage } from './worker.js';

export interface RunOptions extends Selection {
  /** Protocol name (experiments/NAME.json) or path. */
  experiment: string;
  /** Results folder: the store is appended to here, and jobs already in it are skipped. */
  out: string;
  /** Worker threads (default: the number of cores). */
  workers?: number;
  shard?: Shard;
  /** Where datasets come from (cache, mirror). */
  load?: LoadOptions;
  /** Rerun jobs whose stored record is a failure (by default a failure is a finished job). */
  retryFailed?: boolean;
  /** Called after each finished job. */
  onRecord?: (r: JobRecord) => void;
}

export interface RunSummary {
  file: string;
  jobs: number;
  skipped: number;
  ran: number;
  failed: number;
  seconds: number;
}

/**
 * Runs a protocol's selected jobs (this shard's slice) in worker threads, appending each finished
 * job to the store as it ends. Rerunning skips what the store already has, so a killed run resumes.
 */
export async function runExperiment(o: RunOptions): Promise<RunSummary> {
  const t0 = performance.now();
  const protocol = loadProtocol(o.experiment);
  const swapped = await userDataFiles(o.load ?? {});
  // A run with another mask or image is another experiment for the data sets that read it.
  const jobs = shardJobs(expandJobs(protocol, o), o.shard).map((j) => (swapped[j.source] ? { ...j, dataFiles: swapped[j.source] } : j));
  const store = new ResultsStore(o.out, o.shard);
  setInterruptHint(`every finished job is kept in ${store.file}; run the same command again to resume`);
  try {
    return await runInto(store, protocol, jobs, o, t0);
  } finally {
    setInterruptHint(undefined);
    store.close();
  }
}

async function runInto(store: ResultsStore, protocol: Protocol, jobs: Job[], o: RunOptions, t0: number): Promise<RunSummary> {
  const log = logger();
  // A stored job counts as done only if it was produced as the protocol now says (options, inputs,
  // loader parameters, summary rule); one produced otherwise is run again and its new record wins.
  const stored = new Map(readResults([o.out]).filter((r) => r.status === 'ok' || !o.retryFailed).map((r) => [r.key, identity(r)]));
  const pending = jobs.filter((j) => stored.get(j.key) !== identity(recordBase(j)));
  const changed = pending.filter((j) => stored.has(j.key));
  if (changed.length) log.warn({ jobs: changed.length, first: changed[0].key }, 'stored records were produced with other options, inputs or parameters than the protocol now gives; running them again');
  log.info({ experiment: protocol.name, jobs: jobs.length, pending: pending.length, store: store.file, version: packageVersion() }, 'run');
  const summary: RunSummary = { file: store.file, jobs: jobs.length, skipped: jobs.length - pending.length, ran: 0, failed: 0, seconds: 0 };
  if (pending.length === 0) return { ...summary, seconds: (performance.now() - t0) / 1000 };

  const datasets = await loadShared(pending, o.load ?? {});

  const made = provenance();
  const workers = Math.max(1, Math.min(o.workers ?? defaultWorkers(protocol), pending.length));
  const bar = startRunProgress(protocol.name, pending.length, workers);
  // A timed protocol's jobs hold their cores alone (see pool), whatever the number of workers.
  const cores = protocol.timed ? availableParallelism() : undefined;
  const onRecord = (worked: JobRecord) => {
    const r: JobRecord = { ...worked, provenance: made, workers, ...(cores ? { cores: jobCores(worked, cores) } : {}) };
    store.append(r);
    summary.ran++;
    if (r.status === 'error') {
      summary.failed++;
      log.error({ job: r.key, error: r.error }, 'job failed (kept in the store with its error)');
    } else {
      log.info({ job: r.key, seconds: r.seconds, trainMse: r.final?.trainMse, testMse: r.final?.testMse }, 'job done');
    }
    bar.done(r.key);
    o.onRecord?.(r);
  };
  try {
    await pool(pending, datasets, workers, onRecord, (slot, job) => bar.started(slot, job.key), cores);
  } finally {
    bar.stop();
  }
  return { ...summary, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Jobs at once when not told: one for a timed protocol (its seconds are Table 4, and two jobs on this
 * machine's cores slow each other by up to 3×), else one per core.
 */
export function defaultWorkers(protocol: Protocol): number {
  return protocol.timed ? 1 : availableParallelism();
}

/** The files a user gave in place of the paper's, by the data set that reads them: sdf's mask, the DAE's image. */
async function userDataFiles(load: LoadOptions): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  if (load.mask) out.sdf = { mask: await sha256File(load.mask) };
  if (load.image) out.dae = { image: await sha256File(load.image) };
  return out;
}

/** Loads each dataset the jobs need once, onto SharedArrayBuffers that every worker reads in place. */
async function loadShared(jobs: Job[], load: LoadOptions): Promise<Map<string, Dataset>> {
  const out = new Map<string, Dataset>();
  for (const j of jobs) {
    if (j.generated || out.has(j.dataset)) continue;
    const ds = await loadDataset(j.source, { ...load, ...j.params });
    out.set(j.dataset, { ...ds, x: toShared(ds.x), y: toShared(ds.y) });
  }
  return out;
}

/** The cores a job holds while it runs: its threads, at most the machine's. */
export function jobCores(job: Pick<Job, 'options'>, cores: number): number {
  return Math.min(cores, typeof job.options.threads === 'number' ? job.options.threads : 1);
}

/**
 * A fixed pool: each worker takes the next job when it finishes one; a crashed worker is replaced.
 * With `cores` (a timed protocol) a job starts only when its cores (jobCores) are free, so no two
 * jobs ever share a core and each one's seconds are its own; a worker waits for cores otherwise.
 */
export function pool(jobs: Job[], datasets: Map<string, Dataset>, size: number, onRecord: (r: JobRecord) => void, onStart?: (slot: number, job: Job) => void, cores = Infinity): Promise<void> {
  const queue = jobs.slice();
  let active = 0;
  let free = cores;
  const waiting: (() => void)[] = [];
  const release = (job: Job) => {
    free += jobCores(job, cores);
    for (const wake of waiting.splice(0)) wake();
  };
  return new Promise((resolve) => {
    const spawn = (slot: number) => {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      let current: Job | undefined;
      const next = () => {
        if (queue.length && jobCores(queue[0], cores) > free) {
          waiting.push(next);
          return;
        }
        current = queue.shift();
        if (!current) {
          void w.terminate();
          if (--active === 0) resolve();
          return;
        }
        free -= jobCores(current, cores);
        const msg: JobMessage = { job: current, dataset: datasets.get(current.dataset) };
        onStart?.(slot, current);
        w.postMessage(msg);
      };
      w.on('message', (r: JobRecord) => {
        const done = current!;
        onRecord(r);
        release(done);
        next();
      });
      w.on('error', (e) => {
        // An uncaught error or out-of-memory kills the thread: record the job as failed, carry on.
        const crashed = current;
        current = undefined;
        active--;
        if (crashed) onRecord(failedRecord(crashed, `worker crashed: ${e.message}`));
        if (queue.length) {
          active++;
          spawn(slot);
        } else if (active === 0) resolve();
        if (crashed) release(crashed);
      });
      active++;
      next();
    };
    for (let i = 0; i < size; i++) spawn(i);
  });
}
