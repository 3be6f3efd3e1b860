import { join } from 'node:path';
import { recordBase } from '../experiments/job.js';
import { EXPERIMENTS_DIR, expandJobs, loadProtocol, readJson } from '../experiments/protocol.js';
import { identity, type JobRecord } from '../experiments/store.js';
import { fmt, markdownText, meanSd, publishedMeanSd } from './render.js';
import { bootstrapMeanInterval, hasFarOut, pairedTTest, splitsNeeded, summarize } from './stats.js';
import { metricValues, paired, type Metric, type ResultGrid } from './results.js';

export type Status = 'pass' | 'fail' | 'not enough splits' | 'known deviation';

export interface CheckRow {
  status: Status;
  check: string;
  /** The test that decided the row. */
  test: 'normal mean' | 'bootstrap mean' | 'paired t' | 'share of runs';
  ours: string;
  paper: string;
  detail: string;
  /** The row's numbers as numbers (check --json): our mean, sd and n, the paper's, the test's statistic. */
  numbers: Record<string, number>;
  /** The experiment and dataset it is about (the verdict table's row); set by the experiment's module. */
  experiment?: string;
  dataset?: string;
}

/** A check about one dataset of an experiment's, for the verdict table. */
export const about = (dataset: string, row: CheckRow): CheckRow => ({ ...row, dataset });

/** How far our mean may sit from the published one: z standard errors of the difference of two means. */
const Z = 3;
const PUBLISHED_SPLITS = 100;
const ALPHA = 0.01;

/** Share of runs a claim needs for "the method does this" (and the fewest runs that can show it). */
const MOST_RUNS = 0.9;
const MIN_RUNS = 10;

/** Splits a bootstrap of a mean needs before its extreme quantiles mean anything. */
const BOOTSTRAP_MIN_SPLITS = 20;

/** Two-sided coverage of the tolerance: ±Z standard errors of a normal mean. */
const COVERAGE = 0.9973;

/**
 * A normal-mean check tells nothing when its tolerance is wider than this share of the paper's mean: at
 * 5 splits of a noisy cell it accepts anything from half to twice the paper's number. Such a "pass" is
 * reported as too few splits, with the splits that would narrow it to this share — or the paper's own
 * number of splits, past which more of ours cannot make the comparison sharper than the paper allows.
 */
const POWER_SHARE = 0.1;

/**
 * Our mean over n splits against the published mean over 100 splits, if both came from the published
 * distribution: the difference has standard error sd·√(1/n + 1/100). A sample with far-out values
 * (a method's rare blow-ups) gets a percentile bootstrap of our mean instead, whose interval follows the
 * skew a normal tolerance ignores, widened by Z published standard errors for the paper's own noise.
 */
