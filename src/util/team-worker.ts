/** A pooled helper thread of a Team: takes a member on SETUP, runs the commands, drops it on RELEASE. */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { CMD, DONE, FAILED, GEN, RELEASE, SETUP } from './team.js';

interface Setup {
  module: string;
  member: string;
  commands: string[];
  state: unknown;
  thread: number;
}

const { ctrl, port } = workerData as { ctrl: Int32Array; port: MessagePort };
let own: Record<string, () => void> | null = null;
let commands: string[] = [];
let what = 'idle';
try {
  // Say ready (generation 0 done); then each command's generation is announced in GEN. A command
  // announced before this thread was up is not missed: GEN has moved past 0 and the wait returns.
  let gen = 0;
  Atomics.store(ctrl, DONE, 0);
  Atomics.notify(ctrl, DONE);
  for (;;) {
    Atomics.wait(ctrl, GEN, gen);
    gen = Atomics.load(ctrl, GEN);
    const cmd = Atomics.load(ctrl, CMD);
    if (cmd === SETUP) {
      const s = receiveMessageOnPort(port)?.message as Setup;
      what = `${s.member} ${s.thread}`;
      const Member = (await import(s.module))[s.member] as new (state: unknown, thread: number) => Record<string, () => void>;
      own = new Member(s.state, s.thread);
      commands = s.commands;
    } else if (cmd === RELEASE) {
      own = null;
      what = 'idle';
    } else {
      own![commands[cmd]]();
    }
    Atomics.store(ctrl, DONE, gen);
    Atomics.notify(ctrl, DONE);
  }
} catch (e) {
  process.stderr.write(`anmin: helper thread (${what}): ${(e as Error).stack}\n`);
  Atomics.store(ctrl, FAILED, 1);
  Atomics.notify(ctrl, DONE);
}
