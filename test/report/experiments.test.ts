import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { recordBase } from '../../src/experiments/job.js';
import { expandJobs, loadProtocol } from '../../src/experiments/protocol.js';
import type { TableModel } from '../../src/report/tables.js';
import { anmin, record, tempDir } from '../helpers.js';


/** A protocol of the user's: its own experiment, dataset and method names, none of the paper's. */
function userProtocol(dir: string): string {
  const file = join(dir, 'my-exp.json');
  writeFileSync(file, JSON.stringify({
    name: 'my-exp',
    description: 'a user protocol',
    datasets: {
      'ring-small': { source: 'sim', params: { simD: 2, simN: 120 }, options: { hidden: 5 } },
      'ring-wide': { source: 'sim', params: { simD: 4, simN: 120 }, options: { hidden: 5 } },
    },
    methods: { closed: { trainer: 'anmin', options: { iterations: 3 } }, steps: { trainer: 'adam', options: { iterations: 4 } } },
    splits: 3,
  }));
  return file;
}

test("a user's protocol is reported with no report code: Table 3-style blocks, seconds, curves, the HTML page, and check saying there is nothing published", () => {
  const dir = tempDir('anmin-user-report');
  const store = join(dir, 'results');
  const ran = anmin('run', userProtocol(dir), '--splits', '0..2', '--workers', '1', '--out', store);
  assert.equal(ran.status, 0, ran.stderr);

  const json = anmin('report', 'my-exp', '--in', store, '--json');
  assert.equal(json.status, 0, json.stderr);
  const tables = JSON.parse(json.stdout) as TableModel[];
  assert.deepEqual(tables.map((t) => t.id), ['my-exp-trainMse', 'my-exp-testMse', 'my-exp-trainR2', 'my-exp-testR2', 'my-exp-seconds']);
  for (const t of tables) {
    assert.deepEqual(t.rows.map((r) => r.label), ['ring-small', 'ring-wide'], t.id);
    assert.deepEqual(t.columns, ['closed', 'steps'], t.id);
    assert.ok(t.rows.every((r) => r.cells.every((c) => c !== null && c.n === 3 && c.published === undefined)), t.id);
    // Each row of a metric block has its best cell in bold; seconds are not ranked.
    assert.ok(t.rows.every((r) => r.cells.some((c) => c!.bold) === (t.id !== 'my-exp-seconds')), t.id);
  }
  assert.ok(tables[4].notes.some((n) => /each run alone on the machine/.test(n)), tables[4].notes.join('\n'));

  const page = anmin('report', 'all', '--in', store);
  assert.equal(page.status, 0, page.stderr);
  assert.match(page.stdout, /^## my-exp$/m);
  assert.match(page.stdout, /### my-exp — MSE test: mean \(sd\) over splits; bold/);
  assert.match(page.stdout, /my-exp has no published numbers to compare with/);

  const figs = join(dir, 'figures');
  const plot = anmin('plot', '--in', store, '--out', figs);
  assert.equal(plot.status, 0, plot.stderr);
  assert.deepEqual(readdirSync(figs).sort(), ['my-exp-curves-mse-ring-small.svg', 'my-exp-curves-mse-ring-wide.svg', 'my-exp-curves-r2-ring-small.svg', 'my-exp-curves-r2-ring-wide.svg']);

  const html = join(dir, 'report.html');
  const made = anmin('report', 'html', '--in', store, '--out', html);
  assert.equal(made.status, 0, made.stderr);
  const text = readFileSync(html, 'utf8');
  assert.match(text, /<h2>my-exp<\/h2>/);
  assert.match(text, /<table id="my-exp-testR2"/);
  assert.match(text, /<option>my-exp\/ring-wide<\/option>/);

  const check = anmin('check', '--in', store);
  assert.equal(check.status, 0, check.stderr);
  assert.equal(check.stdout.trim(), "check: my-exp has no published numbers to compare with (only the paper's protocols table3, ablation, simulation, planted do)");
  const checkJson = anmin('check', '--in', store, '--json');
  assert.equal(checkJson.status, 0, checkJson.stderr);
  assert.deepEqual(JSON.parse(checkJson.stdout), []);

  // The paper's names ask for the paper's runs.
  const none = anmin('report', 'table3', '--in', store);
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /the results hold no table3 runs/);
});

test('check still fails on a failed check, beside a user experiment that has nothing published', () => {
  const dir = tempDir('anmin-check-fail');
  mkdirSync(join(dir, 'results'));
  const base = (split: number) => recordBase(expandJobs(loadProtocol('table3'), { datasets: ['sdf'], methods: ['ANMIN'], splits: [split] })[0]);
  // The paper's sdf ANMIN train MSE is 3.53 (1.05): a hundred times that fails.
  const paper = [0, 1, 2].map((s) => record(`table3/sdf/ANMIN/${s}`, { ...base(s), final: { trainMse: 353 + s, trainR2: 0.5 } }));
  const mine = [0, 1].map((s) => record(`my-exp/ring/closed/${s}`, { trainer: 'anmin' }));
  writeFileSync(join(dir, 'results', 'results.jsonl'), [...paper, ...mine].map((r) => JSON.stringify(r)).join('\n') + '\n');
  const check = anmin('check', '--in', join(dir, 'results'));
  assert.equal(check.status, 1);
  assert.match(check.stdout, /\| fail +\| table3 mse_train sdf ANMIN/);
  assert.match(check.stdout, /check: my-exp has no published numbers/);
  assert.match(check.stderr, /check: 1 of \d+ checks failed/);
});
