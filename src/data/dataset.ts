import { statSync } from 'node:fs';
import { AnminError } from '../util/errors.js';
import { startProgress } from '../util/progress.js';
import { readNumericTable } from './csv.js';
import { fetchDataset, type FetchOptions } from './download.js';
import { denoisingPatches, planted, sdfFromMask, simulation, yearPredSynthetic, type PlantedTruth } from './generate.js';
import { readGrayImage } from './images.js';

/** A regression dataset as flat row-major arrays: inputs n×d, targets n×c, before any scaling. */
export interface Dataset {
  name: string;
  n: number;
  d: number;
  c: number;
  x: Float64Array;
  y: Float64Array;
  featureNames: string[];
  targetNames: string[];
  /** Raw files it was built from (path → sha256 where pinned), for `info` and provenance. */
  files: Record<string, string>;
  /** Set when the data defines its own train/test rows (the simulation draws them separately). */
  fixedSplit?: { train: Int32Array; test: Int32Array };
  /** Planted data: the network that generated it, on the raw inputs. */
  truth?: PlantedTruth;
}

export interface LoadOptions extends FetchOptions {
  /** sdf: any PNG/PGM/JPEG mask instead of the Weizmann horse. */
  mask?: string;
  /** dae: any JPEG/PNG image instead of BSDS 102061. */
  image?: string;
  /** dae noise, sim draws, synthetic data. */
  seed?: number;
  /** dae: sd of the Gaussian noise on the inputs (the paper's text: 10; the published notebook adds none); planted: on the targets. */
  sigma?: number;
  /** sim, planted: input dimension and number of training (= test) rows. */
  simD?: number;
  simN?: number;
  /** planted: hidden units of the true network; Li & Yuan's identity mapping γ (0: none); 1 for random labels. */
  plantedK?: number;
  plantedIdentity?: number;
  plantedRandomLabels?: number;
}

export const BIKE_FEATURES = [
  'season', 'yr', 'mnth', 'hr', 'holiday', 'weekday', 'workingday', 'weathersit',
  'temp', 'atemp', 'hum', 'windspeed', 'casual',
];

interface Loader {
  describe: string;
  load(o: LoadOptions): Promise<Dataset>;
}

const names = (p: string, k: number) => Array.from({ length: k }, (_, i) => `${p}${i}`);

