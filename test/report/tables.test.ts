import assert from 'node:assert/strict';
import { test } from 'node:test';
import { provenance } from '../../src/experiments/provenance.js';
import { leftOutNote, loadKnownDeviations, verdicts } from '../../src/report/check.js';
import { check, figures, reportTables, shipped as asShipped } from '../../src/report/experiments/index.js';
import { Results } from '../../src/report/results.js';
import { recordBase } from '../../src/experiments/job.js';
import { expandJobs, loadProtocol } from '../../src/experiments/protocol.js';
import { csvText, meanSd, publishedMeanSd, render } from '../../src/report/render.js';
import { reproductionReport } from '../../src/report/reproduction.js';
import { record } from '../helpers.js';
import type { JobRecord } from '../../src/experiments/store.js';
import type { MachineUse } from '../../src/util/machine.js';

const table3 = (rs: JobRecord[]) => reportTables(new Results(rs), 'table3');
const table4 = (rs: JobRecord[]) => reportTables(new Results(rs), 'table4');
/** The trainer a record of the paper's method ran (the claims pick methods by it). */
const trainer = (m: string) => ({ trainer: m.startsWith('ANMIN') ? 'anmin' : m.toLowerCase() });

/** A synthetic table3 store: ANMIN clearly lowest on sdf, Adam indistinguishable from ANMIN on abalone. */
function store() {
  const rs = [];
  const noise = [0.3, -0.1, 0.2, -0.4, 0.0, 0.1, -0.2, 0.25];
  for (let s = 0; s < noise.length; s++) {
    const put = (d: string, m: string, train: number, test: number) =>
      rs.push(record(`table3/${d}/${m}/${s}`, { ...trainer(m), final: { trainMse: train, testMse: test, trainR2: 1 - train / 100, testR2: 1 - test / 100 } }));
    put('sdf', 'ANMIN', 3.5 + noise[s], 3.6 + noise[s]);
    put('sdf', 'Adam', 12 + noise[(s + 3) % 8], 12 + noise[(s + 5) % 8]);
    put('abalone', 'ANMIN', 3.94 + noise[s] / 10, 4.6 + noise[s]);
    put('abalone', 'Adam', 3.94 + noise[(s + 1) % 8] / 10, 4.6 + noise[(s + 2) % 8]);
  }
  rs.push(record('table3/sdf/Adam/9', { status: 'error', error: 'out of memory', final: undefined }));
  return rs;
}

