import type { InputMode } from '../data/split.js';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SummaryRule } from './protocol.js';
import type { TracePoint } from '../train/types.js';
import { provenanceLines, type Provenance } from './provenance.js';
import { AnminError } from '../util/errors.js';
import { makeDir, naming, writeFileAtomic } from '../util/fsx.js';
import { parseNumbers, stringifyNumbers } from '../util/json.js';
import { logger } from '../util/log.js';
import type { Shard } from './splits.js';
import type { MachineUse } from '../util/machine.js';

/** The final metrics of the model a run returned (its selected trace point). */
export interface FinalMetrics {
  trainMse: number;
  trainR2: number;
  testMse?: number;
  testR2?: number;
  /** Planted data: the returned network's recovery error (see recoveryError). */
  recovery?: number;
}

/** A trace stored column by column: one array per TracePoint field, far smaller than objects. */
export type TraceColumns = Partial<Record<keyof TracePoint, (number | boolean | null)[]>>;

/** One finished job, one line of a results store. Failed runs are kept, with their error. */
export interface JobRecord {
  key: string;
  experiment: string;
  dataset: string;
  method: string;
  /** The trainer that ran the method (absent in records written before it was recorded: they run again). */
  trainer?: string;
  /** The dataset loader, when not the dataset's own name. */
  source?: string;
  split: number;
  seed: number;
  status: 'ok' | 'error';
  error?: string;
  /** Seconds of training with the trace's evaluations paused (see TraceRecorder), as Table 4 reports. */
  seconds?: number;
  /** How the run used the machine: threads, CPU seconds, other processes' (absent in older stores, whose seconds include evaluation). */
  machine?: MachineUse;
  /** Index of the returned model in the trace. */
  selected?: number;
  stoppedAt?: number;
  final?: FinalMetrics;
  trace?: TraceColumns;
  options: Record<string, unknown>;
  /** How inputs reached the model, when not 'standardized'. */
  inputs?: InputMode;
  /** The dataset loader's parameters (e.g. the DAE's sigma), when any. */
  params?: Record<string, number>;
  /** The summary rule of `final`, when not 'selected'. */
  summary?: SummaryRule;
  /** Files the user put in place of the paper's (mask, image) or gave (csv, trainer): role → sha256. */
  dataFiles?: Record<string, string>;
  /** A user's CSV dataset: the file as the protocol names it and the columns read from it. */
  table?: { file: string; target: string[]; features?: string[] };
  /** The numerics of the code that produced it (see NUMERICS, numericsOf); absent is 1. */
  numerics?: number;
  version: string;
  finishedAt: string;
  /** The machine, code and run that produced it (absent in stores written before it was recorded). */
  provenance?: Provenance;
  /** Jobs the run let run at once: a record with more than one shared the machine while it was timed. */
  workers?: number;
}

/**
 * What produced a job's numbers besides its key: the trainer and its resolved options, the data set's
 * loader, the inputs, the loader's parameters, the summary rule, files put in place of the paper's,
 * and the code's numerics (absent fields are the defaults, so older records compare; a record without
 * its trainer matches no job, since the method's name alone does not say what ran).
 */
