import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { droppedNote, readModelInputs, readTrainingCsv, type CsvData } from '../estimator/csv-data.js';
import { AUTO, autoMethod, autoSettings } from '../estimator/auto.js';
import { Regressor } from '../estimator/estimator.js';
import { asMatrix, holdOut, toFlat } from '../estimator/matrix.js';
import { toOnnx } from '../estimator/onnx.js';
import { ADAM_RESTARTS, BORNE_OUT, DEFAULT_VALIDATION_FRACTION, fitRows, GAIN_RULE, HANDOFF_ITERATIONS, PATIENCE, PLATEAU, PLENTY_LAMBDA, REFINE_CLIMB, REFINE_PATIENCE, REFINE_START, SMALL_FIT_WORK, sizeWarning, STALL_UPDATES, VALIDATION_LAMBDAS, validationWarning, type ValidationSettings } from '../estimator/validation.js';
import { readTextColumns, type Missing } from '../data/csv.js';
import type { OneHot } from '../data/encoding.js';
import { splitIndices } from '../data/split.js';
import type { ModelFile } from '../estimator/model-file.js';
import { columnFits } from '../model/network.js';
import { gradientWidth } from '../model/sparse-rows.js';
import { csvText } from '../report/render.js';
import { ANMIN_DEFAULTS } from '../train/anmin-options.js';
import { loadTrainerModule, TRAINERS } from '../train/registry.js';
import type { Trainer } from '../train/types.js';
import { AnminError, USAGE } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { endAtOnceOnInterrupt } from '../util/interrupt.js';
import { startProgress } from '../util/progress.js';
import { emit, outputPath, table } from './io.js';
import { AUTO_FLAGS, int, num, option, TRAIN_METHODS } from './options.js';
import { flagName, flagsFor, givenTrainerOptions, TRAINER_FLAG_KEYS, trainerOption, type TrainerOptionKey } from './trainer-options.js';
import { DESCRIPTIONS } from './descriptions.js';

type TrainFlags = Partial<Record<TrainerOptionKey, unknown>> & {
  categorical?: string[];
  missing: Missing;
  option?: string[];
  target: string[];
  features?: string[];
  method: string;
  validationFraction?: number;
  patience?: number;
  refit?: boolean;
  restarts?: number;
  testFraction: number;
  test?: string;
  seed: number;
  save?: string;
  json?: boolean;
};

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : Number(v.toPrecision(6)));

/** holdOut, its refusal naming the flag that asked for it. */
function heldOut(...args: Parameters<typeof holdOut>): ReturnType<typeof holdOut> {
  try {
    return holdOut(...args);
  } catch (e) {
    throw e instanceof AnminError ? new AnminError(`--test-fraction: ${e.message}`, USAGE) : e;
  }
}

