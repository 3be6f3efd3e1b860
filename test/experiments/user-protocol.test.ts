import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { recordBase } from '../../src/experiments/job.js';
import { expandJobs, loadProtocol, loadTrainers } from '../../src/experiments/protocol.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { identity, readResults } from '../../src/experiments/store.js';
import { ROOT, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'bin', 'anmin.js');
const LIBRARY = pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href;

/**
 * A trainer module outside the package, as a user writes one: the mean of the targets (a network whose
 * output layer is zero), its own option `shift` added to the intercept.
 */
function meanTrainer(extra = ''): string {
  return `import { defineTrainer, TraceRecorder, integer, number, SEED } from '${LIBRARY}';
export default defineTrainer('mean', { hidden: 2, shift: 0, seed: 0 }, { hidden: integer(1, 64), shift: number(-10, 10), seed: SEED }, (data, o, onStep) => {
  const { p, c } = data.train;
  const net = { p, h: o.hidden, c, alpha: 0, A: new Float64Array(p * o.hidden), B: new Float64Array(o.hidden * c), b0: new Float64Array(c).fill(o.shift) };
  const trace = new TraceRecorder(data, onStep, false);
  trace.record(net, 0);
  return { method: 'mean', network: net, trace: trace.points, selected: 0, seconds: trace.seconds() };
});
${extra}`;
}

/** A user's folder: a CSV, a trainer module and a protocol naming both by relative paths. */
function userFolder(protocol: Record<string, unknown> = {}, module = meanTrainer()): { dir: string; file: string } {
  const dir = tempDir('anmin-user');
  const rows = ['a,b,label,y'];
  for (let i = 0; i < 40; i++) rows.push(`${i % 7},${(i * 3) % 11},${i % 2},${(i % 7) * 2 + ((i * 3) % 11) - 3}`);
  writeFileSync(join(dir, 'table.csv'), rows.join('\n') + '\n');
  writeFileSync(join(dir, 'mean.mjs'), module);
  const file = join(dir, 'mine.json');
  writeFileSync(file, JSON.stringify({
    name: 'mine',
    description: 'a user protocol',
    datasets: { table: { csv: 'table.csv', target: 'y', features: ['a', 'b'] } },
    methods: { Mean: { trainer: './mean.mjs', options: { shift: 1 } }, ANMIN: { trainer: 'anmin', options: { hidden: 4, iterations: 3 } } },
    splits: 2,
    ...protocol,
  }));
  return { dir, file };
}

test('a protocol names a CSV table and a trainer module by paths relative to itself; their bytes and columns are the records\' identity', () => {
  const { dir, file } = userFolder();
  const p = loadProtocol(file);
  const [mean, anmin] = [expandJobs(p, { methods: ['Mean'], splits: [0] })[0], expandJobs(p, { methods: ['ANMIN'], splits: [0] })[0]];
  assert.equal(mean.trainerFile?.file, join(dir, 'mean.mjs'));
  assert.equal(mean.csv?.file, join(dir, 'table.csv'));
  const r = recordBase(mean);
  assert.deepEqual(Object.keys(r.dataFiles ?? {}).sort(), ['csv', 'trainer']);
  assert.deepEqual(r.table, { file: 'table.csv', target: ['y'], features: ['a', 'b'] });
  assert.equal(recordBase(anmin).dataFiles?.trainer, undefined, 'a built-in trainer has no module hash');
  // Another module, another table or other columns: another identity; the machine's path is not part of it.
  writeFileSync(join(dir, 'mean.mjs'), meanTrainer('// edited'));
  assert.notEqual(identity(recordBase(expandJobs(loadProtocol(file), { methods: ['Mean'], splits: [0] })[0])), identity(r));
  const other = userFolder({ datasets: { table: { csv: 'table.csv', target: 'y', features: ['a', 'b', 'label'] } } });
  assert.notEqual(identity(recordBase(expandJobs(loadProtocol(other.file), { methods: ['Mean'], splits: [0] })[0])), identity(r));
  const moved = userFolder();
  assert.equal(identity(recordBase(expandJobs(loadProtocol(moved.file), { methods: ['Mean'], splits: [0] })[0])), identity(r));
});

