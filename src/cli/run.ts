import { Command } from 'commander';
import { join } from 'node:path';
import { loadProtocol } from '../experiments/protocol.js';
import { shardFromEnv, type Shard } from '../experiments/splits.js';
import { runExperiment } from '../experiments/runner.js';
import { planReproduction, runReproduction, type PhasePlan } from '../experiments/reproduction.js';
import { readResults } from '../experiments/store.js';
import { fmt } from '../report/render.js';
import { summarize } from '../report/stats.js';
import { AnminError } from '../util/errors.js';
import { clock } from '../util/progress.js';
import { loadOptions, withDataOptions, type DataFlags } from './datasets.js';
import { emit, table } from './io.js';
import { option } from './options.js';
import { DESCRIPTIONS } from './descriptions.js';

interface RunFlags extends DataFlags {
  preset?: string;
  datasets?: string[];
  methods?: string[];
  splits?: number[];
  workers?: number;
  shard?: Shard;
  out?: string;
  retryFailed?: boolean;
  rates?: string;
}

export const defaultResults = (experiment: string) => join('results', experiment);

/**
 * Without --preset a protocol's `quick` preset, where it has one: an hour-long paper run is asked for
 * by name (--preset paper), never queued by omission.
 */
function presetOf(experiment: string, f: RunFlags): string | undefined {
  return f.preset ?? (loadProtocol(experiment).presets.quick ? 'quick' : undefined);
}

async function run(experiment: string, f: RunFlags): Promise<void> {
  const shard = f.shard ?? shardFromEnv();
  // By the protocol's name, not its path: `run ../proto/ok.json` writes to results/<name> here.
  const { name } = loadProtocol(experiment);
  const out = f.out ?? defaultResults(name);
  const s = await runExperiment({
    experiment,
    preset: presetOf(experiment, f),
    datasets: f.datasets,
    methods: f.methods,
    splits: f.splits,
    workers: f.workers,
    shard,
    out,
    load: loadOptions(f),
    retryFailed: f.retryFailed,
    rates: f.rates,
  });
  emit(table([
    ['experiment', 'shard', 'jobs', 'already done', 'ran', 'failed', 'seconds', 'store'],
    [name, shard ? `${shard.index}/${shard.count}` : '-', s.jobs, s.skipped, s.ran, s.failed, s.seconds.toFixed(1), s.file],
  ]));
  emit(closingSummary(name, out));
  if (s.failed > 0) throw new AnminError(`${s.file}: ${s.failed} job(s) failed; their errors are kept in the store (anmin report shows them; rerun with --retry-failed)`);
}

/** Per method, the mean test MSE of what the store now holds for this experiment, and what to run next. */
function closingSummary(experiment: string, out: string): string {
  const rs = readResults([out]).filter((r) => r.experiment === experiment && r.status === 'ok' && r.final?.testMse !== undefined);
  const datasets = [...new Set(rs.map((r) => r.dataset))];
  const methods = [...new Set(rs.map((r) => r.method))];
  const mean = (m: string, d: string) => {
    const v = rs.filter((r) => r.method === m && r.dataset === d).map((r) => r.final!.testMse!);
    return v.length ? fmt(summarize(v).mean) : '';
  };
  const rows = methods.map((m) => [m, ...datasets.map((d) => mean(m, d))]);
  return [rows.length ? `mean test MSE over the runs stored so far:\n${table([['method', ...datasets], ...rows])}` : '', `next: anmin report ${experiment} --in ${out}   ·   anmin check --in ${out}   ·   anmin plot --in ${out}`].filter(Boolean).join('\n');
}

/**
 * The run flags; `presets` describes --preset for a command bound to one protocol. A protocol sets its
 * datasets' parameters (noise, dimensions, seeds come from the run's split), so run takes only where the
 * data come from, and the sdf mask and DAE image to use instead of the paper's.
 */
function runOptions(cmd: Command, data: Parameters<typeof withDataOptions>[1], presets?: string): Command {
  for (const k of ['preset', 'datasets', 'methods', 'splits', 'workers', 'shard', 'outDir', 'retryFailed', 'rates'] as const) {
    const o = option(k);
    if (k === 'preset' && presets) o.description = presets;
    cmd.addOption(o);
  }
  return withDataOptions(cmd, data);
}

/** `anmin run EXPERIMENT`: a paper protocol from experiments/, resumable, parallel and shardable. */
export function runCommand(): Command {
  return runOptions(
    new Command('run')
      .description(DESCRIPTIONS.run)
      .argument('<experiment>', 'table3 | ablation | simulation | planted | path/to/protocol.json'),
    ['cache', 'mirror', 'offline', 'mask', 'image'],
  ).action((experiment: string, f: RunFlags) => run(experiment, f));
}

/** `anmin ablation` is `anmin run ablation`. */
export function ablationCommand(): Command {
  const presets = 'quick (5 splits, CI-sized; the default) or paper (100 splits)';
  return runOptions(new Command('ablation').description(DESCRIPTIONS.ablation), ['cache', 'mirror', 'offline'], presets).action((f: RunFlags) => run('ablation', f));
}

const planTable = (plan: PhasePlan[]) =>
  table([['phase', 'protocol', 'preset', 'splits', 'jobs at once', 'jobs', 'left', 'expected', 'store'], ...plan.map(({ phase, out, jobs, pending, seconds }, i) => [`${i + 1}. ${phase.name}`, phase.experiment, phase.preset, phase.splits ?? 'all', String(phase.workers), String(jobs), String(pending), pending ? clock(seconds) : '', out])]);

/** `anmin reproduce`: every phase of the paper's reproduction (src/experiments/reproduction.ts) into one folder. */
export function reproduceCommand(): Command {
  return withDataOptions(
    new Command('reproduce')
      .description(DESCRIPTIONS.reproduce)
      .option('--out <dir>', 'the reproduction\'s folder: one store per phase beneath it', 'results/reproduction')
      .option('--plan', 'print what each phase has left and how long it is expected to take, and stop'),
    ['cache', 'mirror', 'offline'],
  ).action(async (f: DataFlags & { out: string; plan?: boolean }) => {
    if (f.plan) {
      const plan = await planReproduction(f.out, loadOptions(f));
      emit(planTable(plan));
      emit(`expected: ${clock(plan.reduce((a, p) => a + p.seconds, 0))} in all, each job taking what its cell's runs in these stores took (a cell never run: its data set's runs by the same trainer, else the median run)`);
      return;
    }
    const { plan, runs } = await runReproduction(f.out, loadOptions(f));
    emit(planTable(plan));
    const failed = runs.find((s) => s.failed > 0);
    if (failed) throw new AnminError(`${failed.file}: ${failed.failed} job(s) failed; their errors are kept in the store (anmin report shows them); the later phases did not run`);
    emit(`ran ${runs.reduce((a, s) => a + s.ran, 0)} job(s) in ${runs.reduce((a, s) => a + s.seconds, 0).toFixed(0)} s; next: make reproduce's report and plot lines write docs/reproduction.md and its figures`);
  });
}
