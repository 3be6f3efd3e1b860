import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { loadDataset } from '../data/dataset.js';
import { datasetSplit, prepareSplit, type Prepared } from '../data/split.js';
import { exactJob, loadProtocol } from '../experiments/protocol.js';
import { TRAINERS } from '../train/registry.js';
import { logger } from '../util/log.js';
import { AnminError } from '../util/errors.js';
import { endAtOnceOnInterrupt } from '../util/interrupt.js';
import { startProfile, stopProfile } from '../util/profile.js';
import { warmHelpers } from '../util/team.js';
import { emit, table } from './io.js';
import { option } from './options.js';
import { givenTrainerOptions, TRAINER_FLAG_KEYS, trainerOption, type TrainerOptionKey } from './trainer-options.js';
import { loadOptions, withDataOptions, type DataFlags } from './datasets.js';
import { DESCRIPTIONS } from './descriptions.js';

type BenchFlags = DataFlags & Partial<Record<TrainerOptionKey, unknown>> & {
  dataset?: string;
  split: number;
  json?: boolean;
  profile?: boolean;
};

/** `anmin bench METHOD`: one timed training run on one split, its seconds and selected model's MSEs. */
export function benchCommand(): Command {
  const cmd = withDataOptions(
    new Command('bench')
      .description(DESCRIPTIONS.bench)
      .argument('<method>', `one of ${Object.keys(TRAINERS).join(', ')}`),
  );
  for (const k of ['dataset', 'split', 'json', 'profile'] as const) cmd.addOption(option(k));
  for (const k of TRAINER_FLAG_KEYS) cmd.addOption(trainerOption(k));
  cmd.action(async (method: string, f: BenchFlags) => {
    const trainer = TRAINERS[method];
    if (!trainer) throw new AnminError(`bench: unknown method "${method}" (known: ${Object.keys(TRAINERS).join(', ')})`);
    if (!f.dataset) throw new AnminError('bench: --dataset is required');
    // A benchmark times what `anmin run table3` runs on a dataset of it (hidden size, batch, SGD's tuned rate).
    const job = exactJob(loadProtocol('table3'), method, f.dataset, f.split, (f.alpha as number | undefined) ?? 0);
    const ds = await loadDataset(f.dataset, { ...job?.params, ...loadOptions(f) });
    // Inputs standardized on the training part (the library's default), as the NumPy peer of `make bench` does.
    const data = prepareSplit(ds, datasetSplit(ds, f.split));
    const opts: Record<string, unknown> = { ...job?.options, seed: f.split, ...givenTrainerOptions(f, trainer, 'bench') };
    if (method === 'sgd' && opts.lr === undefined) throw new AnminError(`bench: SGD needs a learning rate: --lr, or a table3 dataset with a tuned one (anmin tune sgd --dataset ${f.dataset})`);
    // A benchmark uses the machine: every core unless told otherwise, where the method can use them (a
    // gradient method's threads share its chunks: none in one pass). The helper threads are started
    // before the clock, as a BLAS library's are when it loads.
    const defaults = trainer.defaults as Record<string, unknown>;
    const chunked = !('gradientChunk' in defaults) || Number(opts.gradientChunk ?? defaults.gradientChunk) > 0;
    if ('threads' in defaults && chunked && opts.threads === undefined) opts.threads = availableParallelism();
    if (typeof opts.threads === 'number') warmHelpers(Math.min(opts.threads, availableParallelism()) - 1);
    // One short run first, as a benchmark harness warms up: the kernels are compiled and the helper
    // threads have loaded theirs before the clock, as a compiled library's are when it loads.
    const head = (d: Prepared): Prepared => {
      const n = Math.min(d.n, 512);
      return { ...d, n, x: d.x.subarray(0, n * d.p), y: d.y.subarray(0, n * d.c) };
    };
    trainer.train({ train: head(data.train), test: head(data.test) }, { ...opts, iterations: 1 } as unknown as { seed: number });
    endAtOnceOnInterrupt();
    const log = logger();
    if (f.profile) startProfile();
    const t0 = performance.now();
    const r = trainer.train({ train: data.train, test: data.test }, opts as { seed: number }, (pt) =>
      log.debug({ iteration: pt.iteration, trainMse: pt.trainMse, seconds: pt.seconds, cgIterations: pt.cgIterations, cgInnerIterations: pt.cgInnerIterations, cgStartResidual: pt.cgStartResidual, cgResidual: pt.cgResidual }, 'step'),
    );
    const wall = (performance.now() - t0) / 1000;
    const profile = f.profile ? stopProfile() : [];
    const sel = r.trace[r.selected];
    // The process's peak resident memory (helper threads included), in MB.
    const peak = Math.round(process.resourceUsage().maxRSS / 1024);
    const out = { method: r.method, dataset: ds.name, split: f.split, seconds: Number(r.seconds.toFixed(3)), wall_seconds: Number(wall.toFixed(3)), train_mse: sel.trainMse, test_mse: sel.testMse ?? null, iterations: r.trace.length - 1, ...(typeof opts.threads === 'number' ? { threads: opts.threads } : {}), peak_rss_mb: peak };
    const iterations = Math.max(1, r.trace.length - 1);
    const phases = profile.map((p) => ({ phase: p.name, calls: p.calls, ms_per_iteration: Number((p.ms / iterations).toFixed(2)), share_of_wall: Number((p.ms / 1000 / wall).toFixed(3)), gflops: p.work && p.ms ? Number((p.work / p.ms / 1e6).toFixed(2)) : null }));
    if (f.json) emit(JSON.stringify(f.profile ? { ...out, profile: phases } : out));
    else emit(table([Object.keys(out), Object.values(out).map(String)]) + (f.profile ? '\n' + table([['phase', 'calls', 'ms / iteration', 'share of wall', 'GFLOP/s'], ...phases.map((p) => [p.phase, String(p.calls), String(p.ms_per_iteration), String(p.share_of_wall), p.gflops === null ? '' : String(p.gflops)])]) : ''));
  });
  return cmd;
}
