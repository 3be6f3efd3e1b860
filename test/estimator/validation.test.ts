import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { planted } from '../../src/data/generate.js';
import { RandomState } from '../../src/data/rng.js';
import { splitIndices } from '../../src/data/split.js';
import { Adam, Anmin, Lbfgs, Regressor, SECOND_MARGIN, Sgd } from '../../src/estimator/estimator.js';
import { MODEL_FORMAT_VERSION } from '../../src/estimator/model-file.js';
import { ADAM_RESTARTS, BORNE_OUT, LEAST_GAIN, defaultRestarts, descend, FEW_VALIDATION_ROWS, fitRows, HANDOFF_ITERATIONS, minibatchPatience, cutGain, PATIENCE, PLATEAU, PLENTY_LAMBDA, racesRate, RATE_RACE, REFINE_PATIENCE, REFINE_START, restartSeed, SMALL_FIT_WORK, sizeWarning, VALIDATION_LAMBDAS, validationSeed, validationWarning } from '../../src/estimator/validation.js';
import { evaluate } from '../../src/model/network.js';
import { adam } from '../../src/train/adam.js';
import { anmin, ANMIN_DEFAULTS } from '../../src/train/anmin.js';
import { lbfgs } from '../../src/train/lbfgs.js';
import { gainEvidence, pairedT, RIVAL_POINTS, signStatistic } from '../../src/train/trace.js';
import type { GainRule, Trainer, TrainData } from '../../src/train/types.js';
import { problem } from '../helpers.js';

const D = 3;
/** A noisy planted problem whose first input column is the row's index: every row is recognisable after standardization. */
function rows(n: number, seed: number) {
  const p = planted({ d: D, k: 4, n, sigma: 0.3, seed });
  for (let i = 0; i < n; i++) p.x[i * D] = i;
  return { X: { data: p.x, shape: [n, D] as [number, number] }, y: Array.from(p.y) };
}

/** ANMIN under another object, keeping every TrainData it is handed. */
function spy(): { trainer: Trainer<object>; calls: TrainData[] } {
  const calls: TrainData[] = [];
  const trainer = { ...anmin, train: (data: TrainData, o: object, s?: never) => (calls.push(data), anmin.train(data, o as never, s)) } as Trainer<object>;
  return { trainer, calls };
}

/** The original row indices of a prepared part, read back from its first input column. */
const indexOf = (d: TrainData['train'], mean: number, sd: number) => Array.from({ length: d.n }, (_, r) => Math.round(d.x[r * d.p + 1] * sd + mean));

test('validation rows are the seed\'s validation stream of the fit\'s rows and never enter a training run; the refit has every row', () => {
  const n = 200;
  const { X, y } = rows(n, 3);
  const { trainer, calls } = spy();
  const model = new Regressor(trainer, { hidden: 6, iterations: 6, validationFraction: 0.25, lambdas: [1e-3, 1e-1], refit: true, seed: 5 }).fit(X, y);
  const expected = splitIndices(n, validationSeed(5), 0.25);
  const searches = calls.filter((c) => c.validation);
  assert.equal(searches.length, 2, 'one run for each λ');
  // The standardization of the search: the index column's mean and sd over the fit rows alone.
  const fit = Array.from(expected.train);
  const mean = fit.reduce((a, b) => a + b, 0) / fit.length;
  const sd = Math.sqrt(fit.reduce((a, b) => a + (b - mean) ** 2, 0) / (fit.length - 1));
  for (const c of searches) {
    assert.deepEqual(indexOf(c.train, mean, sd), fit);
    assert.deepEqual(indexOf(c.validation!, mean, sd), Array.from(expected.test));
  }
  const refit = calls.at(-1)!;
  assert.equal(refit.validation, undefined);
  assert.equal(refit.train.n, n);
  const file = model.toJSON();
  assert.equal(file.validation?.rows, expected.test.length);
  assert.equal(file.validation?.seed, validationSeed(5));
  assert.equal(file.validation?.refit, true);
  assert.equal(file.training.rows, n);
});

test('validation rows only select: ANMIN\'s iterates are the same with and without them', () => {
  const train = problem(150, 3, 1, 1);
  const validation = problem(60, 3, 1, 2);
  const o = { hidden: 5, iterations: 8, seed: 0 };
  const plain = anmin.train({ train }, o);
  const watched = anmin.train({ train, validation }, o);
  assert.deepEqual(watched.trace.map((p) => p.trainMse), plain.trace.map((p) => p.trainMse));
  const v = watched.trace.map((p) => p.validationMse!);
  assert.equal(watched.selected, v.indexOf(Math.min(...v)));
});

test('early stopping: each method stops once its selected iterate has not changed for `patience` points', () => {
  const train = problem(300, 3, 1, 4);
  const validation = problem(100, 3, 1, 5);
  const runs = [
    anmin.train({ train, validation, patience: 2 }, { hidden: 40, iterations: 60, seed: 0, lambda: 0 }),
    adam.train({ train, validation, patience: 3 }, { hidden: 16, iterations: 400, lr: 0.05, seed: 0 }),
  ];
  for (const [r, patience] of [[runs[0], 2], [runs[1], 3]] as const) {
    assert.ok(r.stoppedAt !== undefined, `${r.method} ran every iteration`);
    assert.equal(r.trace.length - 1, r.stoppedAt);
    assert.equal(r.stoppedAt - r.trace[r.selected].iteration, patience, r.method);
    const v = r.trace.map((p) => p.validationMse!);
    assert.equal(r.trace[r.selected].validationMse, Math.min(...v), r.method);
  }
});

test('a plateau: at its first stall a gradient method cuts its rate and goes on until the plateau\'s patience brings no new best; L-BFGS stops as before', () => {
  const train = problem(300, 3, 1, 4);
  const validation = problem(100, 3, 1, 5);
  const o = { hidden: 16, iterations: 400, lr: 0.05, seed: 0 };
  const plateau = { factor: 0.1, patience: 2 };
  const plain = adam.train({ train, validation, patience: 3 }, o);
  const cut = adam.train({ train, validation, patience: 3, plateau }, o);
  // Up to the first stall the two runs are one.
  assert.deepEqual(cut.trace.slice(0, plain.trace.length).map((p) => p.validationMse), plain.trace.map((p) => p.validationMse));
  const lrs = cut.trace.slice(1).map((p) => p.lr!);
  const at = lrs.findIndex((lr) => lr !== o.lr);
  assert.equal(at + 1, plain.stoppedAt! + 1, 'the rate is cut in the epoch after the stall');
  assert.ok(lrs.slice(at).every((lr) => lr === o.lr * plateau.factor), 'once, by the factor');
  const best = cut.trace[cut.selected].iteration;
  assert.equal(cut.stoppedAt! - Math.max(best, plain.stoppedAt!), plateau.patience, 'stopped the plateau\'s patience after its last best (or the cut)');
  assert.equal(cut.trace[cut.selected].validationMse, Math.min(...cut.trace.map((p) => p.validationMse!)));
  const runs = [lbfgs.train({ train, validation, patience: 2 }, { hidden: 8, iterations: 60, seed: 0 }), lbfgs.train({ train, validation, patience: 2, plateau }, { hidden: 8, iterations: 60, seed: 0 })];
  assert.deepEqual(runs[1].trace.map((p) => p.validationMse), runs[0].trace.map((p) => p.validationMse));
});

test('a minibatch method waits out a stall of STALL_UPDATES updates, in epochs from the patience to twice it; raced by a challenger, the patience', () => {
  assert.equal(minibatchPatience(320, 256), 2 * PATIENCE.gradient);
  assert.equal(minibatchPatience(320, 256, true), PATIENCE.gradient);
  assert.equal(minibatchPatience(40_000, 256), PATIENCE.gradient);
  // Between the bounds: 25 batches an epoch, STALL_UPDATES (400) in 16 epochs.
  assert.equal(minibatchPatience(25 * 256, 256), 16);
});

