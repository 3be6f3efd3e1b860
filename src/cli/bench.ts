import { Command } from 'commander';
import { loadDataset } from '../data/dataset.js';
import { datasetSplit, prepareSplit } from '../data/split.js';
import { TRAINERS } from '../train/registry.js';
import { logger } from '../util/log.js';
import { AnminError } from '../util/errors.js';
import { emit, table } from './io.js';
import { option } from './options.js';
import { loadOptions, withDataOptions, type DataFlags } from './datasets.js';

interface BenchFlags extends DataFlags {
  dataset?: string;
  split: number;
  iterations?: number;
  alpha?: number;
  hidden?: number;
  json?: boolean;
}

/** `anmin bench METHOD`: one timed training run on one split, its seconds and selected model's MSEs. */
export function benchCommand(): Command {
  const cmd = withDataOptions(
    new Command('bench')
      .description('time one training run of a method on one split (wall seconds, min train MSE, its test MSE)')
      .argument('<method>', `one of ${Object.keys(TRAINERS).join(', ')}`),
  );
  for (const k of ['dataset', 'split', 'iterations', 'alpha', 'hidden', 'json'] as const) cmd.addOption(option(k));
  cmd.action(async (method: string, f: BenchFlags) => {
    const trainer = TRAINERS[method];
    if (!trainer) throw new AnminError(`bench: unknown method "${method}" (known: ${Object.keys(TRAINERS).join(', ')})`);
    if (!f.dataset) throw new AnminError('bench: --dataset is required');
    const ds = await loadDataset(f.dataset, loadOptions(f));
    const data = prepareSplit(ds, datasetSplit(ds, f.split));
    const opts: Record<string, number> = { seed: f.split };
    if (f.iterations !== undefined) opts.iterations = f.iterations;
    if (f.alpha !== undefined) opts.alpha = f.alpha;
    if (f.hidden !== undefined) opts.hidden = f.hidden;
    const log = logger();
    const t0 = performance.now();
    const r = trainer.train({ train: data.train, test: data.test }, opts as { seed: number }, (pt) =>
      log.debug({ iteration: pt.iteration, trainMse: pt.trainMse, seconds: pt.seconds }, 'step'),
    );
    const seconds = (performance.now() - t0) / 1000;
    const sel = r.trace[r.selected];
    const out = { method: r.method, dataset: ds.name, split: f.split, seconds: Number(seconds.toFixed(3)), train_mse: sel.trainMse, test_mse: sel.testMse ?? null, iterations: r.trace.length - 1 };
    emit(f.json ? JSON.stringify(out) : table([Object.keys(out), Object.values(out).map(String)]));
  });
  return cmd;
}