export function identity(r: Pick<JobRecord, 'trainer' | 'source' | 'options' | 'inputs' | 'params' | 'summary' | 'dataFiles' | 'table' | 'numerics'>): string {
  const sorted = (o: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  // A table's columns count, its file name does not (its bytes are in dataFiles): a renamed file is the same data.
  const columns = r.table ? { columns: { target: r.table.target, features: r.table.features ?? null } } : {};
  return JSON.stringify({ trainer: r.trainer ?? null, source: r.source ?? null, options: sorted(r.options), inputs: r.inputs ?? 'standardized', params: sorted(r.params), summary: r.summary ?? 'selected', dataFiles: sorted(r.dataFiles), ...columns, numerics: r.numerics ?? 1 });
}

/**
 * The version of the numbers the code produces for a job: raised by hand with any change that moves
 * them (a kernel's summation order, a default), so stored runs of older numerics are run again rather
 * than pooled with new ones. Refactors that keep every number leave it alone. 2: the matrix-free solve
 * stops early by default (cgForcing 0.1) and sums its products in another order. 3: the matrix-free
 * path refits the output layer on its threads (sums by row chunk), takes the flexible β, and on large
 * data (cgSampleRows) preconditions with sampled single-precision inner solves. 4: the dense exact
 * path refits the output layer and builds Eq. 8 from the firing-pair sums and the gated moments
 * (PairMoments) instead of passes over the rows: the same sums to 1e−11, but ANMIN's hidden-layer
 * systems are ill-conditioned enough (λ = 0.001 on the sums) that a last-digit change in B moves the
 * next A by about 1e−4 and the trajectory goes its own way from there, as another seed would.
 * 5: `solver: auto` solves the hidden layer through the rows' Gram (the dual) where the rows are
 * fewer than the unknowns and that costs less (the simulation's d = 30, N = 1,000 cell): the same
 * system, answered to rounding, which the trajectory then amplifies as in 4.
 * 6: the published reading (float32 batches) takes its output refit and Eq. 8 from the float32 pair
 * sums and the gated moments, as the exact reading does, instead of passes over the rows; its floored
 * inverse (the degenerate systems) reduces to tridiagonal form blocked, from the lower triangle, summing
 * in another order. Both move its trajectories as in 4 without moving their spread: minimum training
 * MSE over splits 0–9, before → after, sdf 3.32 → 3.11, abalone 3.874 → 3.907 (paper 3.53 ± 1.05,
 * 3.94 ± 0.10); bike-sharing over 0–13 (the floored inverse alone) 1,406 → 1,394 (paper 1,457 ± 319).
 *
 * From 6 on, the version is kept per trainer family and raised only for the family whose numbers moved:
 * ANMIN's kernels change apart from the gradient methods', which are three quarters of Table 3's hours,
 * and a change to one should not send the other's stored runs to be run again.
 */
export const NUMERICS = { anmin: 6, others: 6 } as const;

/** The numerics version a job of this trainer is produced under (see NUMERICS). */
export function numericsOf(trainer: string | undefined): number {
  return trainer === 'anmin' ? NUMERICS.anmin : NUMERICS.others;
}

export const STORE_PREFIX = 'results';

export function storeFile(dir: string, shard?: Shard): string {
  return join(dir, shard ? `${STORE_PREFIX}.shard-${shard.index}-of-${shard.count}.jsonl` : `${STORE_PREFIX}.jsonl`);
}

export function encodeRecord(r: JobRecord): string {
  return stringifyNumbers(r);
}

export function columns(trace: TracePoint[]): TraceColumns {
  const out: TraceColumns = {};
  const keys = new Set(trace.flatMap((p) => Object.keys(p) as (keyof TracePoint)[]));
  for (const k of keys) out[k] = trace.map((p) => (p[k] === undefined ? null : p[k]));
  return out;
}

/** The trace back as points (fields a point lacked come back absent). */
export function points(cols: TraceColumns): TracePoint[] {
  const n = cols.iteration?.length ?? 0;
  return Array.from({ length: n }, (_, i) => {
    const p: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(cols)) if (v && v[i] !== null) p[k] = v[i];
    return p as unknown as TracePoint;
  });
}

/**
 * Parses a store file. A last line without its newline is kept when it is a whole record (a writer
 * other than ours, or an editor, left the newline off) and otherwise dropped as a write cut short by a
 * kill (the job reruns). Any other bad line is an error naming the file and line.
 */
export function readStoreFile(file: string): JobRecord[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const last = lines.pop()!;
  const out: JobRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== '') out.push(parseRecord(line, `${file}:${i + 1}`));
  });
  const whole = wholeRecord(last);
  if (whole) out.push(whole);
  return out;
}

/** The record an unterminated last line holds, if it is whole. */
function wholeRecord(line: string): JobRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    return parseRecord(line, '');
  } catch {
    return undefined;
  }
}

function parseRecord(line: string, where: string): JobRecord {
  let r: JobRecord;
  try {
    r = parseNumbers<JobRecord>(line);
  } catch (e) {
    throw new AnminError(`${where}: not a JSON record (${(e as Error).message})`);
  }
  if (r === null || typeof r !== 'object' || typeof r.key !== 'string' || (r.status !== 'ok' && r.status !== 'error')) throw new AnminError(`${where}: not a job record (no key or status)`);
  const wrong = r.status === 'ok' ? shapeError(r) : undefined;
  if (wrong) throw new AnminError(`${where}: job record ${r.key} is not whole (${wrong}); remove the line to run the job again`);
  return r;
}

