import { Command } from 'commander';
import { datasetNames, DATASETS, loadDataset, type Dataset, type LoadOptions } from '../data/dataset.js';
import { fetchDataset } from '../data/download.js';
import { registry } from '../data/registry.js';
import { datasetSplit } from '../data/split.js';
import { sha256File } from '../util/fsx.js';
import { emit, table } from './io.js';
import { option } from './options.js';
import { DESCRIPTIONS } from './descriptions.js';

export interface DataFlags {
  cache?: string;
  mirror?: string;
  offline?: boolean;
  mask?: string;
  image?: string;
  seed?: number;
  sigma?: number;
  d?: number;
  n?: number;
}

/** The loader options the flags set (only those given, so a protocol's parameters can stand beneath them). */
export function loadOptions(f: DataFlags): LoadOptions {
  const all: LoadOptions = { cache: f.cache, mirror: f.mirror, offline: f.offline, mask: f.mask, image: f.image, seed: f.seed, sigma: f.sigma, simD: f.d, simN: f.n };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as LoadOptions;
}

const DATA_OPTIONS = ['cache', 'mirror', 'offline', 'mask', 'image', 'seed', 'sigma', 'simD', 'simN'] as const;

/** Adds the data options a command takes (default: all of them). */
export function withDataOptions(cmd: Command, keys: readonly (typeof DATA_OPTIONS)[number][] = DATA_OPTIONS): Command {
  for (const k of keys) cmd.addOption(option(k));
  return cmd;
}

async function info(ds: Dataset) {
  const files: Record<string, { path: string; sha256: string }> = {};
  for (const [id, path] of Object.entries(ds.files)) files[id] = { path, sha256: await sha256File(path) };
  return { name: ds.name, n: ds.n, d: ds.d, outputs: ds.c, source: registry()[ds.name]?.title ?? DATASETS[ds.name].describe, files };
}

export function datasetsCommand(): Command {
  const cmd = new Command('datasets').description(DESCRIPTIONS.datasets);
  cmd
    .command('list')
    .description('the datasets and where they come from')
    .addOption(option('json'))
    .action((f: { json?: boolean }) => {
      const rows = datasetNames().map((n) => ({ name: n, description: DATASETS[n].describe, download: registry()[n]?.files.map((x) => x.url) ?? [] }));
      emit(f.json ? JSON.stringify(rows, null, 1) : table([['name', 'description'], ...rows.map((r) => [r.name, r.description])]));
    });
  withDataOptions(
    cmd
      .command('fetch')
      .description('download (or copy from --mirror) and verify the raw files, then load each dataset once')
      .argument('<names...>', 'datasets to fetch'),
  ).action(async (names: string[], f: DataFlags) => {
    const rows: string[][] = [];
    for (const name of names) {
      if (registry()[name]) await fetchDataset(name, loadOptions(f));
      const ds = await loadDataset(name, loadOptions(f));
      rows.push([ds.name, String(ds.n), String(ds.d), String(ds.c), Object.values(ds.files).join(' ')]);
    }
    emit(table([['dataset', 'rows', 'inputs', 'outputs', 'files (verified)'], ...rows]));
  });
  withDataOptions(cmd.command('info').description('rows, inputs, outputs, source, sha256 and cached path').argument('<name>'))
    .addOption(option('json'))
    .action(async (name: string, f: DataFlags & { json?: boolean }) => {
      const i = await info(await loadDataset(name, loadOptions(f)));
      if (f.json) return emit(JSON.stringify(i, null, 1));
      const lines = [['name', i.name], ['rows', String(i.n)], ['inputs', String(i.d)], ['outputs', String(i.outputs)], ['source', i.source]];
      for (const [id, v] of Object.entries(i.files)) lines.push([`${id}`, v.path], [`${id} sha256`, v.sha256]);
      emit(table(lines));
    });
  withDataOptions(cmd.command('export').description('the raw matrix (before standardization) as CSV: inputs then targets').argument('<name>'))
    .addOption(option('out'))
    .action(async (name: string, f: DataFlags & { out?: string }) => {
      const ds = await loadDataset(name, loadOptions(f));
      const lines = [[...ds.featureNames, ...ds.targetNames].join(',')];
      for (let i = 0; i < ds.n; i++) {
        const row: number[] = [];
        for (let j = 0; j < ds.d; j++) row.push(ds.x[i * ds.d + j]);
        for (let k = 0; k < ds.c; k++) row.push(ds.y[i * ds.c + k]);
        lines.push(row.join(','));
      }
      emit(lines.join('\n'), f.out);
    });
  withDataOptions(cmd.command('split').description('the train/test indices of split K (scikit-learn\'s train_test_split, random_state=K)').argument('<name>'))
    .addOption(option('split'))
    .addOption(option('json'))
    .action(async (name: string, f: DataFlags & { split: number; json?: boolean }) => {
      const s = datasetSplit(await loadDataset(name, loadOptions(f)), f.split);
      const obj = { train: Array.from(s.train), test: Array.from(s.test) };
      emit(f.json ? JSON.stringify(obj) : `train ${obj.train.length} rows, test ${obj.test.length} rows (use --json for the indices)`);
    });
  return cmd;
}
