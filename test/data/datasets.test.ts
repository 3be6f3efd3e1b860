import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNumericTable } from '../../src/data/csv.js';
import { loadDataset, loadYearPred } from '../../src/data/dataset.js';
import { datasetSplit, prepareSplit } from '../../src/data/split.js';
import { readGrayImage } from '../../src/data/images.js';
import { MIRROR, NO_MIRROR, tempDir } from '../helpers.js';

const cache = tempDir('anmin-cache');
const opts = { mirror: MIRROR, cache, offline: true };

test('every real dataset loads offline from the mirror with the paper sizes', { skip: NO_MIRROR }, async () => {
  const want: Record<string, [number, number, number]> = {
    abalone: [4177, 7, 1],
    'bike-sharing': [17379, 13, 1],
    sdf: [73080, 2, 1],
    dae: [15912, 225, 225],
  };
  for (const [name, [n, d, c]] of Object.entries(want)) {
    const ds = await loadDataset(name, opts);
    assert.deepEqual([ds.n, ds.d, ds.c], [n, d, c], name);
    assert.equal(ds.x.length, n * d);
    assert.equal(ds.y.length, n * c);
    assert.ok(ds.x.every(Number.isFinite) && ds.y.every(Number.isFinite), name);
  }
});

test('abalone drops Sex and keeps Rings as the target; bike-sharing keeps casual and drops registered', { skip: NO_MIRROR }, async () => {
  const ab = await loadDataset('abalone', opts);
  // First line of abalone.data: M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15
  assert.deepEqual(Array.from(ab.x.subarray(0, 7)), [0.455, 0.365, 0.095, 0.514, 0.2245, 0.101, 0.15]);
  assert.equal(ab.y[0], 15);
  const bike = await loadDataset('bike-sharing', opts);
  assert.equal(bike.featureNames.at(-1), 'casual');
  assert.ok(!bike.featureNames.includes('registered'));
  // Row 1: season 1, yr 0, mnth 1, hr 0, …, casual 3, cnt 16.
  assert.deepEqual([bike.x[0], bike.x[1], bike.x[2], bike.x[3], bike.x[12], bike.y[0]], [1, 0, 1, 0, 3, 16]);
});

test('the SDF from the PNG, the PGM and the original JPEG is the same', { skip: NO_MIRROR }, async () => {
  const fromPng = await loadDataset('sdf', { mask: join(MIRROR, 'sdf', 'horse001_mask.png') });
  const fromPgm = await loadDataset('sdf', { mask: join(MIRROR, 'sdf', 'horse001_mask.pgm') });
  const fromJpg = await loadDataset('sdf', { mask: join(MIRROR, 'sdf', 'weizmann_horse_db', 'figure_ground', 'horse001.jpg') });
  assert.deepEqual(fromPgm.y, fromPng.y);
  assert.deepEqual(fromJpg.y, fromPng.y);
  const inside = fromPng.y.filter((v) => v < 0).length;
  assert.equal(inside, 12037);
});

// The third-party gray copy was decoded by libjpeg (fancy chroma upsampling, islow IDCT); jpeg-js rounds
// differently, so pixels agree to a few levels, not exactly.
test('DAE gray image is the BT.601 luma of the colour JPEG, up to JPEG decoder rounding', { skip: NO_MIRROR }, () => {
  const ours = readGrayImage(join(MIRROR, 'dae', '102061.jpg'));
  const theirs = readGrayImage(join(MIRROR, 'dae', '102061_gray_third_party.jpg'));
  assert.deepEqual([ours.height, ours.width], [481, 321]);
  let worst = 0;
  let total = 0;
  for (let k = 0; k < ours.pixels.length; k++) {
    const d = Math.abs(ours.pixels[k] - theirs.pixels[k]);
    worst = Math.max(worst, d);
    total += d;
  }
  assert.ok(worst <= 8 && total / ours.pixels.length < 1, `max |diff| ${worst}, mean ${total / ours.pixels.length}`);
});

