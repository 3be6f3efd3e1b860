import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { test } from 'node:test';
import { columns, identity, mergeStores, points, readResults, readStoreFile, ResultsStore, storeFile, takeStaleLock, type JobRecord } from '../../src/experiments/store.js';
import { record, ROOT, tempDir } from '../helpers.js';

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
  s.close();
  const again = new ResultsStore(dir);
  assert.ok(readFileSync(again.file, 'utf8').endsWith('}\n'));
  again.append(record('e/d/m/2'));
  assert.deepEqual(readStoreFile(s.file).map((r) => r.key), ['e/d/m/0', 'e/d/m/1', 'e/d/m/2']);
});

test('a whole last record without its newline is kept on read and on reopen, where it gets the newline', () => {
  const dir = tempDir();
  const file = storeFile(dir);
  writeFileSync(file, JSON.stringify(record('e/d/m/0')) + '\n' + JSON.stringify(record('e/d/m/1')));
  assert.deepEqual(readStoreFile(file).map((r) => r.key), ['e/d/m/0', 'e/d/m/1']);
  const s = new ResultsStore(dir);
  s.append(record('e/d/m/2'));
  s.close();
  assert.deepEqual(readStoreFile(file).map((r) => r.key), ['e/d/m/0', 'e/d/m/1', 'e/d/m/2']);
  assert.ok(readFileSync(file, 'utf8').endsWith('}\n'));
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
  assert.deepEqual(mergeStores([a, b], out), { added: 2, already: 0, files: 2, sources: ['2 run(s) with no provenance (written before anmin recorded it)'] });
  assert.deepEqual(readStoreFile(join(out, 'results.jsonl')).map((r) => r.key), ['e/d/m/0', 'e/d/m/1']);
});

test('merge into an existing store adds the jobs it lacks, once, and takes its lock', () => {
  const out = tempDir();
  const have = new ResultsStore(out);
  have.append(record('e/d/m/0'));
  have.append(record('e/d/m/9', { status: 'error', error: 'boom' }));
  const src = tempDir();
  const s = new ResultsStore(src);
  for (const k of ['e/d/m/0', 'e/d/m/1', 'e/d/m/9']) s.append(record(k));
  s.close();
  // A run writing there holds the lock: merge waits its turn like any other writer.
  assert.throws(() => mergeStores([src], out), /results\.jsonl: another anmin run is writing to it/);
  have.close();
  assert.deepEqual(mergeStores([src], out), { added: 2, already: 1, files: 1, sources: ['3 run(s) with no provenance (written before anmin recorded it)'] });
  const keys = () => readStoreFile(storeFile(out)).map((r) => r.key);
  assert.deepEqual(keys(), ['e/d/m/0', 'e/d/m/9', 'e/d/m/1', 'e/d/m/9']);
  assert.equal(readResults([out]).length, 3);
  assert.equal(mergeStores([src], out).added, 0, 'a second merge adds nothing');
  assert.equal(keys().length, 4);
  assert.equal(existsSync(`${storeFile(out)}.lock`), false);
});

test('merge refuses a job the store holds produced otherwise, and writes nothing', () => {
  const out = tempDir();
  const have = new ResultsStore(out);
  have.append(record('e/d/m/0', { trainer: 'anmin' }));
  have.close();
  const src = tempDir();
  writeFileSync(storeFile(src), [record('e/d/m/0', { trainer: 'adam' }), record('e/d/m/1')].map((r) => JSON.stringify(r) + '\n').join(''));
  const before = readFileSync(storeFile(out), 'utf8');
  assert.throws(() => mergeStores([src], out), /^AnminError: merge: e\/d\/m\/0 is in .* already, produced otherwise/);
  assert.equal(readFileSync(storeFile(out), 'utf8'), before);
});

