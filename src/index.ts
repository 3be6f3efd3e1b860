/** The library API: everything the CLI does is reachable from here. */
export { loadDataset, datasetNames, type Dataset, type LoadOptions } from './data/dataset.js';
export { fetchDataset, type FetchOptions } from './data/download.js';
export { splitIndices, datasetSplit, prepareSplit, type Prepared, type PreparedSplit } from './data/split.js';
export { RandomState } from './data/rng.js';
export { predict, evaluate, type Network } from './model/network.js';
export { trainAnmin, ANMIN_DEFAULTS, type AnminOptions } from './train/anmin.js';
export { TRAINERS } from './train/registry.js';
export type { Trainer, TrainResult, TracePoint, TrainData } from './train/types.js';
export { loadProtocol, expandJobs, type Protocol, type Job, type Selection, type Shard } from './experiments/protocol.js';
export { runExperiment, type RunOptions, type RunSummary } from './experiments/runner.js';
export { readResults, mergeStores, ResultsStore, points, type JobRecord } from './experiments/store.js';
export { tune, type TuneOptions, type TuneResult } from './experiments/tune.js';
export { REPORTS, table3, table4, table5, simulationTables, type TableModel } from './report/tables.js';
export { render, type Format } from './report/render.js';
export { check, type CheckRow } from './report/check.js';
export { figures, toSvg } from './report/figures.js';
export { pairedTTest, summarize } from './report/stats.js';
