/** A helper thread of a Team: builds its member, then runs each command the control words announce. */
import { workerData } from 'node:worker_threads';
import { CMD, EXIT, FAILED, GEN, PENDING, READY } from './team.js';

const { module, member, commands, state, thread, ctrl } = workerData as { module: string; member: string; commands: string[]; state: unknown; thread: number; ctrl: Int32Array };
try {
  const Member = (await import(module))[member] as new (state: unknown, thread: number) => Record<string, () => void>;
  const own = new Member(state, thread);
  // Read the generation before saying ready, so the first command cannot be missed.
  let gen = Atomics.load(ctrl, GEN);
  Atomics.add(ctrl, READY, 1);
  Atomics.notify(ctrl, READY);
  for (;;) {
    Atomics.wait(ctrl, GEN, gen);
    gen = Atomics.load(ctrl, GEN);
    const cmd = Atomics.load(ctrl, CMD);
    if (cmd === EXIT) break;
    own[commands[cmd]]();
    Atomics.sub(ctrl, PENDING, 1);
    Atomics.notify(ctrl, PENDING);
  }
} catch (e) {
  process.stderr.write(`anmin: helper thread ${thread} (${member}): ${(e as Error).stack}\n`);
  Atomics.store(ctrl, FAILED, 1);
  Atomics.notify(ctrl, PENDING);
  Atomics.notify(ctrl, READY);
}
