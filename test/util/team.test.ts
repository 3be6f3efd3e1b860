import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idleHelpers, Team, warmHelpers } from '../../src/util/team.js';
import { AnminError } from '../../src/util/errors.js';
import { Marker } from './team-member.js';

function team(threads: number) {
  const state = { marks: new Int32Array(new SharedArrayBuffer(4 * threads)) };
  const spec = { what: 'test team', module: new URL('./team-member.js', import.meta.url), member: 'Marker', commands: ['mark', 'boom'] as const, state };
  return { state, t: new Team(spec, new Marker(state, 0), threads) };
}

test('a team runs each command once on every thread, and its helpers go back to the pool', () => {
  warmHelpers(2);
  const pooled = idleHelpers();
  for (let round = 0; round < 2; round++) {
    const { state, t } = team(3);
    // Both helpers came from the pool: none was started for this team.
    assert.equal(idleHelpers(), pooled - 2);
    t.run('mark');
    t.start('mark');
    t.finish();
    assert.deepEqual(Array.from(state.marks), [2, 2, 2]);
    assert.throws(() => t.finish(), /nothing started/);
    t.close();
    assert.equal(idleHelpers(), pooled);
  }
});

test('a helper that throws makes the command fail with an error naming the team; the next team still works', () => {
  warmHelpers(1);
  const pooled = idleHelpers();
  const { t } = team(2);
  assert.throws(() => t.run('boom'), (e: unknown) => e instanceof AnminError && /^test team \(boom\): a helper thread failed/.test(e.message));
  t.close();
  // The failed helper is stopped, not returned to the pool.
  assert.equal(idleHelpers(), pooled - 1);
  const { state, t: next } = team(2);
  next.run('mark');
  assert.deepEqual(Array.from(state.marks), [1, 1]);
  next.close();
});
