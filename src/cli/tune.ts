import { Command, Option } from 'commander';
import { DEFAULT_GRID, DEFAULT_SEEDS, tune } from '../experiments/tune.js';
import { AnminError } from '../util/errors.js';
import { logger } from '../util/log.js';
import { startProgress } from '../util/progress.js';
import { loadOptions, withDataOptions, type DataFlags } from './datasets.js';
import { emit, table } from './io.js';
import { decimal, int, option } from './options.js';
import { fmt } from '../report/render.js';
import { DESCRIPTIONS } from './descriptions.js';

interface TuneFlags extends DataFlags {
  dataset?: string;
  grid?: string;
  seeds: number;
  workers?: number;
  out: string;
}

/** `anmin tune sgd --dataset NAME`: the per-dataset learning rate the paper tuned but did not publish. */
export function tuneCommand(): Command {
  const cmd = withDataOptions(
    new Command('tune')
      .description(DESCRIPTIONS.tune)
      .argument('<method>', 'a protocol method with a tuned rate (SGD)'),
  )
    .addOption(option('dataset'))
    .addOption(option('workers'))
    .addOption(option('ratesOut'))
    .option('--grid <rates>', `comma-separated learning rates to try (default ${DEFAULT_GRID.join(',')})`)
    .addOption(new Option('--seeds <n>', 'initializations per rate; the validation MSE is their mean').argParser((v) => int(1, 100)(v, '--seeds')).default(DEFAULT_SEEDS));
  cmd.action(async (method: string, f: TuneFlags) => {
    if (!f.dataset) throw new AnminError('tune: --dataset is required');
    const grid = f.grid?.split(',').map((v) => {
      const n = decimal(v.trim(), false);
      if (!(n > 0) || !Number.isFinite(n)) throw new AnminError(`--grid: expected positive numbers, got "${v}"`);
      return n;
    });
    const rates = grid ?? DEFAULT_GRID;
    const command = `anmin tune ${method} --dataset ${f.dataset}${grid ? ` --grid ${grid.join(',')}` : ''}${f.seeds !== DEFAULT_SEEDS ? ` --seeds ${f.seeds}` : ''}`;
    const bar = startProgress(`tune ${method} ${f.dataset}`, rates.length * f.seeds, 'runs');
    const r = await tune({ method, dataset: f.dataset, grid, seeds: f.seeds, out: f.out, workers: f.workers, load: loadOptions(f), command, onRecord: (rec) => {
      logger().info({ job: rec.key, trainMse: rec.final?.trainMse, validationMse: rec.final?.testMse, error: rec.error }, 'rate done');
      bar.increment(1, { status: rec.key });
    } }).finally(() => bar.stop());
    emit(table([['lr', `train MSE (mean of ${f.seeds})`, 'validation MSE', 'blew up', ''], ...r.grid.map((g) => [g.lr, fmt(g.trainMse), fmt(g.validationMse), g.blewUp ? 'yes' : 'no', g.lr === r.lr ? '← chosen' : ''])]));
    emit(`${r.method} on ${r.dataset}: lr ${r.lr}, written to ${r.file} (anmin run … --rates ${f.out})`);
  });
  return cmd;
}
