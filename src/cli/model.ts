import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { readModelInputs, readTrainingCsv, type CsvData } from '../estimator/csv-data.js';
import { Regressor } from '../estimator/estimator.js';
import { asMatrix, holdOut } from '../estimator/matrix.js';
import { toOnnx } from '../estimator/onnx.js';
import { readTextColumns } from '../data/csv.js';
import type { OneHot } from '../data/encoding.js';
import { splitIndices } from '../data/split.js';
import type { ModelFile } from '../estimator/model-file.js';
import { columnFits } from '../model/network.js';
import { csvText } from '../report/render.js';
import { loadTrainerModule, TRAINERS } from '../train/registry.js';
import { AnminError, USAGE } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { endAtOnceOnInterrupt } from '../util/interrupt.js';
import { startProgress } from '../util/progress.js';
import { emit, outputPath, table } from './io.js';
import { option } from './options.js';
import { flagsFor, givenTrainerOptions, trainerOption, type TrainerOptionKey } from './trainer-options.js';
import { DESCRIPTIONS } from './descriptions.js';

/** The CLI's method names: a trainer and its activation slope. */
const METHODS: Record<string, { trainer: string; alpha: number }> = {
  anmin: { trainer: 'anmin', alpha: 0 },
  'anmin-l': { trainer: 'anmin', alpha: 0.1 },
  adam: { trainer: 'adam', alpha: 0 },
  'adam-l': { trainer: 'adam', alpha: 0.1 },
  sgd: { trainer: 'sgd', alpha: 0 },
  lbfgs: { trainer: 'lbfgs', alpha: 0 },
};

type TrainFlags = Partial<Record<TrainerOptionKey, unknown>> & {
  categorical?: string[];
  option?: string[];
  target: string[];
  features?: string[];
  method: string;
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

export function trainCommand(): Command {
  const cmd = new Command('train')
    .description(DESCRIPTIONS.train)
    .argument('<data.csv>', 'training data');
  for (const k of ['target', 'features', 'categorical', 'method', 'trainerOption', 'testFraction', 'testFile', 'modelSeed', 'save', 'json'] as const) cmd.addOption(option(k));
  const trainers = [...new Set(Object.values(METHODS).map((m) => TRAINERS[m.trainer]))];
  for (const k of flagsFor(trainers)) cmd.addOption(trainerOption(k, trainers));
  cmd.action(async (file: string, f: TrainFlags) => {
    if (!f.target) throw new AnminError('train: --target is required (the column to predict)', USAGE);
    if (f.save) outputPath(f.save, '--save', { files: [file, ...(f.test ? [f.test] : [])] });
    // A built-in method is a trainer and its slope; anything else named on --method is a user's module.
    const builtin = METHODS[f.method];
    const trainer = builtin ? TRAINERS[builtin.trainer] : await loadTrainerModule(f.method);
    const options: Record<string, unknown> = { ...(builtin ? { alpha: builtin.alpha } : {}), ...givenTrainerOptions(f, trainer, 'train'), seed: f.seed };
    if ('threads' in trainer.defaults && options.threads === undefined) options.threads = availableParallelism();
    // Categories are learned on the rows trained on: all of them beside a --test file, else the split's.
    const trainRows = (n: number) => (f.test || f.testFraction === 0 ? Int32Array.from({ length: n }, (_, i) => i) : splitIndices(n, f.seed, f.testFraction).train);
    const data = await readTrainingCsv(file, f.target, f.features, f.categorical ? { columns: f.categorical, trainRows } : undefined);
    const y = data.y!;
    const { train, test } = f.test
      ? { train: { X: asMatrix(data.x), y: asMatrix(y) }, test: await readModelInputs(f.test, data.features, data.targets, true, [], data.encoding).then((t) => ({ X: asMatrix(t.x), y: asMatrix(t.y!) })) }
      : heldOut(data.x, y, f.testFraction, f.seed);
    const model = new Regressor(trainer, options);
    // A module without iterations shows a bar of one step.
    const total = Number(options.iterations ?? (trainer.defaults as { iterations?: number }).iterations ?? 1);
    const bar = startProgress(`train ${f.method}`, total, 'steps');
    try {
      endAtOnceOnInterrupt();
      model.fit(train.X, train.y, { test, features: data.features, targets: data.targets, onStep: (pt) => bar.update(pt.iteration, { status: `train MSE ${fmt(pt.trainMse)}` }) });
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
    const out = { method: f.method, train_rows: s.rows, test_rows: s.testRows ?? 0, train_mse: s.trainMse, train_r2: s.trainR2, test_mse: s.testMse ?? null, test_r2: s.testR2 ?? null, seconds: Number(s.seconds.toFixed(3)), iterations: s.iterations, ...(f.save && !unsaved ? { saved: f.save } : {}) };
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
