import { availableParallelism } from 'node:os';
import type { Dataset } from '../data/dataset.js';
import { splitIndices, type SplitIndices } from '../data/split.js';
import { AUTO, autoMethod, autoSettings } from '../estimator/auto.js';
import { Regressor } from '../estimator/estimator.js';
import { REFINED_METHODS, type Refiner } from '../estimator/validation.js';
import { TRAINERS } from '../train/registry.js';
import { AnminError, USAGE } from '../util/errors.js';
import { MLP_PEERS, PEERS, runPeers, type CompareRecord, type PeerJob } from './peers.js';
import { copyRows } from '../util/rows.js';
import { gradientWidth } from '../model/sparse-rows.js';

/**
 * A regression table as `anmin compare` takes it: the paper's Dataset, or a user's CSV in the same
 * shape; `indicators`: the input columns that one-hot encode a column of words (`--categorical`).
 */
export type CompareData = Pick<Dataset, 'name' | 'n' | 'd' | 'c' | 'x' | 'y' | 'fixedSplit'> & { indicators?: readonly number[] };

export type { CompareRecord } from './peers.js';

/** `anmin train`'s default (auto) first, the hybrid it most often picks, then ANMIN alone and the gradient methods, then the peers. */
export const DEFAULT_METHODS: readonly string[] = [AUTO, 'anmin+lbfgs', 'anmin', 'anmin-l', 'adam', 'lbfgs', ...PEERS];

/**
 * A trainer the estimator knows, with `-l` for the leaky slope α = 0.1 as the CLI spells its methods,
 * and `anmin+adam` (…+lbfgs, …+sgd, `adam+lbfgs`) for a trainer refined by a gradient method from its
 * network (REFINED_METHODS), as `anmin train --method` takes them.
 */
function ownMethod(name: string): { trainer: string; alpha?: number; refine?: Refiner } | undefined {
  if (TRAINERS[name]) return { trainer: name };
  const leaky = /^(.+)-l$/.exec(name)?.[1];
  if (leaky && TRAINERS[leaky] && 'alpha' in TRAINERS[leaky].defaults) return { trainer: leaky, alpha: 0.1 };
  return Object.hasOwn(REFINED_METHODS, name) ? REFINED_METHODS[name] : undefined;
}

/** One of anmin's methods (auto too), not a peer's. */
const isOwn = (name: string) => name === AUTO || ownMethod(name) !== undefined;

function knownMethods(): string[] {
  const own = Object.keys(TRAINERS).flatMap((t) => ('alpha' in TRAINERS[t].defaults ? [t, `${t}-l`] : [t]));
  return [AUTO, ...own, ...Object.keys(REFINED_METHODS), ...PEERS];
}

/** The methods as named (any case), refused at once with the known names when one is not known or named twice. */
export function checkMethods(names: readonly string[], flag = '--methods'): string[] {
  const out = names.map((m) => m.toLowerCase());
  const unknown = out.find((m) => !isOwn(m) && !(PEERS as readonly string[]).includes(m));
  if (unknown) throw new AnminError(`${flag}: unknown method "${unknown}" (known: ${knownMethods().join(', ')})`, USAGE);
  const twice = out.find((m, i) => out.indexOf(m) !== i);
  if (twice) throw new AnminError(`${flag}: "${twice}" is named twice`, USAGE);
  return out;
}

function rows(src: Float64Array, width: number, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length * width);
  copyRows(out, src, width, idx, 0, idx.length);
  return out;
}

function targetSum(data: CompareData, test: Int32Array): number {
  let s = 0;
  for (const i of test) for (let k = 0; k < data.c; k++) s += data.y[i * data.c + k];
  return s;
}

/**
 * The indicator columns no training row of the split sets: categories its models never see, so their
 * test rows get an all-zero code for them, as `predict` codes a category a model was not trained on
 * (the file's every value has a column, so without this a test-only category would reach the model
 * as an input it had only ever seen at zero).
 */
export function unseenIndicators(data: CompareData, train: Int32Array): number[] {
  return (data.indicators ?? []).filter((j) => !train.some((i) => data.x[i * data.d + j] !== 0));
}

