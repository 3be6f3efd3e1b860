import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { learnCategories, oneHot } from '../../src/data/encoding.js';
import { splitIndices } from '../../src/data/split.js';
import { Regressor } from '../../src/estimator/estimator.js';
import { ROOT, tempDir } from '../helpers.js';

const dir = tempDir('anmin-categorical');
const anmin = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'anmin.js'), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, ANMIN_PROGRESS: '0' } });
const COLORS = ['red', 'green', 'blue'];

/** 200 rows: a size, a colour and a target; "violet" only on row 199, which the seed-0 split puts in test or train. */
function table(): string {
  const rows = ['size,color,y'];
  for (let i = 0; i < 200; i++) {
    const c = i === 199 ? 'violet' : COLORS[i % 3];
    rows.push(`${(i % 13) / 13},${c},${(3 * (i % 13)) / 13 + COLORS.indexOf(c)}`);
  }
  const path = join(dir, 'colours.csv');
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}

test('one-hot: categories from the training rows only, sorted; a word it does not know gets all zeros and is counted', () => {
  const words = [['b'], ['a'], ['c'], ['a']];
  const code = learnCategories(['w'], words, [0, 1, 3]);
  assert.deepEqual(code, [{ column: 'w', categories: ['a', 'b'] }]);
  const hot = oneHot(code, words);
  assert.deepEqual(hot.names, ['w=a', 'w=b']);
  assert.deepEqual([...hot.x], [0, 1, 1, 0, 0, 0, 1, 0]);
  assert.deepEqual(hot.unseen, { rows: 1, example: 'w=c' });
  assert.throws(() => learnCategories(['w'], [['a'], ['a']], [0, 1]), /column "w" holds one value \("a"\)/);
});

test('--missing drop leaves out a row missing a number or a word, the words staying with their own rows', async () => {
  const path = join(dir, 'gaps.csv');
  // Rows 1 (size), 3 (color), 4 (y) and 5 (size and color) hold a missing value; each kept row's y is its size + its colour's index.
  writeFileSync(path, 'size,color,y\n1,red,1\n?,green,3\n2,blue,4\n3,NA,3\n4,green,\n,None,9\n5,green,6\n6,red,6\n');
  const { readTrainingCsv } = await import('../../src/estimator/csv-data.js');
  const every = (n: number) => Array.from({ length: n }, (_, i) => i);
  const d = await readTrainingCsv(path, ['y'], undefined, { columns: ['color'], trainRows: every }, 'drop');
  assert.deepEqual(d.features, ['size', 'color=blue', 'color=green', 'color=red']);
  const colour = ['blue', 'green', 'red'];
  for (let i = 0; i < d.x.rows; i++) {
    const row = d.x.data.subarray(i * 4, i * 4 + 4);
    const k = [1, 2, 3].find((j) => row[j] === 1)!;
    assert.equal(d.y.data[i], row[0] + ['red', 'green', 'blue'].indexOf(colour[k - 1]), `row ${i}`);
  }
  assert.deepEqual(d.dropped, { rows: 4, of: 8, columns: { size: 2, y: 1, color: 2 } });
  // Without drop, "NA" in a column of words is a category like any other, and a missing number an error.
  await assert.rejects(readTrainingCsv(path, ['y'], undefined, { columns: ['color'], trainRows: every }), /gaps.csv:3:1: column "size" is "\?", a missing value/);
  const r = anmin('train', path, '--target', 'y', '--categorical', 'color', '--missing', 'drop', '--method', 'anmin', '--iterations', '1', '--test-fraction', '0', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /left out 4 of 8 rows of .*gaps.csv holding a missing value \(missing: size 2, y 1, color 2\)/);
  assert.equal(JSON.parse(r.stdout).dropped_rows, 4);
});

test('train --categorical → save → load → predict: the saved code encodes new rows as training did; unseen categories warn; ONNX refuses', () => {
  const csv = table();
  const model = join(dir, 'model.json');
  const r = anmin('train', csv, '--target', 'y', '--method', 'anmin+lbfgs', '--categorical', 'color', '--hidden', '6', '--iterations', '3', '--save', model);
  assert.equal(r.status, 0, r.stderr);
  const file = JSON.parse(readFileSync(model, 'utf8')) as { features: string[]; encoding: { column: string; categories: string[] }[] };
  // Learned on the training rows of split 0: violet is a category only if row 199 is a training row.
  const trainsOnViolet = Array.from(splitIndices(200, 0, 0.2).train).includes(199);
  assert.deepEqual(file.encoding, [{ column: 'color', categories: trainsOnViolet ? ['blue', 'green', 'red', 'violet'] : ['blue', 'green', 'red'] }]);
  assert.deepEqual(file.features, ['size', ...file.encoding[0].categories.map((k) => `color=${k}`)]);
  // predict on raw words equals the estimator on the indicator columns it was trained on.
  const rows = join(dir, 'new.csv');
  writeFileSync(rows, 'color,size\ngreen,0.5\nred,0.25\nteal,0.5\n');
  const p = anmin('predict', model, rows);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stderr, /1 row\(s\) of .*new\.csv hold a category the model never saw \(e\.g\. color=teal\); their one-hot code is all zeros/);
  const est = Regressor.fromJSON(readFileSync(model, 'utf8'));
  const k = file.encoding[0].categories;
  const code = (c: string) => k.map((x) => (x === c ? 1 : 0));
  const expected = est.predict([[0.5, ...code('green')], [0.25, ...code('red')], [0.5, ...code('teal')]]);
  assert.deepEqual(p.stdout.trim().split('\n').slice(1).map(Number), [...expected]);
  const onnx = anmin('export', model, '--onnx', join(dir, 'model.onnx'));
  assert.equal(onnx.status, 1);
  assert.match(onnx.stderr, /one-hot encodes "color"; the ONNX graph takes numbers only/);
});

test('inputs that are all words: train --categorical reads no numeric column, and predict encodes the words alone', () => {
  const rows = ['color,shade,y'];
  for (let i = 0; i < 120; i++) rows.push(`${COLORS[i % 3]},${i % 4 ? 'light' : 'dark'},${COLORS.indexOf(COLORS[i % 3]) + (i % 4 ? 0 : 2)}`);
  const csv = join(dir, 'words.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  const model = join(dir, 'words.json');
  const r = anmin('train', csv, '--target', 'y', '--categorical', 'color,shade', '--hidden', '4', '--save', model);
  assert.equal(r.status, 0, r.stderr);
  const file = JSON.parse(readFileSync(model, 'utf8')) as { features: string[] };
  assert.deepEqual(file.features, ['color=blue', 'color=green', 'color=red', 'shade=dark', 'shade=light']);
  const fresh = join(dir, 'words-new.csv');
  writeFileSync(fresh, 'shade,color\ndark,green\n');
  const p = anmin('predict', model, fresh);
  assert.equal(p.status, 0, p.stderr);
  const expected = Regressor.fromJSON(readFileSync(model, 'utf8')).predict([[0, 1, 0, 1, 0]]);
  assert.deepEqual(p.stdout.trim().split('\n').slice(1).map(Number), [...expected]);
  // Without --categorical the words are not inputs, and nothing else is.
  const none = anmin('train', csv, '--target', 'y', '--features', 'color');
  assert.equal(none.status, 1);
  assert.match(none.stderr, /column "color" is "\w+", not a finite number \(a column of words\? train and compare take --categorical color\)/);
});
