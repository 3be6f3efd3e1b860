import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, MIRROR, NO_MIRROR, ROOT, tempDir } from './helpers.js';

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
  for (const args of [['datasets', 'split', 'abalone', '--split', 'x'], ['bench', 'anmin', '--dataset', 'nope'], ['bench', 'nope', '--dataset', 'abalone']]) {
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
