import { AnminError, USAGE } from '../util/errors.js';

/**
 * Which splits and which slice of the jobs a run does, as flags and schedulers spell them. Kept apart
 * from the protocol loader so that parsing a flag does not load the schema compiler.
 */

/** At most this many splits (runs) per run, protocol or preset: far past any paper, far below a typo's 1e10. */
export const MAX_SPLITS = 100_000;

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** `0..99`, `0,3,7` or a mix (`0..4,10`). */
export function parseSplits(spec: string, flag = '--splits'): number[] {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new AnminError(`${flag}: expected e.g. 0..99 or 0,3,7, got "${spec}"`, USAGE);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new AnminError(`${flag}: empty range "${part.trim()}"`, USAGE);
    // A split is a seed (RandomState takes 32 bits), and a run of more than MAX_SPLITS is a typo.
    if (b > 0xffffffff) throw new AnminError(`${flag}: split ${b} is past the largest seed, 4294967295`, USAGE);
    if (b - a + 1 + out.size > MAX_SPLITS) throw new AnminError(`${flag}: more than ${MAX_SPLITS} splits in "${spec}"`, USAGE);
    for (const k of range(a, b)) out.add(k);
  }
  return [...out].sort((x, y) => x - y);
}

export interface Shard {
  index: number;
  count: number;
}

/** `K/N` with 0 ≤ K < N. */
export function parseShard(spec: string, flag = '--shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new AnminError(`${flag}: expected K/N with 0 ≤ K < N, got "${spec}"`, USAGE);
  return { index, count };
}

/**
 * The shard from a cluster scheduler's environment: a Slurm array (SLURM_ARRAY_TASK_ID relative to
 * SLURM_ARRAY_TASK_MIN, out of SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX, out of ANMIN_SHARDS, since Kubernetes does not export the completion count).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const k = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    return parseShard(`${k}/${env.SLURM_ARRAY_TASK_COUNT}`, 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.ANMIN_SHARDS === undefined) throw new AnminError('JOB_COMPLETION_INDEX is set but ANMIN_SHARDS (the number of completions) is not');
    return parseShard(`${env.JOB_COMPLETION_INDEX}/${env.ANMIN_SHARDS}`, 'JOB_COMPLETION_INDEX/ANMIN_SHARDS');
  }
  return undefined;
}