/** A saved model, and the one-hot code of its columns of words (the estimator sees only numbers). */
function loadSaved(path: string): { model: Regressor; encoding: OneHot[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnminError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const model = Regressor.fromJSON(text, path);
  return { model, encoding: (JSON.parse(text) as ModelFile).encoding ?? [] };
}

/** A table's rows as the model takes them, its words encoded; rows of categories it never saw are said. */
async function inputsFor({ model, encoding }: ReturnType<typeof loadSaved>, path: string, needTargets: boolean, carried: string[] = []): Promise<CsvData> {
  const data = await readModelInputs(path, [...model.features], [...model.targets], needTargets, carried, encoding);
  if (data.unseen?.rows) process.stderr.write(`anmin: warning: ${data.unseen.rows} row(s) of ${path} hold a category the model never saw (e.g. ${data.unseen.example}); their one-hot code is all zeros\n`);
  return data;
}

/**
 * --hidden and --lambda take a list to choose among by validation (16,64,256); each value is read by
 * the trainer's constraint, as the single-valued flag is.
 */
function listOption(key: 'hidden' | 'lambda', trainers: readonly Trainer<object>[]): Option {
  const o = trainerOption(key, trainers);
  const one = (o as unknown as { parseArg: (v: string, prev: unknown) => number }).parseArg;
  o.description += key === 'hidden'
    ? '; a list (16,64,256): the one of least validation MSE'
    : `; a list: the one of least validation MSE; with validation and no --lambda, ${VALIDATION_LAMBDAS.join(', ')} on the mean scale where the rows are fewer than twice the hidden layer's unknowns, else ${PLENTY_LAMBDA} (mean)`;
  return o.argParser((v: string) => v.split(',').map((part) => one(part, undefined)));
}

/** train's own flags: the hybrids on --method, validation and what it chooses. */
function trainOptions(): Option[] {
  return [
    option('method'),
    new Option('--validation-fraction <f>', `share of the training rows held out to choose the iterate, λ and width by and to stop early (trained on only at the end, by a refit or a hybrid's steps over every row: --refit) (default ${DEFAULT_VALIDATION_FRACTION}; 0: every row trained on, the trainer's own selection, e.g. Algorithm 1 as published with --method anmin; a hybrid needs validation rows)`).argParser((v) => num(0, 0.9)(v, '--validation-fraction')),
    new Option('--patience <n>', `stop once n iterations, epochs or steps in a row bring no new best (by validation MSE, or the method's own rule); validated Adam and SGD first cut their rate tenfold and stop ${PLATEAU.patience} epochs without a new best later (default with validation: ANMIN ${PATIENCE.anmin}, gradient methods ${PATIENCE.gradient}, Adam and SGD up to ${2 * PATIENCE.gradient} where ${PATIENCE.gradient} epochs hold fewer than ${STALL_UPDATES} updates and no challenger races them, a hybrid's refinement ${REFINE_PATIENCE.lbfgs} L-BFGS steps (${REFINE_START.patience} while none has beaten ANMIN's network by a gain the validation rows bear out: their squared errors' paired t or sign test statistic above ${REFINE_START.significance}) or ${REFINE_PATIENCE.adam} epochs, L-BFGS's stopped sooner where its validation MSE rose at each of ${REFINE_CLIMB} steps in a row; given, anmin+lbfgs's ANMIN runs to it rather than handing off after ${HANDOFF_ITERATIONS} iterations); ANMIN's runs that do not hand off, on plenty of rows, count only new bests the validation rows bear out (their squared errors' paired t or sign test statistic against the last that counted above ${BORNE_OUT.significance}); a hybrid's refinement and auto's challenger count only new bests that raise validation R² by more than ${GAIN_RULE.r2} over the last that counted or, while that one left more than ${GAIN_RULE.residual} of the validation variance, lower validation MSE by more than ${100 * GAIN_RULE.share}% of its`).argParser((v) => int(1)(v, '--patience')),
    new Option('--refit', `give the final model the validation rows: ANMIN alone (--method anmin) trains again on every row at the chosen λ, width and iteration count (default: when the rows are fewer than twice the hidden layer's unknowns); a hybrid's refinement goes on over every row for as many steps as validation chose, at most its --patience (${REFINE_PATIENCE.lbfgs} L-BFGS steps or ${REFINE_PATIENCE.adam} epochs; default; where it kept ANMIN's network, ANMIN's rule)`),
    new Option('--no-refit', 'keep the validation-selected model, trained without the validation rows'),
    new Option('--restarts <n>', `train from n initial weights (seeds derived from --seed) on the same fit and validation rows and keep the one of least validation MSE (a hybrid: among its ANMIN runs, then refines that one), at up to n times the time (default with validation: Adam ${ADAM_RESTARTS} where an epoch over the fit rows costs at most ${SMALL_FIT_WORK / 1e6} M multiply-adds, rows·h·(d + 1 + c), and auto races no L-BFGS, else 1)`).argParser((v) => int(1)(v, '--restarts')),
  ];
}

export function trainCommand(): Command {
  const cmd = new Command('train')
    .description(DESCRIPTIONS.train)
    .argument('<data.csv>', 'training data');
  for (const k of ['target', 'features', 'categorical', 'missing', 'trainerOption', 'testFraction', 'testFile', 'modelSeed', 'save', 'json'] as const) cmd.addOption(option(k));
  for (const o of trainOptions()) cmd.addOption(o);
  const trainers = [...new Set(Object.values(TRAIN_METHODS).map((m) => TRAINERS[m.trainer]))];
  for (const k of flagsFor(trainers)) cmd.addOption(k === 'hidden' || k === 'lambda' ? listOption(k, trainers) : trainerOption(k, trainers));
  cmd.action(async (file: string, f: TrainFlags) => {
    if (!f.target) throw new AnminError('train: --target is required (the column to predict)', USAGE);
    if (f.save) outputPath(f.save, '--save', { files: [file, ...(f.test ? [f.test] : [])] });
    const auto = f.method === AUTO;
    const lists = { hidden: f.hidden as number[] | undefined, lambda: f.lambda as number[] | undefined };
    const flags = { ...f, hidden: lists.hidden?.[0], lambda: lists.lambda?.[0] };
    // auto's method depends on the data's shape, and a flag such as --iterations or --patience means
    // different things to its two methods: it takes only what both read alike.
    const tuned = TRAINER_FLAG_KEYS.find((k) => flags[k] !== undefined && !AUTO_FLAGS.includes(k)) ?? (f.option?.length ? 'option' : f.patience !== undefined ? 'patience' : f.refit !== undefined ? (f.refit ? 'refit' : 'noRefit') : undefined);
    if (auto && tuned) throw new AnminError(`train: ${flagName(tuned)} tunes a method: name the method it is for (--method anmin+lbfgs, anmin, adam, …); --method auto chooses by the data's shape and takes only ${AUTO_FLAGS.map((k) => flagName(k)).join(' and ')}`, USAGE);
    if (auto && f.validationFraction === 0) throw new AnminError('train: --validation-fraction 0 trains a method by its own rule: name it (--method anmin: Algorithm 1 as published, or a gradient method); --method auto chooses a method that stops by validation rows', USAGE);
    // A built-in method is a trainer and its slope; anything else named on --method is a user's module.
    const resolve = async (method: string, where?: string) => {
      const builtin = TRAIN_METHODS[method];
      const trainer = builtin ? TRAINERS[builtin.trainer] : await loadTrainerModule(method);
      // auto's --threads goes to a method that takes it (every thread count gives the same numbers).
      const mine = auto && !('threads' in trainer.defaults) ? { ...flags, threads: undefined } : flags;
      // A hybrid's flags are its first method's: its refinement runs with REFINE_OPTIONS.
      const given = givenTrainerOptions(mine, trainer, builtin?.refine ? `${where ?? `train --method ${method}`} (${builtin.trainer}'s options; its ${builtin.refine} refinement's are fixed)` : where ?? 'train');
      return { method, builtin, trainer, given };
    };
    let method = auto ? undefined : await resolve(f.method);
    // What auto adds to the method it chose (autoSettings).
    let picked: Partial<ValidationSettings> = {};
    // Categories are learned on the rows trained on: all of them beside a --test file, else the split's.
    const learnOn = (n: number) => (f.test || f.testFraction === 0 ? Int32Array.from({ length: n }, (_, i) => i) : splitIndices(n, f.seed, f.testFraction).train);
    const data = await readTrainingCsv(file, f.target, f.features, f.categorical ? { columns: f.categorical, trainRows: learnOn } : undefined, f.missing);
    const y = data.y!;
    const tested = f.test ? await readModelInputs(f.test, data.features, data.targets, true, [], data.encoding, f.missing) : undefined;
    for (const [path, t] of [[file, data], [f.test, tested]] as const) if (t?.dropped) process.stderr.write(`anmin train: ${droppedNote(path!, t.dropped)}\n`);
    const { train, test } = tested
      ? { train: { X: asMatrix(data.x), y: asMatrix(y) }, test: { X: asMatrix(tested.x), y: asMatrix(tested.y!) } }
      : heldOut(data.x, y, f.testFraction, f.seed);
    const X = train.X;
    const trainRows = 'shape' in X ? X.shape[0] : 'rows' in X ? X.rows : X.length;
    if (!method) {
      const pick = autoMethod(trainRows, data.features.length, data.targets.length, Math.max(...(lists.hidden ?? [ANMIN_DEFAULTS.hidden])), f.validationFraction, gradientWidth(toFlat(X, 'X').data, data.features.length));
      process.stderr.write(`anmin train: ${pick.reason}\n`);
      method = await resolve(pick.method, `train --method auto (${pick.method} here)`);
      picked = autoSettings(pick);
    }
    const { builtin, trainer, given } = method;
    const options: Record<string, unknown> = { ...(builtin ? { alpha: builtin.alpha } : {}), ...given, seed: f.seed };
    if ('threads' in trainer.defaults && options.threads === undefined) options.threads = availableParallelism();
    const settings: Partial<ValidationSettings> = {
      ...(f.validationFraction !== undefined ? { validationFraction: f.validationFraction } : {}),
      ...(f.patience !== undefined ? { patience: f.patience } : {}),
      ...(builtin?.refine ? { refine: builtin.refine } : {}),
      ...picked,
      ...(f.refit !== undefined ? { refit: f.refit } : {}),
      ...(f.restarts !== undefined ? { restarts: f.restarts } : {}),
      ...((lists.hidden?.length ?? 0) > 1 ? { widths: lists.hidden } : {}),
      ...((lists.lambda?.length ?? 0) > 1 ? { lambdas: lists.lambda } : {}),
    };
    const model = new Regressor(trainer, { ...options, ...settings });
    const fit = fitRows(trainRows, model.settings.validationFraction);
    for (const h of model.settings.widths ?? [Number(options.hidden ?? (trainer.defaults as { hidden?: number }).hidden)]) {
      const warning = builtin?.trainer === 'anmin' ? sizeWarning(data.features.length, h, fit) : undefined;
      if (warning) process.stderr.write(`anmin train: warning: ${warning}\n`);
    }
    const few = validationWarning(trainRows - fit, builtin?.trainer === 'anmin');
    if (few) process.stderr.write(`anmin train: warning: ${few}\n`);
    const total = model.plannedSteps(trainRows, data.features.length + 1, data.targets.length);
    const bar = startProgress(`train ${method.method}`, total, 'steps');
    let steps = 0;
    try {
      endAtOnceOnInterrupt();
      model.fit(train.X, train.y, { test, features: data.features, targets: data.targets, onStep: (pt) => bar.update(steps++, { status: `${pt.validationMse !== undefined ? `validation MSE ${fmt(pt.validationMse)}` : `train MSE ${fmt(pt.trainMse)}`}` }) });
    } finally {
      bar.stop();
    }
    // A save that fails (a disk filled meanwhile) still shows what the training reached, then the error.
    let unsaved: unknown;
    try {
      if (f.save) writeFileAtomic(f.save, JSON.stringify({ ...model.toJSON(), ...(data.encoding ? { encoding: data.encoding } : {}) }) + '\n');
    } catch (e) {
      unsaved = e;
    }
    const s = model.summary;
    const v = model.toJSON().validation;
    const cut = (r: { rateCutAt?: number }) => (r.rateCutAt !== undefined ? ` (rate ×${PLATEAU.factor} after ${r.rateCutAt})` : '');
    // After a hand-off whose refinement found nothing, ANMIN's run that went on from it may be the one
    // chosen: its iterations are counted from ANMIN's start, the hand-off's among them.
    const handedOff = v?.refine?.handoff !== undefined && v.chosen.from === undefined;
    // Where the linear fit was kept, the refit is its own: the network it replaced never had the rows back.
    const network = v && [`h ${v.chosen.hidden}`, ...(v.chosen.lambda !== undefined ? [`λ ${v.chosen.lambda} (${v.chosen.lambdaScale})`] : []), ...(v.restarts && !v.chosen.trainer ? [`restart ${(v.chosen.restart ?? 0) + 1} of ${v.restarts}`] : []), ...(v.chosen.trainer ? [`the challenger ${v.chosen.trainer}`] : []), ...(v.chosen.lr !== undefined ? [`rate ${v.chosen.lr} of ${v.candidates.filter((c) => c.lr !== undefined).map((c) => c.lr).join(' and ')}`] : []), `${v.chosen.trainer === 'lbfgs' ? 'step' : 'iteration'} ${(v.chosen.from ?? 0) + v.chosen.selected}${handedOff ? ` of ${v.refine!.handoff} (the hand-off)` : ''}${cut(v.chosen)}`, ...(v.refine ? [`${v.refine.trainer} ${v.refine.trainer === 'lbfgs' ? 'step' : 'epoch'} ${v.refine.selected}${cut(v.refine)}`] : []), ...(v.unrefined ? [`not refined (its best before ${v.unrefined.refineAfter})`] : []), ...(v.linear?.chosen ? [] : (v.refine?.continued ?? v.continued) ? [`${v.refine?.continued ?? v.continued} more on all rows`] : v.refit ? ['refit on all rows'] : []), ...(v.unchallenged ? [`not raced (1 − validation R² ${(1 - v.unchallenged.validationR2).toExponential(2)})`] : [])].join(', ');
    // The linear fit kept: saved as a network of the same function, whose units but its first pairs are zero.
    const chosen = v?.linear?.chosen ? `the linear fit (ridge λ ${v.linear.lambda} per row), refit on all rows; not the network (${network})` : network;
    const out = {
      // train_rows: every row not tested, validation_rows among them (refit or not, `chosen` says).
      method: method.method, ...(auto ? { chosen_by: 'auto' } : {}), ...(data.dropped || tested?.dropped ? { dropped_rows: (data.dropped?.rows ?? 0) + (tested?.dropped?.rows ?? 0) } : {}), train_rows: trainRows, ...(v ? { validation_rows: v.rows, validation_mse: v.linear?.chosen ? v.linear.validationMse : v.refine?.validationMse ?? v.chosen.validationMse, chosen } : {}), test_rows: s.testRows ?? 0, train_mse: s.trainMse, train_r2: s.trainR2, test_mse: s.testMse ?? null, test_r2: s.testR2 ?? null,
      seconds: Number(s.seconds.toFixed(3)), iterations: s.iterations, ...(s.stoppedAt !== undefined ? { stopped_at: s.stoppedAt } : {}),
      // The kept run is a candidate's unless refit: count it once.
      degenerate: (v?.candidates ?? []).reduce((a, c) => a + c.degenerate, 0) + (!v || v.refit ? s.degenerate ?? 0 : 0), ...(f.save && !unsaved ? { saved: f.save } : {}),
    };
    emit(f.json ? JSON.stringify(out) : table([Object.keys(out), Object.values(out).map((v) => String(typeof v === 'number' ? fmt(v) : v ?? '—'))]));
    if (unsaved) throw unsaved;
  });
  return cmd;
}

export function predictCommand(): Command {
  return new Command('predict')
    .description(DESCRIPTIONS.predict)
    .argument('<model.json>', 'a model saved by `anmin train --save`')
    .argument('<data.csv>', 'rows to predict; the model\'s input columns in any order, the target columns optional')
    .addOption(option('out'))
    .addOption(option('id'))
    .action(async (modelPath: string, file: string, f: { out?: string; id?: string[] }) => {
      if (f.out) outputPath(f.out, '--out', { files: [modelPath, file] });
      const saved = loadSaved(modelPath);
      const { model } = saved;
      const ids = f.id ?? [];
      const data = await inputsFor(saved, file, false, ids);
      const carried = ids.length ? await readTextColumns(file, file, ids) : [];
      const yhat = model.predict(asMatrix(data.x));
      const c = model.targets.length;
      // "predicted_y", not "y": a prediction joined back onto its table must not pass for the measured target.
      const rows: (string | number)[][] = [[...ids, ...model.targets.map((t) => `predicted_${t}`)].map(csvText)];
      for (let i = 0; i < data.x.rows; i++) rows.push([...(carried[i] ?? []).map(csvText), ...yhat.subarray(i * c, (i + 1) * c)]);
      // Numbers as JavaScript prints them: the shortest text that reads back to the same double.
      emit(stringify(rows, { cast: { number: String } }), f.out);
    });
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description(DESCRIPTIONS.evaluate)
    .argument('<model.json>', 'a model saved by `anmin train --save`')
    .argument('<data.csv>', 'rows with the model\'s input and target columns, in any order')
    .addOption(option('json'))
    .action(async (modelPath: string, file: string, f: { json?: boolean }) => {
      const saved = loadSaved(modelPath);
      const { model } = saved;
      const data = await inputsFor(saved, file, true);
      const fit = model.evaluate(asMatrix(data.x), asMatrix(data.y!));
      const c = model.targets.length;
      // Several targets: each one's MSE and R² beside the pooled ones, as their units differ.
      const each = c > 1 ? columnFits(model.predict(asMatrix(data.x)), data.y!.data, data.x.rows, c) : [];
      const out = { rows: data.x.rows, mse: fit.mse, r2: fit.r2, ...(c > 1 ? { targets: Object.fromEntries(model.targets.map((t, k) => [t, each[k]])) } : {}) };
      const lines = [['target', 'rows', 'mse', 'r2'], ['(all)', String(data.x.rows), String(fmt(fit.mse)), String(fmt(fit.r2))], ...model.targets.slice(0, each.length).map((t, k) => [csvText(t), String(data.x.rows), String(fmt(each[k].mse)), String(fmt(each[k].r2))])];
      emit(f.json ? JSON.stringify(out) : table(c > 1 ? lines : [Object.keys(out), Object.values(out).map((v) => String(fmt(v as number)))]));
    });
}

export function exportCommand(): Command {
  return new Command('export')
    .description(DESCRIPTIONS.export)
    .argument('<model.json>', 'a model saved by `anmin train --save`')
    .addOption(option('onnx'))
    .action(async (modelPath: string, f: { onnx?: string }) => {
      if (!f.onnx) throw new AnminError('export: name the output, e.g. --onnx model.onnx', USAGE);
      outputPath(f.onnx, '--onnx', { files: [modelPath] });
      const { model, encoding } = loadSaved(modelPath);
      // The graph takes numbers: ONNX's one-hot operators (ai.onnx.ml) are not what this export writes.
      if (encoding.length) throw new AnminError(`export: ${modelPath} one-hot encodes ${encoding.map((c) => `"${c.column}"`).join(', ')}; the ONNX graph takes numbers only: give it the indicator columns (${model.features.filter((n) => encoding.some((c) => n.startsWith(`${c.column}=`))).slice(0, 3).join(', ')}, …) yourself, or train without --categorical`);
      const bytes = await toOnnx(model);
      writeFileAtomic(f.onnx, bytes);
      emit(`wrote ${f.onnx}: ONNX (opset 13, float32), ${bytes.length} bytes; input x: ${model.features.length} columns (${model.features.join(', ')}); output y: ${model.targets.join(', ')}`);
    });
}
