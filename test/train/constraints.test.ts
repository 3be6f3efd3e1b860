import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProtocol } from '../../src/experiments/protocol.js';
import { allows, type Constraint } from '../../src/train/constraints.js';
import { TRAINERS } from '../../src/train/registry.js';
import { randn, tempDir } from '../helpers.js';

/** Values the constraint must refuse: the wrong type, and just outside its range or list. */
function badValues(c: Constraint): unknown[] {
  switch (c.kind) {
    case 'integer':
      return [c.min + 0.5, c.min - 1, c.max + 1, '3', NaN];
    case 'number':
      return [NaN, ...(c.infinite ? [] : [Infinity]), '0.1', ...(Number.isFinite(c.min) ? [c.above ? c.min : c.min - 1] : []), ...(Number.isFinite(c.max) ? [c.max + 1] : [])];
    case 'choice':
      return [`${c.values[0]}x`, 1, null];
    case 'boolean':
      return ['true', 1];
    case 'weights':
      return [[1, 2], 'w'];
  }
}

const data = { train: { n: 20, p: 3, c: 1, x: randn(60, 1), y: randn(20, 2) } };

test('every option of every trainer refuses a bad value of each kind, naming the option and what it allows', () => {
  for (const [name, t] of Object.entries(TRAINERS)) {
    const table = t.constraints as Record<string, Constraint>;
    // Every option has a constraint and every default satisfies it.
    for (const [k, v] of Object.entries(t.defaults)) assert.ok(allows(table[k], v), `${name}.${k} = ${String(v)}`);
    for (const [k, c] of Object.entries(table)) {
      for (const bad of badValues(c)) {
        assert.throws(() => t.train(data, { seed: 0, [k]: bad }), new RegExp(`option "${k}" of ${name} must be`), `${name}.${k} = ${String(bad)}`);
      }
    }
    assert.throws(() => t.train(data, { seed: 0, spilts: 3 } as { seed: number }), new RegExp(`unknown option "spilts" for ${name}`));
  }
});

test('a protocol with a bad option value is refused when loaded, naming the file, the method and the option', () => {
  const dir = tempDir('anmin-constraints');
  const file = join(dir, 'p.json');
  const write = (methods: object, datasets: object = { abalone: {} }) => writeFileSync(file, JSON.stringify({ name: 'p', description: '', datasets, methods, splits: 1, presets: {} }));
  write({ A: { trainer: 'anmin', options: { onDegenerate: 'stpo' } } });
  assert.throws(() => loadProtocol(file), /p\.json: method "A": option "onDegenerate" of anmin must be one of pinv, reinit, stop, got "stpo"/);
  write({ A: { trainer: 'anmin' } }, { abalone: { options: { hidden: 2.5 } } });
  assert.throws(() => loadProtocol(file), /p\.json: dataset "abalone", method "A": option "hidden" of anmin must be an integer/);
  write({ A: { trainer: 'adam' } }, { abalone: { methodOptions: { A: { hidden: 0 } } } });
  assert.throws(() => loadProtocol(file), /option "hidden" of adam must be an integer in \[1, 16384\], got 0/);
  // Every shipped protocol passes.
  for (const p of ['table3', 'ablation', 'simulation']) loadProtocol(p);
});
