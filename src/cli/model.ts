import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { readModelInputs, readTrainingCsv, type CsvData } from '../estimator/csv-data.js';
import { Regressor } from '../estimator/estimator.js';
import { asMatrix, holdOut } from '../estimator/matrix.js';
import { toOnnx } from '../estimator/onnx.js';
import { readTextColumns } from '../data/csv.js';
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

function loadSaved(path: string): Regressor {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnminError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return Regressor.fromJSON(text, path);
}

async function inputsFor(model: Regressor, path: string, needTargets: boolean): Promise<CsvData> {
  return readModelInputs(path, [...model.features], [...model.targets], needTargets);
}

export function trainCommand(): Command {
  const cmd = new Command('train')
    .description(DESCRIPTIONS.train)
    .argument('<data.csv>', 'training data');
  for (const k of ['target', 'features', 'method', 'trainerOption', 'testFraction', 'testFile', 'modelSeed', 'save', 'json'] as const) cmd.addOption(option(k));
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
    const data = await readTrainingCsv(file, f.target, f.features);
    const y = data.y!;
    const { train, test } = f.test
      ? { train: { X: asMatrix(data.x), y: asMatrix(y) }, test: await readModelInputs(f.test, data.features, data.targets, true).then((t) => ({ X: asMatrix(t.x), y: asMatrix(t.y!) })) }
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
      if (f.save) writeFileAtomic(f.save, JSON.stringify(model) + '\n');
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
      const model = loadSaved(modelPath);
      const ids = f.id ?? [];
      const data = await readModelInputs(file, [...model.features], [...model.targets], false, ids);
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
      const model = loadSaved(modelPath);
      const data = await inputsFor(model, file, true);
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
      const model = loadSaved(modelPath);
      const bytes = await toOnnx(model);
      writeFileAtomic(f.onnx, bytes);
      emit(`wrote ${f.onnx}: ONNX (opset 13, float32), ${bytes.length} bytes; input x: ${model.features.length} columns (${model.features.join(', ')}); output y: ${model.targets.join(', ')}`);
    });
}
