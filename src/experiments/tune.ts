import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, type Dataset, type LoadOptions } from '../data/dataset.js';
import { datasetSplit, splitIndices } from '../data/split.js';
import { AnminError } from '../util/errors.js';
import { packageVersion, writeFileAtomic } from '../util/fsx.js';
import { sharedFloat64 } from '../util/shared.js';
import { stringifyNumbers } from '../util/json.js';
import { range } from './splits.js';
import { loadProtocol, methodOptions, readJson, type GridPoint, type Job, type TunedRates } from './protocol.js';
import { pool } from './runner.js';
import type { JobRecord } from './store.js';
import { copyRows } from '../util/rows.js';

export const DEFAULT_GRID = [1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001];
export const DEFAULT_SEEDS = 3;

export interface TuneOptions {
  /** The protocol method to tune (one with a `tunedLr` file), e.g. SGD. */
  method: string;
  dataset: string;
  grid?: number[];
  /** Initializations per rate (seeds 0..seeds−1): one draw can make a fragile rate look best. */
  seeds?: number;
  experiment?: string;
  /** The folder to write the rates file in (never the package's own experiments/, which may be read-only). */
  out: string;
  workers?: number;
  load?: LoadOptions;
  /** Written into the rates file, so the numbers can be reproduced. */
  command: string;
  onRecord?: (r: JobRecord) => void;
}

export interface TuneResult {
  dataset: string;
  method: string;
  lr: number;
  grid: GridPoint[];
  file: string;
}

/**
 * The training part of split 0, itself split 80/20 (RandomState(0) again) into a part to train on
 * and a validation part: the test part of split 0 is never seen.
 */
export function validationDataset(ds: Dataset): Dataset {
  const train = datasetSplit(ds, 0).train;
  const carve = splitIndices(train.length, 0);
  const { d, c } = ds;
  const x = sharedFloat64(train.length * d);
  const y = sharedFloat64(train.length * c);
  copyRows(x, ds.x, d, train, 0, train.length);
  copyRows(y, ds.y, c, train, 0, train.length);
  return { ...ds, n: train.length, x, y, fixedSplit: { train: carve.train, test: carve.test } };
}

/** A run blew up if it failed, ended non-finite, or ended above its initial model's loss. */
function blewUp(r: JobRecord): boolean {
  const train = r.final?.trainMse ?? NaN;
  const initial = r.trace?.trainMse?.[0];
  return r.status !== 'ok' || !Number.isFinite(train) || typeof initial !== 'number' || train >= initial;
}

/** A rate's losses averaged over its initializations; it blew up if any run did. */
function gridPoint(lr: number, runs: JobRecord[]): GridPoint {
  const mean = (f: (r: JobRecord) => number | undefined) => runs.reduce((s, r) => s + (f(r) ?? NaN), 0) / runs.length;
  return { lr, trainMse: mean((r) => r.final?.trainMse), validationMse: mean((r) => r.final?.testMse), blewUp: runs.some(blewUp), seeds: runs.length };
}

/** The lowest validation loss among rates that did not blow up; on a tie, the larger rate. */
export function chooseRate(grid: GridPoint[]): number {
  const ok = grid.filter((g) => !g.blewUp && Number.isFinite(g.validationMse));
  if (ok.length === 0) throw new AnminError(`tune: every rate of the grid (${grid.map((g) => g.lr).join(', ')}) blew up; try smaller rates with --grid`);
  return ok.reduce((a, b) => (b.validationMse < a.validationMse || (b.validationMse === a.validationMse && b.lr > a.lr) ? b : a)).lr;
}

/** Tunes a method's learning rate on one dataset and records it in `out`'s rates file (others' rates kept). */
export async function tune(o: TuneOptions): Promise<TuneResult> {
  const protocol = loadProtocol(o.experiment ?? 'table3');
  const method = Object.keys(protocol.methods).find((m) => m.toLowerCase() === o.method.toLowerCase());
  const spec = method ? protocol.methods[method] : undefined;
  if (!method || !spec?.tunedLr) {
    const tunable = Object.keys(protocol.methods).filter((m) => protocol.methods[m].tunedLr);
    throw new AnminError(`tune: "${o.method}" has no tuned rate in ${protocol.file} (tunable: ${tunable.join(', ')})`);
  }
  if (!protocol.datasets[o.dataset]) throw new AnminError(`tune: no dataset "${o.dataset}" in ${protocol.file}`);
  const grid = o.grid ?? DEFAULT_GRID;
  const source = protocol.datasets[o.dataset].source ?? o.dataset;
  const ds = validationDataset(await loadDataset(source, { ...o.load, ...protocol.datasets[o.dataset].params }));
  const base = methodOptions(protocol, o.dataset, method);
  const seeds = range(0, (o.seeds ?? DEFAULT_SEEDS) - 1);
  const jobs: Job[] = grid.flatMap((lr) => seeds.map((seed) => ({
    key: `tune/${o.dataset}/${method}/lr=${lr}/seed=${seed}`, experiment: 'tune', dataset: o.dataset, source, params: {}, generated: false, inputs: protocol.datasets[o.dataset].inputs ?? 'standardized',
    method, summary: 'selected', trainer: spec.trainer, split: 0, seed, options: { ...base, lr },
  })));
  const records = new Map<string, JobRecord>();
  await pool(jobs, new Map([[o.dataset, ds]]), Math.max(1, Math.min(o.workers ?? availableParallelism(), jobs.length)), (r) => {
    records.set(r.key, r);
    o.onRecord?.(r);
  });
  const points = grid.map((lr) => gridPoint(lr, jobs.filter((j) => j.options.lr === lr).map((j) => records.get(j.key)!)));
  const lr = chooseRate(points);
  const file = join(o.out, spec.tunedLr);
  const rates: TunedRates = existsSync(file)
    ? readJson<TunedRates>(file)
    : { description: `Learning rates tuned per dataset by \`anmin tune\`: each rate of the grid trains from several initializations on 80% of split 0's training part and is scored on the other 20% (the test part is never used); the lowest mean validation MSE among rates that never blew up wins.`, rates: {} };
  rates.rates[o.dataset] = { lr, command: o.command, version: packageVersion(), grid: points };
  writeFileAtomic(file, stringifyNumbers(rates, 1) + '\n');
  return { dataset: o.dataset, method, lr, grid: points, file };
}
