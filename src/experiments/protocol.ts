import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { InputMode } from '../data/split.js';
import { validateOptions } from '../train/constraints.js';
import { importTrainer, TRAINERS } from '../train/registry.js';
import { isTrainerFile, locateTrainerFile, type TrainerFile } from '../train/trainer-file.js';
import type { Trainer } from '../train/types.js';
import { AnminError } from '../util/errors.js';
import { packageRoot, sha256FileSync } from '../util/fsx.js';
import { parseNumbers } from '../util/json.js';
import { validateProtocolShape } from './protocol-schema.js';
import { range, type Shard } from './splits.js';

/** One dataset of a protocol: a registered dataset, a generated one (`source`) with its parameters, or a user's CSV. */
export interface ProtocolDataset {
  /** The dataset loader to use; defaults to the entry's own name. */
  source?: string;
  /** Loader parameters (e.g. simD, simN for the simulation). */
  params?: Record<string, number>;
  /** How inputs reach the model (default 'standardized'; see InputMode). */
  inputs?: InputMode;
  /** Options every method gets on this dataset (e.g. hidden). */
  options?: Record<string, unknown>;
  /** Options for one method on this dataset (e.g. yearpred's batch 2048 for SGD and Adam). */
  methodOptions?: Record<string, Record<string, unknown>>;
  /** The methods that apply to this dataset (default: all); e.g. identity-sgd only fits an identity-mapped network. */
  methods?: string[];
  /** A user's table (relative to the protocol's folder), read as `anmin train` reads one. */
  csv?: string;
  target?: string | string[];
  /** Input columns (default: every column but the targets). */
  features?: string[];
}

/** A CSV dataset as a job carries it: where, which columns, and its bytes' sha256 (part of the record's identity). */
export interface CsvSource {
  /** As the protocol names it (records carry this, not the machine's path). */
  name: string;
  file: string;
  sha256: string;
  target: string[];
  features?: string[];
}

export interface MethodSpec {
  /** A built-in trainer (TRAINERS), or a module's path relative to the protocol's folder (`./ridge-features.mjs`). */
  trainer: string;
  options?: Record<string, unknown>;
  /** File in experiments/ holding the learning rate tuned per dataset (`anmin tune sgd`). */
  tunedLr?: string;
  /** The row of the published table this method is compared with, when its name differs. */
  published?: string;
  /** Which numbers of a run's trace its record reports (default 'selected'; see SummaryRule). */
  summary?: SummaryRule;
}

/**
 * 'selected': the returned model's full-pass metrics (Algorithm 1's minimum-loss model, the gradient
 * methods' last epoch). 'published-min': what the published notebook prints, the minimum over the
 * run of its training-loss list (ANMIN: the frozen-pattern loss and the network's loss of every
 * iteration; SGD/Adam: the epochs' row-weighted minibatch losses) and, independently, the minimum
 * test MSE. 'published-last': the last entries of those lists.
 */
export type SummaryRule = 'selected' | 'published-min' | 'published-last';
export const SUMMARY_RULES: readonly SummaryRule[] = ['selected', 'published-min', 'published-last'];

export interface Preset {
  datasets?: string[];
  methods?: string[];
  splits?: number;
}

/** A paper protocol as data: datasets × methods × splits, with presets that select part of it. */
export interface Protocol {
  name: string;
  description: string;
  datasets: Record<string, ProtocolDataset>;
  methods: Record<string, MethodSpec>;
  splits: number;
  presets: Record<string, Preset>;
  /** Its runs' seconds are reported (Table 4): its jobs run one at a time unless told otherwise. */
  timed?: boolean;
  /** Where it was read from, for error messages. */
  file: string;
  /** The methods whose trainer is a module, located and hashed (not yet run: see loadTrainers). */
  trainerFiles: Record<string, TrainerFile>;
  /** The CSV datasets, located and hashed. */
  tables: Record<string, CsvSource>;
}