test('the estimator gives its gradient methods the plateau, and a refinement\'s continuation goes on at the rate after its selected epoch', () => {
  const { X, y } = rows(400, 8);
  // One run per point stream: a point at iteration 0 starts the next run.
  const runsOf = (fit: (onStep: (p: { iteration: number; lr?: number; validationMse?: number }) => void) => void) => {
    const runs: { iteration: number; lr?: number; validationMse?: number }[][] = [];
    fit((p) => (p.iteration === 0 ? runs.push([p]) : runs.at(-1)!.push(p)));
    return runs;
  };
  const lr = 0.05;
  const adamModel = new Adam({ hidden: 16, iterations: 400, lr, seed: 0 });
  const [adamRun] = runsOf((onStep) => adamModel.fit(X, y, { onStep }));
  const rates = [...new Set(adamRun.slice(1).map((p) => p.lr))];
  assert.deepEqual(rates, [lr, lr * PLATEAU.factor], 'the rate cut once, by the plateau\'s factor');
  // The model file says after which epoch: the next ran at the cut rate.
  const cutAt = adamModel.toJSON().validation!.candidates[0].rateCutAt!;
  assert.deepEqual([adamRun[cutAt].lr, adamRun[cutAt + 1].lr], [lr, lr * PLATEAU.factor]);
  // After as many epochs without a new best as its 320 fit rows in batches of 256 allow: twice the patience.
  const upToCut = adamRun.slice(0, cutAt + 1).map((p) => p.validationMse!);
  assert.equal(cutAt - upToCut.indexOf(Math.min(...upToCut)), minibatchPatience(fitRows(400, 0.2), 256));
  const p = planted({ d: 3, k: 4, n: 400, sigma: 0.3, seed: 8 });
  const model = new Regressor('anmin', { refine: 'adam', hidden: 8, iterations: 6, seed: 1 });
  const runs = runsOf((onStep) => model.fit({ data: p.x, shape: [400, 3] }, Array.from(p.y), { onStep }));
  const refine = model.toJSON().validation!.refine!;
  assert.ok(refine.continued !== undefined && refine.continued > 0, 'the refinement went on over every row');
  const [refinement, continuation] = runs.slice(-2);
  const next = refinement.find((p) => p.iteration === refine.selected + 1)!;
  assert.ok(continuation.slice(1).every((p) => p.lr === next.lr), `continued at ${continuation[1].lr}, the rate after the selected epoch ${next.lr}`);
});

test('validated Adam and SGD wait minibatchPatience epochs before the plateau\'s cut (the patience where a challenger races them), or the patience given', () => {
  const { X, y } = rows(400, 8);
  // Epochs from the last best validation MSE to the cut (320 fit rows).
  const stall = (model: Regressor) => {
    const points: { validationMse?: number }[] = [];
    model.fit(X, y, { onStep: (p) => points.push(p) });
    const cutAt = model.toJSON().validation!.candidates[0].rateCutAt;
    assert.ok(cutAt !== undefined, `${model.trainer}: no cut within the epochs`);
    const upTo = points.slice(0, cutAt + 1).map((p) => p.validationMse!);
    return cutAt - upTo.indexOf(Math.min(...upTo));
  };
  // Two batches an epoch: 20 epochs; 40 batches of 8: 400 updates in 10.
  assert.equal(stall(new Adam({ hidden: 16, iterations: 400, lr: 0.05, seed: 0 })), 2 * PATIENCE.gradient);
  assert.equal(stall(new Adam({ hidden: 16, iterations: 400, lr: 0.05, seed: 0, challenger: 'lbfgs' })), PATIENCE.gradient);
  assert.equal(stall(new Adam({ hidden: 16, iterations: 400, lr: 0.01, batch: 8, seed: 0 })), PATIENCE.gradient);
  assert.equal(stall(new Sgd({ hidden: 16, iterations: 400, lr: 0.5, seed: 0 })), 2 * PATIENCE.gradient);
  assert.equal(stall(new Adam({ hidden: 16, iterations: 400, lr: 0.05, seed: 0, patience: 4 })), 4);
});

test('λ is chosen by validation MSE among the candidates, and the refit runs at the chosen λ and iteration count', () => {
  const { X, y } = rows(240, 6);
  // 192 fit rows against 4×64 unknowns: few enough for the grid.
  const model = new Anmin({ hidden: 64, iterations: 10 }).fit(X, y);
  const v = model.toJSON().validation!;
  // The default grid by descent (a direct solve: its middle first), and the chosen λ's neighbours in the grid were tried and are worse.
  assert.equal(v.candidates[0].lambda, VALIDATION_LAMBDAS[2]);
  const best = Math.min(...v.candidates.map((c) => c.validationMse!));
  assert.equal(v.chosen.validationMse, best);
  const at = VALIDATION_LAMBDAS.indexOf(v.chosen.lambda!);
  for (const lambda of [VALIDATION_LAMBDAS[at - 1], VALIDATION_LAMBDAS[at + 1]].filter((l) => l !== undefined)) {
    const c = v.candidates.find((k) => k.lambda === lambda);
    assert.ok(c && c.validationMse! > best, `λ ${lambda} beside the chosen ${v.chosen.lambda}`);
  }
  assert.equal(v.chosen.lambdaScale, 'mean');
  assert.equal(v.refit, true, 'few rows for the unknowns: refit');
  assert.equal(model.summary.iterations, v.chosen.selected, 'the refit stops at the chosen iteration');
  // A given λ is not searched, nor is λ where rows are many for the unknowns.
  assert.equal(new Anmin({ hidden: 64, iterations: 3, lambda: 0.5 }).fit(X, y).toJSON().validation!.candidates.length, 1);
  const plenty = new Anmin({ hidden: 8, iterations: 3 }).fit(X, y);
  assert.deepEqual(plenty.toJSON().validation!.candidates.map((c) => c.lambda), [PLENTY_LAMBDA]);
  assert.equal(plenty.toJSON().validation!.refit, false, 'many rows for the unknowns: no refit');
  assert.equal(plenty.summary.rows, 192);
});

type Candidates = { candidates: { validationMse?: number | null; selected: number }[] };
/** The best candidate before the k-th: its best-so-far validation curve is what the k-th races (× its margin), unless its best is its start. */
const bestBefore = (v: Candidates, k: number) => v.candidates.slice(0, k).reduce((a, b) => (b.validationMse! < a.validationMse! ? b : a));
function racesWith(v: Candidates, k: number, c: TrainData, margin: number, what: string, s2: number): void {
  if (bestBefore(v, k).selected === 0) return assert.equal(c.rival, undefined, `${what}: no race against a best at its start`);
  // The trainer races in its own units: the targets divided by the fit's targetScale.
  const end = c.rival!.at(-1)! * s2;
  assert.ok(Math.abs(end - margin * bestBefore(v, k).validationMse!) <= 1e-12 * end, what);
}

test('by conjugate gradients the λ search starts at the grid\'s top and each later candidate races the best so far', () => {
  const { X, y } = rows(240, 6);
  const { trainer, calls } = spy();
  const model = new Regressor(trainer, { hidden: 64, iterations: 10, solver: 'cg', validationFraction: 0.2 }).fit(X, y);
  const v = model.toJSON().validation!;
  const s2 = (model.summary.targetScale ?? 1) ** 2;
  assert.equal(v.candidates[0].lambda, VALIDATION_LAMBDAS[VALIDATION_LAMBDAS.length - 1]);
  const searches = calls.filter((c) => c.validation);
  assert.equal(searches[0].rival, undefined);
  for (const [k, c] of searches.entries()) {
    if (k === 0) continue;
    // The rival is the best candidate before it, as its best-so-far curve.
    racesWith(v, k, c, 1, `candidate ${k}`, s2);
    assert.ok(c.rival === undefined || c.rival.every((x, i) => i === 0 || x <= c.rival![i - 1]));
  }
  assert.equal(v.chosen.validationMse, Math.min(...v.candidates.map((c) => c.validationMse!)));
});

