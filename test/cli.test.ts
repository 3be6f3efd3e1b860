import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { withOptions } from '../src/cli/docs.js';
import { TRAINER_OPTIONS, trainerOption, type TrainerOptionKey } from '../src/cli/trainer-options.js';
import type { Constraint } from '../src/train/constraints.js';
import { TRAINERS } from '../src/train/registry.js';
import { fixture, MIRROR, NO_MIRROR, randn, record, ROOT, tempDir } from './helpers.js';

const cache = tempDir('anmin-cli');
const anmin = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'anmin.js'), ...args], { encoding: 'utf8', env: { ...process.env, ANMIN_CACHE: cache, ANMIN_MIRROR: MIRROR } });

test('datasets split --json prints the scikit-learn split', { skip: NO_MIRROR }, () => {
  const r = anmin('datasets', 'split', 'abalone', '--split', '0', '--json');
  assert.equal(r.status, 0, r.stderr);
  const { train, test: held } = JSON.parse(r.stdout) as { train: number[]; test: number[] };
  const perm = fixture<{ full_split_4177_0: number[] }>('numpy-random.json').full_split_4177_0;
  assert.deepEqual(held, perm.slice(0, 836));
  assert.deepEqual(train, perm.slice(836));
});

test('bad input: a one-line error naming the flag, non-zero exit, nothing on stdout', () => {
  const bad = [
    ['datasets', 'split', 'abalone', '--split', 'x'], ['bench', 'anmin', '--dataset', 'nope'], ['bench', 'nope', '--dataset', 'abalone'],
    ['bench', 'anmin', '--dataset', 'abalone', '--hidden', '2.5'], ['bench', 'anmin', '--dataset', 'abalone', '--on-degenerate', 'stpo'],
    ['bench', 'adam', '--dataset', 'abalone', '--precision', 'float32'], ['bench', 'adam', '--dataset', 'abalone', '--beta1', '1'],
  ];
  for (const args of bad) {
    const r = anmin(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^anmin: /);
  }
});

test('bench anmin --json prints seconds, train_mse and test_mse', { skip: NO_MIRROR }, () => {
  const r = anmin('bench', 'anmin', '--dataset', 'abalone', '--iterations', '2', '--hidden', '8', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, number>;
  for (const k of ['seconds', 'train_mse', 'test_mse']) assert.equal(typeof out[k], 'number', k);
});

test('the README\'s option list is the one the option tables generate', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = (text: string) => text.slice(text.indexOf('<!-- options:'), text.indexOf('<!-- options: end -->'));
  assert.equal(block(readme), block(withOptions(readme)), 'README.md\'s option list is stale: npm run build && npm run docs');
});

test('a trainer option has one constraint in every trainer that takes it, and its flag parses by it', () => {
  for (const key of Object.keys(TRAINER_OPTIONS) as TrainerOptionKey[]) {
    const declared = Object.values(TRAINERS).map((t) => (t.constraints as Record<string, Constraint>)[key]).filter(Boolean);
    assert.ok(declared.length > 0, key);
    for (const c of declared) assert.deepEqual(c, declared[0], key);
  }
  assert.equal(trainerOption('hidden').parseArg!('12', undefined), 12);
  assert.throws(() => trainerOption('hidden').parseArg!('0', undefined), /--hidden: expected an integer in \[1, 16384\], got "0"/);
  assert.equal(trainerOption('accumulate').parseArg!('float32-batches', undefined), 'float32-batches');
  assert.throws(() => trainerOption('select').parseArg!('best', undefined), /--select: expected one of min, final/);
});

test('bench takes Table 5\'s variants and the published numerics as flags', { skip: NO_MIRROR }, () => {
  const r = anmin('bench', 'anmin', '--dataset', 'abalone', '--iterations', '2', '--hidden', '8', '--on-degenerate', 'stop', '--select', 'final', '--precision', 'float32', '--lambda-scale', 'mean', '--accumulate', 'float32-batches', '--json');
  assert.equal(r.status, 0, r.stderr);
});