/** One unit of work: a method on one split of one dataset, fully specified so any worker can run it. */
export interface Job {
  key: string;
  experiment: string;
  dataset: string;
  /** Loader name and parameters (a generated dataset takes the split as its seed). */
  source: string;
  params: Record<string, number>;
  generated: boolean;
  inputs: InputMode;
  method: string;
  summary: SummaryRule;
  trainer: string;
  split: number;
  seed: number;
  options: Record<string, unknown>;
  /** Files the user put in place of the paper's (sdf's mask, the DAE's image): flag → sha256. */
  dataFiles?: Record<string, string>;
  /** The method's trainer module, when it is one. */
  trainerFile?: TrainerFile;
  /** The dataset's table, when it is a user's CSV. */
  csv?: CsvSource;
}

export const EXPERIMENTS_DIR = (): string => join(packageRoot(), 'experiments');

/** Generated datasets draw fresh data per run; everything else is loaded once and split. */
const GENERATED = new Set(['sim', 'planted']);

export function protocolPath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.json')) return isAbsolute(nameOrPath) ? nameOrPath : join(process.cwd(), nameOrPath);
  return join(EXPERIMENTS_DIR(), `${nameOrPath}.json`);
}

export function readJson<T>(file: string): T {
  if (!existsSync(file)) throw new AnminError(`${file}: no such file`);
  try {
    return parseNumbers<T>(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AnminError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** Reads and validates a protocol by name (experiments/NAME.json) or path. */
export function loadProtocol(nameOrPath: string): Protocol {
  const file = protocolPath(nameOrPath);
  if (!existsSync(file)) {
    throw new AnminError(`unknown experiment "${nameOrPath}": ${file} does not exist (known: table3, ablation, simulation, planted)`);
  }
  const json = readJson<Omit<Protocol, 'file' | 'trainerFiles' | 'tables'>>(file);
  const where = basename(file);
  validateProtocolShape(json, where);
  const base = dirname(file);
  const trainerFiles = Object.fromEntries(Object.entries(json.methods).filter(([, m]) => isTrainerFile(m.trainer)).map(([name, m]) => [name, locateTrainerFile(m.trainer, base, `${where}: method "${name}"`)]));
  const tables = Object.fromEntries(Object.entries(json.datasets).filter(([, d]) => d.csv !== undefined).map(([name, d]) => [name, locateTable(d, base, `${where}: dataset "${name}"`)]));
  const p: Protocol = { ...json, presets: json.presets ?? {}, file, trainerFiles, tables };
  // --datasets and --methods pick names case-insensitively, and case-insensitive file systems fold them:
  // two names one fold apart would select, key or plot as one.
  for (const [kind, table] of [['dataset', p.datasets], ['method', p.methods]] as const) {
    const seen = new Map<string, string>();
    for (const n of Object.keys(table)) {
      const had = seen.get(n.toLowerCase());
      if (had !== undefined) throw new AnminError(`${where}: ${kind}s "${had}" and "${n}" differ only in case; rename one`);
      seen.set(n.toLowerCase(), n);
    }
  }
  for (const [m, spec] of Object.entries(p.methods)) {
    if (!p.trainerFiles[m] && !TRAINERS[spec.trainer]) throw new AnminError(`${where}: method "${m}" names unknown trainer "${spec.trainer}" (known: ${Object.keys(TRAINERS).join(', ')}, or a module's path such as ./my-trainer.mjs)`);
    if (spec.summary !== undefined && !SUMMARY_RULES.includes(spec.summary)) throw new AnminError(`${where}: method "${m}": "summary" must be one of ${SUMMARY_RULES.join(', ')}, got ${JSON.stringify(spec.summary)}`);
    // The published list of ANMIN's losses holds the frozen-pattern loss, which only recordFrozen keeps.
    if (spec.summary?.startsWith('published') && spec.trainer === 'anmin' && spec.options?.recordFrozen !== true) throw new AnminError(`${where}: method "${m}": "summary": "${spec.summary}" lists ANMIN's frozen-pattern losses; set "recordFrozen": true in its options`);
  }
  for (const [d, spec] of Object.entries(p.datasets)) {
    for (const m of Object.keys(spec.methodOptions ?? {})) {
      if (!p.methods[m]) throw new AnminError(`${where}: dataset "${d}" sets options for unknown method "${m}"`);
    }
    for (const m of spec.methods ?? []) if (!p.methods[m]) throw new AnminError(`${where}: dataset "${d}" lists unknown method "${m}"`);
  }
  // A module's constraints are known once it is imported (loadTrainers); the built-ins' now.
  checkOptions(p, Object.fromEntries(Object.entries(p.methods).filter(([m]) => !p.trainerFiles[m]).map(([m, spec]) => [m, TRAINERS[spec.trainer]])));
  for (const [name, preset] of Object.entries(p.presets)) {
    for (const d of preset.datasets ?? []) if (!p.datasets[d]) throw new AnminError(`${where}: preset "${name}" names unknown dataset "${d}"`);
    for (const m of preset.methods ?? []) if (!p.methods[m]) throw new AnminError(`${where}: preset "${name}" names unknown method "${m}"`);
  }
  return p;
}

/**
 * The methods' options checked by their trainers' constraints: each method's own, then merged with each
 * dataset's it runs on (dataset options reach every method that runs on it).
 */
function checkOptions(p: Protocol, trainers: Record<string, Trainer<object>>): void {
  const where = basename(p.file);
  for (const [m, t] of Object.entries(trainers)) {
    validateOptions(p.methods[m].trainer, t.constraints, p.methods[m].options ?? {}, `${where}: method "${m}"`);
    for (const [d, spec] of Object.entries(p.datasets).filter(([, spec]) => appliesTo(spec, m))) validateOptions(p.methods[m].trainer, t.constraints, methodOptions(p, d, m), `${where}: dataset "${d}", method "${m}"`);
  }
}

/**
 * Every method's trainer, the modules among them imported and their options checked by their own
 * constraints, as the built-ins' were by loadProtocol: before any job runs.
 */
export async function loadTrainers(p: Protocol): Promise<Record<string, Trainer<object>>> {
  const out: Record<string, Trainer<object>> = {};
  for (const [m, spec] of Object.entries(p.methods)) out[m] = p.trainerFiles[m] ? await importTrainer(p.trainerFiles[m]) : TRAINERS[spec.trainer];
  checkOptions(p, Object.fromEntries(Object.keys(p.trainerFiles).map((m) => [m, out[m]])));
  return out;
}

/** A CSV dataset's file, found from the protocol's folder and hashed; its columns are checked when it is read. */
function locateTable(d: ProtocolDataset, base: string, where: string): CsvSource {
  const file = resolve(base, d.csv!);
  return { name: d.csv!, file, sha256: sha256FileSync(file, `${where}: ${file}`), target: typeof d.target === 'string' ? [d.target] : d.target!, ...(d.features ? { features: d.features } : {}) };
}

export interface Selection {
  preset?: string;
  datasets?: string[];
  methods?: string[];
  splits?: number[];
  /** A folder of tuned rates (`anmin tune --out`), looked in before the protocol's own. */
  rates?: string;
}

/** One rate of a tuning grid and how it did, averaged over its initializations. */
export interface GridPoint {
  lr: number;
  trainMse: number;
  validationMse: number;
  blewUp: boolean;
  seeds: number;
}

/** Tuned learning rates, as `anmin tune` writes them: per dataset, the rate and how it was chosen. */
export interface TunedRates {
  description: string;
  rates: Record<string, { lr: number; command: string; version: string; grid: GridPoint[] }>;
}

/** Expands a protocol and a selection (preset, then explicit flags) into its jobs, in a fixed order. */
export function expandJobs(p: Protocol, sel: Selection = {}): Job[] {
  const preset: Preset = sel.preset ? p.presets[sel.preset] ?? fail(`${basename(p.file)}: no preset "${sel.preset}" (known: ${Object.keys(p.presets).join(', ')})`) : {};
  // A name given twice (or in two spellings) is one job, not two.
  const datasets = [...new Set((sel.datasets ?? preset.datasets ?? Object.keys(p.datasets)).map((d) => resolveName(d, Object.keys(p.datasets), 'dataset', p)))];
  const methods = [...new Set((sel.methods ?? preset.methods ?? Object.keys(p.methods)).map((m) => resolveName(m, Object.keys(p.methods), 'method', p)))];
  const splits = sel.splits ?? range(0, (preset.splits ?? p.splits) - 1);
  const jobs: Job[] = [];
  for (const dname of datasets) {
    const ds = p.datasets[dname];
    const csv = p.tables[dname];
    const source = csv ? 'csv' : ds.source ?? dname;
    for (const m of methods.filter((m) => appliesTo(ds, m))) {
      const spec = p.methods[m];
      const options = methodOptions(p, dname, m);
      if (spec.tunedLr) options.lr = tunedLr(spec.tunedLr, dname, m, p, sel.rates);
      for (const split of splits) {
        jobs.push({
          key: `${p.name}/${dname}/${m}/${split}`,
          experiment: p.name,
          dataset: dname,
          source,
          params: ds.params ?? {},
          generated: GENERATED.has(source),
          inputs: ds.inputs ?? 'standardized',
          method: m,
          summary: spec.summary ?? 'selected',
          trainer: spec.trainer,
          split,
          seed: split,
          options,
          ...(p.trainerFiles[m] ? { trainerFile: p.trainerFiles[m] } : {}),
          ...(csv ? { csv } : {}),
        });
      }
    }
  }
  return jobs;
}

const appliesTo = (ds: ProtocolDataset, method: string): boolean => ds.methods === undefined || ds.methods.includes(method);

/** A method's options on a dataset: the method's, then the dataset's, then the dataset's for that method. */
export function methodOptions(p: Protocol, dataset: string, method: string): Record<string, unknown> {
  const ds = p.datasets[dataset];
  return { ...p.methods[method].options, ...ds.options, ...ds.methodOptions?.[method] };
}

/**
 * A method's tuned rate on a dataset, from its rates file (a bare file name, as the schema requires) in
 * the first of these folders that has one for the dataset: the user's (`anmin tune --out`, given to
 * run as --rates), the protocol's own, the package's experiments/. Nothing else is read, so a protocol
 * cannot point a run at any file on the machine.
 */
function tunedLr(file: string, dataset: string, method: string, p: Protocol, rates?: string): number {
  const dirs = [...(rates ? [rates] : []), dirname(p.file), EXPERIMENTS_DIR()];
  for (const path of dirs.map((d) => join(d, file)).filter((f) => existsSync(f))) {
    const rate = readJson<TunedRates>(path).rates?.[dataset]?.lr;
    if (typeof rate === 'number') return rate;
  }
  throw new AnminError(`${basename(p.file)}: no tuned learning rate for ${method} on "${dataset}" in ${file} (looked in ${dirs.join(', ')}; run: anmin tune ${method} --dataset ${dataset} --out DIR, then run with --rates DIR)`);
}

/**
 * The protocol's job for a trainer and activation on one of its datasets, in float64 arithmetic (a
 * method emulating float32 on purpose is passed over); undefined when the protocol has none.
 */
export function exactJob(p: Protocol, trainer: string, dataset: string, split: number, alpha: number): Job | undefined {
  const method = Object.keys(p.methods).find((m) => {
    const o = p.methods[m].options ?? {};
    return p.methods[m].trainer === trainer && ((o.alpha as number | undefined) ?? 0) === alpha && (o.accumulate ?? 'exact') === 'exact';
  });
  if (!method || !p.datasets[dataset]) return undefined;
  return expandJobs(p, { datasets: [dataset], methods: [method], splits: [split] })[0];
}

/** Names are matched case-insensitively, so `--methods anmin,adam-l` works. */
function resolveName(name: string, known: string[], what: string, p: Protocol): string {
  const hit = known.find((k) => k.toLowerCase() === name.toLowerCase());
  if (!hit) fail(`${basename(p.file)}: no ${what} "${name}" (known: ${known.join(', ')})`);
  return hit;
}

function fail(message: string): never {
  throw new AnminError(message);
}

/** The K-th of N disjoint slices: every N-th job, so each shard gets a mix of datasets and methods. */
export function shardJobs(jobs: Job[], shard?: Shard): Job[] {
  return shard ? jobs.filter((_, i) => i % shard.count === shard.index) : jobs;
}
