import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandJobs, loadProtocol } from '../../src/experiments/protocol.js';
import { parseSplits } from '../../src/experiments/splits.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('anmin-protocol');
const good = {
  name: 'p',
  datasets: { abalone: { options: { hidden: 8 } } },
  methods: { ANMIN: { trainer: 'anmin', options: { iterations: 2 } } },
  splits: 3,
  presets: { quick: { splits: 1 } },
};

function load(edit: (p: any) => void): () => void {
  const p = JSON.parse(JSON.stringify(good));
  edit(p);
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(p));
  return () => loadProtocol(file);
}

test('a protocol of the wrong shape is refused with the path inside the file', () => {
  assert.doesNotThrow(load(() => {}));
  const cases: [(p: any) => void, RegExp][] = [
    [(p) => (p.presets.quick.spilts = 5), /: \/presets\/quick: unknown key "spilts"/],
    [(p) => (p.datasets.abalone = null), /: \/datasets\/abalone: must be object/],
    [(p) => (p.datasets = ['abalone']), /: \/datasets: must be object/],
    [(p) => (p.methods.ANMIN = 'anmin'), /: \/methods\/ANMIN: must be object/],
    [(p) => (p.methods = {}), /: \/methods: must NOT have fewer than 1 properties/],
    [(p) => (p.presets.quick.methods = []), /: \/presets\/quick\/methods: must NOT have fewer than 1 items/],
    [(p) => (p.datasets.abalone.params = { simd: 3 }), /: \/datasets\/abalone\/params: unknown key "simd"/],
    [(p) => (p.datasets.abalone.inputs = 'scaled'), /: \/datasets\/abalone\/inputs: must be one of standardized, standardized-all, raw/],
    [(p) => (p.splits = 0), /: \/splits: must be >= 1/],
    [(p) => delete p.methods.ANMIN.trainer, /: \/methods\/ANMIN: missing "trainer"/],
    [(p) => (p.datasets.abalone.options.hidden = 100000), /option "hidden" of anmin must be an integer in \[1, 16384\]/],
    [(p) => (p.datasets.abalone.methods = ['Adam']), /dataset "abalone" lists unknown method "Adam"/],
  ];
  for (const [edit, message] of cases) assert.throws(load(edit), message);
});

test('--splits is bounded: a split is a 32-bit seed, and a run has at most 100,000', () => {
  assert.deepEqual(parseSplits('0..2,7'), [0, 1, 2, 7]);
  assert.throws(() => parseSplits('4294967296'), /past the largest seed/);
  assert.throws(() => parseSplits('0..9999999999'), /past the largest seed/);
  assert.throws(() => parseSplits('0..200000'), /more than 100000 splits/);
});

test('a dataset or method named twice, in any spelling, is one job per split', () => {
  const jobs = expandJobs(loadProtocol('table3'), { datasets: ['abalone', 'Abalone'], methods: ['ANMIN', 'anmin', 'ANMIN'], splits: [0, 1] });
  assert.deepEqual(jobs.map((j) => j.key), ['table3/abalone/ANMIN/0', 'table3/abalone/ANMIN/1']);
});

test('names that would make ambiguous keys or climb out of a folder are refused: separators, control characters, case-only twins', () => {
  const rename = (p: any, kind: 'datasets' | 'methods', from: string, to: string) => {
    p[kind][to] = p[kind][from];
    delete p[kind][from];
  };
  const cases: [(p: any) => void, RegExp][] = [
    [(p) => rename(p, 'datasets', 'abalone', 'a/../../../pwned'), /: \/datasets: "a\/..\/..\/..\/pwned" holds a path separator or a control character/],
    [(p) => rename(p, 'methods', 'ANMIN', 'A/B'), /: \/methods: "A\/B" holds a path separator/],
    [(p) => rename(p, 'methods', 'ANMIN', 'A\\B'), /: \/methods: "A\\\\B" holds a path separator/],
    [(p) => rename(p, 'methods', 'ANMIN', 'A\tB'), /: \/methods: "A\\tB" holds a path separator or a control character/],
    [(p) => (p.name = 'x/y'), /: \/name: "x\/y" holds a path separator/],
    [(p) => (p.methods.anmin = p.methods.ANMIN), /methods "ANMIN" and "anmin" differ only in case; rename one/],
    [(p) => (p.datasets.Abalone = p.datasets.abalone), /datasets "abalone" and "Abalone" differ only in case/],
    // tunedLr names a file in known folders only: a path could read anything on the machine.
    [(p) => (p.methods.ANMIN.tunedLr = '../../../../etc/passwd'), /: \/methods\/ANMIN\/tunedLr: "..\/..\/..\/..\/etc\/passwd" holds a path separator/],
    [(p) => (p.methods.ANMIN.tunedLr = '..'), /: \/methods\/ANMIN\/tunedLr: must NOT be valid/],
  ];
  for (const [edit, message] of cases) assert.throws(load(edit), message);
});