/** One `anmin:` line naming `path`, the errno and what to do; exit 1. */
function failsOnFileSystem(r: ReturnType<typeof anmin>, path: string, code: string): void {
  assert.equal(r.status, 1, r.stderr);
  // A warning before training (a layer wide for its rows) is not part of the failure.
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('anmin train: warning: '));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`^anmin: ${path}: cannot \\w+: .* \\(${code}\\); \\S.*$`));
}

test('file-system failures are one line naming the path, the error and what to do, exit 1; --verbose adds the stack', () => {
  const dir = tempDir('anmin-fs');
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  const csv = join(dir, 'data.csv');
  writeFileSync(csv, 'a,y\n1,2\n2,3\n3,5\n4,4\n5,6\n');
  const train = ['train', csv, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '2'];
  failsOnFileSystem(anmin('run', 'planted', '--preset', 'quick', '--out', join(file, 'results')), `${file}/results`, 'ENOTDIR');
  failsOnFileSystem(anmin(...train, '--save', join(file, 'model.json')), file, 'EEXIST');
  failsOnFileSystem(anmin('run', 'planted', '--preset', 'quick', '--out', file), file, 'EEXIST');
  // A folder where the file belongs: the atomic write's temp file is removed, the folder untouched.
  failsOnFileSystem(anmin(...train, '--save', dir), dir, 'EISDIR');
  assert.deepEqual(readdirSync(dir).sort(), ['a-file', 'data.csv']);
  const verbose = anmin(...train, '--save', dir, '--verbose');
  assert.equal(verbose.status, 1);
  assert.match(verbose.stderr, /^anmin: .*EISDIR.*\n.*Error.*\n\s+at /);
});

// A small file system of our own, to fill or make read-only: needs root (mount); skipped elsewhere.
function withTmpfs(t: { skip: (why: string) => void }, size: string, body: (at: string) => void): void {
  const at = tempDir('anmin-mnt');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { encoding: 'utf8' });
  if (r.status !== 0) {
    t.skip(`cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim() || 'not root'}): the ENOSPC and EROFS cases need root`);
    return;
  }
  try {
    body(at);
  } finally {
    spawnSync('umount', [at]);
  }
}

test('a full disk and a read-only file system: one line, exit 1, nothing half-written', (t) => withTmpfs(t, '64k', (at) => {
  const csv = join(at, 'data.csv');
  writeFileSync(csv, 'a,y\n1,2\n2,3\n3,5\n4,4\n5,6\n');
  // Fill the rest of the disk.
  try {
    writeFileSync(join(at, 'filler'), Buffer.alloc(1 << 20));
  } catch {
    // ENOSPC, as meant: the disk is full now.
  }
  failsOnFileSystem(anmin('train', csv, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '2', '--save', join(at, 'model.json')), join(at, 'model.json'), 'ENOSPC');
  const run = anmin('run', 'planted', '--preset', 'quick', '--splits', '0', '--out', join(at, 'results'));
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr.trim(), /^anmin: \S+: cannot \w+: no space left on the device \(ENOSPC\); free some space and run the same command again: finished jobs are kept$/);
  assert.deepEqual(readdirSync(at).filter((f) => f.includes('.tmp')), []);
  assert.equal(spawnSync('mount', ['-o', 'remount,ro', at]).status, 0);
  // Node's recursive mkdir calls this ENOENT; the user must read EROFS.
  failsOnFileSystem(anmin('run', 'planted', '--preset', 'quick', '--splits', '0', '--out', join(at, 'elsewhere', 'deeper')), join(at, 'elsewhere'), 'EROFS');
  // The output is checked before the work: the missing data file is never reached.
  failsOnFileSystem(anmin('train', join(at, 'no-such.csv'), '--target', 'y', '--save', join(at, 'model.json')), join(at, 'model.json'), 'EROFS');
}));

/** Fills the file system at `at` but for `free` bytes. */
function fillBut(at: string, free: number): void {
  const filler = join(at, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(1 << 24));
  } catch {
    // ENOSPC, as meant: the filler took what was left.
  }
  truncateSync(filler, statSync(filler).size - free);
}

