import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { RandomState } from '../../src/data/rng.js';
import { splitIndices } from '../../src/data/split.js';
import { fixture } from '../helpers.js';

interface NumpyFixture {
  mt5489_uint32: number[];
  random_seed1: number[];
  normal_seed7: number[];
  splits: Record<string, { test_head: number[]; train_head: number[]; test_sha256: string; train_sha256: string }>;
  full_split_4177_0: number[];
}
const np = fixture<NumpyFixture>('numpy-random.json');

test('MT19937 init_genrand: first outputs for seed 5489 are the reference ones (3499211612, …)', () => {
  const rs = new RandomState(5489);
  assert.deepEqual(np.mt5489_uint32.map(() => rs.nextUint32()), np.mt5489_uint32);
  assert.equal(np.mt5489_uint32[0], 3499211612);
});

test('random_sample and the legacy polar Gaussian equal NumPy bit for bit', () => {
  const u = new RandomState(1);
  assert.deepEqual(np.random_seed1.map(() => u.random()), np.random_seed1);
  const g = new RandomState(7);
  assert.deepEqual(np.normal_seed7.map(() => g.normal()), np.normal_seed7);
});

test('permutation equals RandomState(k).permutation(n)', () => {
  assert.deepEqual(Array.from(new RandomState(0).permutation(4177)), np.full_split_4177_0);
});

const digest = (a: Int32Array) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

test('splits equal train_test_split(test_size=0.2, random_state=k) for the paper sizes', () => {
  for (const [key, want] of Object.entries(np.splits)) {
    const [n, k] = key.split('/').map(Number);
    const s = splitIndices(n, k);
    assert.deepEqual(Array.from(s.test.subarray(0, 20)), want.test_head, key);
    assert.deepEqual(Array.from(s.train.subarray(0, 20)), want.train_head, key);
    assert.equal(digest(s.test), want.test_sha256, `${key} test`);
    assert.equal(digest(s.train), want.train_sha256, `${key} train`);
  }
});

test('seeds outside 32 bits are refused', () => {
  assert.throws(() => new RandomState(-1), /seed/);
  assert.throws(() => new RandomState(2 ** 32), /seed/);
});
