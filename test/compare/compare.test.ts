import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TRAIN_METHODS } from '../../src/cli/options.js';
import { againstMlp, checkMethods, unseenIndicators, type CompareRecord } from '../../src/compare/compare.js';
import { ADAM_LATE_BEST, autoMethod } from '../../src/estimator/auto.js';
import { Regressor } from '../../src/estimator/estimator.js';
import { REFINED_METHODS } from '../../src/estimator/validation.js';
import { splitIndices } from '../../src/data/split.js';
import { compareFigure, compareTable } from '../../src/report/compare.js';
import { toSvg } from '../../src/report/figures.js';
import { render } from '../../src/report/render.js';
import { randn, ROOT, tempDir } from '../helpers.js';

const dir = tempDir('anmin-compare');
const run = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'anmin.js'), 'compare', ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, ANMIN_PROGRESS: '0', ...env } });

/** A Python that has scikit-learn: $ANMIN_PYTHON, python3, or Debian's (a pyenv python3 may shadow it). */
const python = [process.env.ANMIN_PYTHON, 'python3', '/usr/bin/python3'].find((p) => p && spawnSync(p, ['-c', 'import sklearn']).status === 0);
const NO_SKLEARN = python ? false : 'no python3 with scikit-learn (apt-get install -y python3-sklearn)';

/** 200 rows of a smooth function of three inputs plus noise, and the targets in file order. */
const N = 200;
const u = randn(N * 4, 11);
const ys = Array.from({ length: N }, (_, i) => Math.sin(u[4 * i]) + u[4 * i + 1] ** 2 - u[4 * i + 2] + 0.1 * u[4 * i + 3]);
const csv = join(dir, 'data.csv');
writeFileSync(csv, ['a,b,y,c', ...ys.map((y, i) => `${u[4 * i]},${u[4 * i + 1]},${y},${u[4 * i + 2]}`)].join('\n') + '\n');

interface Output {
  methods: string[];
  records: CompareRecord[];
  sklearn?: string;
  skipped?: string;
}

test('compare on a CSV: every (method, split) once, and the peers fit the very rows anmin drew', { skip: NO_SKLEARN }, () => {
  const out = join(dir, 'out');
  const r = run({ ANMIN_PYTHON: python as string }, csv, '--target', 'y', '--splits', '3', '--methods', 'anmin,sk-ridge,sk-hgb', '--json', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout) as Output;
  assert.ok(o.sklearn, 'the scikit-learn version is recorded');
  assert.deepEqual(o.methods, ['anmin', 'sk-ridge', 'sk-hgb']);
  const keys = o.records.map((x) => `${x.method}/${x.split}`).sort();
  assert.deepEqual(keys, ['anmin', 'sk-hgb', 'sk-ridge'].flatMap((m) => [0, 1, 2].map((k) => `${m}/${k}`)).sort());
  for (let k = 0; k < 3; k++) {
    // train_test_split's rows for random_state k, summed as both sides do: left to right over the test rows.
    const { train, test } = splitIndices(N, k, 0.2);
    let sum = 0;
    for (const i of test) sum += ys[i];
    for (const x of o.records.filter((x) => x.split === k)) {
      assert.equal(x.test_rows, test.length, `${x.method} split ${k}`);
      assert.equal(x.train_rows, train.length, `${x.method} split ${k}`);
      assert.equal(x.test_target_sum, sum, `${x.method} split ${k}: its test targets are not the split's`);
      assert.ok(x.test_mse !== null && x.test_mse > 0 && x.seconds > 0, `${x.method} split ${k}`);
    }
  }
  const table = readFileSync(join(out, 'table.md'), 'utf8');
  for (const m of o.methods) assert.match(table, new RegExp(`^\\| ${m} \\|`, 'm'));
  assert.match(table, /paired t-test/);
  assert.equal(readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').length, 9);
  assert.match(readFileSync(join(out, 'figure.svg'), 'utf8'), /^<svg/);
});

test('without a Python that has scikit-learn, the peers are skipped in one line with the install line, and anmin\'s methods still run', () => {
  const r = run({ ANMIN_PYTHON: join(dir, 'no-such-python') }, csv, '--target', 'y', '--splits', '2', '--methods', 'anmin,sk-mlp-lbfgs');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /scikit-learn peers skipped/);
  assert.match(lines[0], /apt-get install -y python3-sklearn/);
  assert.match(lines[0], /pip install scikit-learn/);
  assert.match(r.stdout, /^\| anmin \|/m);
  assert.doesNotMatch(r.stdout, /sk-mlp-lbfgs/);
});