test('table3: mean (sd) per cell, best and not-significantly-worse in bold, published beside, failures noted', () => {
  const [train] = table3(store());
  assert.deepEqual(train.columns, ['Adam', 'ANMIN']);
  assert.deepEqual(train.rows.map((r) => r.label), ['sdf', 'abalone']);
  const [adam, anmin] = train.rows[0].cells;
  assert.ok(Math.abs(anmin!.mean - 3.5 - 0.15 / 8) < 1e-12);
  assert.equal(anmin!.n, 8);
  assert.equal(anmin!.bold, true);
  assert.equal(adam!.bold, false);
  assert.ok(adam!.p! < 0.01);
  assert.deepEqual(anmin!.published, { mean: 3.53, sd: 1.05 });
  // Same values in a different order: neither is significantly worse.
  assert.ok(train.rows[1].cells.every((c) => c!.bold));
  assert.match(train.notes.join('\n'), /sdf\/Adam: 1 failed run.*out of memory/);
  const md = render([train], 'md');
  assert.match(md, /\| sdf \| 12\.\d+ \(\d\.\d+\) \| \*\*3\.519 \(0\.\d+\)\*\* \| 8 \|/);
  assert.match(md, /\| sdf, paper \| 12\.35 \(4\.48\) \| 3\.53 \(1\.05\) \| 100 \|/);
  assert.equal(render([train], 'csv').split('\n')[0], 'table,row,column,mean,sd,n,bold,p,published_mean,published_sd');
  assert.match(render([train], 'latex'), /\\textbf\{3\.519/);
});

test('check: cells within the published tolerance pass where the test could have failed, the claims are tested', () => {
  const rows = check(store());
  // 8 splits of sdf's ANMIN (the paper: 3.53 ± 1.05) accept anything within ±33%: too few to tell.
  const cell = rows.find((r) => r.check === 'table3 mse_train sdf ANMIN')!;
  assert.equal(cell.status, 'not enough splits');
  assert.match(cell.detail, /but that accepts anything within 33% of the paper's mean; it takes the paper's own 100 splits/);
  // Adam's (the paper: 11.58 ± 3.52): the same.
  const adamCell = rows.find((r) => r.check === 'table3 mse_train sdf Adam')!;
  assert.equal(adamCell.status, 'not enough splits');
  // At the paper's own 100 splits, a cell within the tolerance passes, however wide the paper's spread.
  const hundred = Array.from({ length: 100 }, (_, s) => record(`table3/sdf/ANMIN/${s}`, { ...trainer('ANMIN'), final: { trainMse: 3.5 + ((s % 7) - 3) / 10, trainR2: 0.9 } }));
  assert.equal(check(hundred).find((r) => r.check === 'table3 mse_train sdf ANMIN')!.status, 'pass');
  assert.equal(rows.find((r) => r.check === 'claim: ANMIN train MSE < Adam on sdf')!.status, 'pass');
  assert.equal(rows.find((r) => r.check === 'claim: ANMIN train MSE < Adam on abalone')!.status, 'not enough splits');
  assert.equal(rows.find((r) => r.check === 'claim: Adam not significantly below ANMIN on test MSE, abalone')!.status, 'pass');
  // Adam far above ANMIN on sdf's test MSE passes; the same runs with the methods swapped fail.
  const claim = 'claim: Adam not significantly below ANMIN on test MSE, sdf';
  assert.equal(rows.find((r) => r.check === claim)!.status, 'pass');
  const swapped = store().map((r) => (r.dataset === 'sdf' ? { ...r, method: r.method === 'ANMIN' ? 'Adam' : 'ANMIN', key: r.key.replace(r.method, r.method === 'ANMIN' ? 'Adam' : 'ANMIN') } : r));
  assert.equal(check(swapped).find((r) => r.check === claim)!.status, 'fail');
  // sdf's ANMIN train MSE (3.52 against the paper's 3.53 ± 1.05) passes; 5 higher, it fails.
  const shifted = store().map((r) => (r.method === 'ANMIN' && r.dataset === 'sdf' && r.final ? { ...r, final: { ...r.final, trainMse: r.final.trainMse + 5 } } : r));
  assert.equal(check(shifted).find((r) => r.check === 'table3 mse_train sdf ANMIN')!.status, 'fail');
  // Listed as a known deviation, the failure is reported with its reason; a listed check that passes says so.
  const known = { 'table3 mse_train sdf ANMIN': 'a documented reason', 'table3 mse_train sdf Adam': 'another' };
  const listed = check(shifted, known);
  const deviation = listed.find((r) => r.check === 'table3 mse_train sdf ANMIN')!;
  assert.equal(deviation.status, 'known deviation');
  assert.match(deviation.detail, /known: a documented reason/);
  const stale = listed.find((r) => r.check === 'table3 mse_train sdf Adam')!;
  assert.equal(stale.status, 'not enough splits');
  assert.match(stale.detail, /listed as a known deviation but undecided now/);
});

test('the verdict per experiment and dataset: deviates on a failure, too few runs when a check could not decide, reproduced only when every check passed with power', () => {
  const v = (rows: ReturnType<typeof check>) => Object.fromEntries(verdicts(rows).map((x) => [`${x.experiment} ${x.dataset}`, x.verdict]));
  assert.deepEqual(v(check(store())), { 'table3 sdf': 'too few runs to tell', 'table3 abalone': 'too few runs to tell' });
  const shifted = store().map((r) => (r.method === 'ANMIN' && r.dataset === 'sdf' && r.final ? { ...r, final: { ...r.final, trainMse: r.final.trainMse + 5 } } : r));
  assert.equal(v(check(shifted))['table3 sdf'], 'deviates');
  assert.equal(v(check(shifted, { 'table3 mse_train sdf ANMIN': 'a documented reason' }))['table3 sdf'], 'deviates (known)');
  const sure = [{ status: 'pass', check: 'a', experiment: 'x', dataset: 'd' }, { status: 'pass', check: 'b', experiment: 'x', dataset: 'd' }] as ReturnType<typeof check>;
  assert.deepEqual(verdicts(sure).map((x) => x.verdict), ['reproduced']);
});

test('every known deviation names a check the protocols can produce', () => {
  const ablation = loadProtocol('ablation');
  const table3 = loadProtocol('table3');
  const possible = new Set(check(store()).map((r) => r.check));
  for (const d of Object.keys(ablation.datasets)) for (const m of Object.keys(ablation.methods)) for (const metric of ['trainMse', 'testMse']) possible.add(`table5 ${metric} ${d} ${m}`);
  for (const d of Object.keys(table3.datasets)) for (const m of Object.keys(table3.methods)) for (const key of ['mse_train', 'mse_test']) possible.add(`table3 ${key} ${d} ${m}`);
  // Table 3's claims, as src/report/experiments/table3.ts names them (any pair of its methods, a superset).
  for (const d of Object.keys(table3.datasets)) for (const a of Object.keys(table3.methods)) for (const b of Object.keys(table3.methods)) possible.add(`claim: ${b} not significantly below ${a} on test MSE, ${d}`).add(`claim: ${a} train MSE < ${b} on ${d}`);
  // Section 3.2's claims, as the simulation's checks name them (src/report/experiments/simulation.ts).
  for (const d of Object.keys(loadProtocol('simulation').datasets)) for (const [a, b] of [['ANMIN', 'Adam'], ['Adam', 'ANMIN']]) for (const set of ['train', 'test']) possible.add(`claim: ${a} ${set} MSE < ${b} on ${d}`);
  for (const name of Object.keys(loadKnownDeviations())) assert.ok(possible.has(name), name);
});

test('check: a cell with far-out values is judged by a bootstrap of our mean, a normal one by its standard error', () => {
  // LBFGS-like blow-ups on sdf: two runs of 40 and 400 among values near 20; the paper's 25.71 (62.08).
  const values = [...Array.from({ length: 18 }, (_, i) => 18 + (i % 5)), 40, 400];
  const rs = values.map((v, s) => record(`table3/sdf/LBFGS/${s}`, { final: { trainMse: v, trainR2: 0.9 } }));
  const row = check(rs).find((r) => r.check === 'table3 mse_train sdf LBFGS')!;
  assert.equal(row.test, 'bootstrap mean');
  assert.equal(row.status, 'pass');
  assert.match(row.detail, /bootstrap interval/);
  // Too few splits for a bootstrap: the normal tolerance decides; the values without the blow-ups are a normal cell.
  assert.equal(check(values.slice(12).map((v, s) => record(`table3/sdf/LBFGS/${s}`, { final: { trainMse: v, trainR2: 0.9 } }))).find((r) => r.check === 'table3 mse_train sdf LBFGS')!.test, 'normal mean');
  const calm = values.slice(0, 8).map((v, s) => record(`table3/sdf/LBFGS/${s}`, { final: { trainMse: v, trainR2: 0.9 } }));
  assert.equal(check(calm).find((r) => r.check === 'table3 mse_train sdf LBFGS')!.test, 'normal mean');
  // A bootstrap interval far from the paper's mean fails: every value near 1000 with one blow-up.
  const far = [...Array(19).fill(1000).map((v, i) => v + i), 1e6].map((v, s) => record(`table3/sdf/LBFGS/${s}`, { final: { trainMse: v, trainR2: 0.9 } }));
  assert.equal(check(far).find((r) => r.check === 'table3 mse_train sdf LBFGS')!.status, 'fail');
});

test('check: a "not significantly below" claim on one split decides nothing', () => {
  const rs = [record('table3/sdf/ANMIN/0', { ...trainer('ANMIN'), final: { trainMse: 3, trainR2: 0.9, testMse: 4, testR2: 0.9 } }), record('table3/sdf/Adam/0', { ...trainer('Adam'), final: { trainMse: 12, trainR2: 0.9, testMse: 1, testR2: 0.9 } })];
  const row = check(rs).find((r) => r.check === 'claim: Adam not significantly below ANMIN on test MSE, sdf')!;
  assert.equal(row.status, 'not enough splits');
});

test('report all: one Markdown page with the tables, the paper beside them and the check', () => {
  const md = reproductionReport(new Results(store()), { command: 'anmin report all --in x', version: '0.0.0', generatedAt: '2026-01-01', inputs: ['`x`: a test store'] });
  assert.match(md, /^# Reproduction report/);
  assert.match(md, /## Table 3: real data/);
  assert.match(md, /\| sdf, paper \|/);
  assert.match(md, /## Check against the published numbers/);
  assert.match(md, /\d+ pass, \d+ fail/);
  assert.doesNotMatch(md, /## Table 5/);
  assert.doesNotMatch(md, /!\[/, 'no figures unless asked');
});

test('report all --figures: each figure the records allow is embedded from the folder plot writes, after the tables and before the check', () => {
  const results = new Results(store());
  const md = reproductionReport(results, { command: 'c', version: 'v', generatedAt: 'd', inputs: [] }, 'figures');
  const names = figures(results).map((f) => f.name);
  assert.ok(names.length > 0);
  for (const n of names) assert.ok(md.includes(`](figures/${n}.svg)`), n);
  const at = md.indexOf('![');
  assert.ok(md.indexOf('## Table 3: real data') < at && at < md.indexOf('## Check against the published numbers'));
});

test('Table 4 is printed only from runs timed alone on the training clock, with the machine and threads beneath; runs beside other jobs are left out (refused when none ran alone), other processes flagged', () => {
  const p = provenance();
  const machine = (threads: number, others: number): MachineUse => ({ clock: 'training', threads, wallSeconds: 2, cpuSeconds: 2 * threads, othersCpuSeconds: others });
  const alone = ['ANMIN', 'Adam'].flatMap((m) => [0, 1].map((k) => record(`table3/abalone/${m}/${k}`, { workers: 1, provenance: p, seconds: m === 'ANMIN' ? 1 : 2, machine: machine(m === 'ANMIN' ? 2 : 1, 0) })));
  const [t, overAdam, overPaper] = table4(alone);
  // The claim's reading: each split's seconds over Adam's on the same split (1 s / 2 s), the paper's ratio of means beneath.
  const col = (m: string) => overAdam.columns.indexOf(m);
  assert.deepEqual([overAdam.rows[0].cells[col('ANMIN')]!.mean, overAdam.rows[0].cells[col('Adam')]!.mean], [0.5, 1]);
  assert.equal(overAdam.rows[0].cells[col('ANMIN')]!.published!.mean, 1.3 / 9.1);
  assert.equal(overPaper.rows[0].cells[col('Adam')]!.mean, 2 / 9.1);
  assert.ok(t.notes.some((n) => /each run alone on the machine \(one job at a time\) with 1 or 2 thread\(s\) allowed/.test(n)), t.notes.join('\n'));
  assert.ok(t.notes.some((n) => n.includes(`4 run(s) on ${p.host}: ${p.cpu}`)), t.notes.join('\n'));
  assert.ok(!t.notes.some((n) => /shared the machine with other processes/.test(n)), t.notes.join('\n'));
  // Another process took half a core during one run: the table says which.
  const [busy] = table4(alone.map((r, i) => (i === 3 ? { ...r, machine: machine(1, 1) } : r)));
  assert.ok(busy.notes.some((n) => /1 of 4 runs shared the machine with other processes .*: abalone Adam/.test(n)), busy.notes.join('\n'));
  // The host's steal is said once for the table, not held against a run.
  const [stolen] = table4(alone.map((r) => ({ ...r, machine: { ...r.machine!, stolenCpuSeconds: 0.2 } })));
  assert.ok(stolen.notes.some((n) => /The host took 5\.0% of the cores' time over these runs/.test(n)), stolen.notes.join('\n'));
  assert.ok(!stolen.notes.some((n) => /shared the machine with other processes/.test(n)), stolen.notes.join('\n'));
  // A store with splits timed alone and others run two at a time: Table 4 from the ones alone, saying so.
  const [mixed] = table4(alone.map((r, i) => (i === 0 ? { ...r, workers: 2, seconds: 100 } : r)));
  assert.ok(mixed.notes.some((n) => /From the 3 runs timed alone; the other 1 ran beside other jobs \(--workers > 1\)/.test(n)), mixed.notes.join('\n'));
  const anmin = mixed.rows[0].cells[mixed.columns.indexOf('ANMIN')]!;
  assert.deepEqual([anmin.mean, anmin.n], [1, 1], 'the shared run (100 s) is not in the table');
  assert.throws(() => table4(alone.map((r) => ({ ...r, workers: 2 }))), /table4: 4 of 4 timed runs shared the machine with other jobs .* anmin run table3 --workers 1 --out DIR/);
  assert.throws(() => table4(alone.map(({ workers: _, ...r }) => r)), /did not record how many jobs ran at once/);
  assert.throws(() => table4(alone.map(({ machine: _, ...r }) => r)), /4 of 4 timed runs come from a store written before the clock paused for evaluation/);
});

test('every check row carries its numbers as numbers, for check --json', () => {
  const rows = check(store());
  assert.ok(rows.length > 0);
  for (const r of rows) {
    assert.equal(typeof r.numbers, 'object', r.check);
    assert.ok(Object.values(r.numbers).every((v) => typeof v === 'number'), r.check);
  }
  const cell = rows.find((r) => r.test === 'normal mean')!;
  assert.ok(Math.abs(cell.numbers.diff - (cell.numbers.mean - cell.numbers.paperMean)) < 1e-12);
});

test('one formatter: a mean shows the decimals its standard error supports, in every format alike; the paper as printed', () => {
  assert.equal(meanSd(3.11549, 0.755, 100), '3.115 (0.755)'); // se 0.0755: two significant digits → 3 decimals
  assert.equal(meanSd(4.0, 0.09, 100), '4.0000 (0.0900)'); // se 0.009
  assert.equal(meanSd(1419.3, 244, 100), '1419 (244)'); // se 24.4
  assert.equal(meanSd(2, Number.NaN, 1), '2');
  assert.equal(publishedMeanSd(4, 0.09), '4.00 (0.09)');
  assert.equal(publishedMeanSd(2422, 100), '2422 (100)');
  const [t] = table3(store());
  const cell = t.rows[0].cells.find((c) => c !== null)!;
  const text = meanSd(cell.mean, cell.sd, cell.n);
  for (const f of ['md', 'html', 'latex'] as const) assert.ok(render([t], f).includes(text), `${f} shows ${text}`);
});

test('check compares only records run as the shipped protocol says (by content, not by name), and says what it left out', () => {
  const base = (d: string, m: string, split: number) => recordBase(expandJobs(loadProtocol('table3'), { datasets: [d], methods: [m], splits: [split] })[0]);
  const real = [0, 1].map((s) => record(`table3/sdf/ANMIN/${s}`, base('sdf', 'ANMIN', s)));
  const anmin = base('sdf', 'ANMIN', 2);
  const spoofs = [
    record('table3/sdf/SGD/0', { ...base('sdf', 'SGD', 0), trainer: 'adam' }),
    record('table3/sdf/ANMIN/2', { ...anmin, options: { ...anmin.options, hidden: 2, iterations: 0 } }),
    record('table3/sdf/ANMIN/3'),
    record('table3/sdf/ANMIN/4', { ...base('sdf', 'ANMIN', 4), dataFiles: { mask: 'ab12' } }),
    record('mine/sdf/ANMIN/0', { ...base('sdf', 'ANMIN', 0), experiment: 'mine' }),
  ];
  const { kept, leftOut } = asShipped([...real, ...spoofs]);
  assert.deepEqual(kept, real);
  assert.deepEqual(leftOut, spoofs);
  // Other code numerics still run the shipped protocol: the paper's numbers stay the reference.
  assert.equal(asShipped([{ ...real[0], numerics: 1 }]).kept.length, 1);
  assert.match(leftOutNote(leftOut, kept.length), /^compared only the 2 records run as the shipped protocols say; left out 5 run otherwise .*e\.g\. table3\/sdf\/SGD\/0\)$/);
  assert.equal(leftOutNote([], 2), '');
});

test('names from data never run: Markdown escapes their HTML, CSV neutralises formula cells, numbers untouched', () => {
  const script = '<script>alert(1)</script>';
  const img = '<img src=x onerror=alert(1)>';
  const formula = '=HYPERLINK("http://x","y")';
  const rs = [0, 1].flatMap((s) => [script, formula].map((d) => record(`table3/${d}/${img}/${s}`, { dataset: d, method: img, final: { trainMse: 1 + s, trainR2: 0.5 } })));
  const tables = table3(rs);
  for (const md of [render(tables, 'md'), reproductionReport(new Results(rs), { command: 'c', version: 'v', generatedAt: 'd', inputs: [] })]) {
    assert.doesNotMatch(md, /<script|<img/);
    assert.match(md, /&lt;script>alert\(1\)&lt;\/script>/);
  }
  const csv = render(tables, 'csv');
  assert.match(csv, /"'=HYPERLINK\(""http:\/\/x"",""y""\)"/);
  assert.doesNotMatch(csv, /(^|,)"?=/m);
  for (const [text, safe] of [['=1+1', "'=1+1"], ['+cmd', "'+cmd"], ['-x', "'-x"], ['@SUM(A1)', "'@SUM(A1)"], ['\tx', "'\tx"], ['-1.5', '-1.5'], ['+2', '+2'], ['abalone', 'abalone']]) assert.equal(csvText(text), safe, text);
});

test('a row whose cells stand on different split counts says which columns have fewer, in every format', () => {
  const cell = (n: number) => ({ mean: 1, sd: 0.1, n });
  const t = { id: 't', title: 'T', corner: 'dataset', columns: ['SGD', 'Adam', 'ANMIN'], rows: [{ label: 'dae', cells: [cell(10), cell(10), cell(100)] }, { label: 'sdf', cells: [cell(5), cell(5), cell(5)] }], notes: [] };
  assert.match(render([t], 'md'), /\| dae \|.*\| 100; SGD, Adam: 10 \|/);
  assert.match(render([t], 'md'), /\| sdf \|.*\| 5 \|/);
  assert.match(render([t], 'latex'), /100; SGD, Adam: 10/);
  assert.match(render([t], 'html'), /100; SGD, Adam: 10/);
});
