/** The library API: everything the CLI does is reachable from here. */
export { loadDataset, datasetNames, type Dataset, type LoadOptions } from './data/dataset.js';
export { fetchDataset, type FetchOptions } from './data/download.js';
export { splitIndices, datasetSplit, prepareSplit, type Prepared, type PreparedSplit } from './data/split.js';
export { RandomState } from './data/rng.js';
export { predict, evaluate, type Network } from './model/network.js';
export { trainAnmin, ANMIN_DEFAULTS, type AnminOptions } from './train/anmin.js';
export { TRAINERS } from './train/registry.js';
export type { Trainer, TrainResult, TracePoint, TrainData } from './train/types.js';
