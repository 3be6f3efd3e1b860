import { Ajv, type ErrorObject } from 'ajv';
import { INPUT_MODES } from '../data/split.js';
import { AnminError } from '../util/errors.js';
import { MAX_SPLITS } from './splits.js';

/** Loader parameters a protocol may set per dataset (see LoadOptions), and the good start of planted runs. */
export const DATASET_PARAMS = ['sigma', 'simD', 'simN', 'plantedK', 'plantedIdentity', 'plantedRandomLabels', 'plantedStart'] as const;

/**
 * A name that becomes part of a job key (experiment/dataset/method/split) and of file names: no path
 * separator, no control character, so keys stay unambiguous and files stay in their folder.
 */
const NAME = { type: 'string', minLength: 1, pattern: '^[^/\\\\\\u0000-\\u001f\\u007f]+$' };
const names = { type: 'array', items: NAME, minItems: 1, uniqueItems: true };
const options = { type: 'object' };

/**
 * The shape of experiments/*.json. Trainer options are objects here; their values are checked by each
 * trainer's constraints once the shape is right.
 */
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'datasets', 'methods', 'splits'],
  properties: {
    name: NAME,
    description: { type: 'string' },
    timed: { type: 'boolean' },
    splits: { type: 'integer', minimum: 1, maximum: MAX_SPLITS },
    datasets: {
      type: 'object',
      minProperties: 1,
      propertyNames: NAME,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        dependencies: { target: ['csv'], features: ['csv'], csv: ['target'] },
        not: { anyOf: [{ type: 'object', required: ['csv', 'source'] }, { type: 'object', required: ['csv', 'params'] }] },
        properties: {
          source: { type: 'string', minLength: 1 },
          // A user's table: a CSV file (relative to the protocol's folder), its target column(s), and
          // the inputs (default: every other column); the reader's rules are `anmin train`'s.
          csv: { type: 'string', minLength: 1 },
          target: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true }] },
          features: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
          params: { type: 'object', additionalProperties: false, properties: Object.fromEntries(DATASET_PARAMS.map((k) => [k, { type: 'number' }])) },
          inputs: { enum: [...INPUT_MODES] },
          options,
          methodOptions: { type: 'object', additionalProperties: options },
          methods: names,
        },
      },
    },
    methods: {
      type: 'object',
      minProperties: 1,
      propertyNames: NAME,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['trainer'],
        properties: {
          // A built-in trainer's name, or a module's path relative to the protocol's folder (./x.mjs).
          trainer: { type: 'string', minLength: 1 },
          options,
          // A file name, looked up in known folders only (see tunedRatesPath): never a path to anywhere.
          tunedLr: { ...NAME, not: { enum: ['.', '..'] } },
          published: { type: 'string' },
          summary: { type: 'string' },
        },
      },
    },
    presets: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { datasets: names, methods: names, splits: { type: 'integer', minimum: 1, maximum: MAX_SPLITS } },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false, verbose: true }).compile(SCHEMA);

/** One line for the first schema error: the path inside the file, then what is wrong there. */
function describe(e: ErrorObject): string {
  const at = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') return `${at}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'required') return `${at}: missing "${(e.params as { missingProperty: string }).missingProperty}"`;
  if (e.keyword === 'pattern') return `${at}: ${JSON.stringify(e.data)} holds a path separator or a control character (names become job keys and file names)`;
  if (e.keyword === 'dependencies') return `${at}: "${(e.params as { property: string }).property}" needs "${(e.params as { missingProperty: string }).missingProperty}"`;
  if (e.keyword === 'not' && /^\/datasets\/[^/]+$/.test(e.instancePath)) return `${at}: a "csv" dataset takes no "source" or "params" (it is the table itself)`;
  if (e.keyword === 'enum') return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${at}: ${e.message ?? 'invalid'}`;
}

/** Refuses a protocol whose shape is wrong, naming the place in the file. */
export function validateProtocolShape(json: unknown, where: string): void {
  if (!validate(json)) throw new AnminError(`${where}: ${describe(validate.errors![0])}`);
}