/** What a successful record lacks to be used (its final metrics, a trace with columns of one length). */
function shapeError(r: JobRecord): string | undefined {
  if (typeof r.final !== 'object' || r.final === null || typeof r.final.trainMse !== 'number') return 'no final metrics';
  if (typeof r.trace !== 'object' || r.trace === null || !Array.isArray(r.trace.iteration)) return 'no trace';
  const n = r.trace.iteration.length;
  const bad = Object.entries(r.trace).find(([, v]) => !Array.isArray(v) || v.length !== n);
  return bad ? `trace column ${bad[0]} has ${Array.isArray(bad[1]) ? bad[1].length : 'no'} entries, iteration has ${n}` : undefined;
}

/** Every results*.jsonl in a folder (one store, or the shards of one). */
export function storeFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new AnminError(`${dir}: no such results folder`);
  return readdirSync(dir)
    .filter((f) => f.startsWith(STORE_PREFIX) && f.endsWith('.jsonl'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * All records of one or more folders, one per job key. The same key twice (a store and its merge, or
 * a failed run retried) keeps a successful run over a failed one, and otherwise the later one.
 */
export function readResults(dirs: string[]): JobRecord[] {
  return oneByKey(dirs.flatMap((dir) => storeFiles(dir).flatMap(readStoreFile)));
}

/** One record per key, in readResults' order of preference (success over failure, else the later). */
export function oneByKey(records: JobRecord[]): JobRecord[] {
  const byKey = new Map<string, JobRecord>();
  for (const r of records) {
    const had = byKey.get(r.key);
    if (!had || had.status === 'error' || r.status === 'ok') byKey.set(r.key, r);
  }
  return [...byKey.values()];
}

/** Appends finished jobs one line each; a crash loses at most the line being written. */
export class ResultsStore {
  readonly file: string;
  private readonly lockFile: string;
  private readonly unlockOnExit = () => this.close();

  /** Opens a store to append to, as its one writer (see lock), and drops a torn last line. */
  constructor(dir: string, shard?: Shard) {
    makeDir(dir);
    this.file = storeFile(dir, shard);
    this.lockFile = `${this.file}.lock`;
    this.lock();
    process.on('exit', this.unlockOnExit);
    this.repair();
  }

  /**
   * One writer per store file: a lock file beside it holds the writer's pid, host and a token. A lock
   * whose process is gone (same host, no such pid), or cut short as it was written, is stale and taken
   * over (see takeStaleLock); any other is a one-line refusal. Shards of one array write their own
   * files, so they never wait for each other.
   */
  private lock(): void {
    const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomBytes(8).toString('hex') });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(this.lockFile, me, { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          // Created but not written (a full disk): no one holds it, so it must not outlive us.
          rmSync(this.lockFile, { force: true });
          throw naming(e, this.lockFile);
        }
      }
      if (statSync(this.lockFile, { throwIfNoEntry: false })?.isDirectory()) throw new AnminError(`${this.lockFile}: a folder where ${this.file}'s lock file belongs; remove it or give another --out`);
      let text: string;
      try {
        text = readFileSync(this.lockFile, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw naming(e, this.lockFile);
      }
      let holder: { pid?: number; host?: string; since?: string } = {};
      try {
        holder = JSON.parse(text) as typeof holder;
      } catch {
        // A lock cut short as it was written: its writer died before it could hold anything.
      }
      if (holder.pid !== undefined && (holder.host !== hostname() || alive(holder.pid))) {
        throw new AnminError(`${this.file}: another anmin run is writing to it (pid ${holder.pid} on ${holder.host}, since ${holder.since}); wait for it to end or give another --out (if no anmin run is writing there, the pid belongs to another program now: remove ${this.lockFile})`);
      }
      if (takeStaleLock(this.lockFile, text, me)) return;
    }
    throw new AnminError(`${this.file}: could not take its lock ${this.lockFile}; another run keeps taking it (if none is starting there, remove ${takeoverFile(this.lockFile)})`);
  }

  /**
   * Ends the file on a newline, so appends start a line of their own: an unterminated last line that
   * is a whole record gets its newline; a torn one (a killed run) is cut off in place (no copy, so no
   * extra space), reading back from the end only as far as the last newline. Either is logged.
   */
  private repair(): void {
    if (!existsSync(this.file)) return;
    const fd = openSync(this.file, 'r+');
    try {
      const size = fstatSync(fd).size;
      const chunk = Buffer.alloc(Math.min(size, 1 << 16));
      let from = 0;
      for (let end = size; end > 0; ) {
        const start = Math.max(0, end - chunk.length);
        readSync(fd, chunk, 0, end - start, start);
        const nl = chunk.subarray(0, end - start).lastIndexOf(0x0a);
        if (nl >= 0) {
          from = start + nl + 1;
          break;
        }
        end = start;
      }
      if (from === size) return;
      const tail = Buffer.alloc(size - from);
      readSync(fd, tail, 0, tail.length, from);
      const whole = wholeRecord(tail.toString('utf8'));
      if (whole) {
        writeSync(fd, '\n', size);
        logger().warn({ store: this.file, job: whole.key }, 'the last record had no newline; added it');
      } else {
        ftruncateSync(fd, from);
        logger().warn({ store: this.file, bytes: tail.length }, 'dropped a torn last line (a write cut short); its job runs again');
      }
    } finally {
      closeSync(fd);
    }
  }

  /** A write cut short (a full disk) leaves a torn last line, which the next opening drops. */
  append(r: JobRecord): void {
    try {
      appendFileSync(this.file, encodeRecord(r) + '\n');
    } catch (e) {
      throw naming(e, this.file);
    }
  }

  /** Gives the store up to the next writer. */
  close(): void {
    process.off('exit', this.unlockOnExit);
    rmSync(this.lockFile, { force: true });
  }
}

