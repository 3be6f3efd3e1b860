import type { Command } from 'commander';

/**
 * Every subcommand by name, with the module that builds it. `anmin X` loads X's module alone, so
 * `anmin --version` or `anmin train` never pays for the report, plotting or schema code; the other
 * commands appear in the help by name and description only.
 */
export interface CommandEntry {
  name: string;
  description: string;
  build(): Promise<Command>;
}

const model = () => import('./model.js');
const report = () => import('./report.js');
const run = () => import('./run.js');

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'train', description: 'train a network on your own CSV (header of column names, numeric columns), report train and test MSE and R², save the model', build: async () => (await model()).trainCommand() },
  { name: 'predict', description: 'predictions of a saved model for the rows of a CSV (inputs matched by column name)', build: async () => (await model()).predictCommand() },
  { name: 'evaluate', description: 'MSE and R² of a saved model on a CSV that has its input and target columns', build: async () => (await model()).evaluateCommand() },
  { name: 'export', description: 'write a saved model in another format (ONNX: standardization included, float32)', build: async () => (await model()).exportCommand() },
  { name: 'datasets', description: 'list, fetch, inspect, export and split the paper\'s datasets', build: async () => (await import('./datasets.js')).datasetsCommand() },
  { name: 'bench', description: 'time one training run of a method on one split (training seconds, min train MSE, its test MSE, peak memory; --profile: where ANMIN\'s time goes)', build: async () => (await import('./bench.js')).benchCommand() },
  { name: 'run', description: 'run a protocol of experiments/ (table3, ablation, simulation, planted, or a JSON file): one job per dataset × method × split, appended to a resumable store', build: async () => (await run()).runCommand() },
  { name: 'ablation', description: 'Table 5: the ANMIN ablation on bike-sharing (same as `anmin run ablation`)', build: async () => (await run()).ablationCommand() },
  { name: 'report', description: 'the paper\'s tables from a results store: mean (sd) over splits, bold by paired t-test, published values beside; `all`: every table and the check as one Markdown page (docs/reproduction.md)', build: async () => (await report()).reportCommand() },
  { name: 'check', description: 'compare every cell that ran with the published one (tolerance from the published sd and our number of splits) and test the paper\'s claims (and the related papers\' on planted runs); exit 1 on any failure not listed in experiments/known-deviations.json', build: async () => (await report()).checkCommand() },
  { name: 'merge', description: 'join the stores of several shards or machines into one results.jsonl; an existing store gains the jobs it lacks (a job it holds run otherwise is refused)', build: async () => (await report()).mergeCommand() },
  { name: 'tune', description: 'tune a method\'s learning rate on a validation part of split 0\'s training rows and record it in --out (read by run --rates; the paper tuned SGD per dataset without publishing the rates)', build: async () => (await import('./tune.js')).tuneCommand() },
  { name: 'plot', description: 'SVG figures like the paper\'s: MSE and R² vs seconds (Figs 4–6), ANMIN minimum so far (9), ln|M + λI| (10–11), LBFGS blow-ups (3), simulation (7–8), the planted study (recovery vs seconds and vs n/(dk²))', build: async () => (await report()).plotCommand() },
];

/** The one description of a command, for its builder and for the help that lists it unloaded. */
export function describeCommand(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`no command ${name}`);
  return entry.description;
}
