import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ADAM_LATE_BEST, AUTO_EPOCHS, AUTO_SMALL_WORK, autoMethod, autoSettings, LAMBDA_SEARCH_RUNS, ROW_PASSES, searchRaced, searchWork } from '../../src/estimator/auto.js';
import { DEFAULT_VALIDATION_FRACTION, fewRows, smallFit } from '../../src/estimator/validation.js';
import { chooseSolver, solveCosts } from '../../src/train/hidden-solver.js';
import { ANMIN_DEFAULTS } from '../../src/train/anmin-options.js';
import { SPARSE_COST } from '../../src/model/sparse-rows.js';
import { RandomState } from '../../src/data/rng.js';
import { anmin, tempDir } from '../helpers.js';


test('auto weighs the direct solve that ANMIN would take against an Adam epoch on the rows it fits', () => {
  for (const [rows, d, h] of [[600, 10, 64], [17379, 13, 64], [10000, 30, 64], [2000, 30, 64], [5000, 50, 64], [500, 3, 8]]) {
    const n = Math.floor(rows * (1 - DEFAULT_VALIDATION_FRACTION));
    const cost = solveCosts(n, d + 1, h, 1);
    const solver = chooseSolver(n, d + 1, h, 1, { ...ANMIN_DEFAULTS, lambda: 1 });
    const solve = solver === 'dual' ? cost.dual : solver === 'dense' ? cost.dense : Math.min(cost.dense, cost.dual);
    const pick = autoMethod(rows, d, 1, h);
    // Where λ is searched its candidates' iterations count too.
    const runs = fewRows(n, (d + 1) * h) ? LAMBDA_SEARCH_RUNS : 1;
    assert.ok(Math.abs(pick.epochs - (runs * solve) / (2 * n * h * (d + 2))) <= 1e-12 * pick.epochs, `${rows}×${d}`);
    assert.equal(pick.work, solve);
    const raced = searchRaced(n, d + 1, 1, h, solve, DEFAULT_VALIDATION_FRACTION);
    // Adam's small fits are raced by L-BFGS; its others refined by it where their best comes late.
    const small = smallFit(n, d + 1, 1, [h]);
    assert.equal(pick.method, !raced && (pick.epochs <= AUTO_EPOCHS || pick.work <= AUTO_SMALL_WORK) ? 'anmin+lbfgs' : small ? 'adam' : 'adam+lbfgs');
    assert.equal(pick.trainer, pick.method === 'anmin+lbfgs' ? 'anmin' : 'adam');
    assert.equal(pick.refine, pick.method === 'adam' ? undefined : 'lbfgs');
    assert.equal(pick.refineAfter, pick.method === 'adam+lbfgs' ? ADAM_LATE_BEST : undefined);
    assert.equal(pick.challenger, pick.method === 'adam' ? 'lbfgs' : undefined);
    assert.match(pick.reason, new RegExp(`^auto: ${pick.method.replace('+', '\\+')} \\(an ANMIN iteration costs about ${pick.epochs.toFixed(0)} Adam epochs`));
  }
  // By hand: 8,000 rows × 30 inputs hold out 1,600, and 6,400 rows against 1,984 unknowns take the dense
  // system (pair sums n·h²·p(p+1)/16, Cholesky (ph)³/6); 2,000 rows leave 1,600 < 1,984, the dual
  // (m²(p+h)/2 + m³/6); an epoch, 2·n·h·(p+c).
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * b, `${a} against ${b}`);
  close(autoMethod(8000, 30).epochs, (6400 * 64 ** 2 * 31 * 32 / 16 + (31 * 64) ** 3 / 6) / (2 * 6400 * 64 * 32));
  // 1,600 rows against 1,984 unknowns also search λ: two candidates' iterations.
  close(autoMethod(2000, 30).epochs, (2 * (1600 ** 2 * (31 + 64) / 2 + 1600 ** 3 / 6)) / (2 * 1600 * 64 * 32));
  // Three targets: 4,800 rows × targets for the dual, more than the unknowns, so the dense system; an
  // epoch's output layer three wide; λ searched.
  close(autoMethod(2000, 30, 3).epochs, (2 * (1600 * 64 ** 2 * 31 * 32 / 16 + (31 * 64) ** 3 / 6)) / (2 * 1600 * 64 * 34));
  // The iteration's share of the work grows with the inputs (the pair sums with (d+1)², the factor with
  // ((d+1)h)³) where an epoch's grows with d + 1: wide enough, every shape goes to Adam.
  let last = 0;
  for (const d of [2, 5, 10, 20, 40, 80]) {
    const e = autoMethod(20000, d).epochs;
    assert.ok(e > last, `d ${d}`);
    last = e;
  }
  assert.equal(autoMethod(20000, 2).method, 'anmin+lbfgs');
  // Over the ratio but small: 1,030 rows × 8 inputs (47 M multiply-adds an iteration) keep the hybrid, 5,000 × 12 do not.
  const small = autoMethod(824, 8);
  assert.ok(small.epochs > AUTO_EPOCHS && small.work <= AUTO_SMALL_WORK && small.method === 'anmin+lbfgs', small.reason);
  assert.match(small.reason, /, over 36, but only 47\.\d M multiply-adds, at most 64\.0 M: a small fit\); the network weighed against a linear fit by the validation rows$/);
  // digits' shape, 1,437 rows × 64: 35 epochs an iteration, but λ is searched over two candidates, so Adam.
  const digits = autoMethod(1437, 64);
  assert.ok(digits.epochs / LAMBDA_SEARCH_RUNS <= AUTO_EPOCHS && digits.epochs > AUTO_EPOCHS && digits.method === 'adam', digits.reason);
  assert.match(digits.reason, /^auto: adam \(an ANMIN iteration costs about 70 Adam epochs \(2 λ candidates of 35: rows are few for the unknowns\) at \(d\+1\)h = 65×64 on 1149 fit rows/);
  // Wide data on about a thousand rows: few epochs an iteration, but λ's search over iterations of more
  // than AUTO_SMALL_WORK, the row passes counted (ROW_PASSES), where Adam's fit is small goes to the race
  // (ames-like, 1,168 rows × 161 inputs; 1,000 × 200; 720 × 120, whose solve alone is 63 M); not without
  // validation rows, nor where the iteration is small with its passes (1,030 rows × 8: 824 × 8).
  for (const [rows, d] of [[1168, 161], [800, 200], [720, 120]]) {
    const wide = autoMethod(rows, d);
    const n = Math.floor(rows * (1 - DEFAULT_VALIDATION_FRACTION));
    assert.ok(wide.epochs <= AUTO_EPOCHS && searchWork(n, d + 1, 64, wide.work) > AUTO_SMALL_WORK && wide.method === 'adam' && wide.challenger === 'lbfgs', wide.reason);
    close(searchWork(n, d + 1, 64, wide.work) - wide.work, ROW_PASSES * n * (d + 1) * 64);
    assert.match(wide.reason, /, but λ's search over iterations of \d+\.\d M multiply-adds \(the solve \d+\.\d M, the passes over the rows \d+\.\d M\), over 64\.0 M, where Adam's fit is small\) raced by L-BFGS/);
    assert.equal(autoMethod(rows, d, 1, 64, 0).method, 'anmin+lbfgs', 'no λ search without validation rows');
  }
  assert.ok(autoMethod(720, 120).work <= AUTO_SMALL_WORK);
  const narrow = autoMethod(824, 8);
  assert.ok(narrow.method === 'anmin+lbfgs' && searchWork(659, 9, 64, narrow.work) <= AUTO_SMALL_WORK, narrow.reason);
  const mid = autoMethod(4000, 12);
  assert.ok(mid.epochs > AUTO_EPOCHS && mid.work > AUTO_SMALL_WORK && mid.method === 'adam', mid.reason);
  assert.equal(autoMethod(20000, 80).method, 'adam+lbfgs');
  assert.equal(autoMethod(20000, 80, 1, 64, 0).method, 'adam', 'no refinement without validation rows to stop it');
  // What each choice adds to its method's settings: the refinement's line, the challenger, or nothing
  // but the linear fit, which every choice with validation rows weighs its network against.
  assert.deepEqual(autoSettings(autoMethod(20000, 80)), { refineAfter: ADAM_LATE_BEST, linear: true });
  assert.deepEqual(autoSettings(digits), { challenger: 'lbfgs', linear: true });
  assert.deepEqual(autoSettings(narrow), { linear: true });
  assert.deepEqual(autoSettings(autoMethod(20000, 80, 1, 64, 0)), {});
  // Adam's small fits race the L-BFGS challenger: digits' 1,149 fit rows (4.9 M multiply-adds an epoch), not 20,000 rows × 80.
  assert.equal(digits.challenger, 'lbfgs');
  assert.match(digits.reason, /\) raced by L-BFGS, the better by validation kept \(an epoch 4\.9 M multiply-adds, at most 12\.0 M: a small fit; not where Adam leaves at most 0\.0001 of the validation variance; --method adam trains Adam alone/);
  assert.equal(autoMethod(20000, 80).challenger, undefined);
  // A fit's size counts its gradient pass's work a row in inputs: 4,800 fit rows of 400 words and 5
  // numbers take 7 a row by their nonzeros, each 2.6 inputs' work, a small fit that the challenger races.
  assert.equal(autoMethod(6000, 405).challenger, undefined);
  const words = autoMethod(6000, 405, 1, 64, DEFAULT_VALIDATION_FRACTION, 7 * SPARSE_COST);
  assert.equal(words.challenger, 'lbfgs');
  assert.match(words.reason, /an epoch 5\.9 M multiply-adds by the rows' nonzeros, 7\.0 a row, each 2\.6 inputs' work, at most 12\.0 M: a small fit/);
  // Larger fits race Adam's rate instead (RATE_RACE): 16,000 fit rows × 80 inputs, 84.0 M an epoch; the reason says so where validation rows can race it.
  assert.match(autoMethod(20000, 80).reason, /; an epoch 84\.0 M multiply-adds, over 25\.0 M: raced by Adam at its rate ÷ 3 where the plateau's rate cut gains over 10%, the better by validation kept; L-BFGS refines Adam's network where its best epoch came at or after 30; --method adam trains Adam alone, --method anmin\+lbfgs/);
  assert.doesNotMatch(autoMethod(20000, 80, 1, 64, 0).reason, /raced by Adam/);
  assert.doesNotMatch(mid.reason, /raced by Adam/, `4,000 rows × 12: ${mid.reason}`);
  assert.equal(autoMethod(1437, 64, 1, 64, 0).challenger, undefined, 'no validation rows to race on');
  assert.equal(small.challenger, undefined, 'the hybrid takes none');
  // Fewer fit rows (a larger validation share) make the same table no cheaper per epoch for the dense solve's factor.
  assert.ok(autoMethod(10000, 30, 1, 64, 0.5).epochs > autoMethod(10000, 30, 1, 64, 0).epochs);
});