export function cellCheck(what: string, values: number[], pub: [number, number]): CheckRow {
  const s = summarize(values);
  const ours = `${meanSd(s.mean, s.sd, s.n)}, n=${s.n}`;
  const paper = publishedMeanSd(pub[0], pub[1]);
  const pubSe = Z * pub[1] / Math.sqrt(PUBLISHED_SPLITS);
  const numbers = { mean: s.mean, sd: s.sd, n: s.n, paperMean: pub[0], paperSd: pub[1] };
  // With few splits the bootstrap's extreme quantiles are the extreme values themselves (and quartiles
  // call a tight cluster's neighbours far out): below BOOTSTRAP_MIN_SPLITS the normal tolerance, wide
  // at small n, decides.
  if (s.n >= BOOTSTRAP_MIN_SPLITS && hasFarOut(values)) {
    const [lo, hi] = bootstrapMeanInterval(values, COVERAGE);
    const ok = pub[0] >= lo - pubSe && pub[0] <= hi + pubSe;
    return { status: ok ? 'pass' : 'fail', check: what, test: 'bootstrap mean', ours, paper, detail: `far-out values: paper's mean ${ok ? 'within' : 'outside'} our ${(COVERAGE * 100).toFixed(2)}% bootstrap interval [${fmt(lo, 4)}, ${fmt(hi, 4)}] ± ${Z}·sd/√${PUBLISHED_SPLITS} = ${fmt(pubSe, 3)}`, numbers: { ...numbers, intervalLow: lo - pubSe, intervalHigh: hi + pubSe } };
  }
  const tol = Z * pub[1] * Math.sqrt(1 / s.n + 1 / PUBLISHED_SPLITS);
  const diff = s.mean - pub[0];
  const detail = `|diff| ${fmt(Math.abs(diff), 3)} ${Math.abs(diff) <= tol ? '≤' : '>'} ${Z}·sd·√(1/${s.n}+1/${PUBLISHED_SPLITS}) = ${fmt(tol, 3)}`;
  const row = { check: what, test: 'normal mean' as const, ours, paper, numbers: { ...numbers, diff, tolerance: tol } };
  if (Math.abs(diff) > tol) return { ...row, status: 'fail', detail };
  const wanted = POWER_SHARE * Math.abs(pub[0]);
  if (tol <= wanted || s.n >= PUBLISHED_SPLITS) return { ...row, status: 'pass', detail };
  // Splits n with Z·sd·√(1/n + 1/100) ≤ wanted, at most the paper's own.
  const room = (wanted / (Z * pub[1])) ** 2 - 1 / PUBLISHED_SPLITS;
  const need = room > 0 ? Math.min(Math.ceil(1 / room), PUBLISHED_SPLITS) : PUBLISHED_SPLITS;
  const more = need < PUBLISHED_SPLITS ? `about ${need} splits narrow it to ${POWER_SHARE * 100}%` : `it takes the paper's own ${PUBLISHED_SPLITS} splits to compare as closely as its spread allows`;
  return { ...row, status: 'not enough splits', detail: `${detail}, but that accepts anything within ${fmt((100 * tol) / Math.abs(pub[0]), 2)}% of the paper's mean; ${more}`, numbers: { ...row.numbers, splitsNeeded: need } };
}

function pairNumbers(x: number[], y: number[], t: { t: number; p: number; meanDiff: number }): Record<string, number> {
  return { mean: summarize(x).mean, referenceMean: summarize(y).mean, n: x.length, meanDiff: t.meanDiff, t: t.t, p: t.p };
}

/** "a is significantly lower than b": pass at p < 0.01, fail if b is significantly lower, else undecided. */
export function lowerClaim(what: string, a: Map<number, number>, b: Map<number, number>): CheckRow {
  const [x, y] = paired(a, b);
  const t = pairedTTest(x, y);
  const ours = `${fmt(summarize(x).mean)} vs ${fmt(summarize(y).mean)}, n=${x.length}`;
  const numbers = pairNumbers(x, y, t);
  if (t.p < ALPHA) {
    return { status: t.meanDiff < 0 ? 'pass' : 'fail', check: what, test: 'paired t', ours, paper: 'claimed', detail: `paired t = ${fmt(t.t, 3)}, p = ${fmt(t.p, 2)}`, numbers };
  }
  const need = x.length > 1 ? splitsNeeded(t.meanDiff, t.sdDiff) : Infinity;
  numbers.splitsNeeded = need;
  const lean = t.meanDiff < 0 ? 'leans as claimed' : 'leans the other way';
  const more = Number.isFinite(need) ? `; p < ${ALPHA} needs about ${need} splits at this effect size` : '';
  return { status: 'not enough splits', check: what, test: 'paired t', ours, paper: 'claimed', detail: `p = ${fmt(t.p, 2)} (${lean})${more}`, numbers };
}

/** "subject is not significantly below reference": fails only on a significant difference that way. */
export function notBelowClaim(what: string, subject: Map<number, number>, reference: Map<number, number>): CheckRow {
  const [x, y] = paired(subject, reference);
  const t = pairedTTest(x, y);
  const ours = `${fmt(summarize(x).mean)} vs ${fmt(summarize(y).mean)}, n=${x.length}`;
  // A paired test needs two pairs; with fewer nothing is decided either way.
  const numbers = pairNumbers(x, y, t);
  if (x.length < 2) return { status: 'not enough splits', check: what, test: 'paired t', ours, paper: 'claimed', detail: `${x.length} common split(s); a paired t-test needs 2`, numbers };
  const below = t.p < ALPHA && t.meanDiff < 0;
  return { status: below ? 'fail' : 'pass', check: what, test: 'paired t', ours, paper: 'claimed', detail: `paired t = ${fmt(t.t, 3)}, p = ${fmt(t.p, 2)}`, numbers };
}