test('preprocessing: training inputs have mean 0 and sd 1, a ones column, centred targets', { skip: NO_MIRROR }, async () => {
  const ds = await loadDataset('abalone', opts);
  const s = prepareSplit(ds, datasetSplit(ds, 3));
  const { n, p, x, y } = s.train;
  for (let j = 1; j < p; j++) {
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) m += x[i * p + j];
    m /= n;
    for (let i = 0; i < n; i++) v += (x[i * p + j] - m) ** 2;
    assert.ok(Math.abs(m) < 1e-12 && Math.abs(Math.sqrt(v / (n - 1)) - 1) < 1e-12);
  }
  for (let i = 0; i < n; i++) assert.equal(x[i * p], 1);
  assert.ok(Math.abs(y.reduce((a, b) => a + b, 0) / n) < 1e-12);
  assert.equal(s.train.n + s.test.n, ds.n);
  // 'raw': the same rows of the file's columns and targets, untouched, with no ones column.
  const idx = datasetSplit(ds, 3);
  const raw = prepareSplit(ds, idx, 'raw');
  assert.equal(raw.train.p, ds.d);
  assert.deepEqual(raw.train.x.subarray(0, ds.d), ds.x.subarray(idx.train[0] * ds.d, (idx.train[0] + 1) * ds.d));
  assert.equal(raw.test.y[5], ds.y[idx.test[5]]);
  assert.equal(raw.train.n + raw.test.n, ds.n);
  // 'standardized-all': the whole data's mean and sd (the published notebook's cell 14), so the
  // training and test parts together have mean 0 and sd 1.
  const all = prepareSplit(ds, idx, 'standardized-all');
  const rows = (j: number) => [...Array.from({ length: all.train.n }, (_, i) => all.train.x[i * p + j]), ...Array.from({ length: all.test.n }, (_, i) => all.test.x[i * p + j])];
  for (let j = 1; j < p; j++) {
    const v = rows(j);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    assert.ok(Math.abs(m) < 1e-12 && Math.abs(sd - 1) < 1e-12, `column ${j}: mean ${m}, sd ${sd}`);
  }
  assert.ok(Math.abs([...all.train.y, ...all.test.y].reduce((a, b) => a + b, 0)) < 1e-9);
});

test('YearPredictionMSD streaming parser on a generated file of the same format', async () => {
  const dir = tempDir();
  const path = join(dir, 'YearPredictionMSD.txt');
  const rows: string[] = [];
  for (let i = 0; i < 3000; i++) {
    rows.push([1922 + (i % 90), ...Array.from({ length: 90 }, (_, j) => ((i * 31 + j * 7) % 1000) / 7 - 50)].join(','));
  }
  writeFileSync(path, rows.join('\n') + '\n');
  const ds = await loadYearPred(path);
  assert.deepEqual([ds.n, ds.d, ds.c], [3000, 90, 1]);
  assert.equal(ds.y[2999], 1922 + (2999 % 90));
  assert.equal(ds.x[2999 * 90 + 89], ((2999 * 31 + 89 * 7) % 1000) / 7 - 50);
});

test('a CSV row with the wrong field count or a non-number names the file, line and column', async () => {
  const dir = tempDir();
  const bad1 = join(dir, 'short.csv');
  writeFileSync(bad1, '1,2,3\n4,5,6\n7,8\n');
  await assert.rejects(readNumericTable(bad1, { label: bad1, columns: 3 }), new RegExp(`${bad1}:3: expected 3 fields, found 2`));
  const bad2 = join(dir, 'nan.csv');
  writeFileSync(bad2, 'a,b\n1,2\n3,x\n');
  await assert.rejects(readNumericTable(bad2, { label: bad2, header: true }), new RegExp(`${bad2}:3:2: column "b" is "x", not a finite number`));
  assert.deepEqual(readdirSync(dir).sort(), ['nan.csv', 'short.csv']);
});

test('missing values: an error naming the first by default; with drop, their rows left out and counted by column, `skip` rows too', async () => {
  const dir = tempDir();
  const path = join(dir, 'gaps.csv');
  writeFileSync(path, 'a,b,y\n1,2,3\n4,NA,6\n\n7,8,?\n,11,12\n13,14,15\n16,17,18\n');
  await assert.rejects(readNumericTable(path, { label: path, header: true }), new RegExp(`${path}:3:2: column "b" is "NA", a missing value`));
  const t = await readNumericTable(path, { label: path, header: true, missing: 'drop', skip: new Set([5]) });
  // Data rows 0…5 (the blank line not counted): 1 (b), 2 (y) and 3 (a) hold a missing value; 5 is skipped by the caller.
  assert.deepEqual([...t.data], [1, 2, 3, 13, 14, 15]);
  assert.deepEqual(t.dropped, { indices: [1, 2, 3, 5], columns: { b: 1, y: 1, a: 1 } });
  // Only a caller that takes the choice is told of --missing drop; a word beside a missing value is still an error.
  await assert.rejects(readNumericTable(path, { label: path, header: true, missing: 'error' }), /a missing value \(train and compare take --missing drop/);
  await assert.rejects(readNumericTable(path, { label: path, header: true }), (e: Error) => /"NA", a missing value$/.test(e.message));
  // Only the columns read count: `b` not read, row 1 stays.
  const ay = await readNumericTable(path, { label: path, header: true, select: ['a', 'y'], missing: 'drop' });
  assert.deepEqual([...ay.data], [1, 3, 4, 6, 13, 15, 16, 18]);
  writeFileSync(path, 'a,b\n1,2\nNA,x\n');
  await assert.rejects(readNumericTable(path, { label: path, header: true, missing: 'drop' }), /gaps.csv:3:2: column "b" is "x", not a finite number/);
});

test('an unreadable image is a one-line error naming the file', () => {
  const dir = tempDir();
  const path = join(dir, 'broken.png');
  writeFileSync(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  assert.throws(() => readGrayImage(path), (e: Error) => e.message.startsWith(`${path}: unreadable image`) && !e.message.includes('\n'));
});
