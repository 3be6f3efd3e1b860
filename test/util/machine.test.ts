import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { measureMachineUse, sharedMachine, SHARED_CORE_SHARE } from '../../src/util/machine.js';

test('a run\'s machine use: its value, its wall and CPU seconds, and (on Linux) what other processes took', () => {
  const { value, use } = measureMachineUse(1, () => {
    let s = 0;
    for (let i = 0; i < 3e7; i++) s += i % 7;
    return s;
  });
  assert.ok(value > 0);
  assert.equal(use.clock, 'training');
  assert.equal(use.threads, 1);
  assert.ok(use.wallSeconds > 0 && use.cpuSeconds > 0);
  if (existsSync('/proc/stat')) assert.ok(use.othersCpuSeconds! >= 0 && use.stolenCpuSeconds! >= 0, JSON.stringify(use));
});

test('a timing is shared when other processes used more than a tenth of a core over it', () => {
  const use = (others?: number) => ({ clock: 'training' as const, threads: 2, wallSeconds: 10, cpuSeconds: 19, ...(others === undefined ? {} : { othersCpuSeconds: others }) });
  assert.equal(sharedMachine(use(0)), false);
  assert.equal(sharedMachine(use(SHARED_CORE_SHARE * 10)), false);
  assert.equal(sharedMachine(use(SHARED_CORE_SHARE * 10 + 0.03)), true);
  assert.equal(sharedMachine(use()), false);
});

test('a run of a few milliseconds is not called shared for the two 10 ms ticks /proc/stat can be off by', () => {
  const use = { clock: 'training' as const, threads: 2, wallSeconds: 0.004, cpuSeconds: 0.004, othersCpuSeconds: 0.01 };
  assert.equal(sharedMachine(use), false);
  assert.equal(sharedMachine({ ...use, othersCpuSeconds: 0.05 }), true);
});
