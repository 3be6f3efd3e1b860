import { Worker } from 'node:worker_threads';
import { AnminError } from './errors.js';

/**
 * A team of threads that run one command at a time in lockstep: this thread and helpers that wait on
 * shared control words (Atomics), so the caller's loop stays synchronous and pays no message passing.
 * Each thread holds a member: an instance of the class `member` exported by `module`, built from the
 * same shared `state` and its thread index; a command calls the method of that name on every member.
 */
export interface TeamSpec<M> {
  /** Named in errors: what the team computes. */
  what: string;
  module: URL;
  member: string;
  commands: readonly (keyof M & string)[];
  state: unknown;
}

/** Control words: a generation counter the helpers wait on, the command, how many are still busy. */
export const GEN = 0;
export const CMD = 1;
export const PENDING = 2;
export const READY = 3;
export const FAILED = 4;
/** The command that ends a helper. */
export const EXIT = -1;

export class Team<M> {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(5 * 4));
  private readonly helpers: Worker[] = [];

  /** `own` is this thread's member (index 0); threads − 1 helpers are started and awaited. */
  constructor(private readonly spec: TeamSpec<M>, private readonly own: M, threads: number) {
    for (let i = 1; i < threads; i++) {
      const workerData = { module: spec.module.href, member: spec.member, commands: spec.commands, state: spec.state, thread: i, ctrl: this.ctrl };
      this.helpers.push(new Worker(new URL('./team-worker.js', import.meta.url), { workerData }));
    }
    this.await(READY, threads - 1, 'start');
  }

  get size(): number {
    return this.helpers.length + 1;
  }

  /** Waits until control word `at` reaches `target`; a helper's failure throws. */
  private await(at: number, target: number, what: string): void {
    const { ctrl } = this;
    for (let waited = 0; ; waited++) {
      if (Atomics.load(ctrl, FAILED) !== 0) throw new AnminError(`${this.spec.what}: a helper thread failed during ${what}`);
      const now = Atomics.load(ctrl, at);
      if (now === target) return;
      if (waited > 600) throw new AnminError(`${this.spec.what}: helper threads did not ${what} within 10 minutes`);
      Atomics.wait(ctrl, at, now, 1000);
    }
  }

  private signal(cmd: number): void {
    Atomics.store(this.ctrl, CMD, cmd);
    Atomics.store(this.ctrl, PENDING, this.helpers.length);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
  }

  /** Runs `command` on every member and returns when all have finished. */
  run(command: keyof M & string): void {
    const cmd = this.spec.commands.indexOf(command);
    if (this.helpers.length) this.signal(cmd);
    (this.own[command] as () => void).call(this.own);
    if (this.helpers.length) this.await(PENDING, 0, command);
  }

  close(): void {
    if (!this.helpers.length) return;
    this.signal(EXIT);
    for (const w of this.helpers) void w.terminate();
    this.helpers.length = 0;
  }
}
