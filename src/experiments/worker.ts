/** A runner worker thread: takes one job at a time from the runner, answers with its record. */
import { parentPort } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.js';
import { executeJob } from './job.js';
import type { Job } from './protocol.js';

export interface JobMessage {
  job: Job;
  /** The loaded dataset, its arrays on SharedArrayBuffers (no copy per worker); absent if generated. */
  dataset?: Dataset;
  /** Threads the job's method may use (the whole machine for a timed job run alone). */
  threads: number;
}

parentPort!.on('message', (m: JobMessage) => {
  void executeJob(m.job, m.dataset, undefined, m.threads).then((record) => parentPort!.postMessage(record));
});