test('one writer per store: a second one is refused while the first holds it; a dead writer\'s lock is taken over', () => {
  const dir = tempDir();
  const first = new ResultsStore(dir);
  assert.throws(() => new ResultsStore(dir), /results\.jsonl: another anmin run is writing to it \(pid \d+ on /);
  // Shards write their own files: no waiting on each other.
  new ResultsStore(dir, { index: 0, count: 2 }).close();
  first.close();
  assert.equal(existsSync(`${first.file}.lock`), false);
  // A lock left by a process that no longer runs (pid 2^22 + 1 is past Linux's pid_max default).
  writeFileSync(`${first.file}.lock`, JSON.stringify({ pid: 4194305, host: hostname(), since: 'then' }));
  const next = new ResultsStore(dir);
  assert.match(readFileSync(`${next.file}.lock`, 'utf8'), new RegExp(`"pid":${process.pid}`));
  next.close();
});

test('a null line, or a successful record that is not whole, is an error naming the file and line', () => {
  const dir = tempDir();
  const file = storeFile(dir);
  writeFileSync(file, 'null\n');
  assert.throws(() => readStoreFile(file), new RegExp(`${file}:1: not a job record`));
  const { trace: _, ...noTrace } = record('e/d/m/0');
  writeFileSync(file, JSON.stringify(record('e/d/m/1')) + '\n' + JSON.stringify(noTrace) + '\n');
  assert.throws(() => readStoreFile(file), new RegExp(`${file}:2: job record e/d/m/0 is not whole \\(no trace\\)`));
  const short = record('e/d/m/0', { trace: { iteration: [0, 1], trainMse: [1] } });
  writeFileSync(file, JSON.stringify(short) + '\n');
  assert.throws(() => readStoreFile(file), /trace column trainMse has 1 entries, iteration has 2/);
});

test('a record\'s identity changes with a swapped data file or newer numerics, not with what does not move numbers', () => {
  const r = record('table3/sdf/ANMIN/0', { options: { hidden: 8 } });
  assert.equal(identity(r), identity({ ...r, numerics: 1 }));
  assert.notEqual(identity(r), identity({ ...r, dataFiles: { mask: 'ab12' } }));
  assert.notEqual(identity(r), identity({ ...r, numerics: 2 }));
  // The same method name run by another trainer, or on another loader, is another experiment.
  assert.notEqual(identity({ ...r, trainer: 'anmin' }), identity({ ...r, trainer: 'adam' }));
  assert.notEqual(identity({ ...r, trainer: 'anmin' }), identity({ ...r, trainer: 'anmin', source: 'sim' }));
  assert.equal(identity({ ...r, options: { hidden: 8, alpha: 0 } }), identity({ ...r, options: { alpha: 0, hidden: 8 } }));
});

test('two takers of one stale lock: the first takes it, the second finds the fresh lock and loses it to no one', () => {
  const dir = tempDir();
  const lock = `${storeFile(dir)}.lock`;
  const stale = JSON.stringify({ pid: 4194305, host: hostname(), since: 'then' });
  writeFileSync(lock, stale);
  // Both read the same stale lock before either acts (the interleaving that let both hold it).
  assert.equal(takeStaleLock(lock, stale, 'first'), true);
  assert.equal(takeStaleLock(lock, stale, 'second'), false);
  assert.equal(readFileSync(lock, 'utf8'), 'first');
  assert.deepEqual(readdirSync(dir), ['results.jsonl.lock'], 'nothing left aside');
  // And through the store: the first holds, a second opening is refused by the live holder.
  writeFileSync(lock, stale);
  const s = new ResultsStore(dir);
  assert.throws(() => new ResultsStore(dir), /another anmin run is writing to it/);
  s.close();
});

test('lock edge cases are one line: a folder in the lock\'s place; a live pid that may be another program says what to remove', () => {
  const dir = tempDir();
  const lock = `${storeFile(dir)}.lock`;
  mkdirSync(lock);
  assert.throws(() => new ResultsStore(dir), (e: Error) => e.name === 'AnminError' && e.message === `${lock}: a folder where ${storeFile(dir)}'s lock file belongs; remove it or give another --out`);
  const other = tempDir();
  const otherLock = `${storeFile(other)}.lock`;
  // pid 1 is always alive (init), and never an anmin run.
  writeFileSync(otherLock, JSON.stringify({ pid: 1, host: hostname(), since: 'then' }));
  assert.throws(() => new ResultsStore(other), new RegExp(`pid 1 on .*the pid belongs to another program now: remove ${otherLock.replace(/[.]/g, '\\.')}\\)$`));
});

test('four processes starting at once on a stale lock: exactly one holds it', async () => {
  const dir = tempDir();
  writeFileSync(`${storeFile(dir)}.lock`, JSON.stringify({ pid: 4194305, host: hostname(), since: 'then' }));
  const store = pathToFileURL(join(ROOT, 'dist', 'src', 'experiments', 'store.js')).href;
  // Each holds what it took for a while, so every other one meets it held.
  const script = `const { ResultsStore } = await import(${JSON.stringify(store)}); try { const s = new ResultsStore(${JSON.stringify(dir)}); console.log('took'); setTimeout(() => s.close(), 1500); } catch (e) { console.log('refused'); }`;
  const outcomes = await Promise.all([0, 1, 2, 3].map(() => new Promise<string>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => resolve(out.trim()));
  })));
  assert.deepEqual(outcomes.sort(), ['refused', 'refused', 'refused', 'took']);
});