/**
 * "The method does this": each run scores 1 or 0 (undefined: the run cannot say); the claim passes when
 * at least MOST_RUNS of the runs do it, and needs MIN_RUNS runs to be decided.
 */
export function shareClaim(what: string, runs: Map<number, JobRecord> | undefined, does: (r: JobRecord) => boolean | undefined, describe: string): CheckRow | undefined {
  if (!runs) return undefined;
  const scores = [...runs.values()].map(does).filter((v): v is boolean => v !== undefined);
  const yes = scores.filter(Boolean).length;
  const ours = `${yes} of ${scores.length} runs`;
  const detail = `${describe}; needs ≥ ${Math.round(MOST_RUNS * 100)}% of runs`;
  const numbers = { runs: scores.length, yes, share: scores.length ? yes / scores.length : NaN };
  if (scores.length < MIN_RUNS) return { status: 'not enough splits', check: what, test: 'share of runs', ours, paper: 'claimed', detail: `${detail} and ≥ ${MIN_RUNS} runs`, numbers: { ...numbers, splitsNeeded: MIN_RUNS } };
  return { status: yes >= MOST_RUNS * scores.length ? 'pass' : 'fail', check: what, test: 'share of runs', ours, paper: 'claimed', detail, numbers };
}

/** The check as table rows under a header, `|` escaped so the rows read as one Markdown table. */
export function checkTable(rows: CheckRow[]): string[][] {
  const cells = (r: CheckRow) => [r.status, r.check, r.test, r.ours, r.paper, r.detail].map((v) => markdownText(v).replace(/\|/g, '\\|'));
  return [['status', 'check', 'test', 'ours', 'paper', 'detail'], ...rows.map(cells)];
}

/** The verdicts counted: "N pass, N fail, N known deviations, N not enough splits". */
export function checkCounts(rows: CheckRow[]): string {
  const count = (s: Status) => rows.filter((r) => r.status === s).length;
  return `${count('pass')} pass, ${count('fail')} fail, ${count('known deviation')} known deviations, ${count('not enough splits')} not enough splits`;
}

/** Checks that fail for a documented reason (experiments/known-deviations.json): name → why. */
export function loadKnownDeviations(): Record<string, string> {
  return readJson<{ deviations: Record<string, string> }>(join(EXPERIMENTS_DIR(), 'known-deviations.json')).deviations;
}

/**
 * The known deviations applied: a failure listed there is reported as such, with its reason; a listed
 * check that passes says so, so the list can shrink.
 */
export function withKnown(rows: CheckRow[], known: Record<string, string>): CheckRow[] {
  return rows.map((r) => {
    const why = known[r.check];
    if (why === undefined) return r;
    if (r.status === 'fail') return { ...r, status: 'known deviation', detail: `${r.detail}; known: ${why}` };
    return { ...r, detail: `${r.detail}; listed as a known deviation but ${r.status === 'pass' ? 'passes' : 'undecided'} now` };
  });
}

/**
 * The records run as a shipped protocol says (its file in experiments/, by content: trainer, options,
 * data and inputs of the job the record's key names), and the others. A name alone proves nothing: a
 * store of a user's protocol named as a shipped one, or of one trainer under another method's name, must
 * not pass for the paper's.
 * The code's numerics may differ: the paper's numbers are the reference for every version.
 */