test('by a direct solve the λ search runs its first candidate in full, cuts the second only when it trails by SECOND_MARGIN, and races the best from the third on', () => {
  const { X, y } = rows(240, 6);
  for (const seed of [0, 1, 2, 3]) {
    const { trainer, calls } = spy();
    const model = new Regressor(trainer, { hidden: 64, iterations: 10, solver: 'dense', validationFraction: 0.2, seed }).fit(X, y);
    const v = model.toJSON().validation!;
    const s2 = (model.summary.targetScale ?? 1) ** 2;
    const searches = calls.filter((c) => c.validation);
    assert.equal(searches.length, v.candidates.length);
    assert.ok(v.candidates.length >= 3, `seed ${seed}: descent from the middle goes on past a neighbour`);
    assert.equal(searches[0].rival, undefined);
    for (const [k, c] of searches.entries()) {
      if (k === 0) continue;
      racesWith(v, k, c, k === 1 ? SECOND_MARGIN : 1, `seed ${seed}, candidate ${k}`, s2);
    }
    // A raced candidate that trails stops before its iterations are up.
    assert.ok(v.candidates.slice(2).some((c) => c.iterations < 10), `seed ${seed}`);
  }
  // Each width's search alike: its own first in full, its second against the best so far with the margin.
  const { trainer, calls } = spy();
  const wide = new Regressor(trainer, { widths: [32, 64], iterations: 10, solver: 'dense', validationFraction: 0.2 }).fit(X, y);
  const v = wide.toJSON().validation!;
  const s2 = (wide.summary.targetScale ?? 1) ** 2;
  const searches = calls.filter((c) => c.validation);
  for (const h of [32, 64]) {
    const mine = [...searches.keys()].filter((k) => v.candidates[k].hidden === h);
    assert.ok(mine.length >= 2, `width ${h}`);
    assert.equal(searches[mine[0]].rival, undefined, `width ${h}, its first`);
    racesWith(v, mine[1], searches[mine[1]], SECOND_MARGIN, `width ${h}, its second`, s2);
  }
});

test('the λ search races no candidate against a best whose selected iterate is its start: it runs to its patience', () => {
  // Spectra-like inputs (tecator-like data, small): each row a level of its own plus a faint bump whose
  // height is the target. ANMIN's first iterations at λ 10⁻² do worse than its start (the output
  // layer's ridge fit on the random hidden layer), while at 10⁻³ they pass it after a few.
  const rng = new RandomState(9);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 240; i++) {
    const [target, level] = [rng.normal(), rng.normal()];
    X.push(Array.from({ length: 6 }, (_, j) => level + 0.05 * target * Math.exp(-(((j / 6 - 0.6) / 0.1) ** 2)) + 0.01 * rng.normal()));
    y.push(target);
  }
  const { trainer, calls } = spy();
  const model = new Regressor(trainer, { hidden: 64, iterations: 30, solver: 'dense', validationFraction: 0.2 }).fit(X, y);
  const v = model.toJSON().validation!;
  const s2 = (model.summary.targetScale ?? 1) ** 2;
  const searches = calls.filter((c) => c.validation);
  const unraced = [...searches.keys()].filter((k) => k > 0 && bestBefore(v, k).selected === 0);
  assert.ok(unraced.length > 0, 'a best at its start before a later candidate');
  for (const k of unraced) {
    racesWith(v, k, searches[k], k === 1 ? SECOND_MARGIN : 1, `candidate ${k}`, s2);
    // Stopped by its patience or its iterations, never sooner.
    const c = v.candidates[k];
    assert.ok(c.iterations === 30 || c.iterations - c.selected === PATIENCE.anmin, `candidate ${k}: ${c.selected} of ${c.iterations}`);
  }
  // Where it mattered: the chosen candidate beat that start at an iteration a race would not have reached.
  assert.ok(v.chosen.selected > RIVAL_POINTS && v.chosen.validationMse! < v.candidates[0].validationMse!);
});

test('a hybrid of one target on plenty of rows hands ANMIN\'s network on after HANDOFF_ITERATIONS; not where iterations or patience are given, rows are few for a width, targets are several or the refiner is not L-BFGS', () => {
  // 300 rows, 240 fit: plenty for 4×8 unknowns, few for 4×64.
  const { X, y } = rows(300, 8);
  const handoff = (m: Regressor) => m.toJSON().validation!.refine?.handoff;
  const plenty = new Anmin({ hidden: 8, refine: 'lbfgs' }).fit(X, y);
  const v = plenty.toJSON().validation!;
  assert.ok(v.refine!.selected > 0, 'the data make the refinement improve');
  assert.equal(v.chosen.iterations, HANDOFF_ITERATIONS);
  assert.equal(handoff(plenty), HANDOFF_ITERATIONS);
  assert.equal(plenty.toJSON().optionsUsed?.iterations, HANDOFF_ITERATIONS, 'the model file says what ran');
  const full = ANMIN_DEFAULTS.iterations;
  const two = { data: Float64Array.from(y.flatMap((t, i) => [t, i % 7])), shape: [300, 2] as [number, number] };
  for (const [why, m, iterations] of [
    ['iterations given', new Anmin({ hidden: 8, iterations: 6, refine: 'lbfgs' }).fit(X, y), 6],
    ['patience given', new Anmin({ hidden: 8, patience: 4, refine: 'lbfgs' }).fit(X, y), full],
    ['a width with few rows', new Anmin({ widths: [8, 64], refine: 'lbfgs' }).fit(X, y), full],
    ['two targets', new Anmin({ hidden: 8, refine: 'lbfgs' }).fit(X, two), full],
    ['refined by Adam', new Anmin({ hidden: 8, refine: 'adam' }).fit(X, y), full],
  ] as const) {
    assert.equal(handoff(m), undefined, why);
    assert.equal(m.toJSON().optionsUsed?.iterations, iterations, why);
  }
  // Targets of pure noise (on 10 of the seeds 0–11): L-BFGS finds nothing from the hand-off's network on the validation rows and
  // stops after REFINE_START.patience steps, so ANMIN runs again to REFINE_START.runOn iterations past its best and the better of
  // the two by validation is kept.
  const noise = new RandomState(0).fillNormal(new Float64Array(300));
  const kept = new Anmin({ hidden: 8, refine: 'lbfgs' }).fit(X, Array.from(noise)).toJSON().validation!;
  assert.equal(kept.refine!.selected, 0);
  assert.equal(kept.refine!.stoppedAt, REFINE_START.patience);
  assert.ok(REFINE_START.patience < REFINE_PATIENCE.lbfgs);
  assert.equal(kept.candidates.length, 2);
  assert.equal(kept.candidates[0].iterations, HANDOFF_ITERATIONS);
  const again = kept.candidates[1];
  assert.equal(again.from, kept.candidates[0].selected, 'ANMIN went on from the hand-off\'s network');
  assert.ok(again.from! + again.iterations > HANDOFF_ITERATIONS, 'ANMIN past the hand-off');
  assert.equal(again.iterations, Math.min(again.selected + REFINE_START.runOn, ANMIN_DEFAULTS.iterations), 'to its own patience');
  const better = kept.candidates.reduce((a, b) => ((b.validationMse ?? Infinity) < (a.validationMse ?? Infinity) ? b : a));
  assert.deepEqual({ ...kept.chosen, lambdaScale: undefined }, { ...better, lambdaScale: undefined });
});

test('a list of widths is chosen among by validation, and the same seed gives the same model', () => {
  const { X, y } = rows(240, 7);
  const fit = () => new Anmin({ widths: [2, 12], lambdas: [1e-2], iterations: 6, seed: 3 }).fit(X, y);
  const [a, b] = [fit(), fit()];
  const v = a.toJSON().validation!;
  assert.deepEqual(v.candidates.map((c) => c.hidden), [2, 12]);
  assert.equal(a.network.h, v.chosen.hidden);
  assert.deepEqual(a.predict(X), b.predict(X));
});