/** A split's rows and the indicator columns its test rows zero (unseenIndicators), drawn once for every method. */
type Drawn = SplitIndices & { unseen: number[] };

/** Split k as the paper draws it (scikit-learn's train_test_split, test_size 0.2, random_state k). */
export function compareSplit(data: CompareData, k: number): SplitIndices {
  return data.fixedSplit ?? splitIndices(data.n, k, 0.2);
}

/** What auto adds to the method it chose (autoSettings). */
type Extra = ReturnType<typeof autoSettings>;

function regressor(method: string, seed: number, iterations?: number, extra: Extra = {}): Regressor {
  const own = ownMethod(method)!;
  const t = TRAINERS[own.trainer];
  // As `anmin train` runs by default: every core for a trainer that takes threads.
  return new Regressor(own.trainer, {
    ...(own.alpha !== undefined ? { alpha: own.alpha } : {}),
    ...(own.refine ? { refine: own.refine } : {}),
    ...('threads' in t.defaults ? { threads: availableParallelism() } : {}),
    ...(iterations !== undefined && 'iterations' in t.defaults ? { iterations } : {}),
    ...extra,
    seed,
  });
}

/** Rows `idx` of the data as a fit takes them: inputs and targets, each row-major with its shape. */
function part(data: CompareData, idx: Int32Array): { X: { data: Float64Array; shape: [number, number] }; y: { data: Float64Array; shape: [number, number] } } {
  return { X: { data: rows(data.x, data.d, idx), shape: [idx.length, data.d] }, y: { data: rows(data.y, data.c, idx), shape: [idx.length, data.c] } };
}

/**
 * One method of anmin's own on one split: `new Regressor(...).fit` on the training rows (it standardizes
 * them itself) timed by the wall clock, as the peers' fit is, then both MSEs from evaluate.
 */
function fitOwn(data: CompareData, method: string, k: number, split: Drawn, extra?: Extra): CompareRecord {
  const { X, y } = part(data, split.train);
  const { X: tX, y: ty } = part(data, split.test);
  for (const j of split.unseen) for (let r = 0; r < split.test.length; r++) tX.data[r * data.d + j] = 0;
  const model = regressor(method, k, undefined, extra);
  const t0 = performance.now();
  model.fit(X, y);
  const seconds = (performance.now() - t0) / 1000;
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    method,
    split: k,
    test_mse: finite(model.evaluate(tX, ty).mse),
    train_mse: finite(model.evaluate(X, y).mse),
    seconds,
    train_rows: split.train.length,
    test_rows: split.test.length,
    test_target_sum: targetSum(data, split.test),
    ...(model.validation?.linear?.chosen ? { linear: true as const } : {}),
  };
}

/**
 * A short fit before the clock, as a benchmark harness warms up: one iteration on split 0's training
 * rows, so the kernels, the helper threads and the code paths of that shape (the direct solve's
 * factorization on two threads, the λ search, the refinement) are compiled and started, and split 0
 * is not charged for what a loaded library has done already. On 256 rows (a smaller system, solved
 * another way) it left split 0 of Friedman #1 on 1,030 rows × 8 inputs at 0.86 s against 0.44–0.59
 * for the others.
 */
function warmUp(data: CompareData, method: string, split: Drawn, extra?: Extra): void {
  const { X, y } = part(data, split.train);
  regressor(method, 0, 1, extra).fit(X, y);
}

export interface CompareRun {
  records: CompareRecord[];
  /** The scikit-learn version the peers ran with. */
  sklearn?: string;
  /** Why the peers did not run (python or scikit-learn missing), with the install line. */
  skipped?: string;
}

/**
 * Every method over splits 0…K−1, one fit at a time so each is timed alone: split k draws the rows and
 * seeds the method. The peers run in one Python process given the same rows by index; their echo of
 * each split's test rows is checked against ours before their numbers are kept.
 */