/** A CSV of `cols` normal inputs and a target y, `rows` rows. */
function wideCsv(file: string, cols: number, rows: number): string {
  const v = randn(rows * (cols + 1), 7);
  const lines = [[...Array.from({ length: cols }, (_, j) => `x${j}`), 'y'].join(',')];
  for (let i = 0; i < rows; i++) lines.push(Array.from(v.subarray(i * (cols + 1), (i + 1) * (cols + 1)), (x) => x.toFixed(3)).join(','));
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test('a nearly full disk, then a read-only one: each writer (train, predict, report html, export, merge, plot, run) fails with one line and leaves the older file whole (no short write passes)', (t) => {
  const dir = tempDir('anmin-short');
  // The inputs live off the small disk; each output is larger than the room left on it.
  const csv = wideCsv(join(dir, 'wide.csv'), 60, 600);
  const model = join(dir, 'model.json');
  assert.equal(anmin('train', csv, '--target', 'y', '--method', 'anmin+lbfgs', '--hidden', '16', '--iterations', '1', '--save', model).status, 0);
  const store = join(dir, 'store');
  mkdirSync(store);
  writeFileSync(join(store, 'results.jsonl'), ['table3/abalone/ANMIN/0', 'table3/abalone/Adam/0'].map((k) => JSON.stringify(record(k)) + '\n').join(''));
  withTmpfs(t, '256k', (at) => {
    const older = 'an older good file\n';
    mkdirSync(join(at, 'merged'));
    mkdirSync(join(at, 'figs'));
    // Each writer, the file it would replace, and what that file holds.
    const writers: [string[], string, string][] = [
      [['train', csv, '--target', 'y', '--method', 'anmin+lbfgs', '--hidden', '16', '--iterations', '1', '--save', join(at, 'model.json')], join(at, 'model.json'), older],
      [['predict', model, csv, '--out', join(at, 'pred.csv')], join(at, 'pred.csv'), older],
      [['report', 'html', '--in', store, '--out', join(at, 'report.html')], join(at, 'report.html'), older],
      [['export', model, '--onnx', join(at, 'model.onnx')], join(at, 'model.onnx'), older],
      [['merge', store, '--out', join(at, 'merged')], join(at, 'merged', 'results.jsonl'), JSON.stringify(record('table3/sdf/SGD/0')) + '\n'],
      [['plot', '--in', store, '--out', join(at, 'figs')], join(at, 'figs', 'curves-mse-abalone.svg'), older],
    ];
    for (const [, file, text] of writers) writeFileSync(file, text);
    const everyWriterFails = (code: string) => {
      for (const [args, file, text] of writers) {
        const r = anmin(...args);
        // A store's writer may be refused at its lock, beside the file.
        failsOnFileSystem(r, `${file}(\\.lock)?`, code);
        assert.equal(readFileSync(file, 'utf8'), text, args[0]);
        // The training is not lost with the save: its metrics are printed before the error.
        if (args[0] === 'train' && code === 'ENOSPC') assert.match(r.stdout, /train_mse/);
      }
      for (const d of [at, join(at, 'merged'), join(at, 'figs')]) assert.deepEqual(readdirSync(d).filter((f) => f.includes('.tmp') || f.endsWith('.lock')), [], d);
    };
    fillBut(at, 4096);
    everyWriterFails('ENOSPC');
    // Room for the lock but not the first record: the worker's record fails to append, on the main thread.
    fillBut(at, 8192);
    const run = anmin('run', 'planted', '--preset', 'quick', '--splits', '0', '--out', join(at, 'results'));
    failsOnFileSystem(run, join(at, 'results', 'results.jsonl'), 'ENOSPC');
    assert.deepEqual(readdirSync(join(at, 'results')), ['results.jsonl'], 'the lock is released');
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', at]).status, 0);
    everyWriterFails('EROFS');
  });
});

test('an output over an input is refused and the input kept: predict onto its data, export onto its model, a report into its store, through a link too', () => {
  const dir = tempDir('anmin-over');
  const csv = join(dir, 'data.csv');
  writeFileSync(csv, 'a,y\n1,2\n2,3\n3,5\n4,4\n5,6\n');
  const model = join(dir, 'model.json');
  assert.equal(anmin('train', csv, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '2', '--save', model).status, 0);
  const store = join(dir, 'store');
  mkdirSync(store);
  writeFileSync(join(store, 'results.jsonl'), JSON.stringify(record('table3/abalone/ANMIN/0')) + '\n');
  symlinkSync(csv, join(dir, 'link.csv'));
  const cases: [string[], string][] = [
    [['predict', model, csv, '--out', csv], csv],
    [['predict', model, csv, '--out', join(dir, 'link.csv')], csv],
    [['predict', model, csv, '--out', model], model],
    [['export', model, '--onnx', model], model],
    [['train', csv, '--target', 'y', '--save', join(dir, '..', basename(dir), 'data.csv')], csv],
    [['report', 'html', '--in', store, '--out', join(store, 'results.jsonl')], join(store, 'results.jsonl')],
    [['report', 'table3', '--in', store, '--out', join(store, 'table3.md')], join(store, 'results.jsonl')],
    [['check', '--in', store, '--out', join(store, 'sub', 'check.txt')], join(store, 'results.jsonl')],
    [['plot', '--in', store, '--out', store], join(store, 'results.jsonl')],
  ];
  for (const [args, kept] of cases) {
    const before = readFileSync(kept, 'utf8');
    const r = anmin(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^anmin: --(out|onnx|save) \S+: is (the input \S+; write to another file|inside the results folder \S+, which this command reads; write elsewhere)\n$/);
    assert.equal(readFileSync(kept, 'utf8'), before, args.join(' '));
  }
  assert.deepEqual(readdirSync(store), ['results.jsonl']);
});

test('plot writes only inside --out, whatever the names in the store: one file per figure, separators and dots encoded', () => {
  const dir = tempDir('anmin-plot');
  const store = join(dir, 'store');
  mkdirSync(store);
  const names = ['a/../../../pwned', 'x/y', 'x%2Fy'];
  writeFileSync(join(store, 'results.jsonl'), names.map((d) => JSON.stringify(record(`table3/${d}/ANMIN/0`, { dataset: d })) + '\n').join(''));
  const out = join(dir, 'figs', 'inner');
  const r = anmin('plot', '--in', store, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['figs', 'store']);
  assert.deepEqual(readdirSync(join(dir, 'figs')), ['inner']);
  const files = readdirSync(out);
  // Each data set's two curve figures, none merged with another's.
  assert.equal(files.filter((f) => f.startsWith('curves-')).length, 2 * names.length);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), files.map((f) => join(out, f)).sort());
});