test('restarts train from restartSeed\'s weights on the same fit and validation rows and keep the least validation MSE; restart 0 is the plain fit', () => {
  const { X, y } = rows(240, 7);
  const calls: TrainData[] = [];
  const seeds: number[] = [];
  const watched = { ...adam, train: (data: TrainData, o: { seed: number }, s?: never) => (calls.push(data), seeds.push(o.seed), adam.train(data, o as never, s)) } as Trainer<object>;
  const opts = { hidden: 6, iterations: 15, seed: 4 };
  // A Trainer object other than the built-in selects by its own rule unless validation rows are asked for.
  assert.throws(() => new Regressor(watched, { ...opts, restarts: 3 }), /adam: choosing among restarts needs validation rows/);
  new Regressor(watched, { ...opts, restarts: 3, validationFraction: 0.2 }).fit(X, y);
  assert.deepEqual(seeds, [0, 1, 2].map((r) => restartSeed(4, r)));
  assert.equal(restartSeed(4, 0), 4);
  assert.equal(new Set(seeds).size, 3);
  // One validation split for all: the same rows, in the same order, fit and validated on.
  for (const d of calls.slice(1)) {
    assert.deepEqual(d.train.x, calls[0].train.x);
    assert.deepEqual(d.validation!.x, calls[0].validation!.x);
  }
  const three = new Regressor(adam, { ...opts, restarts: 3 }).fit(X, y);
  const v = three.toJSON().validation!;
  assert.equal(v.restarts, 3);
  assert.deepEqual(v.candidates.map((c) => c.restart), [0, 1, 2]);
  const least = Math.min(...v.candidates.map((c) => c.validationMse!));
  assert.equal(v.chosen.validationMse, least);
  assert.equal(three.summary.validationMse, least);
  // The file names the seed the kept weights started from where it is not its own.
  assert.equal(three.toJSON().optionsUsed!.seed, v.chosen.restart ? restartSeed(4, v.chosen.restart) : undefined);
  // Restart 0 is the fit without restarts, to the bit; one restart records none.
  const one = new Regressor(adam, { ...opts, restarts: 1 }).fit(X, y);
  const w = one.toJSON().validation!;
  assert.equal(w.restarts, undefined);
  assert.deepEqual(v.candidates[0], { ...w.candidates[0], restart: 0 });
  const again = new Regressor(adam, { ...opts, restarts: 3 }).fit(X, y);
  assert.deepEqual(again.toJSON().validation!.candidates, v.candidates, 'the same seed, the same restarts');
  assert.deepEqual(again.predict(X), three.predict(X));
  assert.throws(() => new Regressor('anmin', { restarts: 2, initA: new Float64Array(4) } as never), /a warm start \(initA\) would give each the same/);
});

test('a hybrid\'s restarts: ANMIN from each restart\'s weights, the refinement and the refit from the kept one\'s seed', () => {
  const p = planted({ d: D, k: 4, n: 300, sigma: 0.3, seed: 8 });
  const X = { data: p.x, shape: [300, D] as [number, number] };
  for (const seed of [0, 1, 2]) {
    const m = new Anmin({ hidden: 6, iterations: 4, lambdas: [1e-2], refine: 'lbfgs', restarts: 2, seed }).fit(X, Array.from(p.y));
    const f = m.toJSON();
    const v = f.validation!;
    const kept = restartSeed(seed, v.chosen.restart!);
    assert.deepEqual(v.candidates.map((c) => c.restart), [0, 1]);
    assert.equal(v.refine!.options.seed, kept, `seed ${seed}`);
    assert.equal(f.optionsUsed!.seed, kept === seed ? undefined : kept);
  }
  // ANMIN's refit trains again at the kept restart's options, its seed among them.
  const { X: Xf, y: yf } = rows(120, 5);
  const refits = [0, 1, 2, 3].map((seed) => ({ seed, f: new Anmin({ hidden: 12, iterations: 4, lambdas: [1e-2], restarts: 3, refit: true, seed }).fit(Xf, yf).toJSON() }));
  for (const { seed, f } of refits) {
    assert.equal(f.validation!.refit, true);
    const kept = restartSeed(seed, f.validation!.chosen.restart!);
    assert.equal(f.optionsUsed!.seed, kept === seed ? undefined : kept);
  }
  assert.ok(refits.some(({ f }) => f.validation!.chosen.restart !== 0), 'some seed keeps a later restart');
});

test('by default Adam restarts ADAM_RESTARTS times where an epoch costs at most SMALL_FIT_WORK multiply-adds and no challenger races it, other trainers and larger fits once', () => {
  const rowsAt = Math.floor(SMALL_FIT_WORK / (64 * 12));
  assert.equal(defaultRestarts('adam', rowsAt, 11, 1, [64]), ADAM_RESTARTS);
  assert.equal(defaultRestarts('adam', rowsAt + 1, 11, 1, [64]), 1);
  assert.equal(defaultRestarts('adam', rowsAt, 11, 1, [16, 128]), 1, 'the widest width counts');
  assert.equal(defaultRestarts('adam', rowsAt, 11, 1, [64], 'lbfgs'), 1, 'a challenger instead');
  for (const t of ['anmin', 'lbfgs', 'sgd']) assert.equal(defaultRestarts(t, 100, 3, 1, [8]), 1, t);
  const { X, y } = rows(240, 7);
  assert.equal(new Adam({ hidden: 6, iterations: 3 }).fit(X, y).toJSON().validation!.candidates.length, ADAM_RESTARTS);
  assert.equal(new Adam({ hidden: 6, iterations: 3, restarts: 1 }).fit(X, y).toJSON().validation!.candidates.length, 1);
  assert.equal(new Anmin({ hidden: 6, iterations: 3, lambdas: [1e-2] }).fit(X, y).toJSON().validation!.candidates.length, 1);
});

test('Adam\'s fits whose epoch costs over RATE_RACE.work race its rate ÷ RATE_RACE.divisor where the first run\'s plateau cut gained over cutGain, and keep the better by validation; a rate given, a smaller fit, a challenger or restarts train once', () => {
  const s = { validationFraction: 0.2 };
  const rowsAt = Math.floor(RATE_RACE.work / (64 * 12));
  assert.equal(racesRate('adam', rowsAt, 11, 1, [64], s, false), false);
  assert.equal(racesRate('adam', rowsAt + 1, 11, 1, [64], s, false), true);
  assert.equal(racesRate('adam', rowsAt, 11, 1, [16, 65], s, false), true, 'the widest width counts');
  assert.equal(racesRate('adam', rowsAt + 1, 11, 1, [64], s, true), false, 'a rate given');
  assert.equal(racesRate('adam', rowsAt + 1, 11, 1, [64], { ...s, challenger: 'lbfgs' }, false), false, 'a challenger');
  assert.equal(racesRate('adam', rowsAt + 1, 11, 1, [64], { ...s, restarts: 2 }, false), false, 'restarts');
  assert.equal(racesRate('adam', rowsAt + 1, 11, 1, [64], { validationFraction: 0 }, false), false, 'no validation rows');
  for (const t of ['sgd', 'anmin', 'lbfgs']) assert.equal(racesRate(t, rowsAt + 1, 11, 1, [64], s, false), false, t);
  // cutGain: the share of the validation MSE won after the plateau's cut, 0 without one.
  const trace = [10, 8, 9, 8.5, 6, 7].map((validationMse, iteration) => ({ iteration, validationMse }));
  const result = (rateCutAt: number | undefined, selected: number) => ({ trace, selected, ...(rateCutAt !== undefined ? { rateCutAt } : {}) });
  assert.equal(cutGain(result(3, 4)), 1 - 6 / 8);
  assert.equal(cutGain(result(undefined, 4)), 0);
  assert.equal(cutGain(result(4, 4)), 0, 'the best before the cut is the cut\'s own epoch');
  // 10,000 fit rows of 3 inputs and a nearly noiseless target at a width just over the line; batches of 16
  // and patience 1, so the paper's rate is cut early, and the cut gains 17% of the validation MSE.
  const n = 12_500;
  const data = planted({ d: D, k: 4, n, sigma: 0.01, seed: 9 });
  for (let i = 0; i < n; i++) data.x[i * D] = i;
  const X = { data: data.x, shape: [n, D] as [number, number] };
  const y = Array.from(data.y);
  const hidden = Math.floor(RATE_RACE.work / (fitRows(n, 0.2) * (D + 2))) + 1;
  const o = { hidden, iterations: 15, patience: 1, batch: 16, seed: 2 };
  const runs: { iteration: number; validationMse?: number; lr?: number }[][] = [];
  const model = new Adam(o).fit(X, y, { onStep: (p) => (p.iteration === 0 ? runs.push([p]) : runs.at(-1)!.push(p)) });
  const f = model.toJSON();
  const v = f.validation!;
  const first = v.candidates[0];
  const gain = cutGain({ trace: runs[0], selected: runs[0].findIndex((p) => p.iteration === first.selected), ...(first.rateCutAt !== undefined ? { rateCutAt: first.rateCutAt } : {}) });
  assert.ok(first.rateCutAt !== undefined, 'cut');
  assert.ok(gain > RATE_RACE.cutGain, `the cut gained ${gain}`);
  assert.deepEqual(v.candidates.map((c) => c.lr), [0.03, 0.03 / RATE_RACE.divisor]);
  assert.deepEqual(runs.slice(0, v.candidates.length).map((r) => r[1].lr), v.candidates.map((c) => c.lr), 'each run at its rate');
  assert.equal(v.chosen.validationMse, Math.min(...v.candidates.map((c) => c.validationMse!)));
  assert.equal(f.optionsUsed!.lr, v.chosen.lr);
  const given = new Adam({ ...o, lr: 0.03 }).fit(X, y).toJSON().validation!;
  assert.deepEqual(given.candidates, [v.candidates[0]].map(({ lr: _, ...c }) => c), 'a given rate: the first run alone, the same');
});

