/**
 * `make bench`: ANMIN here beside the NumPy/OpenBLAS peer (../shared/bench/peer_anmin.py) on the same
 * splits, preprocessing and iterations, one process at a time so they never compete for the 2 cores.
 * usage: node dist/bench/peer.js [--datasets sdf,abalone,bike-sharing] [--split 0] [--iterations 30]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/util/fsx.js';

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'sdf,abalone,bike-sharing' },
    split: { type: 'string', default: '0' },
    iterations: { type: 'string', default: '30' },
    shared: { type: 'string', default: resolve(packageRoot(), '..', 'shared') },
  },
});
const peer = join(values.shared!, 'bench', 'peer_anmin.py');
const mirror = process.env.ANMIN_MIRROR ?? join(values.shared!, 'data');
if (!existsSync(peer)) throw new Error(`peer not found at ${peer} (--shared DIR)`);

const run = (cmd: string, args: string[]) => JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!);
const rows: string[][] = [['dataset', 'anmin s', 'peer s', 'ratio', 'anmin train', 'peer train', 'anmin test', 'peer test']];
for (const ds of values.datasets!.split(',')) {
  const ours = run(process.execPath, [join(packageRoot(), 'bin', 'anmin.js'), 'bench', 'anmin', '--dataset', ds, '--split', values.split!, '--iterations', values.iterations!, '--mirror', mirror, '--json']);
  const theirs = run('python3', [peer, ds, '--split', values.split!, '--iterations', values.iterations!, '--data', mirror]);
  rows.push([ds, ours.seconds.toFixed(2), theirs.seconds.toFixed(2), (ours.seconds / theirs.seconds).toFixed(2), ours.train_mse.toPrecision(5), theirs.train_mse.toPrecision(5), ours.test_mse.toPrecision(5), theirs.test_mse.toPrecision(5)]);
  process.stderr.write(`${ds} done\n`);
}
const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
process.stdout.write(rows.map((r) => r.map((v, c) => v.padEnd(w[c])).join('  ')).join('\n') + '\n');
