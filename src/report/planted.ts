import type { JobRecord } from '../experiments/store.js';
import { points } from '../experiments/store.js';

/** A run recovered the planted network when its recovery error (see recoveryError) is at most this. */
export const RECOVERED = 0.05;

/** Share of runs a claim needs for "the method does this" (and the fewest runs that can show it). */
export const MOST_RUNS = 0.9;
export const MIN_RUNS = 10;

/** 1 when the run's returned network recovered the truth, else 0 (runs without a recovery are left out). */
export function recovered(r: JobRecord): number | undefined {
  const v = r.final?.recovery;
  return typeof v === 'number' ? (v <= RECOVERED ? 1 : 0) : undefined;
}

/**
 * A linear rate: the largest ratio of successive recovery errors while the error is still above
 * three times where the run ends (its noise floor); below 1 means every such step contracted.
 * Undefined when the run starts at its floor already.
 */
export function worstContraction(r: JobRecord): number | undefined {
  const rec = points(r.trace ?? {}).map((p) => p.recovery).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (rec.length < 2) return undefined;
  const floor = rec[rec.length - 1];
  let worst: number | undefined;
  for (let t = 0; t + 1 < rec.length && rec[t] > 3 * floor; t++) worst = Math.max(worst ?? 0, rec[t + 1] / rec[t]);
  return worst;
}

/** The returned model's training MSE as a fraction of the initial model's. */
export function trainingLossDrop(r: JobRecord): number | undefined {
  const first = r.trace?.trainMse?.[0];
  const last = r.final?.trainMse;
  return typeof first === 'number' && typeof last === 'number' && first > 0 ? last / first : undefined;
}
