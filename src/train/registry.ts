import { pathToFileURL } from 'node:url';
import { adam } from './adam.js';
import { altmin } from './altmin.js';
import { identitySgd } from './identity-sgd.js';
import { twoRateGd } from './two-rate-gd.js';
import { anmin } from './anmin.js';
import { lbfgs } from './lbfgs.js';
import { sgd } from './sgd.js';
import { validateOptions, type Constraint } from './constraints.js';
import type { Trainer, TrainResult } from './types.js';
import { AnminError } from '../util/errors.js';
import { locateTrainerFile, type TrainerFile } from './trainer-file.js';

/** Every training method by CLI name. */
export const TRAINERS: Record<string, Trainer<object>> = {
  anmin: anmin as Trainer<object>,
  sgd: sgd as Trainer<object>,
  adam: adam as Trainer<object>,
  lbfgs: lbfgs as Trainer<object>,
  altmin: altmin as Trainer<object>,
  'identity-sgd': identitySgd as Trainer<object>,
  'two-rate-gd': twoRateGd as Trainer<object>,
};

const KINDS = new Set<Constraint['kind']>(['integer', 'number', 'choice', 'boolean', 'weights']);
const loaded = new Map<string, Promise<Trainer<object>>>();

/** Whether `t` is one of the built-in trainers (not a user's module, which may have taken a built-in's name). */
export const isBuiltIn = (t: Trainer<object>): boolean => TRAINERS[t.name] === t;

/**
 * A user's trainer from its module: the default export (or `trainer`) must be a Trainer, as
 * defineTrainer makes one. Its shape is checked here, so a mistake in the module is one line naming
 * it rather than a TypeError deep inside a run; `expected` (a hash taken when the protocol was read)
 * refuses a module edited since, as its records would otherwise claim code they did not run.
 */
export function importTrainer(t: TrainerFile): Promise<Trainer<object>> {
  const key = `${t.file}\u0000${t.sha256}`;
  if (!loaded.has(key)) loaded.set(key, load(t));
  return loaded.get(key)!;
}

async function load(t: TrainerFile): Promise<Trainer<object>> {
  const now = locateTrainerFile(t.file, '/', 'trainer');
  if (now.sha256 !== t.sha256) throw new AnminError(`trainer module ${t.file} changed since the protocol was read (sha256 ${t.sha256.slice(0, 12)}… then, ${now.sha256.slice(0, 12)}… now); run again`);
  let mod: Record<string, unknown>;
  try {
    // The hash in the query makes an edited module a new import rather than the cached old one.
    mod = (await import(`${pathToFileURL(t.file).href}?sha256=${t.sha256}`)) as Record<string, unknown>;
  } catch (e) {
    throw new AnminError(`trainer module ${t.file}: cannot import (${(e as Error).message.split('\n')[0]})`);
  }
  const bad = (what: string): never => {
    throw new AnminError(`trainer module ${t.file}: ${what} (see examples/ridge-features.mjs)`);
  };
  const tr = (mod.default ?? mod.trainer) as Partial<Trainer<Record<string, unknown>>> | undefined;
  if (!tr || typeof tr !== 'object') return bad('exports no trainer (export default defineTrainer(…))');
  if (typeof tr.name !== 'string' || tr.name === '') bad('its trainer has no "name"');
  if (TRAINERS[tr.name!]) bad(`its trainer is named "${tr.name}", a built-in trainer's name; choose another`);
  if (typeof tr.train !== 'function') bad('its trainer has no train(data, options, onStep) function');
  if (!tr.defaults || typeof tr.defaults !== 'object') bad('its trainer has no "defaults" object');
  if (!tr.constraints || typeof tr.constraints !== 'object') bad('its trainer has no "constraints" object');
  const constraints = tr.constraints as Record<string, Constraint>;
  for (const [k, c] of Object.entries(constraints)) if (!c || !KINDS.has(c.kind)) bad(`option "${k}" has no valid constraint (use integer(), number(), choice(), boolean)`);
  if (!('seed' in constraints)) bad('its constraints have no "seed" (every run passes its split as the seed; use SEED)');
  for (const k of Object.keys(tr.defaults!)) if (!constraints[k]) bad(`default "${k}" has no constraint`);
  validateOptions(tr.name!, constraints, tr.defaults!, `trainer module ${t.file}: its defaults`);
  return tr as Trainer<object>;
}

/** A user's trainer from its module's path (relative to the current folder), as `anmin train --method ./x.mjs` takes it. */
export function loadTrainerModule(path: string): Promise<Trainer<object>> {
  return importTrainer(locateTrainerFile(path, process.cwd(), path));
}

/** Refuses a result a runner or estimator cannot keep, naming the trainer: a user's module may return anything. */
export function checkResult(r: TrainResult | undefined, trainer: string): TrainResult {
  const bad = (what: string): never => {
    throw new AnminError(`trainer ${trainer}: train() returned ${what}`);
  };
  if (!r || typeof r !== 'object') bad('no result');
  if (!Array.isArray(r!.trace) || r!.trace.length === 0) bad('an empty trace (record at least the initial model)');
  if (!Number.isInteger(r!.selected) || r!.selected < 0 || r!.selected >= r!.trace.length) bad(`"selected" ${String(r!.selected)}, not an index into its ${r!.trace.length}-point trace`);
  if (typeof r!.seconds !== 'number' || !(r!.seconds >= 0)) bad(`"seconds" ${String(r!.seconds)}`);
  if (!r!.network || !(r!.network.A instanceof Float64Array)) bad('no network');
  return r!;
}