export const DATASETS: Record<string, Loader> = {
  abalone: {
    describe: 'UCI Abalone: 7 physical measurements (Sex dropped) → Rings',
    async load(o) {
      const { files } = await fetchDataset('abalone', o);
      const t = await readNumericTable(files.data, { label: files.data, columns: 9, select: [1, 2, 3, 4, 5, 6, 7, 8] });
      const feats = ['length', 'diameter', 'height', 'whole', 'shucked', 'viscera', 'shell'];
      return splitColumns('abalone', t.data, t.rows, 8, 7, feats, ['rings'], files);
    },
  },
  'bike-sharing': {
    describe: 'UCI Bike Sharing hour.csv: 13 features (registered dropped) → cnt',
    async load(o) {
      const { files } = await fetchDataset('bike-sharing', o);
      const t = await readNumericTable(files.data, { label: files.data, header: true, select: [...BIKE_FEATURES, 'cnt'] });
      return splitColumns('bike-sharing', t.data, t.rows, 14, 13, BIKE_FEATURES, ['cnt'], files);
    },
  },
  yearpred: {
    describe: 'UCI YearPredictionMSD: 90 timbre features → year (streamed)',
    async load(o) {
      const { files } = await fetchDataset('yearpred', o);
      return loadYearPred(files.data);
    },
  },
  sdf: {
    describe: 'signed distance of the Weizmann horse001 mask: (row, col) → distance (--mask FILE)',
    async load(o) {
      const files = o.mask ? { mask: o.mask } : (await fetchDataset('sdf', o)).files;
      const img = readGrayImage(files.mask);
      const { x, y } = sdfFromMask(img);
      const n = img.width * img.height;
      if (!y.some((v) => v < 0) || !y.some((v) => v > 0)) {
        throw new AnminError(`${files.mask}: the mask needs both foreground (>128) and background pixels`);
      }
      return { name: 'sdf', n, d: 2, c: 1, x, y, featureNames: ['row', 'col'], targetNames: ['sdf'], files };
    },
  },
  dae: {
    describe: 'denoising 15×15 patches (stride 3) of BSDS 102061, inputs + N(0, σ²) noise, σ = 10 by default (--image FILE, --sigma, --seed)',
    async load(o) {
      const files = o.image ? { image: o.image } : (await fetchDataset('dae', o)).files;
      const img = readGrayImage(files.image);
      const p = denoisingPatches(img, { patch: 15, stride: 3, sigma: o.sigma ?? 10, seed: o.seed ?? 0 });
      if (p.n === 0) throw new AnminError(`${files.image}: image smaller than one 15×15 patch`);
      return { name: 'dae', n: p.n, d: 225, c: 225, x: p.x, y: p.y, featureNames: names('noisy', 225), targetNames: names('clean', 225), files };
    },
  },
  'yearpred-synthetic': {
    describe: 'generated stand-in of YearPredictionMSD\'s shape (515,345 × 90 → 1) for benchmarks; not the real data (--seed)',
    async load(o) {
      const { x, y } = yearPredSynthetic(o.seed ?? 0);
      return { name: 'yearpred-synthetic', n: y.length, d: 90, c: 1, x, y, featureNames: names('x', 90), targetNames: ['y'], files: {} };
    },
  },
  sim: {
    describe: 'simulation x ~ N(0, I_d), y = sin(‖x‖²), train and test drawn separately (--d, --n, --seed)',
    async load(o) {
      const d = o.simD ?? 3;
      const n = o.simN ?? 1000;
      const { x, y } = simulation(d, n, o.seed ?? 0);
      return { name: 'sim', n: 2 * n, d, c: 1, x, y, featureNames: names('x', d), targetNames: ['y'], files: {}, fixedSplit: fixedHalves(n) };
    },
  },
  planted: {
    describe: 'a known two-layer ReLU network y = Σ ReLU(a_jᵀx) + N(0, σ²), x ~ N(0, I_d); train and test drawn separately (params simD, simN, plantedK, sigma, plantedIdentity, plantedRandomLabels)',
    async load(o) {
      const d = o.simD ?? 5;
      const n = o.simN ?? 1000;
      const k = o.plantedK ?? 3;
      const { x, y, truth } = planted({ d, k, n: 2 * n, sigma: o.sigma ?? 0.1, seed: o.seed ?? 0, identity: o.plantedIdentity ?? 0, randomLabels: (o.plantedRandomLabels ?? 0) !== 0 });
      // Random labels have no truth to recover: the network only shaped the draws.
      return { name: 'planted', n: 2 * n, d, c: 1, x, y, featureNames: names('x', d), targetNames: ['y'], files: {}, fixedSplit: fixedHalves(n), ...(o.plantedRandomLabels ? {} : { truth }) };
    },
  },
};

/** The first n rows train, the next n test. */
function fixedHalves(n: number): { train: Int32Array; test: Int32Array } {
  return { train: Int32Array.from({ length: n }, (_, i) => i), test: Int32Array.from({ length: n }, (_, i) => n + i) };
}

/** Splits a table whose last columns are the targets into inputs and targets. */
export function splitColumns(name: string, t: Float64Array, n: number, w: number, d: number, featureNames: string[], targetNames: string[], files: Record<string, string>): Dataset {
  const c = w - d;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = t[i * w + j];
    for (let k = 0; k < c; k++) y[i * c + k] = t[i * w + d + k];
  }
  return { name, n, d, c, x, y, featureNames, targetNames, files };
}

/** Streams YearPredictionMSD.txt (year, then 90 features) into one flat array. */
export async function loadYearPred(path: string): Promise<Dataset> {
  const { size } = statSync(path);
  const bar = startProgress('read yearpred', size, 'bytes');
  try {
    const t = await readNumericTable(path, { label: path, columns: 91, rowsHint: 515345, onProgress: (b) => bar.update(b) });
    const w = 91;
    const x = new Float64Array(t.rows * 90);
    const y = new Float64Array(t.rows);
    for (let i = 0; i < t.rows; i++) {
      y[i] = t.data[i * w];
      x.set(t.data.subarray(i * w + 1, (i + 1) * w), i * 90);
    }
    return { name: 'yearpred', n: t.rows, d: 90, c: 1, x, y, featureNames: names('timbre', 90), targetNames: ['year'], files: { data: path } };
  } finally {
    bar.stop();
  }
}

export function datasetNames(): string[] {
  return Object.keys(DATASETS);
}

/** Loads a dataset by name: fetched (cache, mirror or network), parsed and generated as its recipe says. */
export async function loadDataset(name: string, options: LoadOptions = {}): Promise<Dataset> {
  const loader = DATASETS[name];
  if (!loader) throw new AnminError(`unknown dataset "${name}" (known: ${datasetNames().join(', ')})`);
  return loader.load(options);
}
