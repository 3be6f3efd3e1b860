import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '../train/constraints.js';
import { packageRoot, writeFileAtomic } from '../util/fsx.js';
import { OPTIONS, type OptionSpec } from './options.js';
import { flagName, TRAINER_OPTIONS, trainerConstraint, type TrainerOptionKey } from './trainer-options.js';

const START = '<!-- options: generated from src/cli/options.ts and src/cli/trainer-options.ts by `npm run docs`; do not edit -->';
const END = '<!-- options: end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README's option list: every flag of the CLI, from the same tables that drive parsing and --help. */
export function optionsMarkdown(): string {
  const general = Object.values(OPTIONS as Record<string, OptionSpec>).map((o) => `| \`${o.flags}\` | ${cell(o.description)}${o.env ? ` (env ${o.env})` : ''} |`);
  const keys = Object.keys(TRAINER_OPTIONS) as TrainerOptionKey[];
  const trainer = keys.map((k) => {
    const e = TRAINER_OPTIONS[k];
    if (!('description' in e)) return `| (\`${k}\`, no flag) | ${cell(e.leftOut)} |`;
    const c = trainerConstraint(k);
    return `| \`${flagName(k)}\` | ${cell(e.description)}: ${c.kind === 'boolean' ? 'true or false (the flag alone: true)' : describe(c)} |`;
  });
  return [
    START,
    '',
    '| flag | what it sets |',
    '|---|---|',
    ...general,
    '',
    'Trainer options (`anmin train`, `anmin bench`, and by the same names in a protocol\'s `options`; each refuses a value its trainer does not allow):',
    '',
    '| flag | what it sets: what it accepts |',
    '|---|---|',
    ...trainer,
    '',
    END,
  ].join('\n');
}

/** The README with its option list regenerated in place. */
export function withOptions(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error('README.md: no generated options block');
  return readme.slice(0, a) + optionsMarkdown() + readme.slice(b + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = join(packageRoot(), 'README.md');
  writeFileAtomic(file, withOptions(readFileSync(file, 'utf8')));
}
