import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { ROOT } from '../helpers.js';

/** A step of `steps` × `ms` in a child whose stderr is a pipe, as in CI or `make run > log`. */
function step(steps: number, ms: number, env: Record<string, string>): string {
  const lib = pathToFileURL(join(ROOT, 'dist', 'src', 'util', 'progress.js')).href;
  const code = `const { startProgress } = await import('${lib}');
const bar = startProgress('fit', ${steps}, 'steps');
for (let i = 0; i < ${steps}; i++) { await new Promise((r) => setTimeout(r, ${ms})); bar.increment(1, { status: 'step ' + i }); }
bar.stop();`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env } }).stderr;
}

test('off a terminal, a long step prints a plain line now and then and one when it ends; a short one prints nothing', () => {
  const lines = step(4, 150, { ANMIN_PROGRESS_SECONDS: '0.2', ANMIN_PROGRESS: '1' }).trim().split('\n');
  assert.ok(lines.length >= 2, lines.join('\n'));
  for (const l of lines.slice(0, -1)) assert.match(l, /^fit: \d\/4 steps \(\d+%\) after \d+s(, about \d+s left)?( \| step \d)?$/);
  assert.match(lines.at(-1)!, /^fit: 4\/4 steps \(100%\) after \d+s, finished \| step 3$/);
  assert.equal(step(2, 10, { ANMIN_PROGRESS_SECONDS: '60', ANMIN_PROGRESS: '1' }), '');
  assert.equal(step(4, 150, { ANMIN_PROGRESS_SECONDS: '0.2', ANMIN_PROGRESS: '0' }), '');
});
