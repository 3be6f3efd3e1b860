import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { datasetSplit } from '../../src/data/split.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENTS_DIR, expandJobs, loadProtocol } from '../../src/experiments/protocol.js';
import { chooseRate, tune, validationDataset } from '../../src/experiments/tune.js';
import { tempDir } from '../helpers.js';

test('the validation data is split 0\'s training part only, carved 80/20, never its test part', () => {
  const n = 500;
  // Row i carries its own index as input, so the rows that come through can be identified.
  const ds: Dataset = { name: 't', n, d: 1, c: 1, x: Float64Array.from({ length: n }, (_, i) => i), y: new Float64Array(n), featureNames: ['i'], targetNames: ['y'], files: {} };
  const v = validationDataset(ds);
  const seen = Array.from(v.x);
  const test0 = new Set(datasetSplit(ds, 0).test);
  assert.equal(v.n, n - test0.size);
  assert.ok(seen.every((i) => !test0.has(i)));
  const { train, test } = v.fixedSplit!;
  assert.equal(train.length + test.length, v.n);
  assert.equal(test.length, Math.ceil(0.2 * v.n));
  assert.equal(new Set([...train, ...test]).size, v.n);
});

test('the chosen rate: lowest validation MSE among rates that did not blow up, the larger on a tie', () => {
  const g = (lr: number, validationMse: number, blewUp = false) => ({ lr, trainMse: validationMse, validationMse, blewUp, seeds: 3 });
  assert.equal(chooseRate([g(1, 0.5, true), g(0.1, 2), g(0.01, 1), g(0.001, 3)]), 0.01);
  assert.equal(chooseRate([g(0.1, 1), g(0.01, 1)]), 0.1);
  assert.throws(() => chooseRate([g(1, 1, true)]), /every rate/);
});

test('tune writes its rates to --out, not the package; run reads them from --rates first, per dataset, then the protocol\'s folder', async () => {
  const dir = tempDir('anmin-tune');
  const proto = join(dir, 'tiny.json');
  writeFileSync(proto, JSON.stringify({
    name: 'tiny', description: 'test', splits: 1,
    datasets: { 'sim-a': { source: 'sim', params: { simD: 1, simN: 100 } }, 'sim-b': { source: 'sim', params: { simD: 1, simN: 100 } } },
    methods: { SGD: { trainer: 'sgd', tunedLr: 'tiny-rates.json', options: { hidden: 4, iterations: 2 } } },
  }));
  // The protocol's folder holds a rate for each data set.
  writeFileSync(join(dir, 'tiny-rates.json'), JSON.stringify({ description: 'd', rates: { 'sim-a': { lr: 0.5 }, 'sim-b': { lr: 0.25 } } }));
  const out = join(dir, 'mine');
  const r = await tune({ method: 'sgd', dataset: 'sim-a', experiment: proto, grid: [0.1, 0.01], seeds: 1, workers: 1, out, command: 'test' });
  assert.equal(r.file, join(out, 'tiny-rates.json'));
  assert.equal(JSON.parse(readFileSync(r.file, 'utf8')).rates['sim-a'].lr, r.lr);
  assert.equal(existsSync(join(EXPERIMENTS_DIR(), 'tiny-rates.json')), false);
  const lr = (rates?: string) => Object.fromEntries(expandJobs(loadProtocol(proto), { rates }).map((j) => [j.dataset, j.options.lr]));
  assert.deepEqual(lr(), { 'sim-a': 0.5, 'sim-b': 0.25 });
  // The user's folder wins where it has a rate; sim-b, tuned nowhere else, keeps the protocol folder's.
  assert.deepEqual(lr(out), { 'sim-a': r.lr, 'sim-b': 0.25 });
});
