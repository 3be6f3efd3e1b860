import { AnminError } from '../util/errors.js';

/**
 * What values an option takes, declared once per trainer (as scikit-learn's _parameter_constraints)
 * and enforced by the trainer itself, by protocol loading and by the command line.
 */
export type Constraint =
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'number'; min: number; max: number; above?: boolean; infinite?: boolean }
  | { kind: 'choice'; values: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'weights' };

/** One constraint for every option of O: the compiler fails when an option has none. */
export type Constraints<O> = { readonly [K in keyof O]-?: Constraint };

export const integer = (min: number, max: number): Constraint => ({ kind: 'integer', min, max });
/** A finite number in [min, max], or (min, max] with `above`. */
export const number = (min: number, max: number, above = false): Constraint => ({ kind: 'number', min, max, above });
/** Any number but NaN, ±∞ included (a threshold that always or never triggers). */
export const extended: Constraint = { kind: 'number', min: -Infinity, max: Infinity, infinite: true };
export const choice = (...values: string[]): Constraint => ({ kind: 'choice', values });
export const boolean: Constraint = { kind: 'boolean' };

/** Shared bounds: a seed is a 32-bit unsigned integer (MT19937's); 16,384 hidden units is far past any system we can solve. */
export const SEED = integer(0, 0xffffffff);
export const HIDDEN = integer(1, 16384);
/** Threads a method may use (the numbers never depend on it). */
export const THREADS = integer(1, 1024);
export const EPOCHS = integer(0, 1_000_000);
/** Rows in a gradient's chunk (0: one pass over the rows in order). */
export const GRADIENT_CHUNK = integer(0, 1 << 24);
/** A slope for z < 0: 0 is ReLU, 1 the identity (a linear network). */
export const SLOPE = number(0, 1);

/** The largest double below 1: an upper bound that excludes 1. */
export const BELOW_ONE = 1 - 2 ** -53;

function interval(min: number, max: number, above: boolean): string {
  if (max === Infinity) return min === -Infinity ? '' : `${above ? '>' : '≥'} ${min}`;
  const top = max === BELOW_ONE ? '1)' : `${max}]`;
  return `in ${above ? '(' : '['}${min}, ${top}`;
}

/** What the constraint allows, in words. */
export function describe(c: Constraint): string {
  switch (c.kind) {
    case 'integer':
      return `an integer in [${c.min}, ${c.max}]`;
    case 'number':
      return c.infinite ? 'a number (±Infinity allowed)' : `a number ${interval(c.min, c.max, c.above ?? false)}`;
    case 'choice':
      return `one of ${c.values.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'weights':
      return 'a Float64Array of weights';
  }
}

export function allows(c: Constraint, v: unknown): boolean {
  switch (c.kind) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= c.min && v <= c.max;
    case 'number':
      return typeof v === 'number' && (c.infinite ? !Number.isNaN(v) : Number.isFinite(v)) && (c.above ? v > c.min : v >= c.min) && v <= c.max;
    case 'choice':
      return typeof v === 'string' && c.values.includes(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'weights':
      return v instanceof Float64Array;
  }
}

/**
 * Every option given must be one the trainer has and hold a value its constraint allows; an error
 * names where (`where`: a file and method, or a flag's command), the option, the value and what is
 * allowed.
 */
export function validateOptions(trainer: string, constraints: Constraints<object>, options: object, where = trainer): void {
  const table = constraints as Readonly<Record<string, Constraint>>;
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    const c = table[k];
    if (!c) throw new AnminError(`${where}: unknown option "${k}" for ${trainer} (known: ${Object.keys(table).join(', ')})`);
    if (!allows(c, v)) throw new AnminError(`${where}: option "${k}" of ${trainer} must be ${describe(c)}, got ${v instanceof Float64Array ? 'an array' : typeof v === 'number' ? String(v) : JSON.stringify(v)}`);
  }
}
