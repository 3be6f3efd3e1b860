import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { zipSync } from 'fflate';
import { fetchFile } from '../../src/data/download.js';
import type { FileSpec } from '../../src/data/registry.js';
import { removeTemps, tempPath } from '../../src/util/fsx.js';
import { tempDir } from '../helpers.js';

const body = Buffer.from('1,2,3\n4,5,6\n');
const sha = createHash('sha256').update(body).digest('hex');
const zip = Buffer.from(zipSync({ 'folder/data.csv': new Uint8Array(body), 'other.txt': new Uint8Array([1]) }));
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/good.csv') return res.writeHead(200, { 'content-length': body.length }).end(body);
    if (req.url === '/data.zip') return res.writeHead(200, { 'content-length': zip.length }).end(zip);
    if (req.url === '/truncated.csv') {
      res.writeHead(200, { 'content-length': body.length * 2 });
      res.write(body);
      // Close mid-body: the client sees fewer bytes than announced.
      return setTimeout(() => res.socket?.destroy(), 20);
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const spec = (over: Partial<FileSpec>): FileSpec => ({ id: 'data', name: 'data.csv', url: `${base}/good.csv`, sha256: sha, mirror: ['set/data.csv'], ...over });

test('a good download is verified and renamed into the cache', async () => {
  const cache = tempDir();
  const path = await fetchFile('set', spec({}), { cache });
  assert.equal(path, join(cache, 'set', 'data.csv'));
  assert.deepEqual(readFileSync(path), body);
  // Second call is served from the cache (the server would now 404).
  assert.equal(await fetchFile('set', spec({ url: `${base}/gone` }), { cache }), path);
});

test('a zip member is extracted and its pinned digest checked', async () => {
  const cache = tempDir();
  const path = await fetchFile('set', spec({ url: `${base}/data.zip`, member: 'data.csv' }), { cache });
  assert.deepEqual(readFileSync(path), body);
  await assert.rejects(fetchFile('set2', spec({ url: `${base}/data.zip`, member: 'missing.csv' }), { cache }), /no member named missing.csv/);
});

for (const [label, over, pattern] of [
  ['wrong checksum', { sha256: '0'.repeat(64) }, /sha256 [0-9a-f]{64} does not match the pinned 0{64}/],
  ['truncated body', { url: '/truncated.csv' }, /truncated|connection lost/],
  ['HTTP 404', { url: '/missing.csv' }, /HTTP 404/],
] as const) {
  test(`${label}: one-line error naming the URL, nothing left in the cache`, async () => {
    const cache = tempDir();
    const s = spec({ ...over, url: over.url ? `${base}${over.url}` : `${base}/good.csv` });
    await assert.rejects(fetchFile('set', s, { cache }), (e: Error) => pattern.test(e.message) && e.message.includes(base) && !e.message.includes('\n'));
    const dir = join(cache, 'set');
    assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
  });
}

test('a mirror is used instead of the network, and a bad mirror copy is refused', async () => {
  const cache = tempDir();
  const mirror = tempDir();
  mkdirSync(join(mirror, 'set'));
  writeFileSync(join(mirror, 'set', 'data.csv'), body);
  const path = await fetchFile('set', spec({ url: 'http://127.0.0.1:1/unreachable' }), { cache, mirror, offline: true });
  assert.deepEqual(readFileSync(path), body);
  writeFileSync(join(mirror, 'set', 'data.csv'), 'tampered');
  const cache2 = tempDir();
  await assert.rejects(fetchFile('set', spec({}), { cache: cache2, mirror, offline: true }), /does not match the pinned/);
  assert.deepEqual(readdirSync(join(cache2, 'set')), []);
  await assert.rejects(fetchFile('other', spec({ mirror: ['nope/data.csv'] }), { cache: cache2, mirror, offline: true }), /none of nope\/data.csv is in the mirror/);
});

test('a cached file is checked on every load: a changed one is fetched again, an unchanged one trusted by its stamp', async () => {
  const cache = tempDir();
  const path = await fetchFile('set', spec({}), { cache });
  assert.ok(existsSync(`${path}.verified.json`));
  writeFileSync(path, '1,2,3\n4,5,7\n');
  const again = await fetchFile('set', spec({}), { cache });
  assert.equal(again, path);
  assert.deepEqual(readFileSync(path), body);
});

test('a --mirror that does not exist is an error, not a silent fall back to the network', async () => {
  const cache = tempDir();
  await assert.rejects(fetchFile('set', spec({}), { cache, mirror: join(cache, 'no-such-mirror') }), /--mirror .*no-such-mirror: no such folder/);
});

test('an interrupt removes the temp files being written', () => {
  const dir = tempDir();
  const tmp = tempPath(join(dir, 'file.bin'));
  writeFileSync(tmp, 'half');
  assert.equal(removeTemps(), 1);
  assert.deepEqual(readdirSync(dir), []);
});
