import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Prepared } from '../src/data/split.js';
import type { Network } from '../src/model/types.js';
import type { JobRecord } from '../src/experiments/store.js';
import { packageRoot } from '../src/util/fsx.js';

export const ROOT = packageRoot();

/** The command line in a child process, its progress bars off (their frames would mix into stderr). */
export const anmin = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'anmin.js'), ...args], { encoding: 'utf8', env: { ...process.env, ANMIN_PROGRESS: '0' } });

/** The dataset mirror the tests read real files from: $ANMIN_MIRROR, else ../shared/data. */
export const MIRROR = process.env.ANMIN_MIRROR ? resolve(process.env.ANMIN_MIRROR) : resolve(ROOT, '..', 'shared', 'data');
export const HAVE_MIRROR = existsSync(join(MIRROR, 'abalone', 'abalone.data'));
export const NO_MIRROR = HAVE_MIRROR ? false : `no dataset mirror at ${MIRROR} (set ANMIN_MIRROR)`;

const made: string[] = [];
// Each test file runs in its own process: what it made in the temp folder goes when it exits.
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder in the system's temp folder, removed when the test process exits. */
export function tempDir(label = 'anmin-test'): string {
  const d = mkdtempSync(join(tmpdir(), `${label}-`));
  made.push(d);
  return d;
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', name), 'utf8')) as T;
}

/** Deterministic pseudo-random numbers for building test problems. */
export function randn(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

/** A network of random weights (p inputs with the ones column, h hidden, c outputs, slope alpha). */
export function randomNetwork(p: number, h: number, c: number, alpha: number, seed: number): Network {
  return { p, h, c, alpha, A: randn(p * h, seed), B: randn(h * c, seed + 7), b0: randn(c, seed + 9) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** A successful job record with the key's fields, for report and store tests. */
export function record(key: string, over: Partial<JobRecord> = {}): JobRecord {
  const [experiment, dataset, method, split] = key.split('/');
  return {
    key, experiment, dataset, method, split: Number(split), seed: Number(split), status: 'ok', seconds: 1,
    selected: 0, final: { trainMse: 1, trainR2: 0.5 }, trace: { iteration: [0], seconds: [1], trainMse: [1], trainR2: [0.5] }, options: {}, version: 'test', finishedAt: 'now', ...over,
  };
}

/** A regression problem of n rows: d standard normal inputs after a ones column, c normal targets. */
export function problem(n: number, d: number, c: number, seed: number): Prepared {
  const p = d + 1;
  const x = randn(n * p, seed);
  for (let i = 0; i < n; i++) x[i * p] = 1;
  return { n, p, c, x, y: randn(n * c, seed + 1) };
}
