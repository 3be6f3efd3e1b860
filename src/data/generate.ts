import { RandomState } from './rng.js';
import type { GrayImage } from './images.js';
import { signedDistance } from './edt.js';
import { AnminError } from '../util/errors.js';

/** Inputs (row, col) of every pixel in row-major order, target the signed distance. */
export function sdfFromMask(mask: GrayImage): { x: Float64Array; y: Float64Array } {
  const { width, height } = mask;
  const inside = new Uint8Array(width * height);
  for (let k = 0; k < inside.length; k++) inside[k] = mask.pixels[k] > 128 ? 1 : 0;
  const y = signedDistance(inside, height, width);
  const x = new Float64Array(2 * width * height);
  for (let r = 0, k = 0; r < height; r++) {
    for (let c = 0; c < width; c++, k++) {
      x[2 * k] = r;
      x[2 * k + 1] = c;
    }
  }
  return { x, y };
}

export interface PatchOptions {
  patch: number;
  stride: number;
  sigma: number;
  seed: number;
}

/**
 * Denoising pairs: every patch×patch window whose corner is at range(0, H - patch, stride) ×
 * range(0, W - patch, stride) (the authors' loop, which skips the last position: 156 × 102 = 15,912
 * on the 481 × 321 image), row-major; inputs the patch plus N(0, sigma²) noise drawn in that order.
 */
export function denoisingPatches(img: GrayImage, o: PatchOptions): { x: Float64Array; y: Float64Array; n: number } {
  const rows = Math.ceil(Math.max(img.height - o.patch, 0) / o.stride);
  const cols = Math.ceil(Math.max(img.width - o.patch, 0) / o.stride);
  const n = rows * cols;
  const q = o.patch * o.patch;
  const y = new Float64Array(n * q);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      for (let u = 0; u < o.patch; u++) {
        const src = (r * o.stride + u) * img.width + c * o.stride;
        for (let v = 0; v < o.patch; v++) y[k++] = img.pixels[src + v];
      }
    }
  }
  const rng = new RandomState(o.seed);
  const x = new Float64Array(y.length);
  for (let i = 0; i < x.length; i++) x[i] = y[i] + o.sigma * rng.normal();
  return { x, y, n };
}

/** Section 3.2: x ~ N(0, I_d), y = sin(‖x‖²); `n` training rows then `n` test rows from one stream. */
export function simulation(d: number, n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new RandomState(seed);
  const x = new Float64Array(2 * n * d);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) {
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.normal();
      x[i * d + j] = v;
      r2 += v * v;
    }
    y[i] = Math.sin(r2);
  }
  return { x, y };
}

/**
 * A stand-in of YearPredictionMSD's shape (515,345 × 90 → 1) for benchmarks where the real file is not
 * at hand: x ~ N(0, I), y = x·w + sin(x·v) + N(0, 1) with w, v ~ N(0, 1/90), all from `seed`. Only its
 * size and density are realistic; its numbers say nothing about the real data.
 */
export function yearPredSynthetic(seed: number, n = 515345, d = 90): { x: Float64Array; y: Float64Array } {
  const rng = new RandomState(seed);
  const w = rng.fillNormal(new Float64Array(d), 1 / Math.sqrt(d));
  const v = rng.fillNormal(new Float64Array(d), 1 / Math.sqrt(d));
  const x = rng.fillNormal(new Float64Array(n * d));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      a += x[i * d + j] * w[j];
      b += x[i * d + j] * v[j];
    }
    y[i] = a + Math.sin(b) + rng.normal();
  }
  return { x, y };
}

/** The true network of planted data: y = Σ_j ReLU(a_jᵀx), A d×k row-major, second layer all ones. */
export interface PlantedTruth {
  d: number;
  k: number;
  A: Float64Array;
}

export interface PlantedOptions {
  /** Input dimension, hidden units of the true network (k = d with `identity`), rows. */
  d: number;
  k: number;
  n: number;
  /** Sd of the Gaussian noise on the targets (the noise floor of the MSE is σ²). */
  sigma: number;
  seed: number;
  /**
   * Li & Yuan's "identity mapping": the first layer is I + W* (k = d) with W* entries N(0, γ²/d), so
   * ‖W*‖ is about 2γ; γ = `identity`. 0 (the default) is a plain network, w_j ~ N(0, I_d/d).
   */
  identity?: number;
  /** Razborov's adversarial labels: y ~ N(0, 1) drawn independently of x, the network kept only for its shape. */
  randomLabels?: boolean;
}

/**
 * A known two-layer ReLU network as the truth, with the second layer fixed at ones (as Jagatap & Hegde
 * and Li & Yuan assume): y = Σ_j ReLU(a_jᵀx) + N(0, σ²), x ~ N(0, I_d), all from `seed`: the weights
 * first (A, d×k row-major), then each row's inputs and its noise, from a stream apart from the seed's own.
 */
export function planted(o: PlantedOptions): { x: Float64Array; y: Float64Array; truth: PlantedTruth } {
  // The trainers draw their initial weights from RandomState(seed) itself; the same stream here would
  // start them at the truth (ANMIN's N(0, 1) start would be A* rescaled). The data take their own.
  const rng = new RandomState(plantedStream(o.seed));
  const { d, k } = o;
  const gamma = o.identity ?? 0;
  if (gamma > 0 && k !== d) throw new AnminError(`planted: the identity mapping needs k = d (got d = ${d}, k = ${k})`);
  const A = rng.fillNormal(new Float64Array(d * k), (gamma > 0 ? gamma : 1) / Math.sqrt(d));
  if (gamma > 0) for (let j = 0; j < d; j++) A[j * k + j] += 1;
  const x = new Float64Array(o.n * d);
  const y = new Float64Array(o.n);
  for (let i = 0; i < o.n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
    let f = 0;
    for (let u = 0; u < k; u++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += x[i * d + j] * A[j * k + u];
      f += Math.max(0, z);
    }
    y[i] = o.randomLabels ? rng.normal() : f + o.sigma * rng.normal();
  }
  return { x, y, truth: { d, k, A } };
}

/** The data's stream for a run's seed: a fixed odd-multiplier hash, so no trainer's stream coincides. */
export function plantedStream(seed: number): number {
  return ((Math.imul(seed ^ 0x2545f491, 0x9e3779b1) >>> 0) ^ 0x68e31da4) >>> 0;
}
