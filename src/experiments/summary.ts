import type { TracePoint } from '../train/types.js';
import type { SummaryRule } from './protocol.js';
import type { FinalMetrics } from './store.js';

/**
 * The training losses a point adds to the published code's list: the frozen-pattern loss, then the
 * epoch's running loss or the network's. A trainer that records running losses lists no initial
 * full pass (the published loop appends one loss per epoch).
 */
function publishedLosses(pt: TracePoint, running: boolean): number[] {
  if (running && pt.batchMse === undefined) return [];
  return [...(pt.frozenMse !== undefined ? [pt.frozenMse] : []), pt.batchMse ?? pt.trainMse];
}

/** The smallest of the values, NaN ignored (a blown-up run can still have finite points). */
function smallest(values: number[]): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length ? Math.min(...ok) : NaN;
}

/** R² of an MSE on the same targets as a point that has both (R² = 1 − MSE/Var). */
function r2Of(mse: number | undefined, trace: TracePoint[], key: 'train' | 'test'): number | undefined {
  if (mse === undefined) return undefined;
  const ref = trace.find((p) => {
    const m = key === 'train' ? p.trainMse : p.testMse;
    const r = key === 'train' ? p.trainR2 : p.testR2;
    return m !== undefined && r !== undefined && Number.isFinite(m) && Number.isFinite(r) && r < 1;
  });
  if (!ref) return undefined;
  const variance = key === 'train' ? ref.trainMse / (1 - ref.trainR2) : ref.testMse! / (1 - ref.testR2!);
  return 1 - mse / variance;
}

/** A run's reported numbers under a summary rule (see SummaryRule). */
export function summarize(trace: TracePoint[], selected: number, rule: SummaryRule): FinalMetrics {
  if (rule === 'selected') {
    const s = trace[selected];
    return { trainMse: s.trainMse, trainR2: s.trainR2, testMse: s.testMse, testR2: s.testR2, ...(s.recovery !== undefined ? { recovery: s.recovery } : {}) };
  }
  const running = trace.some((p) => p.batchMse !== undefined);
  const losses = trace.flatMap((p) => publishedLosses(p, running));
  const tests = trace.map((p) => p.testMse).filter((v): v is number => v !== undefined);
  const trainMse = rule === 'published-min' ? smallest(losses) : losses.length ? losses[losses.length - 1] : NaN;
  const testMse = tests.length ? (rule === 'published-min' ? smallest(tests) : tests[tests.length - 1]) : undefined;
  return { trainMse, trainR2: r2Of(trainMse, trace, 'train')!, testMse, testR2: r2Of(testMse, trace, 'test') };
}
