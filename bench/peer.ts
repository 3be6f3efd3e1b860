/**
 * `make bench`: ANMIN here beside the NumPy/OpenBLAS peer (../shared/bench/peer_anmin.py), then SGD, Adam
 * and LBFGS beside the PyTorch CPU peer (../shared/bench/peer_torch.py, Debian's python3-torch run by
 * /usr/bin/python3; skipped with a line saying how to install it when absent), on the same splits,
 * preprocessing and schedules, one process at a time so they never compete for the 2 cores, alternating
 * ours and theirs `--repeats` times; each table shows each side's median and their ratio. Last, ANMIN
 * on the large problems against the paper's GPU seconds (Table 4), with peak memory. First of all, Table 4's
 * ratios: ANMIN (exact and the published reading) over Adam on split 0 and over --ratio-splits splits.
 * usage: node dist/bench/peer.js [--datasets sdf,abalone,bike-sharing] [--split 0] [--iterations 30] [--repeats 3] [--ratio-splits 5] [--baselines sgd,adam,lbfgs] [--large dae,dae-128,yearpred-synthetic]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { int } from '../src/cli/options.js';
import { expandJobs, loadProtocol } from '../src/experiments/protocol.js';
import { published } from '../src/report/experiments/published.js';
import { packageRoot } from '../src/util/fsx.js';

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'sdf,abalone,bike-sharing' },
    split: { type: 'string', default: '0' },
    iterations: { type: 'string', default: '30' },
    repeats: { type: 'string', default: '3' },
    'ratio-splits': { type: 'string', default: '5' },
    shared: { type: 'string', default: resolve(packageRoot(), '..', 'shared') },
    baselines: { type: 'string', default: 'sgd,adam,lbfgs' },
    large: { type: 'string', default: 'dae,dae-128,yearpred-synthetic' },
  },
});
const peer = join(values.shared!, 'bench', 'peer_anmin.py');
const mirror = process.env.ANMIN_MIRROR ?? join(values.shared!, 'data');
if (!existsSync(peer)) throw new Error(`peer not found at ${peer} (--shared DIR)`);

const run = (cmd: string, args: string[]) => JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const repeats = int(1)(values.repeats!, '--repeats');
const benchAt = (split: string, args: string[]) => run(process.execPath, [join(packageRoot(), 'bin', 'anmin.js'), 'bench', ...args, '--split', split, '--mirror', mirror, '--json']);
const anmin = (args: string[]) => benchAt(values.split!, args);

interface Side {
  seconds: number;
  train_mse: number;
  test_mse: number;
  peak_rss_mb?: number;
}

/** One table: per row, ours and the peer's runs alternated, medians and their ratio, first run's MSEs. */
function compare(title: string, cases: { label: string; ours: () => Side; theirs: () => Side }[]): string {
  const rows: string[][] = [['case', 'ours s', 'peer s', 'ratio', 'our runs', 'peer runs', 'our train', 'peer train', 'our test', 'peer test']];
  for (const c of cases) {
    const ours: Side[] = [];
    const theirs: Side[] = [];
    for (let r = 0; r < repeats; r++) {
      ours.push(c.ours());
      theirs.push(c.theirs());
    }
    const a = median(ours.map((o) => o.seconds));
    const b = median(theirs.map((o) => o.seconds));
    const runs = (v: Side[]) => v.map((o) => o.seconds.toFixed(2)).join('/');
    rows.push([c.label, a.toFixed(2), b.toFixed(2), (a / b).toFixed(2), runs(ours), runs(theirs), ours[0].train_mse.toPrecision(5), theirs[0].train_mse.toPrecision(5), ours[0].test_mse.toPrecision(5), theirs[0].test_mse.toPrecision(5)]);
    process.stderr.write(`${c.label} done\n`);
  }
  return aligned(title, rows);
}

function aligned(title: string, rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return `${title}\n${rows.map((r) => r.map((v, c) => v.padEnd(w[c])).join('  ')).join('\n')}\n`;
}

const datasets = values.datasets!.split(',');
const gpu = published().table4_seconds_per_run;

// Table 4's claim, ratio by ratio: each process alone with the whole machine (ANMIN on every core, Adam on
// the one its minibatch steps use), seconds on the training clock; split 0, then the mean over splits.
const PUBLISHED = ['--accumulate', 'float32-batches', '--precision', 'float32'];
const ratioSplits = int(1)(values['ratio-splits']!, '--ratio-splits');
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const ratioRows = [['dataset', 'Adam s (split 0 / mean)', 'ANMIN exact s', 'ANMIN published s', 'exact / Adam (split 0 / mean)', 'paper ANMIN / Adam', 'published / exact', 'paper ANMIN GPU s']];
for (const ds of datasets) {
  const times = { adam: [] as number[], exact: [] as number[], published: [] as number[] };
  for (let k = 0; k < ratioSplits; k++) {
    times.adam.push(benchAt(String(k), ['adam', '--dataset', ds]).seconds);
    times.exact.push(benchAt(String(k), ['anmin', '--dataset', ds]).seconds);
    times.published.push(benchAt(String(k), ['anmin', '--dataset', ds, ...PUBLISHED]).seconds);
  }
  const two = (v: number[]) => `${v[0].toFixed(2)} / ${mean(v).toFixed(2)}`;
  const paper = gpu[ds] ? (gpu[ds].ANMIN / gpu[ds].Adam).toFixed(3) : '';
  ratioRows.push([ds, two(times.adam), two(times.exact), two(times.published), `${(times.exact[0] / times.adam[0]).toFixed(3)} / ${(mean(times.exact) / mean(times.adam)).toFixed(3)}`, paper, (mean(times.published) / mean(times.exact)).toFixed(2), gpu[ds] ? String(gpu[ds].ANMIN) : '']);
  process.stderr.write(`${ds} ratios done\n`);
}
process.stdout.write(aligned(`Table 4's ratios: training seconds, each run alone (splits 0..${ratioSplits - 1})`, ratioRows) + '\n');

