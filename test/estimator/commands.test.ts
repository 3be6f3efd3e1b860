import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { planted } from '../../src/data/generate.js';
import { Regressor } from '../../src/estimator/estimator.js';
import { ROOT, tempDir } from '../helpers.js';

const dir = tempDir('anmin-model');
const anmin = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'anmin.js'), ...args], { encoding: 'utf8', cwd: dir });

/** A planted network's rows as a CSV whose columns are in `order` (names: x0, x1, x2, noisy target y). */
function writeCsv(name: string, seed: number, n: number, order = ['x2', 'y', 'x0', 'x1']): string {
  const p = planted({ d: 3, k: 4, n, sigma: 0.1, seed });
  const value = (i: number, col: string) => (col === 'y' ? p.y[i] : p.x[i * 3 + Number(col.slice(1))]);
  const lines = [order.join(',')];
  for (let i = 0; i < n; i++) lines.push(order.map((c) => value(i, c)).join(','));
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const train = writeCsv('train.csv', 7, 1500);
const model = join(dir, 'model.json');

test('train → predict → evaluate on a CSV: columns matched by name in any order, the model file read back', () => {
  const r = anmin('train', train, '--target', 'y', '--method', 'anmin+lbfgs', '--hidden', '16', '--iterations', '15', '--save', model, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(out.train_rows + out.test_rows, 1500);
  assert.ok(out.test_mse < 0.015, `test MSE ${out.test_mse} against the noise floor 0.01`);
  const reordered = writeCsv('reordered.csv', 7, 40, ['x1', 'x0', 'x2']);
  const p = anmin('predict', model, reordered, '--out', join(dir, 'pred.csv'));
  assert.equal(p.status, 0, p.stderr);
  const predicted = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
  assert.equal(predicted[0], 'predicted_y');
  const est = Regressor.fromJSON(readFileSync(model, 'utf8'));
  assert.deepEqual(est.features, ['x2', 'x0', 'x1'], 'the training file\'s column order');
  const [head, ...body] = readFileSync(reordered, 'utf8').trim().split('\n').map((l) => l.split(','));
  const rows = body.map((cells) => est.features.map((f) => Number(cells[head.indexOf(f)])));
  assert.deepEqual(predicted.slice(1).map(Number), Array.from(est.predict(rows)));
  const e = anmin('evaluate', model, writeCsv('fresh.csv', 7, 200), '--json');
  assert.equal(e.status, 0, e.stderr);
  assert.ok((JSON.parse(e.stdout) as { r2: number }).r2 > 0.9);
});

test('the ONNX export runs in onnxruntime and agrees with predict', async () => {
  if (!existsSync(model)) assert.equal(anmin('train', train, '--target', 'y', '--method', 'anmin+lbfgs', '--hidden', '16', '--iterations', '5', '--save', model).status, 0);
  const onnxPath = join(dir, 'model.onnx');
  const r = anmin('export', model, '--onnx', onnxPath);
  assert.equal(r.status, 0, r.stderr);
  const est = Regressor.fromJSON(readFileSync(model, 'utf8'));
  const x = planted({ d: 3, k: 4, n: 64, sigma: 0.1, seed: 9 }).x;
  const session = await ort.InferenceSession.create(onnxPath);
  const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [64, 3]) });
  assert.deepEqual(y.dims, [64, 1]);
  const want = est.predict({ data: x, shape: [64, 3] });
  const scale = Math.max(...want.map(Math.abs));
  const got = y.data as Float32Array;
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * scale, `row ${i}: ${got[i]} against ${want[i]}`);
});

