/**
 * `make bench`: ANMIN here beside the NumPy/OpenBLAS peer (../shared/bench/peer_anmin.py) on the same
 * splits, preprocessing and iterations, one process at a time so they never compete for the 2 cores,
 * alternating ours and theirs `--repeats` times; the table shows each side's median and their ratio.
 * usage: node dist/bench/peer.js [--datasets sdf,abalone,bike-sharing] [--split 0] [--iterations 30] [--repeats 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { int } from '../src/cli/options.js';
import { packageRoot } from '../src/util/fsx.js';

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'sdf,abalone,bike-sharing' },
    split: { type: 'string', default: '0' },
    iterations: { type: 'string', default: '30' },
    repeats: { type: 'string', default: '3' },
    shared: { type: 'string', default: resolve(packageRoot(), '..', 'shared') },
  },
});
const peer = join(values.shared!, 'bench', 'peer_anmin.py');
const mirror = process.env.ANMIN_MIRROR ?? join(values.shared!, 'data');
if (!existsSync(peer)) throw new Error(`peer not found at ${peer} (--shared DIR)`);

const run = (cmd: string, args: string[]) => JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const repeats = int(1)(values.repeats!, '--repeats');
const rows: string[][] = [['dataset', 'anmin s', 'peer s', 'ratio', 'anmin runs', 'peer runs', 'anmin train', 'peer train', 'anmin test', 'peer test']];
for (const ds of values.datasets!.split(',')) {
  const ours: { seconds: number; train_mse: number; test_mse: number; threads?: number }[] = [];
  const theirs: typeof ours = [];
  for (let r = 0; r < repeats; r++) {
    ours.push(run(process.execPath, [join(packageRoot(), 'bin', 'anmin.js'), 'bench', 'anmin', '--dataset', ds, '--split', values.split!, '--iterations', values.iterations!, '--mirror', mirror, '--json']));
    theirs.push(run('python3', [peer, ds, '--split', values.split!, '--iterations', values.iterations!, '--data', mirror]));
  }
  const a = median(ours.map((o) => o.seconds));
  const b = median(theirs.map((o) => o.seconds));
  const runs = (v: typeof ours) => v.map((o) => o.seconds.toFixed(2)).join('/');
  rows.push([ds, a.toFixed(2), b.toFixed(2), (a / b).toFixed(2), runs(ours), runs(theirs), ours[0].train_mse.toPrecision(5), theirs[0].train_mse.toPrecision(5), ours[0].test_mse.toPrecision(5), theirs[0].test_mse.toPrecision(5)]);
  process.stderr.write(`${ds} done\n`);
}
const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
process.stdout.write(rows.map((r) => r.map((v, c) => v.padEnd(w[c])).join('  ')).join('\n') + '\n');