test('a challenger races once per width on the same fit and validation rows: its candidates are named, the least validation MSE is chosen, and a winning challenger\'s network goes on over every row for at most as many scores as chosen', () => {
  // Over 1,024 fit rows: the challenger's gradient in two chunks, one a thread.
  const n = 1400;
  const { X, y } = rows(n, 7);
  const validation = splitIndices(n, validationSeed(4), 0.2).test;
  const held = { data: Float64Array.from({ length: validation.length * D }, (_, k) => X.data[validation[Math.floor(k / D)] * D + (k % D)]), shape: [validation.length, D] as [number, number] };
  const heldY = Array.from(validation, (i) => y[i]);
  // One Adam epoch against L-BFGS: the challenger is kept.
  for (const iterations of [1, 40]) {
    let count = 0;
    const model = new Adam({ hidden: 6, iterations, seed: 4, widths: [4, 6], challenger: 'lbfgs' }).fit(X, y, { onStep: () => count++ });
    assert.ok(count <= model.plannedSteps(n, D + 1, 1), 'the progress bar counts to at least every point');
    const v = model.toJSON().validation!;
    assert.equal(v.restarts, undefined, 'with a challenger Adam trains once');
    assert.deepEqual(v.candidates.map((c) => [c.trainer ?? 'adam', c.hidden]), [['adam', 4], ['adam', 6], ['lbfgs', 4], ['lbfgs', 6]]);
    const least = Math.min(...v.candidates.map((c) => c.validationMse!));
    assert.equal(v.chosen.validationMse, least);
    const onValidation = model.evaluate(held, heldY).mse;
    if (v.chosen.trainer === 'lbfgs' && v.continued! > 0) {
      // Trained on the validation rows too now: what it scores there is no longer the choosing number.
      assert.equal(v.refit, true);
      assert.ok(v.continued! <= Math.min(v.chosen.selected, PATIENCE.gradient), `went on ${v.continued} scores after ${v.chosen.selected}`);
      assert.equal(model.summary.validationMse, undefined);
      assert.notEqual(onValidation, least);
    } else {
      assert.equal(v.refit, false);
      assert.ok(Math.abs(onValidation - least) <= 1e-9 * least, `${onValidation} against ${least}`);
    }
    if (iterations === 1) {
      assert.equal(v.chosen.trainer, 'lbfgs');
      assert.ok(v.continued! > 0, 'one Adam epoch loses, and the challenger goes on over every row');
      const used = model.toJSON().optionsUsed!;
      assert.equal(used.lineSearch, 'strong_wolfe');
      assert.equal(used.historySize, 10);
      // L-BFGS's defaults under its options, none of Adam's.
      assert.equal(used.toleranceGrad, lbfgs.defaults.toleranceGrad);
      assert.equal(used.beta1, undefined);
    }
    const loaded = Regressor.fromJSON(JSON.parse(JSON.stringify(model)));
    assert.equal(loaded.settings.challenger, 'lbfgs');
    assert.deepEqual(loaded.predict(X), model.predict(X));
    const again = new Adam({ hidden: 6, iterations, seed: 4, widths: [4, 6], challenger: 'lbfgs', threads: 2 }).fit(X, y);
    assert.deepEqual(again.predict(X), model.predict(X), 'the same seed, the same race, on any number of threads');
  }
  assert.throws(() => new Adam({ challenger: 'lbfgs', validationFraction: 0 }), /adam: racing a challenger needs validation rows/);
  assert.throws(() => new Anmin({ refine: 'lbfgs', challenger: 'lbfgs' }), /anmin: a challenger races Adam's or SGD's fit, not anmin's/);
  assert.throws(() => new Anmin({ challenger: 'lbfgs' }), /anmin: a challenger races Adam's or SGD's fit/);
  assert.throws(() => new Regressor({ ...adam } as Trainer<object>, { challenger: 'lbfgs', validationFraction: 0.2 }), /adam: a challenger races the built-in Adam or SGD, not a trainer module/);
  assert.throws(() => new Adam({ challenger: 'sgd' } as never), /adam: challenger must be one of lbfgs, got sgd/);
});

test('Adam refined by L-BFGS starts from Adam\'s chosen network, and refineAfter refines only a run whose best came at or after it', () => {
  const p = planted({ d: D, k: 4, n: 300, sigma: 0.3, seed: 8 });
  const X = { data: p.x, shape: [300, D] as [number, number] };
  const y = Array.from(p.y);
  const plain = new Adam({ hidden: 8, iterations: 40, seed: 3 }).fit(X, y);
  const refined = new Adam({ hidden: 8, iterations: 40, seed: 3, refine: 'lbfgs' }).fit(X, y);
  const a = plain.toJSON().validation!;
  const v = refined.toJSON().validation!;
  assert.deepEqual(v.chosen, a.chosen, 'the same Adam run first');
  assert.equal(v.refine?.trainer, 'lbfgs');
  assert.equal(v.refine.startValidationMse, a.chosen.validationMse, 'its first point is Adam\'s chosen network');
  assert.ok(v.refine.validationMse! <= v.refine.startValidationMse!);
  assert.equal(v.refine.continued !== undefined, v.refine.selected > 0, 'a gain goes on over every row');
  // At or before the chosen epoch the refinement runs; after it, the record says why it did not.
  const best = a.chosen.selected;
  assert.ok(best > 1, `the data make Adam's best come after epoch 1 (${best})`);
  const at = new Adam({ hidden: 8, iterations: 40, seed: 3, refine: 'lbfgs', refineAfter: best }).fit(X, y);
  assert.deepEqual(at.predict(X), refined.predict(X));
  const later = new Adam({ hidden: 8, iterations: 40, seed: 3, refine: 'lbfgs', refineAfter: best + 1 }).fit(X, y);
  assert.deepEqual(later.predict(X), plain.predict(X), 'an earlier best: Adam\'s network as validation chose it');
  assert.deepEqual(later.toJSON().validation!.unrefined, { selected: best, refineAfter: best + 1 });
  assert.equal(later.toJSON().validation!.refine, undefined);
  assert.throws(() => new Adam({ refine: 'adam' }), /adam: refining by adam is not offered for adam \(anmin: adam, lbfgs, sgd; adam: lbfgs\)/);
  assert.throws(() => new Adam({ refineAfter: 3 }), /adam: refineAfter says when to refine: give refine too/);
  assert.throws(() => new Adam({ refine: 'lbfgs', refineAfter: 0 }), /adam: refineAfter must be a positive integer, got 0/);
  assert.throws(() => new Adam({ refine: 'lbfgs', challenger: 'lbfgs' }), /adam: a challenger and a refinement are two ways past the fit: give one/);
  assert.throws(() => new Regressor('sgd', { refine: 'lbfgs' }), /sgd: refining by lbfgs is not offered for sgd/);
});

test('the hybrids start from ANMIN\'s chosen network: their first point is its validation MSE, they keep what is no worse, then go on over every row', () => {
  const p = planted({ d: D, k: 4, n: 300, sigma: 0.3, seed: 8 });
  const X = { data: p.x, shape: [300, D] as [number, number] };
  const y = Array.from(p.y);
  for (const refine of ['adam', 'lbfgs'] as const) {
    const kept = new Anmin({ hidden: 8, iterations: 2, refine, refit: false }).fit(X, y);
    const v = kept.toJSON().validation!;
    assert.equal(v.refine?.trainer, refine);
    assert.equal(v.refine.startValidationMse, v.chosen.validationMse, refine);
    assert.ok(v.refine.validationMse! <= v.refine.startValidationMse!, refine);
    assert.equal(v.refit, false, 'refit false: the refined model keeps its rows apart');
    assert.equal(kept.summary.rows, 240);
    // By default the selected network goes on over all 300 rows for as many steps as validation chose, at most the patience.
    const model = new Anmin({ hidden: 8, iterations: 2, refine }).fit(X, y);
    const w = model.toJSON().validation!;
    assert.ok(w.refine!.selected > 0, `${refine}: the data make the refinement improve`);
    assert.deepEqual({ ...w.refine!, continued: undefined }, { ...v.refine, continued: undefined }, `${refine}: the same refinement`);
    assert.equal(w.refine!.continued, Math.min(w.refine!.selected, REFINE_PATIENCE[refine]));
    assert.equal(w.refit, true);
    // Every row, in the fit rows' standardization: the summary's training MSE is the model's over all 300.
    assert.equal(model.summary.rows, 300);
    assert.equal(model.summary.trainMse, model.evaluate(X, y).mse);
    assert.deepEqual(model.toJSON().standardization, kept.toJSON().standardization);
    assert.equal(model.summary.validationMse, undefined, 'trained on the validation rows, it reports no validation MSE');
    assert.notDeepEqual(model.predict(X), kept.predict(X));
    assert.deepEqual(new Anmin({ hidden: 8, iterations: 2, refine, threads: 2 }).fit(X, y).predict(X), model.predict(X), 'the same seed, the same model');
    // The cap is the refinement's patience, as given.
    const short = new Anmin({ hidden: 8, iterations: 2, refine, patience: 1 }).fit(X, y).toJSON().validation!;
    if (refine === 'lbfgs') assert.ok(short.refine!.selected > 1, `the refinement chose step ${short.refine!.selected}`);
    assert.equal(short.refine!.continued, short.refine!.selected > 0 ? 1 : undefined, `${refine}: patience 1`);
  }
  // A refinement that keeps ANMIN's network (step 0) leaves the held-out rows to ANMIN's rule: few rows for
  // 4×16 unknowns, so ANMIN is refit on every row; with refit false it keeps the validation-selected network.
  const few = planted({ d: D, k: 4, n: 100, sigma: 0.3, seed: 0 });
  const fewX = { data: few.x, shape: [100, D] as [number, number] };
  const kept0 = new Anmin({ hidden: 16, iterations: 4, refine: 'lbfgs' }).fit(fewX, Array.from(few.y));
  const v0 = kept0.toJSON().validation!;
  assert.equal(v0.refine!.selected, 0);
  assert.equal(v0.refine!.continued, undefined);
  assert.equal(v0.refit, true);
  assert.equal(kept0.summary.rows, 100);
  assert.equal(new Anmin({ hidden: 16, iterations: 4, refine: 'lbfgs', refit: false }).fit(fewX, Array.from(few.y)).summary.rows, 80);
  // The warm start itself: point 0 of a gradient run is the network it was handed.
  const train = problem(100, 3, 1, 9);
  const start = anmin.train({ train }, { hidden: 6, iterations: 3, seed: 0 }).network;
  const r = adam.train({ train, init: start }, { hidden: 6, iterations: 1, seed: 0 });
  assert.equal(r.trace[0].trainMse, evaluate(start, train.x, train.y, train.n).mse);
  assert.throws(() => adam.train({ train, init: start }, { hidden: 7, iterations: 1, seed: 0 }), /Adam: the warm start is 4×6×1/);
});

test('a lean trace (validation rows choose) leaves the training pass out and changes nothing else; the summary scores the kept network', () => {
  const train = problem(300, 3, 1, 4);
  const validation = problem(80, 3, 1, 5);
  for (const t of [adam, lbfgs]) {
    const o = { hidden: 6, iterations: 6, seed: 2 };
    const full = t.train({ train, validation }, o as never);
    const lean = t.train({ train, validation, lean: true }, o as never);
    assert.deepEqual(lean.trace.map((pt) => pt.validationMse), full.trace.map((pt) => pt.validationMse), t.name);
    assert.equal(lean.selected, full.selected);
    assert.deepEqual(lean.network, full.network);
    assert.ok(lean.trace.every((pt) => Number.isNaN(pt.trainMse)) && full.trace.every((pt) => Number.isFinite(pt.trainMse)), t.name);
  }
  // Without validation rows lean changes nothing: the trainer's own rule needs the training MSE.
  assert.ok(lbfgs.train({ train, lean: true }, { hidden: 6, iterations: 2, seed: 2 }).trace.every((pt) => Number.isFinite(pt.trainMse)));
  // The estimator's built-ins trace lean (a point that validation scores has no training MSE); a user's module does not.
  const seen = (r: Regressor) => {
    const points: { trainMse: number; validationMse?: number }[] = [];
    r.fit(rows(120, 3).X, rows(120, 3).y, { onStep: (pt) => points.push(pt) });
    return points.filter((pt) => pt.validationMse !== undefined);
  };
  assert.ok(seen(new Adam({ hidden: 6, iterations: 3 })).every((pt) => Number.isNaN(pt.trainMse)));
  assert.ok(seen(new Anmin({ hidden: 6, iterations: 3, refine: 'lbfgs' })).some((pt) => Number.isNaN(pt.trainMse)), 'the refinement');
  const mine = seen(new Regressor(spy().trainer, { hidden: 6, iterations: 3, validationFraction: 0.2 }));
  assert.ok(mine.length > 0 && mine.every((pt) => Number.isFinite(pt.trainMse)));
  // The estimator's summary: the kept network's MSE over the fit rows, scored once.
  const n = 200;
  const { X, y } = rows(n, 3);
  const model = new Adam({ hidden: 6, iterations: 6, seed: 5 }).fit(X, y);
  const fit = splitIndices(n, validationSeed(5), 0.2).train;
  const pick = <T>(a: ArrayLike<T>, width: number) => Array.from(fit).flatMap((r) => Array.from({ length: width }, (_, j) => a[r * width + j]));
  const mse = model.evaluate({ data: Float64Array.from(pick(X.data, D)), shape: [fit.length, D] }, pick(y, 1)).mse;
  assert.ok(Math.abs(model.summary.trainMse! - mse) <= 1e-12 * mse, `${model.summary.trainMse} against ${mse}`);
});

test('validationFraction 0 is the trainer as published: every row, its own selection, no validation record', () => {
  const { X, y } = rows(120, 10);
  const model = new Anmin({ hidden: 6, iterations: 5, validationFraction: 0 }).fit(X, y);
  assert.equal(model.summary.rows, 120);
  const file = model.toJSON();
  assert.equal(file.validation, undefined);
  assert.deepEqual(file.settings, { validationFraction: 0 });
  const published = anmin.train({ train: problem(120, 3, 1, 11) }, { hidden: 6, iterations: 5, seed: 0 });
  const mse = published.trace.map((p) => p.trainMse);
  assert.equal(published.selected, mse.indexOf(Math.min(...mse)));
  assert.equal(new Adam({ hidden: 4, iterations: 2, validationFraction: 0 }).fit(X, y).summary.iterations, 2);
});

test('a challenger is not raced against a fit that leaves at most LEAST_GAIN of the validation targets\' variance: the record gives that R², and otherwise it races', () => {
  // A noiseless linear target: Adam leaves more than the room after 5 epochs, less after 100.
  const n = 1400;
  const rs = new RandomState(11);
  const x = Float64Array.from({ length: n * D }, () => rs.uniform(-1, 1));
  const X = { data: x, shape: [n, D] as [number, number] };
  const y = Array.from({ length: n }, (_, i) => x[i * D] + 0.5 * x[i * D + 1] - x[i * D + 2]);
  const validation = splitIndices(n, validationSeed(4), 0.2).test;
  const held = { data: Float64Array.from({ length: validation.length * D }, (_, k) => x[validation[Math.floor(k / D)] * D + (k % D)]), shape: [validation.length, D] as [number, number] };
  const heldY = Array.from(validation, (i) => y[i]);
  const raced = new Set<boolean>();
  for (const iterations of [5, 100]) {
    const model = new Adam({ hidden: 6, iterations, seed: 4, challenger: 'lbfgs' }).fit(X, y);
    const v = model.toJSON().validation!;
    assert.deepEqual(Regressor.fromJSON(JSON.parse(JSON.stringify(model))).toJSON().validation, v, 'the record through a load');
    // Adam's candidate alone, on the same rows and seed.
    const r2 = new Adam({ hidden: 6, iterations, seed: 4, restarts: 1 }).fit(X, y).evaluate(held, heldY).r2;
    const race = 1 - r2 > LEAST_GAIN;
    raced.add(race);
    assert.equal(v.candidates.some((c) => c.trainer === 'lbfgs'), race);
    if (race) assert.equal(v.unchallenged, undefined);
    else assert.ok(Math.abs(v.unchallenged!.validationR2 - r2) <= 1e-12, `${v.unchallenged!.validationR2} against ${r2}`);
  }
  assert.equal(raced.size, 2, 'both sides of the room');
});

test('model files: version 2 keeps what was chosen, version 3 where restarts or a challenger are set, 4 where Adam is refined, 5 where a linear fit is weighed; a version 1 file reads as trained on every row', () => {
  const { X, y } = rows(150, 12);
  const model = new Lbfgs({ hidden: 4, iterations: 3 }).fit(X, y);
  const file = JSON.parse(JSON.stringify(model));
  assert.equal(file.formatVersion, 2, 'readable by a version-2 reader');
  for (const [set, version] of [[{ restarts: 2 }, 3], [{ challenger: 'lbfgs' as const }, 3], [{ refine: 'lbfgs' as const }, 4], [{ refine: 'lbfgs' as const, refineAfter: 2 }, 4], [{ linear: true }, 5]] as const) {
    const newer = JSON.parse(JSON.stringify(new Adam({ hidden: 4, iterations: 3, ...set }).fit(X, y)));
    assert.equal(newer.formatVersion, version, JSON.stringify(set));
    assert.deepEqual(Regressor.fromJSON(newer).settings, newer.settings);
  }
  assert.equal(MODEL_FORMAT_VERSION, 5);
  assert.equal(JSON.parse(JSON.stringify(new Anmin({ hidden: 4, iterations: 2, refine: 'lbfgs' }).fit(X, y))).formatVersion, 2, 'a hybrid\'s refinement: as version 2 wrote it');
  const loaded = Regressor.fromJSON(file);
  assert.deepEqual(loaded.toJSON().validation, file.validation);
  assert.deepEqual(loaded.predict(X), model.predict(X));
  const { settings: _s, validation: _v, ...v1 } = { ...file, formatVersion: 1 };
  assert.equal(Regressor.fromJSON(v1).settings.validationFraction, 0);
});

test('descent over a grid tries the middle (or the top), then the better side while it improves', () => {
  const tries = (scores: number[], from?: 'top') => {
    const seen: number[] = [];
    descend(scores.map((_, i) => i), (i) => (seen.push(i), scores[i]), from);
    return seen;
  };
  assert.deepEqual(tries([5, 4, 3, 4, 5]), [2, 3, 1]);
  assert.deepEqual(tries([5, 4, 3, 2, 1]), [2, 3, 4]);
  assert.deepEqual(tries([1, 2, 3, 4, 5]), [2, 3, 1, 0]);
  assert.deepEqual(tries([3, 2, 3, 1, 5]), [2, 3, 4], 'up found better: down is not tried');
  assert.deepEqual(tries([5, 4, 3, 4, 5], 'top'), [4, 3, 2, 1]);
  assert.deepEqual(tries([5, 4, 3, 2, 1], 'top'), [4, 3]);
  assert.deepEqual(tries([3, 2, 3, 1, 5], 'top'), [4, 3, 2], 'a worse value ends the descent');
});

test('a run that trails its rival\'s best validation MSE for RIVAL_POINTS points in a row stops; one that keeps up runs on', () => {
  const train = problem(300, 3, 1, 4);
  const validation = problem(100, 3, 1, 5);
  const o = { hidden: 40, iterations: 12, seed: 0 };
  const free = anmin.train({ train, validation }, o);
  let low = Infinity;
  const own = free.trace.map((p) => (low = Math.min(low, p.validationMse!)));
  // A rival a little better at every point: stopped after RIVAL_POINTS iterations.
  const raced = anmin.train({ train, validation, rival: own.map((v) => v * 0.99) }, o);
  assert.equal(raced.stoppedAt, RIVAL_POINTS);
  assert.deepEqual(raced.trace.map((p) => p.validationMse), free.trace.slice(0, RIVAL_POINTS + 1).map((p) => p.validationMse));
  // Its own curve as the rival: never behind, every iteration run. A short rival's last value stands for the rest.
  assert.equal(anmin.train({ train, validation, rival: own }, o).trace.length, free.trace.length);
  assert.equal(anmin.train({ train, validation, rival: [own[0], own[1] * 0.99, Math.min(...own) / 2] }, o).stoppedAt, RIVAL_POINTS);
});

/** A planted problem's rows 0–299 to train on, 300–399 to validate, with the bias column first. */
function plantedRows(): { train: TrainData['train']; validation: TrainData['train'] } {
  const pl = planted({ d: D, k: 4, n: 400, sigma: 0.3, seed: 6 });
  const part = (from: number, n: number) => ({ n, p: D + 1, c: 1, x: Float64Array.from({ length: n * (D + 1) }, (_, k) => (k % (D + 1) === 0 ? 1 : pl.x[(from + Math.floor(k / (D + 1))) * D + (k % (D + 1)) - 1])), y: pl.y.slice(from, from + n) });
  return { train: part(0, 300), validation: part(300, 100) };
}

test('with a gain rule a new best resets the patience only where it raises the validation R² by enough, or lowers the validation MSE by a share of that of the last that did while that one left enough of the variance; the least validation MSE is still the one kept', () => {
  const { train, validation } = plantedRows();
  const o = { hidden: 8, iterations: 60, seed: 0 };
  const free = lbfgs.train({ train, validation }, o).trace;
  const patience = 4;
  // The rule on the free run's curve: where it stops.
  const stopOf = (rule: GainRule) => {
    let mark = free[0].validationR2!;
    let markMse = free[0].validationMse!;
    let low = markMse;
    let since = 0;
    for (let i = 1; i < free.length; i++) {
      const { validationMse: mse, validationR2: r2 } = free[i] as { validationMse: number; validationR2: number };
      const better = mse < low;
      if (better) low = mse;
      if (better && (r2 > mark + rule.r2 || (1 - mark > rule.residual && mse < markMse * (1 - rule.share)))) (since = 0), (mark = r2), (markMse = mse);
      else since++;
      if (since >= patience) return i;
    }
    return free.length - 1;
  };
  const byR2 = { r2: 1e-3, share: 0, residual: Infinity };
  // Gains of R² too small to count, but a thousandth of the MSE, where the fit leaves more than 1% of the variance.
  const byShare = { r2: 1e-3, share: 1e-3, residual: 0.01 };
  // The same share, never applied: no fit leaves more than all of the variance and more.
  const never = { ...byShare, residual: 1e6 };
  for (const rule of [byR2, byShare]) {
    const stop = stopOf(rule);
    assert.ok(stop < free.length - 1, 'the rule stops the run before its end');
    const r = lbfgs.train({ train, validation, patience, tolerance: rule }, o);
    assert.equal(r.stoppedAt, stop);
    assert.deepEqual(r.trace.map((p) => p.validationMse), free.slice(0, stop + 1).map((p) => p.validationMse));
    assert.equal(r.trace[r.selected].validationMse, Math.min(...r.trace.map((p) => p.validationMse!)));
  }
  assert.notEqual(stopOf(byShare), stopOf(byR2), 'the share counts gains the R² alone does not');
  assert.equal(lbfgs.train({ train, validation, patience, tolerance: never }, o).stoppedAt, stopOf(byR2));
  assert.ok(lbfgs.train({ train, validation, patience }, o).trace.length > stopOf(byR2) + 1, 'without it the run goes on');
  // Validation targets all alike: R² is not a number, and every new best counts.
  const alike = { ...validation, y: new Float64Array(validation.n).fill(0.5) };
  const mses = (t: { validationMse?: number }[]) => t.map((p) => p.validationMse);
  const kept = lbfgs.train({ train, validation: alike, patience, tolerance: byR2 }, o).trace;
  assert.ok(kept.length > patience + 1, 'new bests went on counting');
  assert.deepEqual(mses(kept), mses(lbfgs.train({ train, validation: alike, patience }, o).trace));
});

test('with a start significance a new best ends the start\'s patience only where the validation rows bear out its gain over the first point: a paired t or a sign test\'s statistic of their squared errors above it', () => {
  // Rows 0, 3, 4 gain, rows 2 and 5 lose, row 1 ties.
  const before = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const after = Float64Array.from([0.5, 2, 3.5, 3, 4, 7]);
  assert.equal(signStatistic(before, after), (3 - 2) / Math.sqrt(5));
  assert.equal(signStatistic(after, before), -signStatistic(before, after));
  assert.ok(Math.abs(signStatistic(before, before.map((v) => v / 2)) - Math.sqrt(before.length)) < 1e-15, 'every row gains: √n');
  assert.equal(signStatistic(before, before), 0, 'all ties');
  const huge = after.map((v, i) => (i === 5 ? 1e9 : v));
  assert.equal(signStatistic(before, huge), signStatistic(before, after), 'a loss counts once, however large');
  const gains = Array.from(before, (v, i) => v - after[i]);
  const t = mean(gains) / (sampleStandardDeviation(gains) / Math.sqrt(gains.length));
  assert.ok(Math.abs(pairedT(before, after) - t) <= 1e-12 * Math.abs(t), 'the mean gain over its standard error');
  assert.equal(pairedT(after, before), -pairedT(before, after));
  assert.equal(pairedT(before, before.map((v) => v - 1)), Infinity, 'the same gain on every row');
  assert.equal(gainEvidence(before, after), Math.max(pairedT(before, after), signStatistic(before, after)));
  assert.ok(pairedT(before, huge) < 0 && signStatistic(before, huge) > 0, 'one large loss: the t statistic sees it, the sign test does not');

  const { train, validation } = plantedRows();
  const o = { hidden: 8, iterations: 60, seed: 0 };
  const [patience, startPatience] = [4, 2];
  const run = (startSignificance?: number) => lbfgs.train({ train, validation, patience, startPatience, ...(startSignificance === undefined ? {} : { startSignificance }) }, o);
  const mses = (r: { trace: { validationMse?: number }[] }) => r.trace.map((p) => p.validationMse);
  const plain = run();
  assert.ok(plain.stoppedAt! > startPatience, 'a new best beat the first point: the patience took over');
  assert.deepEqual(mses(run(-Infinity)), mses(plain), 'every gain borne out: as without the test');
  const none = run(Infinity);
  assert.equal(none.stoppedAt, startPatience, 'no gain borne out: the start\'s patience, from the first point');
  assert.ok(none.selected > 0, 'a new best was found, and is the one kept');
  assert.deepEqual(mses(none), mses(plain).slice(0, startPatience + 1));
});

test('with a gain rule\'s significance (BORNE_OUT: ANMIN\'s long runs) a new best resets the patience only where the validation rows bear out its gain over the last that did', () => {
  const { train, validation } = plantedRows();
  const o = { hidden: 8, iterations: 60, seed: 0 };
  const patience = 4;
  const run = (significance: number) => lbfgs.train({ train, validation, patience, tolerance: { ...BORNE_OUT, significance } }, o);
  const mses = (r: { trace: { validationMse?: number }[] }) => r.trace.map((p) => p.validationMse);
  const every = lbfgs.train({ train, validation, patience }, o);
  assert.deepEqual(mses(run(-Infinity)), mses(every), 'every gain borne out: every new best counts');
  const none = run(Infinity);
  assert.equal(none.stoppedAt, patience, 'none borne out: the patience from the first point');
  assert.equal(none.trace[none.selected].validationMse, Math.min(...(mses(none) as number[])), 'the least validation MSE is still the one kept');
  const rule = run(BORNE_OUT.significance!);
  assert.ok(rule.stoppedAt! >= patience && rule.trace.length <= every.trace.length);
  assert.deepEqual(mses(rule), mses(every).slice(0, rule.trace.length), 'the same iterates, stopped sooner or as late');
});

test('bad settings are one-line errors naming the setting; a wide layer against few rows is warned of', () => {
  assert.equal(validationWarning(0, true), undefined, 'no validation rows, nothing chosen by them');
  assert.equal(validationWarning(FEW_VALIDATION_ROWS, true), undefined);
  assert.match(validationWarning(FEW_VALIDATION_ROWS - 1, true)!, /^only 29 validation rows choose the iterate, λ and when to stop/);
  assert.match(validationWarning(4, false)!, /^only 4 validation rows choose the iterate and when to stop/);
  assert.throws(() => new Anmin({ validationFraction: 1 }), /anmin: validationFraction must be a number in \[0, 1\)/);
  assert.throws(() => new Anmin({ patience: 0 }), /patience must be a positive integer/);
  assert.throws(() => new Anmin({ lambdas: [] }), /lambdas must be a non-empty list/);
  assert.throws(() => new Adam({ lambdas: [0.1] } as never), /adam: lambdas and refit are ANMIN's settings/);
  assert.throws(() => new Anmin({ refine: 'lbfgs', validationFraction: 0 }), /anmin: refining by lbfgs stops by the validation rows: .* train without a refinement \(--method anmin\)/);
  assert.throws(() => new Anmin({ validationFraction: 0, widths: [4, 8] }), /needs validation rows/);
  assert.throws(() => new Adam({ restarts: 0 }), /adam: restarts must be a positive integer, got 0/);
  assert.throws(() => new Adam({ restarts: 1.5 }), /restarts must be a positive integer/);
  assert.throws(() => new Adam({ validationFraction: 0, restarts: 2 }), /choosing among restarts needs validation rows/);
  assert.match(sizeWarning(10, 256, 353)!, /2816 unknowns against 353 training rows.*--hidden 64 or less/);
  assert.equal(sizeWarning(10, 64, 353), undefined);
});
