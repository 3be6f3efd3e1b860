import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { columns, mergeStores, points, readResults, readStoreFile, ResultsStore, storeFile, type JobRecord } from '../../src/experiments/store.js';
import { record, tempDir } from '../helpers.js';

test('store round-trips records, Infinity and NaN included', () => {
  const dir = tempDir();
  const s = new ResultsStore(dir);
  const trace = columns([{ iteration: 0, seconds: 0, trainMse: Infinity, trainR2: NaN }, { iteration: 1, seconds: 1, trainMse: 2, trainR2: 0.1, logdet: -Infinity }]);
  s.append(record('e/d/m/0', { trace, final: { trainMse: Infinity, trainR2: NaN } }));
  const [r] = readStoreFile(s.file);
  assert.equal(r.final!.trainMse, Infinity);
  assert.ok(Number.isNaN(r.final!.trainR2));
  const pts = points(r.trace!);
  assert.equal(pts.length, 2);
  assert.equal(pts[1].logdet, -Infinity);
  assert.equal(pts[0].logdet, undefined);
});

test('a torn last line (a killed write) is dropped on read and repaired on reopen', () => {
  const dir = tempDir();
  const s = new ResultsStore(dir);
  s.append(record('e/d/m/0'));
  s.append(record('e/d/m/1'));
  appendFileSync(s.file, '{"key":"e/d/m/2","sta');
  assert.deepEqual(readStoreFile(s.file).map((r) => r.key), ['e/d/m/0', 'e/d/m/1']);
  const again = new ResultsStore(dir);
  assert.ok(readFileSync(again.file, 'utf8').endsWith('}\n'));
  again.append(record('e/d/m/2'));
  assert.deepEqual(readStoreFile(s.file).map((r) => r.key), ['e/d/m/0', 'e/d/m/1', 'e/d/m/2']);
});

test('a corrupt line in the middle is an error naming the file and line', () => {
  const dir = tempDir();
  const file = storeFile(dir);
  writeFileSync(file, JSON.stringify(record('e/d/m/0')) + '\nnot json\n' + JSON.stringify(record('e/d/m/1')) + '\n');
  assert.throws(() => readStoreFile(file), (e: Error) => e.message.startsWith(`${file}:2:`));
});

test('readResults keeps a success over a failure of the same job; merge joins shards into one store', () => {
  const a = tempDir();
  const b = tempDir();
  new ResultsStore(a, { index: 0, count: 2 }).append(record('e/d/m/0', { status: 'error', error: 'boom' }));
  const s1 = new ResultsStore(b, { index: 1, count: 2 });
  s1.append(record('e/d/m/0'));
  s1.append(record('e/d/m/1'));
  const all = readResults([a, b]);
  assert.equal(all.length, 2);
  assert.ok(all.every((r) => r.status === 'ok'));
  const out = tempDir();
  assert.deepEqual(mergeStores([a, b], out), { records: 2, files: 2 });
  assert.deepEqual(readStoreFile(join(out, 'results.jsonl')).map((r) => r.key), ['e/d/m/0', 'e/d/m/1']);
});