test('the same command gives the same test MSEs: each split seeds its rows and the method', () => {
  const once = () => {
    const r = run({}, csv, '--target', 'y', '--splits', '2', '--methods', 'adam', '--json');
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as Output).records.map((x) => [x.split, x.test_mse]);
  };
  const a = once();
  assert.equal(a.length, 2);
  assert.notEqual(a[0][1], a[1][1], 'two splits, two results');
  assert.deepEqual(once(), a);
});

test('bad input is one line naming the flag or file, exit non-zero', () => {
  const cases: [string[], RegExp, number][] = [
    [[csv, '--target', 'y', '--splits', '0'], /--splits/, 2],
    [[csv, '--target', 'y', '--methods', 'anmin,nope'], /--methods: unknown method "nope" \(known: .*sk-ridge/, 2],
    [[csv, '--target', 'y', '--methods', 'anmin,ANMIN'], /--methods: "anmin" is named twice/, 2],
    [[csv], /--target is required/, 2],
    [[csv, '--target', 'y', '--dataset', 'abalone'], /a CSV or --dataset, not both/, 2],
    [[], /give a CSV/, 2],
    [[join(dir, 'missing.csv'), '--target', 'y'], /missing\.csv/, 1],
    [[csv, '--target', 'nope'], /nope/, 1],
  ];
  for (const [args, message, status] of cases) {
    const r = run({}, ...args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
});

test('method names: any case, -l for the leaky slope of a trainer that has one, anmin+ a refiner, peers by their sk- names', () => {
  assert.deepEqual(checkMethods(['ANMIN-L', 'Adam', 'sk-hgb', 'lbfgs-l', 'ANMIN+Adam', 'anmin+lbfgs', 'Auto']), ['anmin-l', 'adam', 'sk-hgb', 'lbfgs-l', 'anmin+adam', 'anmin+lbfgs', 'auto']);
  assert.throws(() => checkMethods(['sk-svr']), /unknown method "sk-svr"/);
  assert.throws(() => checkMethods(['anmin+ridge']), /unknown method "anmin\+ridge".*anmin\+adam/);
});

test('train and compare name the same built-in methods: every refined method REFINES allows, and each of train\'s names', () => {
  assert.deepEqual(Object.keys(REFINED_METHODS).filter((m) => !(m in TRAIN_METHODS)), []);
  const names = Object.keys(TRAIN_METHODS);
  assert.deepEqual(checkMethods(names), names);
});

/** Records of made-up fits: `method` with test MSE `mse(k)` and seconds `secs` on splits 0…n−1. */
function fits(method: string, n: number, mse: (k: number) => number | null, secs: number): CompareRecord[] {
  return Array.from({ length: n }, (_, k) => ({ method, split: k, test_mse: mse(k), train_mse: null, seconds: secs * (1 + k / 10), train_rows: 8, test_rows: 2, test_target_sum: 0 }));
}

test('the table bolds the best test MSE, gives the others\' paired p-values against it, and names a method with no finite MSE', () => {
  const records = [...fits('slow-good', 6, (k) => 1 + k / 100, 2), ...fits('fast-bad', 6, (k) => 3 + ((k * 7) % 5) / 10, 0.01), ...fits('blown', 6, () => null, 1)];
  const t = compareTable('t', ['fast-bad', 'slow-good', 'blown'], records);
  assert.deepEqual(t.rows.map((r) => r.label), ['fast-bad', 'slow-good', 'blown'], 'rows in the order asked');
  const [fast, slow, blown] = t.rows;
  assert.ok(slow.cells[0]!.bold && !fast.cells[0]!.bold);
  assert.ok(fast.cells[1]!.bold && !slow.cells[1]!.bold, 'the seconds column has its own best');
  assert.ok(fast.cells[0]!.p! < 0.01);
  assert.equal(blown.cells[0], null);
  assert.ok(t.notes.some((n) => n.includes('against the best, slow-good') && n.includes('fast-bad p =')));
  assert.ok(t.notes.some((n) => n.includes('no finite test MSE: blown')));
  assert.match(render([t], 'md'), /\*\*1\.0\d* \(/);
});

test('anmin\'s methods are held to the better MLP peer: within 2% of its test MSE or below, in at most half its seconds or half a second', () => {
  const records = [
    ...fits('sk-mlp-lbfgs', 4, () => 2, 1),
    ...fits('sk-mlp-adam', 4, () => 3, 0.1),
    ...fits('anmin', 4, () => 2.02, 0.4),
    ...fits('adam', 4, () => 1.5, 0.6),
    ...fits('sk-ridge', 4, () => 1, 0.001),
  ];
  const line = againstMlp(records, ['anmin', 'adam', 'sk-mlp-lbfgs', 'sk-mlp-adam', 'sk-ridge'])!;
  assert.match(line, /better MLPRegressor\(64\), sk-mlp-lbfgs/);
  assert.match(line, /anmin [^;]*\(meets the bar\)/);
  assert.match(line, /adam [^;]*\(misses the bar\)/, 'better MSE, but not in half the seconds');
  assert.doesNotMatch(line, /sk-ridge/, 'only anmin\'s own methods are held to it');
  assert.equal(againstMlp(records.filter((r) => !r.method.startsWith('sk-mlp')), ['anmin']), undefined);
  // On data that small, half a second is fast enough whatever the peer took (means: 0.46 s and 0.575 s against 0.69 s).
  const small = [...fits('sk-mlp-lbfgs', 4, () => 2, 0.6), ...fits('anmin', 4, () => 2, 0.4), ...fits('lbfgs', 4, () => 2, 0.5)];
  const onSmall = againstMlp(small, ['anmin', 'lbfgs', 'sk-mlp-lbfgs'])!;
  assert.match(onSmall, /anmin 100% of its test MSE in 67% of its seconds \(meets the bar\)/);
  assert.match(onSmall, /lbfgs 100% of its test MSE in 83% of its seconds \(misses the bar\)/);
  // auto is held to it as train's default, with what it chose on each split.
  const auto = [...fits('sk-mlp-lbfgs', 4, () => 2, 1), ...fits('auto', 4, () => 2, 0.1).map((r) => ({ ...r, chose: 'adam' }))];
  assert.match(againstMlp(auto, ['auto', 'sk-mlp-lbfgs'])!, /auto \(adam\) 100% of its test MSE in 10% of its seconds \(meets the bar\)/);
  // And on how many splits it kept the linear fit over the network.
  const linear = auto.map((r, i) => (r.method === 'auto' && i % 2 ? { ...r, linear: true as const } : r));
  assert.match(againstMlp(linear, ['auto', 'sk-mlp-lbfgs'])!, /auto \(adam; the linear fit on 2 of 4 splits\) 100% of its test MSE/);
});

test('auto on a CSV: each split\'s record says what it chose, the method train would run on those rows', () => {
  const r = run({}, csv, '--target', 'y', '--splits', '2', '--methods', 'auto', '--json');
  assert.equal(r.status, 0, r.stderr);
  const records = (JSON.parse(r.stdout) as Output).records;
  assert.deepEqual(records.map((x) => x.chose), ['anmin+lbfgs', 'anmin+lbfgs']);
  assert.deepEqual(records.map((x) => x.chose), records.map((x) => autoMethod(x.train_rows, 3, 1).method));
  // 30 inputs on 2,000 rows: Adam's (an ANMIN iteration about 80 epochs) raced by L-BFGS on this small fit;
  // 100 inputs on 3,000 rows (an epoch 12.5 M multiply-adds), Adam's refined where its best comes late:
  // each a fit of its own, of the split's rows.
  const table = (name: string, n: number, d: number) => {
    const w = randn(n * (d + 1), 5);
    writeFileSync(join(dir, name), [[...Array.from({ length: d }, (_, j) => `x${j}`), 'y'].join(','), ...Array.from({ length: n }, (_, i) => Array.from(w.subarray(i * (d + 1), (i + 1) * (d + 1))).join(','))].join('\n') + '\n');
    return join(dir, name);
  };
  for (const [name, n, d, chose] of [['wide.csv', 2000, 30, 'adam raced by lbfgs'], ['wider.csv', 3000, 100, `adam+lbfgs from epoch ${ADAM_LATE_BEST}`]] as const) {
    const both = run({}, table(name, n, d), '--target', 'y', '--splits', '1', '--methods', 'auto,adam', '--json');
    assert.equal(both.status, 0, both.stderr);
    const [adam, auto] = (JSON.parse(both.stdout) as Output).records;
    assert.equal(auto.chose, chose, name);
    assert.equal(auto.train_rows, adam.train_rows);
  }
});

test('the figure draws each method with a finite MSE at its mean seconds and MSE', async () => {
  const records = [...fits('alpha', 4, (k) => 1 + k / 10, 0.01), ...fits('beta', 4, (k) => 2 - k / 10, 3), ...fits('blown', 4, () => null, 1)];
  const spec = compareFigure('fig', ['alpha', 'beta', 'blown'], records) as unknown as { data: { values: { method: string; seconds: number; secondsLo: number; mse: number; mseLo: number; mseHi: number }[] } };
  const pts = spec.data.values;
  assert.deepEqual(pts.map((p) => p.method), ['alpha', 'beta']);
  for (const p of pts) assert.ok(p.mseLo < p.mse && p.mse < p.mseHi && p.secondsLo > 0 && p.secondsLo < p.seconds, p.method);
  const svg = await toSvg(compareFigure('fig', ['alpha', 'beta', 'blown'], records));
  assert.match(svg, /alpha/);
  assert.match(svg, /beta/);
});

test('the package ships the peers\' script', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('scripts/sklearn_peers.py'));
});

test('--categorical: every value of a column of words is an indicator, and a split whose training rows lack one zeroes it in its test rows', async () => {
  // 60 rows, kind cycling p, q, r; one of split 0's test rows holds a word no other row has.
  const n = 60;
  const v = randn(2 * n, 3);
  const { train, test: held } = splitIndices(n, 0, 0.2);
  const only = held[0];
  const path = join(dir, 'kinds.csv');
  const kinds = Array.from({ length: n }, (_, i) => (i === only ? 'z' : 'pqr'[i % 3]));
  writeFileSync(path, ['x,kind,y', ...kinds.map((k, i) => `${v[2 * i]},${k},${v[2 * i] + 'pqrz'.indexOf(k) + 0.1 * v[2 * i + 1]}`)].join('\n') + '\n');
  const r = run({}, path, '--target', 'y', '--categorical', 'kind', '--splits', '2', '--methods', 'adam', '--json');
  assert.equal(r.status, 0, r.stderr);
  const [record] = (JSON.parse(r.stdout) as Output).records;
  // The same fit by the library: inputs x, kind=p, kind=q, kind=r, kind=z; the z row's code all zeros in the test rows.
  const x = Float64Array.from(kinds.flatMap((k, i) => [v[2 * i], ...'pqrz'.split('').map((w) => (w === k ? 1 : 0))]));
  const y = Float64Array.from(kinds, (k, i) => v[2 * i] + 'pqrz'.indexOf(k) + 0.1 * v[2 * i + 1]);
  const data = { name: 'kinds', n, d: 5, c: 1, x, y, indicators: [1, 2, 3, 4] };
  assert.deepEqual(unseenIndicators(data, train), [4]);
  assert.deepEqual(unseenIndicators({ ...data, indicators: undefined }, train), []);
  const pick = (src: Float64Array, w: number, idx: Int32Array) => ({ data: Float64Array.from(Array.from(idx).flatMap((i) => Array.from(src.subarray(i * w, (i + 1) * w)))), shape: [idx.length, w] as [number, number] });
  const model = new Regressor('adam', { seed: 0 });
  model.fit(pick(x, 5, train), pick(y, 1, train));
  const tX = pick(x, 5, held);
  tX.data[4] = 0;
  assert.equal(record.test_mse, model.evaluate(tX, pick(y, 1, held)).mse);
  assert.notEqual(record.test_mse, model.evaluate(pick(x, 5, held), pick(y, 1, held)).mse, 'the word seen in no training row would have reached adam\'s weights as drawn');
  // The same table written as numbers, the unseen row's code all zeros: every method, the peers too, fits the same numbers.
  const coded = join(dir, 'kinds-coded.csv');
  writeFileSync(coded, ['x,kp,kq,kr,kz,y', ...kinds.map((k, i) => [v[2 * i], ...'pqrz'.split('').map((w) => (w === k && i !== only ? 1 : 0)), y[i]].join(','))].join('\n') + '\n');
  const methods = python ? 'adam,sk-mlp-lbfgs' : 'adam';
  const split0 = (...args: string[]) => {
    const o = run(python ? { ANMIN_PYTHON: python } : {}, ...args, '--target', 'y', '--splits', '1', '--methods', methods, '--json');
    assert.equal(o.status, 0, o.stderr);
    return (JSON.parse(o.stdout) as Output).records.map((x) => [x.method, x.test_mse]);
  };
  assert.deepEqual(split0(path, '--categorical', 'kind'), split0(coded));
  const words = run({}, path, '--target', 'y', '--splits', '1', '--methods', 'adam');
  assert.equal(words.status, 1);
  assert.match(words.stderr.trim(), /^anmin: .*kinds\.csv.*a column of words\? train and compare take --categorical kind\)$/);
  const onDataset = run({}, '--dataset', 'abalone', '--categorical', 'sex');
  assert.equal(onDataset.status, 2);
  assert.match(onDataset.stderr.trim(), /--categorical and --missing are for a CSV/);
});
