import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadDataset, type Dataset, type LoadOptions } from '../data/dataset.js';
import { readTable, tableColumns } from '../data/table.js';
import { AnminError } from '../util/errors.js';
import { logger } from '../util/log.js';
import { startRunProgress, type RunProgress } from '../util/progress.js';
import { packageVersion, sha256File } from '../util/fsx.js';
import { provenance } from './provenance.js';
import { setInterruptHint } from '../util/interrupt.js';
import { toShared } from '../util/shared.js';
import { expandJobs, loadProtocol, loadTrainers, shardJobs, type CsvSource, type Job, type Protocol, type Selection } from './protocol.js';
import type { Shard } from './splits.js';
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
  /** Report to this progress (a longer run's, which this run is part of) instead of a bar of its own. */
  progress?: RunProgress;
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
  const { protocol, jobs } = await selectJobs(o);
  const store = new ResultsStore(o.out, o.shard);
  setInterruptHint(`every finished job is kept in ${store.file}; run the same command again to resume`);
  try {
    return await runInto(store, protocol, jobs, o, t0);
  } finally {
    setInterruptHint(undefined);
    store.close();
  }
}

/**
 * The jobs a run in `out` still has to do, in the order it does them. A stored job counts as done only
 * if it was produced as the protocol now says (see identity); one produced otherwise is run again and
 * its new record wins. Split by split (every cell's split k before any cell's k + 1; the protocol's
 * order within a split): a run stopped early leaves every cell with the same splits, ready to report,
 * and the time left is estimated from a mix of all the cells rather than from the cheapest one (the
 * simulation's d = 1 cells took 28% of its jobs in its first minute and said 2.5 minutes were left, of 58).
 */
export function pendingJobs(jobs: Job[], out: string, retryFailed = false): { pending: Job[]; changed: Job[] } {
  return pendingAmong(jobs, existsSync(out) ? readResults([out]) : [], retryFailed);
}

/** pendingJobs against records already read. */
export function pendingAmong(jobs: Job[], records: JobRecord[], retryFailed = false): { pending: Job[]; changed: Job[] } {
  const stored = new Map(records.filter((r) => r.status === 'ok' || !retryFailed).map((r) => [r.key, identity(r)]));
  const pending = jobs.filter((j) => stored.get(j.key) !== identity(recordBase(j))).sort((a, b) => a.split - b.split);
  return { pending, changed: pending.filter((j) => stored.has(j.key)) };
}

/** The jobs a run with these options would expand to (this shard's slice, with the user's data files). */
export async function selectJobs(o: Omit<RunOptions, 'out'>): Promise<{ protocol: Protocol; jobs: Job[] }> {
  const protocol = loadProtocol(o.experiment);
  // A user's trainer module is imported and its options checked now, not in the first worker to need it.
  await loadTrainers(protocol);
  const swapped = await userDataFiles(o.load ?? {});
  // A run with another mask or image is another experiment for the data sets that read it.
  const jobs = shardJobs(expandJobs(protocol, o), o.shard).map((j) => (swapped[j.source] ? { ...j, dataFiles: swapped[j.source] } : j));
  return { protocol, jobs };
}

async function runInto(store: ResultsStore, protocol: Protocol, jobs: Job[], o: RunOptions, t0: number): Promise<RunSummary> {
  const log = logger();
  const { pending, changed } = pendingJobs(jobs, o.out, o.retryFailed);
  if (changed.length) log.warn({ jobs: changed.length, first: changed[0].key }, 'stored records were produced with another trainer, options, data or numerics than the protocol now gives; running them again');
  log.info({ experiment: protocol.name, jobs: jobs.length, pending: pending.length, store: store.file, version: packageVersion() }, 'run');
  const summary: RunSummary = { file: store.file, jobs: jobs.length, skipped: jobs.length - pending.length, ran: 0, failed: 0, seconds: 0 };
  if (pending.length === 0) return { ...summary, seconds: (performance.now() - t0) / 1000 };

  const datasets = await loadShared(pending, o.load ?? {});

  const made = provenance();
  const workers = Math.max(1, Math.min(o.workers ?? defaultWorkers(protocol), pending.length));
  const bar = o.progress ?? startRunProgress(protocol.name, pending.length, workers);
  if (protocol.timed && workers > 1) log.warn({ experiment: protocol.name, workers }, 'this protocol is timed (Table 4) but its jobs will share the machine: Table 4 leaves these timings out (it prints the runs timed alone, --workers 1)');
  const onRecord = (worked: JobRecord) => {
    const r: JobRecord = { ...worked, provenance: made, workers };
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
    // A timed job run alone gets the machine, as the paper's runs had the GPU: ANMIN's threads are part of its speed.
    const threads = protocol.timed && workers === 1 ? availableParallelism() : 1;
    await pool(pending, datasets, workers, onRecord, (slot, job) => bar.started(slot, job.key), threads);
  } finally {
    if (!o.progress) bar.stop();
  }
  return { ...summary, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Jobs at once when not told: one for a timed protocol (its seconds are Table 4, and two jobs at once
 * slow each other by 30–60% here even on a core each), else one per core.
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
    const ds = j.csv ? await loadTable(j.csv) : await loadDataset(j.source, { ...load, ...j.params });
    out.set(j.dataset, { ...ds, x: toShared(ds.x), y: toShared(ds.y) });
  }
  return out;
}

/** A protocol's CSV dataset, refused if its bytes changed since the protocol was read (its records name those bytes). */
async function loadTable(t: CsvSource): Promise<Dataset> {
  const cols = await tableColumns(t.file, t.target, t.features);
  const ds = await readTable(t.file, cols.features, cols.targets);
  const now = await sha256File(t.file);
  if (now !== t.sha256) throw new AnminError(`${t.file} changed while the run started (sha256 ${t.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now); run again`);
  return { ...ds, files: { [t.file]: t.sha256 } };
}

/**
 * A fixed pool: each worker takes the next job when it finishes one; a crashed worker is replaced.
 * A record that cannot be kept (a full disk) ends the pool with that error: the workers stop, and the
 * caller reports it as any other, rather than as an uncaught throw from a worker's event.
 */
export function pool(jobs: Job[], datasets: Map<string, Dataset>, size: number, onRecord: (r: JobRecord) => void, onStart?: (slot: number, job: Job) => void, threads = 1): Promise<void> {
  const queue = jobs.slice();
  const workers = new Set<Worker>();
  let active = 0;
  return new Promise((resolve, reject) => {
    const keep = (r: JobRecord): boolean => {
      try {
        onRecord(r);
        return true;
      } catch (e) {
        queue.length = 0;
        for (const w of workers) void w.terminate();
        reject(e);
        return false;
      }
    };
    const spawn = (slot: number) => {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      workers.add(w);
      let current: Job | undefined;
      const next = () => {
        current = queue.shift();
        if (!current) {
          workers.delete(w);
          void w.terminate();
          if (--active === 0) resolve();
          return;
        }
        const msg: JobMessage = { job: current, dataset: datasets.get(current.dataset), threads };
        onStart?.(slot, current);
        w.postMessage(msg);
      };
      w.on('message', (r: JobRecord) => {
        if (keep(r)) next();
      });
      w.on('error', (e) => {
        // An uncaught error or out-of-memory kills the thread: record the job as failed, carry on.
        workers.delete(w);
        if (current && !keep(failedRecord(current, `worker crashed: ${e.message}`))) return;
        active--;
        current = undefined;
        if (queue.length) {
          active++;
          spawn(slot);
        } else if (active === 0) resolve();
      });
      active++;
      next();
    };
    for (let i = 0; i < size; i++) spawn(i);
  });
}
