/** What each subcommand does, in one place: its own --help and the top-level help that lists it. */
export const DESCRIPTIONS = {
  train: 'train a network on your own CSV (header of column names, numeric columns), report train and test MSE and R², save the model',
  predict: 'predictions of a saved model for the rows of a CSV (inputs matched by column name)',
  evaluate: 'MSE and R² of a saved model on a CSV that has its input and target columns',
  export: 'write a saved model in another format (ONNX: standardization included, float32)',
  datasets: 'list, fetch, inspect, export and split the paper\'s datasets',
  bench: 'time one training run of a method on one split (training seconds, min train MSE, its test MSE, peak memory; --profile: where ANMIN\'s time goes)',
  run: 'run a protocol of experiments/ (table3, ablation, simulation, planted, or a JSON file): one job per dataset × method × split, appended to a resumable store',
  reproduce: 'the whole paper at its own power, resumable: Table 3 (its first 10 splits timed alone, for Table 4), the DAE, Table 5, the simulation and the planted study, each phase into its store under --out, one progress line for all of it; --plan: what is left, without running',
  ablation: 'Table 5: the ANMIN ablation on bike-sharing (same as `anmin run ablation`)',
  report: 'tables from a results store: mean (sd) over splits, bold by paired t-test, the paper\'s values beside its own experiments\'; any other protocol by its name (MSE and R² blocks, seconds); `all`: every table and the check as one Markdown page (docs/reproduction.md)',
  check: 'compare every cell that ran with the published one (tolerance from the published sd and our number of splits) and test the paper\'s claims (and the related papers\' on planted runs); exit 1 on any failure not listed in experiments/known-deviations.json; a protocol of your own has no published numbers, which check says',
  merge: 'join the stores of several shards or machines into one results.jsonl; an existing store gains the jobs it lacks (a job it holds run otherwise is refused)',
  tune: 'tune a method\'s learning rate on a validation part of split 0\'s training rows and record it in --out (read by run --rates; the paper tuned SGD per dataset without publishing the rates)',
  plot: 'SVG figures like the paper\'s: MSE and R² vs seconds (Figs 4–6), ANMIN minimum so far (9), ln|M + λI| (10–11), LBFGS blow-ups (3), simulation (7–8), the planted study (recovery vs seconds and vs n/(dk²))',
  compare: 'each method over K random splits of your CSV (--target) or a paper dataset (--dataset), scikit-learn\'s MLPRegressor, Ridge and HistGradientBoosting beside anmin\'s when python3 has scikit-learn: test MSE and seconds, mean (sd), paired t-tests against the best; --out: the table, the raw results and a figure of test MSE vs seconds',
} as const;

export type CommandName = keyof typeof DESCRIPTIONS;
