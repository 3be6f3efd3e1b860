import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { AnminError } from './errors.js';

/**
 * A team of threads that run one command at a time in lockstep: this thread and helpers that wait on
 * shared control words (Atomics), so the caller's loop stays synchronous and pays no message passing.
 * Each thread holds a member: an instance of the class `member` exported by `module`, built from the
 * same shared `state` and its thread index; a command calls the method of that name on every member.
 *
 * Helper threads come from a pool that lives as long as the process (like a BLAS library's threads):
 * starting a thread costs tens of milliseconds, which `warmHelpers` can pay ahead of a timed run.
 */
export interface TeamSpec<M> {
  /** Named in errors: what the team computes. */
  what: string;
  module: URL;
  member: string;
  commands: readonly (keyof M & string)[];
  state: unknown;
}

/** Control words of one helper: a generation it waits on, the command, the generation it last finished. */
export const GEN = 0;
export const CMD = 1;
export const DONE = 2;
export const FAILED = 3;
/** Commands besides a spec's own (its indices 0, 1, …): take a member from the port, drop it. */
export const SETUP = -1;
export const RELEASE = -2;

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  port: MessagePort;
}

const idle: Helper[] = [];

/** Waits until control word DONE of `h` reaches `gen`; a helper's failure throws. */
function awaitDone(h: Helper, gen: number, what: string): void {
  for (let waited = 0; ; waited++) {
    if (Atomics.load(h.ctrl, FAILED) !== 0) throw new AnminError(`${what}: a helper thread failed`);
    const now = Atomics.load(h.ctrl, DONE);
    if (now === gen) return;
    if (waited > 600) throw new AnminError(`${what}: a helper thread did not finish within 10 minutes`);
    Atomics.wait(h.ctrl, DONE, now, 1000);
  }
}

/** Tells `h` to run `cmd`; returns the generation to await. */
function signal(h: Helper, cmd: number): number {
  Atomics.store(h.ctrl, CMD, cmd);
  const gen = Atomics.add(h.ctrl, GEN, 1) + 1;
  Atomics.notify(h.ctrl, GEN);
  return gen;
}

function startHelper(): Helper {
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * 4));
  // DONE goes from −1 to 0 when the thread is up.
  ctrl[DONE] = -1;
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./team-worker.js', import.meta.url), { workerData: { ctrl, port: port2 }, transferList: [port2] });
  // An idle pool must not keep the process alive.
  worker.unref();
  port1.unref();
  const h = { worker, ctrl, port: port1 };
  awaitDone(h, 0, 'starting a helper thread');
  return h;
}

/** Starts helper threads until `count` are idle in the pool, so a later team does not wait for them. */
export function warmHelpers(count: number): void {
  while (idle.length < count) idle.push(startHelper());
}

/** Helper threads idle in the pool now. */
export function idleHelpers(): number {
  return idle.length;
}

export class Team<M> {
  private readonly helpers: Helper[] = [];

  /** `own` is this thread's member (index 0); threads − 1 helpers are taken from the pool and set up. */
  constructor(private readonly spec: TeamSpec<M>, private readonly own: M, threads: number) {
    for (let i = 1; i < threads; i++) this.helpers.push(idle.pop() ?? startHelper());
    const gens = this.helpers.map((h, i) => {
      h.port.postMessage({ module: spec.module.href, member: spec.member, commands: spec.commands, state: spec.state, thread: i + 1 });
      return signal(h, SETUP);
    });
    this.helpers.forEach((h, i) => awaitDone(h, gens[i], `${spec.what} (setting up thread ${i + 1})`));
  }

  private pending: { command: string; gens: number[] } | null = null;

  /** Starts `command` on the helpers only; `finish` runs this thread's member and waits for them. */
  start(command: keyof M & string): void {
    if (this.pending) throw new Error(`${this.spec.what}: ${this.pending.command} is still running`);
    const cmd = this.spec.commands.indexOf(command);
    this.pending = { command, gens: this.helpers.map((h) => signal(h, cmd)) };
  }

  finish(): void {
    const p = this.pending;
    if (!p) throw new Error(`${this.spec.what}: nothing started`);
    this.pending = null;
    (this.own[p.command as keyof M & string] as () => void).call(this.own);
    this.helpers.forEach((h, i) => awaitDone(h, p.gens[i], `${this.spec.what} (${p.command})`));
  }

  /** Runs `command` on every member and returns when all have finished. */
  run(command: keyof M & string): void {
    this.start(command);
    this.finish();
  }

  /** Returns the helpers to the pool (a failed one is stopped instead). */
  close(): void {
    if (this.pending) this.helpers.forEach((h, i) => Atomics.load(h.ctrl, FAILED) === 0 && awaitDone(h, this.pending!.gens[i], `${this.spec.what} (closing)`));
    this.pending = null;
    for (const h of this.helpers.splice(0)) {
      if (Atomics.load(h.ctrl, FAILED) !== 0) {
        void h.worker.terminate();
        continue;
      }
      awaitDone(h, signal(h, RELEASE), `${this.spec.what} (release)`);
      idle.push(h);
    }
  }
}
