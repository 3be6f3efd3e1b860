import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RandomState } from '../../src/data/rng.js';
import { Anmin } from '../../src/estimator/estimator.js';
import { readTrainingCsv } from '../../src/estimator/csv-data.js';
import { anmin, ROOT, tempDir } from '../helpers.js';

const FRIEDMAN = join(ROOT, 'examples', 'friedman1.csv');

test('fit takes readTrainingCsv\'s x and y as they come', async () => {
  const { x, y, features, targets } = await readTrainingCsv(FRIEDMAN, ['y']);
  // Every row trained on, so the summary's training MSE is over the rows given (a validation share would be held out of it).
  const m = new Anmin({ iterations: 2, hidden: 8, validationFraction: 0 }).fit(x, y, { features, targets });
  assert.deepEqual(m.features, features);
  assert.equal(m.evaluate(x, y).mse, m.summary.trainMse);
});

test('train --help lists only the options its methods take, each with its default; a switch takes true or false', () => {
  const help = anmin('train', '--help').stdout;
  for (const refused of ['--init ', '--init-scale', '--lr-second']) assert.ok(!help.includes(refused), refused);
  assert.match(help, /--hidden <n>[\s\S]*?default 64/);
  assert.match(help, /--iterations <n>[\s\S]*?default\s+anmin\s+30,\s+adam\s+300/);
  assert.match(help, /--record-frozen \[true\|false\]/);
  const run = (...flag: string[]) => anmin('train', FRIEDMAN, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '4', '--json', ...flag);
  for (const flag of [['--record-frozen'], ['--record-frozen', 'true'], ['--record-frozen', 'false']]) assert.equal(run(...flag).status, 0, flag.join(' '));
  const bad = run('--record-frozen', 'yes');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'anmin: --record-frozen: expected true or false, got "yes"\n');
});

test('export says what it wrote', () => {
  const dir = tempDir('anmin-export');
  assert.equal(anmin('train', FRIEDMAN, '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '4', '--save', join(dir, 'm.json')).status, 0);
  const r = anmin('export', join(dir, 'm.json'), '--onnx', join(dir, 'm.onnx'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote .*m\.onnx: ONNX \(opset 13, float32\), \d+ bytes; input x: 10 columns \(x1, .*\); output y: y\n$/);
});

test('train\'s chosen column names the hand-off only where the hand-off\'s network is the one kept', () => {
  // Targets of pure noise: L-BFGS finds nothing from the hand-off's network, ANMIN goes on, and by the seed
  // of the validation rows either the hand-off's iterate (seed 0) or a later one of the longer run (seed 3) is kept.
  const dir = tempDir('anmin-handoff');
  const noise = new RandomState(0).fillNormal(new Float64Array(375));
  writeFileSync(join(dir, 'noise.csv'), 'a,b,y\n' + Array.from(noise, (v, i) => [i, i % 7, v].join(',')).join('\n') + '\n');
  for (const seed of ['0', '3']) {
    const r = anmin('train', join(dir, 'noise.csv'), '--target', 'y', '--hidden', '8', '--seed', seed, '--json', '--save', join(dir, `m${seed}.json`));
    assert.equal(r.status, 0, r.stderr);
    const v = JSON.parse(readFileSync(join(dir, `m${seed}.json`), 'utf8')).validation;
    assert.equal(v.refine.selected, 0, `seed ${seed}: the refinement kept its start`);
    const kept = v.chosen.iterations <= v.refine.handoff;
    assert.equal(kept, seed === '0', `seed ${seed}`);
    assert.equal(JSON.parse(r.stdout).chosen.includes(`of ${v.refine.handoff} (the hand-off)`), kept, `seed ${seed}`);
  }
});

test('train --restarts: the model file records each restart and the chosen column names the one kept; auto passes it on', () => {
  const dir = tempDir('anmin-restarts');
  const save = join(dir, 'm.json');
  const r = anmin('train', FRIEDMAN, '--target', 'y', '--method', 'adam', '--hidden', '4', '--iterations', '5', '--restarts', '2', '--json', '--save', save);
  assert.equal(r.status, 0, r.stderr);
  const v = JSON.parse(readFileSync(save, 'utf8')).validation;
  assert.equal(v.restarts, 2);
  assert.deepEqual(v.candidates.map((c: { restart: number }) => c.restart), [0, 1]);
  assert.match(JSON.parse(r.stdout).chosen, new RegExp(`restart ${v.chosen.restart + 1} of 2`));
  // friedman1's 600 rows × 10 go to the hybrid: its ANMIN restarts too.
  const auto = anmin('train', FRIEDMAN, '--target', 'y', '--hidden', '4', '--restarts', '2', '--json', '--save', save);
  assert.equal(auto.status, 0, auto.stderr);
  assert.equal(JSON.parse(auto.stdout).method, 'anmin+lbfgs');
  assert.equal(JSON.parse(readFileSync(save, 'utf8')).validation.restarts, 2);
  const bad = anmin('train', FRIEDMAN, '--target', 'y', '--restarts', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--restarts/);
});

test('a semicolon- or tab-separated file reads as the table it is, its separator found from the header line', () => {
  const dir = tempDir('anmin-delimiter');
  const text = (sep: string) => ['a', 'b', 'y'].join(sep) + '\n' + Array.from({ length: 30 }, (_, i) => [i % 4, i % 5, 2 * (i % 4) - (i % 5)].join(sep)).join('\n') + '\n';
  for (const [name, sep] of [['semi.csv', ';'], ['tab.tsv', '\t'], ['comma.csv', ',']]) {
    writeFileSync(join(dir, name), text(sep));
    const r = anmin('train', join(dir, name), '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '2', '--json');
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.equal((JSON.parse(r.stdout) as { train_rows: number }).train_rows, 24, name);
  }
  // A comma inside quotes is not a separator.
  writeFileSync(join(dir, 'quoted.csv'), '"a,1";b;y\n1;2;3\n2;3;4\n3;4;5\n');
  assert.match(anmin('train', join(dir, 'quoted.csv'), '--target', 'y', '--method', 'anmin+lbfgs', '--iterations', '1', '--hidden', '2', '--test-fraction', '0', '--json').stdout, /"train_rows":3/);
});