test('a module\'s options are checked by its own constraints before any job runs, naming the protocol, method and option', async () => {
  const { file } = userFolder({ methods: { Mean: { trainer: './mean.mjs', options: { shift: 99 } } } });
  await assert.rejects(loadTrainers(loadProtocol(file)), /mine\.json: method "Mean": option "shift" of \.\/mean\.mjs must be a number in \[-10, 10\], got 99/);
  const unknown = userFolder({ methods: { Mean: { trainer: './mean.mjs', options: { depth: 3 } } } });
  await assert.rejects(runExperiment({ experiment: unknown.file, out: join(unknown.dir, 'out') }), /option "depth"/);
  const noSeed = userFolder({}, meanTrainer().replace(', seed: SEED }', ' }'));
  await assert.rejects(loadTrainers(loadProtocol(noSeed.file)), /mean\.mjs: its constraints have no "seed"/);
  const builtinName = userFolder({}, meanTrainer().replace("defineTrainer('mean'", "defineTrainer('adam'"));
  await assert.rejects(loadTrainers(loadProtocol(builtinName.file)), /named "adam", a built-in trainer's name/);
  const missing = userFolder({ methods: { Mean: { trainer: './gone.mjs' } } });
  assert.throws(() => loadProtocol(missing.file), /mine\.json: method "Mean": trainer module .*gone\.mjs: cannot read \(ENOENT\)/);
});

test('a CSV dataset is checked by the reader\'s rules: its target, its columns, and no loader parameters', async () => {
  const noTarget = userFolder({ datasets: { table: { csv: 'table.csv' } } });
  assert.throws(() => loadProtocol(noTarget.file), /\/datasets\/table: "csv" needs "target"/);
  const withSource = userFolder({ datasets: { table: { csv: 'table.csv', target: 'y', source: 'abalone' } } });
  assert.throws(() => loadProtocol(withSource.file), /a "csv" dataset takes no "source" or "params"/);
  const badColumn = userFolder({ datasets: { table: { csv: 'table.csv', target: 'price' } } });
  await assert.rejects(runExperiment({ experiment: badColumn.file, out: join(badColumn.dir, 'out') }), /table\.csv: no column "price" \(has: a, b, label, y\)/);
});

test('a run of a user\'s protocol keeps every record, resumes, and runs again what a changed module or table produced', async () => {
  const { dir, file } = userFolder();
  const out = join(dir, 'results');
  const first = await runExperiment({ experiment: file, out, workers: 2 });
  assert.deepEqual([first.ran, first.failed], [4, 0]);
  const rs = readResults([out]);
  assert.ok(rs.every((r) => r.status === 'ok'));
  // The module's intercept is its own option: the fitted "network" predicts shift + 0.
  assert.ok(rs.filter((r) => r.method === 'Mean').every((r) => r.trainer === './mean.mjs' && r.options.shift === 1));
  assert.equal((await runExperiment({ experiment: file, out })).ran, 0);
  writeFileSync(join(dir, 'mean.mjs'), meanTrainer('// edited'));
  assert.equal((await runExperiment({ experiment: file, out })).ran, 2, 'the module\'s two jobs, not ANMIN\'s');
  copyFileSync(join(dir, 'table.csv'), join(dir, 'old.csv'));
  writeFileSync(join(dir, 'table.csv'), readFileSync(join(dir, 'old.csv'), 'utf8') + '1,1,1,1\n');
  assert.equal((await runExperiment({ experiment: file, out })).ran, 4, 'new data: every job');
});

test('a module that returns what a run cannot keep fails its job with one line, kept in the store', async () => {
  const broken = meanTrainer().replace('selected: 0', 'selected: 5');
  const { dir, file } = userFolder({ methods: { Mean: { trainer: './mean.mjs' } } }, broken);
  const s = await runExperiment({ experiment: file, out: join(dir, 'out') });
  assert.equal(s.failed, 2);
  assert.match(readResults([join(dir, 'out')])[0].error ?? '', /trainer \.\/mean\.mjs: train\(\) returned "selected" 5, not an index into its 1-point trace/);
});

test('anmin train --method takes a module, and --option its own options by its constraints', () => {
  const { dir } = userFolder();
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'train', join(dir, 'table.csv'), '--target', 'y', '--json', ...args], { encoding: 'utf8', cwd: dir });
  const ok = run('--method', './mean.mjs', '--option', 'shift=2', '--save', join(dir, 'm.json'));
  assert.equal(ok.status, 0, ok.stderr);
  const saved = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as { trainer: string; options: { shift: number }; network: { b0: number[] } };
  assert.deepEqual([saved.trainer, saved.options.shift, saved.network.b0], ['mean', 2, [2]]);
  // The saved model predicts without the module at hand.
  assert.equal(spawnSync(process.execPath, [CLI, 'evaluate', join(dir, 'm.json'), join(dir, 'table.csv')], { encoding: 'utf8' }).status, 0);
  const bad = run('--method', './mean.mjs', '--option', 'shift=20');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^anmin: train: --option shift=20: shift must be a number in \[-10, 10\]\n$/);
  assert.match(run('--method', './mean.mjs', '--option', 'depth=2').stderr, /mean has no option "depth" \(known: hidden, shift, seed\)/);
  assert.match(run('--method', './mean.mjs', '--lambda', '2').stderr, /--lambda does not apply to mean/);
});

test('examples/: a trainer module and a CSV named by a protocol go through run, report, plot, report html and check with no change to src/', () => {
  const dir = tempDir('anmin-examples');
  const store = join(dir, 'results');
  const anmin = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ANMIN_PROGRESS: '0' } });
  const ran = anmin('run', join(ROOT, 'examples', 'my-comparison.json'), '--out', store);
  assert.equal(ran.status, 0, ran.stderr);
  const rs = readResults([store]);
  assert.deepEqual([...new Set(rs.map((r) => r.method))], ['ANMIN', 'Adam', 'LBFGS', 'ridge features']);
  assert.ok(rs.every((r) => r.status === 'ok' && r.dataFiles?.csv !== undefined && r.table?.file === 'friedman1.csv'));
  assert.ok(rs.filter((r) => r.method === 'ridge features').every((r) => r.trainer === './ridge-features.mjs' && r.dataFiles?.trainer !== undefined));

  const tables = anmin('report', 'my-comparison', '--in', store);
  assert.equal(tables.status, 0, tables.stderr);
  assert.match(tables.stdout, /\| dataset \| ANMIN \| Adam \| LBFGS \| ridge features \| splits \|/);
  assert.match(tables.stdout, /### my-comparison — seconds/);
  const plot = anmin('plot', '--in', store, '--out', join(dir, 'figures'));
  assert.equal(plot.status, 0, plot.stderr);
  assert.match(plot.stdout, /my-comparison-curves-mse-friedman1\.svg/);
  const html = anmin('report', 'html', '--in', store, '--out', join(dir, 'page.html'));
  assert.equal(html.status, 0, html.stderr);
  assert.match(readFileSync(join(dir, 'page.html'), 'utf8'), /ridge features/);
  const check = anmin('check', '--in', store);
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /my-comparison has no published numbers to compare with/);
});