test('help names only what applies: ablation lists its own presets and no table3 or simulation flags', () => {
  const r = anmin('ablation', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--preset <name>\s+quick \(5 splits/);
  for (const foreign of ['paper-lowd', '--mask', '--image', '--d ', '--n ']) assert.ok(!r.stdout.includes(foreign), foreign);
  const run = anmin('run', '--help');
  assert.doesNotMatch(run.stdout, /\(default: [^)]*\)\s*\(default:/);
});

test('Ctrl-C or a kill ends a bench at once, not after the training it interrupts', async () => {
  const { spawn } = await import('node:child_process');
  // 30 iterations on yearpred-synthetic take minutes; the kill comes once the first one is logged.
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'anmin.js'), '--log-level', 'debug', 'bench', 'anmin', '--dataset', 'yearpred-synthetic', '--threads', '1'], { env: { ...process.env, ANMIN_CACHE: cache } });
  let killed = false;
  child.stderr.on('data', (d: Buffer) => {
    if (!killed && d.toString().includes('"iteration":0')) killed = child.kill('SIGINT');
  });
  const signal = await new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, s) => done(s)));
  assert.ok(killed, 'the run never logged its first iteration');
  // Ended by the signal itself: a handler would have waited for the whole run, then exited with 130.
  assert.equal(signal, 'SIGINT');
});
