import type { Command } from 'commander';
import type { CommandName } from './descriptions.js';

/**
 * Every subcommand by name, with the module that builds it. `anmin X` loads X's module alone, so
 * `anmin --version` or `anmin train` never pays for the report, plotting or schema code; the other
 * commands appear in the help by name and description only.
 */
export interface CommandEntry {
  name: CommandName;
  build(): Promise<Command>;
}

const model = () => import('./model.js');
const report = () => import('./report.js');
const run = () => import('./run.js');

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'train', build: async () => (await model()).trainCommand() },
  { name: 'predict', build: async () => (await model()).predictCommand() },
  { name: 'evaluate', build: async () => (await model()).evaluateCommand() },
  { name: 'export', build: async () => (await model()).exportCommand() },
  { name: 'datasets', build: async () => (await import('./datasets.js')).datasetsCommand() },
  { name: 'bench', build: async () => (await import('./bench.js')).benchCommand() },
  { name: 'run', build: async () => (await run()).runCommand() },
  { name: 'ablation', build: async () => (await run()).ablationCommand() },
  { name: 'reproduce', build: async () => (await run()).reproduceCommand() },
  { name: 'report', build: async () => (await report()).reportCommand() },
  { name: 'check', build: async () => (await report()).checkCommand() },
  { name: 'merge', build: async () => (await report()).mergeCommand() },
  { name: 'tune', build: async () => (await import('./tune.js')).tuneCommand() },
  { name: 'plot', build: async () => (await report()).plotCommand() },
  { name: 'compare', build: async () => (await import('./compare.js')).compareCommand() },
];