/**
 * Replaces the stale lock `judged` (its text, as read) by `me`, unless another taker got there first.
 * Takers go one at a time, each holding `lockFile.takeover` (created exclusively) while it checks that
 * the lock still reads as judged and renames its own over it, so the lock file never goes missing: a
 * lock moved aside for a moment let a run starting then create a fresh one beside the taker's (CI,
 * session 36: two of four processes held the lock).
 */
export function takeStaleLock(lockFile: string, judged: string, me: string): boolean {
  const mutex = takeoverFile(lockFile);
  try {
    writeFileSync(mutex, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw naming(e, mutex);
  }
  try {
    let now: string;
    try {
      now = readFileSync(lockFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw naming(e, lockFile);
    }
    if (now !== judged) return false;
    writeFileAtomic(lockFile, me);
    return true;
  } finally {
    rmSync(mutex, { force: true });
  }
}

const takeoverFile = (lockFile: string) => `${lockFile}.takeover`;

/** Whether a process of this host is running (a signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Joins stores (shards, or runs on several machines) into `out`'s results.jsonl, as its one writer
 * (its lock, as a run takes it). Records already in `out` stay; a job it lacks, or holds only as a
 * failure, is added; a job it holds produced otherwise (another identity) refuses the whole merge, so
 * two experiments are never pooled under one key. The file is rewritten atomically: all or nothing.
 */
export function mergeStores(dirs: string[], out: string): { added: number; already: number; files: number; sources: string[] } {
  const files = dirs.flatMap(storeFiles);
  if (files.length === 0) throw new AnminError(`merge: no ${STORE_PREFIX}*.jsonl in ${dirs.join(', ')}`);
  const incoming = readResults(dirs).sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }));
  const store = new ResultsStore(out);
  try {
    const had = new Map(readResults([out]).map((r) => [r.key, r]));
    const added = incoming.filter((r) => {
      const h = had.get(r.key);
      if (h && identity(h) !== identity(r)) throw new AnminError(`merge: ${r.key} is in ${out} already, produced otherwise (trainer, options, data or numerics differ); merge into another --out`);
      return !h || (h.status === 'error' && r.status === 'ok');
    });
    const kept = existsSync(store.file) ? readFileSync(store.file, 'utf8') : '';
    writeFileAtomic(store.file, kept + added.map((r) => encodeRecord(r) + '\n').join(''));
    return { added: added.length, already: incoming.length - added.length, files: files.length, sources: provenanceLines(readResults([out])) };
  } finally {
    store.close();
  }
}