export function asShipped(records: JobRecord[], shipped: string[]): { kept: JobRecord[]; leftOut: JobRecord[] } {
  const expected = new Map<string, JobRecord | undefined>();
  const expectedOf = (r: JobRecord): JobRecord | undefined => {
    const at = `${r.experiment}/${r.dataset}/${r.method}`;
    if (!expected.has(at)) {
      let job: JobRecord | undefined;
      try {
        const p = shipped.includes(r.experiment) ? loadProtocol(r.experiment) : undefined;
        const j = p && expandJobs(p, { datasets: [r.dataset], methods: [r.method], splits: [0] }).find((j) => j.dataset === r.dataset && j.method === r.method);
        job = j && ({ ...recordBase(j), status: 'ok', finishedAt: '' } as JobRecord);
      } catch {
        // Not a job of the shipped protocol (an unknown data set or method, a rate not tuned here).
      }
      expected.set(at, job);
    }
    return expected.get(at);
  };
  const kept: JobRecord[] = [];
  const leftOut: JobRecord[] = [];
  for (const r of records) {
    const want = expectedOf(r);
    (want && identity({ ...want, numerics: r.numerics }) === identity(r) ? kept : leftOut).push(r);
  }
  return { kept, leftOut };
}

/** What a check left out, in words (empty when it kept every record). */
export function leftOutNote(leftOut: JobRecord[], kept: number): string {
  return leftOut.length ? `compared only the ${kept} records run as the shipped protocols say; left out ${leftOut.length} run otherwise (another trainer, options, data or inputs than experiments/, e.g. ${leftOut[0].key})` : '';
}

/**
 * Every cell of the grid with a published mean (sd), per metric: our values over splits against it,
 * each check named by `name`.
 */
export function publishedCells<M extends Metric>(g: ResultGrid, metrics: readonly M[], published: (metric: M, dataset: string, method: string) => [number, number] | undefined, name: (metric: M, dataset: string, method: string) => string): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const metric of metrics) {
    for (const d of g.datasets) {
      for (const m of g.methods) {
        const v = metricValues(g.runs(d, m), metric);
        const p = published(metric, d, m);
        if (v && p) rows.push(about(d, cellCheck(name(metric, d, m), [...v.values()], p)));
      }
    }
  }
  return rows;
}

/** One line of the verdict table: an experiment's dataset, what its checks say together, and why. */
export interface Verdict {
  experiment: string;
  dataset: string;
  verdict: 'reproduced' | 'deviates' | 'deviates (known)' | 'too few runs to tell';
  /** The checks behind it, counted by status, and for "too few runs" the splits the most demanding one needs. */
  why: string;
}

/**
 * The checks per experiment and dataset, as a reader wants them first: reproduced when every check
 * passed with the power to fail; deviates when one failed (known when each failure is a listed
 * deviation, whose reasons the page gives); too few runs to tell when nothing failed but a check could
 * not decide. Never "reproduced" on a test that could not have failed.
 */
export function verdicts(rows: CheckRow[]): Verdict[] {
  const groups = new Map<string, CheckRow[]>();
  for (const r of rows) {
    const k = `${r.experiment ?? ''}\u0000${r.dataset ?? '(all)'}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups].map(([k, rs]) => {
    const [experiment, dataset] = k.split('\u0000');
    const count = (st: Status) => rs.filter((r) => r.status === st).length;
    const counts = (['pass', 'fail', 'known deviation', 'not enough splits'] as const).filter((st) => count(st)).map((st) => `${count(st)} ${st}`).join(', ');
    if (count('fail')) return { experiment, dataset, verdict: 'deviates', why: `${counts}: ${rs.filter((r) => r.status === 'fail').map((r) => r.check).join('; ')}` };
    if (count('known deviation')) return { experiment, dataset, verdict: 'deviates (known)', why: `${counts}; the reasons: Known deviations` };
    if (count('not enough splits')) {
      const need = Math.max(...rs.map((r) => r.numbers.splitsNeeded ?? 0));
      return { experiment, dataset, verdict: 'too few runs to tell', why: `${counts}; ${Number.isFinite(need) && need > 0 ? `about ${need} splits would decide them all` : 'more splits would not decide every one (an effect too small to tell)'}` };
    }
    return { experiment, dataset, verdict: 'reproduced', why: counts };
  });
}

/** The verdict table's rows under a header, for Markdown and the terminal. */
export function verdictTable(vs: Verdict[]): string[][] {
  return [['experiment', 'dataset', 'verdict', 'checks'], ...vs.map((v) => [v.experiment, v.dataset, v.verdict, v.why].map((c) => markdownText(c).replace(/\|/g, '\\|')))];
}