// Where ANMIN's time goes (exact and published readings, split 0): each phase's milliseconds an iteration.
interface Phase {
  phase: string;
  calls: number;
  ms_per_iteration: number;
  gflops: number | null;
}
for (const ds of datasets) {
  for (const [reading, extra] of [['exact', []], ['published', PUBLISHED]] as const) {
    const r = benchAt(values.split!, ['anmin', '--dataset', ds, '--profile', ...extra]) as Side & { profile: Phase[] };
    const rows = [['phase', 'calls', 'ms / iteration', 'GFLOP/s'], ...r.profile.map((p) => [p.phase, String(p.calls), p.ms_per_iteration.toFixed(2), p.gflops === null ? '' : p.gflops.toFixed(2)])];
    process.stdout.write(aligned(`ANMIN ${reading} on ${ds}, split ${values.split}: ${r.seconds.toFixed(2)} s of training`, rows) + '\n');
  }
}

process.stdout.write(
  compare(
    'ANMIN (exact, all cores) against NumPy/OpenBLAS',
    datasets.map((ds) => ({
      label: ds,
      ours: () => anmin(['anmin', '--dataset', ds, '--iterations', values.iterations!]),
      theirs: () => run('python3', [peer, ds, '--split', values.split!, '--iterations', values.iterations!, '--data', mirror]),
    })),
  ),
);

// The PyTorch peer: the baselines as a PyTorch user would write them, float32 on 2 CPU threads.
const torchPeer = join(values.shared!, 'bench', 'peer_torch.py');
const hasTorch = existsSync(torchPeer) && spawnSync('/usr/bin/python3', ['-c', 'import torch, sklearn'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) {
  process.stdout.write('\nbaselines against PyTorch: skipped (needs Debian\'s PyTorch: apt-get install -y python3-torch python3-sklearn python3-scipy)\n');
} else {
  const table3 = loadProtocol('table3');
  // SGD's tuned rate and the other options of each baseline come from the protocol, for both sides.
  const lrOf = (method: string, ds: string) => expandJobs(table3, { datasets: [ds], methods: [method], splits: [0] })[0]?.options.lr as number | undefined;
  const methods = values.baselines!.split(',');
  const cases = datasets.flatMap((ds) =>
    methods.map((m) => {
      const lr = lrOf(m === 'sgd' ? 'SGD' : m === 'adam' ? 'Adam' : 'LBFGS', ds);
      const lrArgs = lr === undefined ? [] : ['--lr', String(lr)];
      return {
        label: `${ds} ${m}`,
        ours: () => anmin([m, '--dataset', ds, ...lrArgs]),
        theirs: () => run('/usr/bin/python3', [torchPeer, ds, m, '--split', values.split!, '--data', mirror, '--threads', '2', ...lrArgs]),
      };
    }),
  );
  process.stdout.write('\n' + compare('SGD, Adam, LBFGS against PyTorch on CPU (float32, 2 threads)', cases));
}

// The large problems of issue 16: 30 iterations on all cores against the paper's RTX 3080 (Table 4),
// and the DAE with 128 hidden units ((d+1)h = 28,928), beyond the paper's reach, against 10 minutes.
const LARGE: Record<string, { args: string[]; target: number; against: string }> = {
  dae: { args: ['--dataset', 'dae'], target: gpu.dae.ANMIN, against: 'paper GPU' },
  'dae-128': { args: ['--dataset', 'dae', '--hidden', '128'], target: 600, against: '10 min' },
  'yearpred-synthetic': { args: ['--dataset', 'yearpred-synthetic'], target: gpu.yearpred.ANMIN, against: 'paper GPU (YearPredictionMSD)' },
};
const large = values.large ? values.large.split(',') : [];
const rows = [['case', 'runs s', 'median s', 's / iteration', 'target s', 'against', 'ratio', 'peak MB', 'min train MSE']];
for (const name of large) {
  const c = LARGE[name];
  if (!c) throw new Error(`--large: unknown case "${name}" (known: ${Object.keys(LARGE).join(', ')})`);
  const runs: Side[] = [];
  for (let r = 0; r < repeats; r++) runs.push(anmin(['anmin', ...c.args, '--iterations', values.iterations!]));
  const m = median(runs.map((o) => o.seconds));
  rows.push([name, runs.map((o) => o.seconds.toFixed(1)).join('/'), m.toFixed(1), (m / Number(values.iterations)).toFixed(2), String(c.target), c.against, (m / c.target).toFixed(2), String(Math.max(...runs.map((o) => o.peak_rss_mb ?? 0))), runs[0].train_mse.toPrecision(7)]);
  process.stderr.write(`${name} done\n`);
}
if (rows.length > 1) process.stdout.write('\n' + aligned(`ANMIN at large (d+1)h (${values.iterations} iterations, all cores) against its targets`, rows));