test('bad input to train, predict, evaluate and export: one line naming what is wrong, nothing written', () => {
  if (!existsSync(model)) assert.equal(anmin('train', train, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '2', '--save', model).status, 0);
  const csv = (name: string, text: string | Buffer) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const cases: [string[], RegExp][] = [
    [['train', 'train.csv'], /--target is required/],
    [['train', 'train.csv', '--target', 'nope', '--save', 'out.json'], /train.csv: no column "nope"/],
    [['train', csv('word.csv', 'a,y\n1,2\n3,oops\n'), '--target', 'y', '--save', 'out.json'], /word.csv:3:2: column "y" is "oops", not a finite number/],
    [['train', csv('nan.csv', 'a,y\n1,2\nNaN,3\n'), '--target', 'y', '--save', 'out.json'], /nan.csv:3:1: column "a" is "NaN", a missing value \(train and compare take --missing drop/],
    [['train', csv('date.csv', 'day,y\n2024-03-01,2\n'), '--target', 'y', '--save', 'out.json'], /date.csv:2:1: column "day" is "2024-03-01", not a finite number \(a date or time\? .* or leave it out with --features\)/],
    [['train', csv('thousands.csv', 'a,y\n"1,234",2\n'), '--target', 'y', '--save', 'out.json'], /thousands.csv:2:1: column "a" is "1,234", not a finite number \(a thousands separator or a decimal comma\?/],
    [['train', csv('comma.csv', 'a;y\n3,5;2\n'), '--target', 'y', '--save', 'out.json'], /comma.csv:2:1: column "a" is "3,5", not a finite number \(a decimal comma\?/],
    [['train', csv('empty.csv', 'a,y\n1,2\n,3\n'), '--target', 'y', '--save', 'out.json'], /empty.csv:3:1: column "a" is empty, a missing value/],
    [['train', csv('allgone.csv', 'a,y\n?,2\nNA,3\n'), '--target', 'y', '--missing', 'drop', '--save', 'out.json'], /allgone.csv: no data rows \(all 2 hold a missing value\)/],
    [['train', 'train.csv', '--target', 'y', '--missing', 'skip', '--save', 'out.json'], /--missing: expected one of error, drop/],
    [['compare', '--dataset', 'abalone', '--missing', 'drop'], /--missing are for a CSV/],
    [['train', csv('inf.csv', 'a,y\n1,2\n-Infinity,3\n'), '--target', 'y', '--save', 'out.json'], /inf.csv:3:1: column "a" is "-Infinity"/],
    [['train', csv('dup.csv', 'a,a,y\n1,2,3\n'), '--target', 'y', '--save', 'out.json'], /column "a" appears more than once/],
    [['train', 'train.csv', '--target', 'y', '--hidden', '2.5', '--save', 'out.json'], /--hidden: expected an integer/],
    [['train', 'train.csv', '--target', 'y', '--method', 'adam', '--lambda', '1', '--save', 'out.json'], /--lambda does not apply to adam/],
    [['predict', 'model.json', csv('missing.csv', 'x0,x1\n1,2\n'), '--out', 'out.csv'], /missing.csv: no column "x2", an input of the model/],
    [['predict', 'model.json', csv('extra.csv', 'x0,x1,x2,id\n1,2,3,4\n'), '--out', 'out.csv'], /extra.csv: column "id" is not an input or target of the model/],
    [['predict', 'model.json', csv('inf2.csv', 'x0,x1,x2\n1,2,3\n1,Infinity,3\n'), '--out', 'out.csv'], /inf2.csv:3:2: column "x1" is "Infinity"/],
    [['evaluate', 'model.json', csv('notarget.csv', 'x0,x1,x2\n1,2,3\n')], /notarget.csv: no column "y", the model's target/],
    [['predict', csv('notmodel.json', '{"format":"x"}'), 'train.csv', '--out', 'out.csv'], /notmodel.json: not an anmin model file/],
    [['predict', 'absent.json', 'train.csv', '--out', 'out.csv'], /absent.json: cannot read \(ENOENT\)/],
    [['export', 'model.json'], /--onnx/],
    // Integers are decimal, as written: no radix prefixes, no padding (Number() takes all of these).
    ...['0x4', '0b11', '0o7', ' 4 ', ''].map((v): [string[], RegExp] => [['train', 'train.csv', '--target', 'y', '--hidden', v, '--save', 'out.json'], /--hidden: expected an integer in \[1, 16384\], got "/]),
    [['train', 'train.csv', '--target', 'y', '--iterations', '0x10', '--save', 'out.json'], /--iterations: expected an integer/],
    [['train', 'train.csv', '--target', 'y', '--lambda', '0x10', '--save', 'out.json'], /--lambda: expected a number/],
    [['train', csv('hex.csv', 'a,y\n1,2\n0x1F,3\n'), '--target', 'y', '--save', 'out.json'], /hex.csv:3:1: column "a" is "0x1F", not a finite number/],
    [['train', csv('latin1.csv', Buffer.from([0x61, 0x62, 0xe9, 0x2c, 0x79, 0x0a, 0x31, 0x2c, 0x32, 0x0a])), '--target', 'y', '--save', 'out.json'], /latin1.csv:1: the header is not UTF-8 \(byte 0xe9 at offset 2\)/],
    [['predict', 'model.json', csv('latin1x.csv', Buffer.from('x0,x1,x\xff2\n1,2,3\n', 'latin1')), '--out', 'out.csv'], /latin1x.csv:1: the header is not UTF-8 \(byte 0xff at offset 7\)/],
    [['train', csv('quote.csv', 'a,y\n1,2\n3,"4"x\n'), '--target', 'y', '--save', 'out.json'], /quote.csv:3: not a readable CSV/],
    [['train', csv('quote1.csv', 'a,"y"z\n1,2\n'), '--target', 'y', '--save', 'out.json'], /quote1.csv:1: cannot read/],
    // A pipe or device is read dry by the first of the readers' passes: said so, not "no data rows".
    [['train', '/dev/null', '--target', 'y', '--save', 'out.json'], /\/dev\/null: not a regular file \(a pipe or a device\); anmin reads a CSV more than once: save it to a file first/],
    [['predict', 'model.json', '/dev/null', '--out', 'out.csv'], /\/dev\/null: not a regular file/],
  ];
  for (const [args, message] of cases) {
    const r = anmin(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('out.') || f.endsWith('.tmp')), []);
});

test('predict carries --id columns through as text, neutralising a formula in a name or a value (a spreadsheet would run it)', () => {
  const csv = join(dir, 'formula.csv');
  writeFileSync(csv, 'a,y\n1,2\n2,3\n3,5\n4,4\n5,6\n');
  const m = join(dir, 'formula.json');
  assert.equal(anmin('train', csv, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '2', '--save', m).status, 0);
  const rows = join(dir, 'formula-rows.csv');
  writeFileSync(rows, '=SUM(1+1)*cmd|calc,a,name\n+1,1,first\n@x,2,second\n');
  const r = anmin('predict', m, rows, '--id', '=SUM(1+1)*cmd|calc,name');
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split('\n').map((l) => l.slice(0, l.lastIndexOf(',')));
  // "+1" is a number, which a spreadsheet reads as one: left as it is.
  assert.deepEqual(out, ["'=SUM(1+1)*cmd|calc,name", '+1,first', "'@x,second"]);
  assert.match(r.stdout.split('\n')[0], /,predicted_y$/);
  // Without --id the column is refused, and the message says how to keep it.
  assert.match(anmin('predict', m, rows, '--id', '=SUM(1+1)*cmd|calc').stderr, /column "name" is not an input or target of the model .*; to carry it into the predictions: --id name/);
});

test('evaluate gives each target\'s MSE and R² beside the pooled ones', () => {
  const csv = join(dir, 'two.csv');
  writeFileSync(csv, 'a,b,u,v\n' + Array.from({ length: 40 }, (_, i) => `${i % 5},${i % 7},${(i % 5) * 2},${1000 * (i % 7)}`).join('\n') + '\n');
  const m = join(dir, 'two.json');
  assert.equal(anmin('train', csv, '--target', 'u,v', '--method', 'anmin+lbfgs', '--iterations', '3', '--hidden', '4', '--test-fraction', '0', '--save', m).status, 0);
  const r = anmin('evaluate', m, csv, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { mse: number; targets: Record<string, { mse: number; r2: number }> };
  assert.deepEqual(Object.keys(out.targets), ['u', 'v']);
  // The pooled MSE is the mean of the targets' MSEs (each over the same rows).
  assert.ok(Math.abs(out.mse - (out.targets.u.mse + out.targets.v.mse) / 2) <= 1e-9 * out.mse);
});

test('train says where the linear fit was kept, and the network it replaced without rows it never got back', () => {
  const csv = join(dir, 'linear.csv');
  const row = (i: number) => [Math.sin(i), Math.cos(1.7 * i), Math.sin(2.3 * i + 1)];
  writeFileSync(csv, 'a,b,c,y\n' + Array.from({ length: 300 }, (_, i) => { const [a, b, c] = row(i); return [a, b, c, 3 * a - 2 * b + 0.5 * c + 0.3 * Math.sin(7.1 * i)].join(','); }).join('\n') + '\n');
  const r = anmin('train', csv, '--target', 'y', '--hidden', '8', '--json');
  assert.equal(r.status, 0, r.stderr);
  const [linear, network] = String((JSON.parse(r.stdout) as { chosen: string }).chosen).split('; not the network ');
  assert.match(linear, /^the linear fit \(ridge λ [\d.e-]+ per row\), refit on all rows$/);
  assert.match(network, /^\(h 8, .*\)$/);
  assert.doesNotMatch(network, /on all rows/);
});

test('train chooses by validation rows: widths and λ from lists, the hybrids, 0 for the published selection, a warning for a wide layer', () => {
  const small = writeCsv('small.csv', 9, 300);
  const json = (...args: string[]) => {
    const r = anmin('train', small, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '4', '--json', ...args);
    assert.equal(r.status, 0, r.stderr);
    return { out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
  };
  const chosen = json('--method', 'anmin', '--hidden', '2,8', '--lambda', '0.001,1', '--lambda-scale', 'mean', '--refit').out;
  assert.equal(chosen.validation_rows, 48);
  assert.match(String(chosen.chosen), /^h (2|8), λ (0.001|1) \(mean\), iteration \d, refit on all rows$/);
  assert.equal(chosen.train_rows, 240);
  const hybrid = json('--method', 'anmin+adam', '--hidden', '4').out;
  assert.match(String(hybrid.chosen), /adam epoch \d+/);
  // The default: ANMIN, then L-BFGS from its network, then on over every row (unless --no-refit).
  assert.match(String(json('--hidden', '4').out.chosen), /^h 4, λ .*, iteration \d+, lbfgs step \d+, [1-5] more on all rows$/);
  assert.match(String(json('--hidden', '4', '--no-refit').out.chosen), /^h 4, λ .*, iteration \d+, lbfgs step \d+$/);
  assert.equal(json('--hidden', '4', '--refit').out.chosen, json('--hidden', '4').out.chosen, 'a hybrid\'s --refit is its default');
  const published = json('--method', 'anmin', '--validation-fraction', '0', '--hidden', '4').out;
  assert.equal(published.validation_rows, undefined);
  assert.equal(published.train_rows, 240);
  assert.doesNotMatch(String(json('--method', 'anmin', '--hidden', '4').out.chosen), /refit/, 'many rows for the unknowns: no refit by default');
  assert.match(json('--hidden', '128').stderr, /^anmin train: warning: .*512 unknowns against 192 training rows.*--hidden 96 or less/);
  assert.equal(json('--hidden', '96').stderr, '');
  // 240 training rows: a tenth held out is 24 validation rows, too few to choose by without a word.
  assert.match(json('--hidden', '4', '--validation-fraction', '0.1').stderr, /^anmin train: warning: only 24 validation rows choose the iterate, λ and when to stop, a noisy guide below 30: /m);
  const bad = anmin('train', small, '--target', 'y', '--validation-fraction', '1');
  assert.match(bad.stderr, /^anmin: --validation-fraction: expected a number in \[0, 0.9\], got "1"\n$/);
  // A hybrid stops by validation rows: asked to go without, it says how to get every row trained on.
  assert.match(anmin('train', small, '--target', 'y', '--method', 'anmin+lbfgs', '--validation-fraction', '0').stderr, /^anmin: refining by lbfgs stops by the validation rows: .*--method anmin\)\n$/);
});