test('train\'s default is auto: it says what it chose and why, the table says by whom, and a method\'s own flag asks for the method by name', () => {
  const dir = tempDir('anmin-auto');
  const rng = new RandomState(3);
  // 30 inputs on 2,500 rows: ANMIN's iteration costs more than AUTO_EPOCHS epochs; 3 inputs, far less.
  const table = (d: number, n: number) => [[...Array.from({ length: d }, (_, j) => `x${j}`), 'y'].join(','), ...Array.from({ length: n }, () => { const x = Array.from({ length: d }, () => rng.random()); return [...x, x[0] - 2 * x[1] + rng.random()].join(','); })].join('\n') + '\n';
  writeFileSync(join(dir, 'wide.csv'), table(30, 2500));
  writeFileSync(join(dir, 'narrow.csv'), table(3, 300));
  writeFileSync(join(dir, 'small.csv'), table(8, 1030));
  const wide = anmin('train', join(dir, 'wide.csv'), '--target', 'y', '--json', '--save', join(dir, 'w.json'));
  assert.equal(wide.status, 0, wide.stderr);
  assert.match(wide.stderr, /^anmin train: auto: adam \(an ANMIN iteration costs about \d+ Adam epochs \(2 λ candidates of \d+: rows are few for the unknowns\) at \(d\+1\)h = 31×64 on 1600 fit rows and \d+\.\d M multiply-adds, over 36 and 64\.0 M\) raced by L-BFGS, the better by validation kept \(an epoch 3\.3 M multiply-adds, at most 12\.0 M: a small fit; not where Adam leaves at most 0\.0001 of the validation variance; --method adam trains Adam alone, --method anmin\+lbfgs trains ANMIN's hybrid anyway\); the network weighed against a linear fit by the validation rows\n$/);
  assert.deepEqual([JSON.parse(wide.stdout).method, JSON.parse(wide.stdout).chosen_by], ['adam', 'auto']);
  // The model file keeps the race, so a fit from it races again.
  assert.equal(JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8')).settings.challenger, 'lbfgs');
  const narrow = anmin('train', join(dir, 'narrow.csv'), '--target', 'y', '--hidden', '8', '--json');
  assert.equal(narrow.status, 0, narrow.stderr);
  assert.match(narrow.stderr, /^anmin train: auto: anmin\+lbfgs \(an ANMIN iteration costs about \d+ Adam epochs at \(d\+1\)h = 4×8 on 192 fit rows, at most 36\); the network weighed against a linear fit by the validation rows\n$/);
  assert.equal(JSON.parse(narrow.stdout).method, 'anmin+lbfgs');
  // Over the ratio, but a small fit: the hybrid.
  const small = anmin('train', join(dir, 'small.csv'), '--target', 'y', '--json');
  assert.equal(small.status, 0, small.stderr);
  assert.match(small.stderr, /^anmin train: auto: anmin\+lbfgs \(an ANMIN iteration costs about \d+ Adam epochs \(2 λ candidates of \d+: rows are few for the unknowns\) at \(d\+1\)h = 9×64 on 659 fit rows, over 36, but only \d+\.\d M multiply-adds, at most 64\.0 M: a small fit\); the network weighed against a linear fit by the validation rows\n$/);
  assert.equal(JSON.parse(small.stdout).method, 'anmin+lbfgs');
  const tuned = anmin('train', join(dir, 'narrow.csv'), '--target', 'y', '--iterations', '3');
  assert.equal(tuned.status, 2);
  assert.equal(tuned.stderr, 'anmin: train: --iterations tunes a method: name the method it is for (--method anmin+lbfgs, anmin, adam, …); --method auto chooses by the data\'s shape and takes only --hidden and --threads\n');
  for (const [flag, name] of [[['--patience', '3'], '--patience'], [['--no-refit'], '--no-refit'], [['--option', 'lr=0.1'], '--option']] as const) {
    const r = anmin('train', join(dir, 'narrow.csv'), '--target', 'y', ...flag);
    assert.equal(r.status, 2, name);
    assert.ok(r.stderr.startsWith(`anmin: train: ${name} tunes a method`), r.stderr);
  }
  // --threads goes to the method that takes it: the hybrid here, Adam (which has none) on the wide table.
  for (const [table, width] of [['narrow.csv', '8'], ['wide.csv', '64']]) assert.equal(anmin('train', join(dir, table), '--target', 'y', '--hidden', width, '--threads', '1').status, 0, table);
  // Of a list of widths, the largest is weighed.
  assert.match(anmin('train', join(dir, 'narrow.csv'), '--target', 'y', '--hidden', '4,16').stderr, /^anmin train: auto: anmin\+lbfgs \(an ANMIN iteration costs about \d+ Adam epochs at \(d\+1\)h = 4×16 on 192 fit rows/);
  // A named hybrid's refusal says which hybrid.
  assert.match(anmin('train', join(dir, 'narrow.csv'), '--target', 'y', '--method', 'anmin+lbfgs', '--lr', '0.1').stderr, /^anmin: train --method anmin\+lbfgs \(anmin's options; its lbfgs refinement's are fixed\): --lr does not apply to anmin\n$/);
  const published = anmin('train', join(dir, 'narrow.csv'), '--target', 'y', '--validation-fraction', '0');
  assert.equal(published.status, 2);
  assert.match(published.stderr, /^anmin: train: --validation-fraction 0 trains a method by its own rule: name it \(--method anmin: Algorithm 1 as published, or a gradient method\)[^\n]*\n$/);
});