export async function compare(data: CompareData, methods: readonly string[], splits: number, done: (r: CompareRecord) => void): Promise<CompareRun> {
  const own = methods.filter((m) => ownMethod(m));
  const peers = methods.filter((m) => !isOwn(m));
  const drawn: Drawn[] = Array.from({ length: splits }, (_, k) => {
    const s = compareSplit(data, k);
    return { ...s, unseen: unseenIndicators(data, s.train) };
  });
  const records: CompareRecord[] = [];
  const keep = (r: CompareRecord) => {
    records.push(r);
    done(r);
  };
  for (const m of own) {
    warmUp(data, m, drawn[0]);
    for (let k = 0; k < splits; k++) keep(fitOwn(data, m, k, drawn[k]));
  }
  // auto is the method it chooses for the split's rows, with the same seed and what auto adds to it
  // (autoSettings: the linear fit at least), so a fit of its own.
  if (methods.includes(AUTO)) {
    for (let k = 0; k < splits; k++) {
      const pick = autoMethod(drawn[k].train.length, data.d, data.c, undefined, undefined, gradientWidth(data.x, data.d, drawn[k].train));
      const chose = pick.method;
      const extra = autoSettings(pick);
      if (k === 0) warmUp(data, chose, drawn[0], extra);
      keep({ ...fitOwn(data, chose, k, drawn[k], extra), method: AUTO, chose: pick.challenger ? `${chose} raced by ${pick.challenger}` : pick.refineAfter ? `${chose} from epoch ${pick.refineAfter}` : chose });
    }
  }
  if (!peers.length) return { records };
  const job: PeerJob = { ...data, methods: peers, splits: drawn.map((s, k) => ({ split: k, ...s })) };
  const run = await runPeers(job, (r) => {
    const s = drawn[r.split];
    if (!s || r.test_rows !== s.test.length || r.test_target_sum !== targetSum(data, s.test)) {
      throw new Error(`scikit-learn peer ${r.method} split ${r.split}: its test rows (${r.test_rows}, Σy ${r.test_target_sum}) are not the split's (${s?.test.length}, Σy ${s ? targetSum(data, s.test) : '?'})`);
    }
    records.push(r);
    done(r);
  });
  return { records, ...run };
}

/** Mean of a method's finite values of one field, NaN when it has none. */
function meanOf(records: readonly CompareRecord[], method: string, field: 'test_mse' | 'seconds'): number {
  const vs = records.filter((r) => r.method === method && typeof r[field] === 'number').map((r) => r[field] as number);
  return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : NaN;
}

/**
 * Each of anmin's methods against the better MLPRegressor(64) peer (lower mean test MSE), as issue 27
 * sets the bar: a test MSE at most 2% above that peer's, in at most half its seconds (or at most half a
 * second, on data that small). Undefined when no MLP peer ran.
 */
export function againstMlp(records: readonly CompareRecord[], methods: readonly string[]): string | undefined {
  const mlp = MLP_PEERS.filter((m) => Number.isFinite(meanOf(records, m, 'test_mse'))).sort((a, b) => meanOf(records, a, 'test_mse') - meanOf(records, b, 'test_mse'))[0];
  const own = methods.filter(isOwn);
  if (!mlp || !own.length) return undefined;
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
  const each = own.map((m) => {
    const mse = meanOf(records, m, 'test_mse') / meanOf(records, mlp, 'test_mse');
    const seconds = meanOf(records, m, 'seconds');
    const secs = seconds / meanOf(records, mlp, 'seconds');
    // Every split has as many training rows, so auto chose one method for all.
    const chose = m === AUTO ? records.find((r) => r.method === AUTO)?.chose : undefined;
    const linear = records.filter((r) => r.method === m && r.linear).length;
    const kept = linear ? `; the linear fit on ${linear} of ${records.filter((r) => r.method === m).length} splits` : '';
    return `${m}${chose ? ` (${chose}${kept})` : ''} ${pct(mse)} of its test MSE in ${pct(secs)} of its seconds (${mse <= 1.02 && (secs <= 0.5 || seconds <= 0.5) ? 'meets' : 'misses'} the bar)`;
  });
  return `against the better MLPRegressor(64), ${mlp} (the bar: test MSE within 2% or below, in at most half its seconds or half a second): ${each.join('; ')}`;
}
