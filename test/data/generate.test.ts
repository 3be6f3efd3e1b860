import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distanceTransform, signedDistance } from '../../src/data/edt.js';
import { denoisingPatches, simulation } from '../../src/data/generate.js';

function bruteForce(mask: Uint8Array, h: number, w: number): Float64Array {
  const out = new Float64Array(h * w);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (!mask[r * w + c]) continue;
      let best = Infinity;
      for (let r2 = 0; r2 < h; r2++) for (let c2 = 0; c2 < w; c2++) if (!mask[r2 * w + c2]) best = Math.min(best, (r - r2) ** 2 + (c - c2) ** 2);
      out[r * w + c] = Math.sqrt(best);
    }
  }
  return out;
}

test('distance transform equals the brute-force nearest-zero distance on random masks', () => {
  let s = 12345;
  for (const [h, w, density] of [[7, 9, 0.5], [13, 5, 0.9], [1, 17, 0.7], [16, 16, 0.97]] as const) {
    const mask = new Uint8Array(h * w);
    for (let k = 0; k < mask.length; k++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      mask[k] = s / 2 ** 32 < density ? 1 : 0;
    }
    mask[0] = 0;
    assert.deepEqual(Array.from(distanceTransform(mask, h, w)), Array.from(bruteForce(mask, h, w)), `${h}x${w}`);
  }
});

test('signed distance is negative inside, positive outside, |v| ≥ 1 everywhere', () => {
  const h = 20;
  const w = 30;
  const inside = new Uint8Array(h * w);
  for (let r = 5; r < 15; r++) for (let c = 8; c < 20; c++) inside[r * w + c] = 1;
  const sdf = signedDistance(inside, h, w);
  for (let k = 0; k < sdf.length; k++) {
    assert.ok(inside[k] ? sdf[k] <= -1 : sdf[k] >= 1);
  }
  assert.equal(sdf[10 * w + 8], -1);
  assert.equal(sdf[10 * w + 7], 1);
  assert.equal(sdf[0], Math.hypot(5, 8));
});

test('DAE patches: count follows range(0, H-15, 3) × range(0, W-15, 3) and the noise is N(0, σ²)', () => {
  const img = { width: 321, height: 481, pixels: new Uint8Array(481 * 321).map((_, k) => (k * 7) % 256) };
  const p = denoisingPatches(img, { patch: 15, stride: 3, sigma: 10, seed: 3 });
  assert.equal(p.n, 15912);
  // Patch 1 starts 3 columns right of patch 0; row u of a patch is image row u.
  assert.equal(p.y[225 + 0], img.pixels[3]);
  assert.equal(p.y[14 * 15 + 2], img.pixels[14 * 321 + 2]);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < p.x.length; i++) {
    const e = p.x[i] - p.y[i];
    s += e;
    s2 += e * e;
  }
  const m = s / p.x.length;
  const sd = Math.sqrt(s2 / p.x.length - m * m);
  // 3.58M draws: the mean's standard error is 0.005 and the sd's 0.004.
  assert.ok(Math.abs(m) < 0.03, `mean ${m}`);
  assert.ok(Math.abs(sd - 10) < 0.03, `sd ${sd}`);
  const again = denoisingPatches(img, { patch: 15, stride: 3, sigma: 10, seed: 3 });
  assert.deepEqual(again.x, p.x);
});

test('simulation: y = sin(‖x‖²) and train/test rows differ', () => {
  const { x, y } = simulation(3, 50, 1);
  for (let i = 0; i < 100; i++) assert.equal(y[i], Math.sin(x[3 * i] ** 2 + x[3 * i + 1] ** 2 + x[3 * i + 2] ** 2));
  assert.notEqual(x[0], x[150]);
});

test('DAE with σ = 0 (the published notebook) has inputs equal to the clean targets', () => {
  const img = { width: 40, height: 31, pixels: new Uint8Array(40 * 31).map((_, k) => (k * 37) % 256) };
  const p = denoisingPatches(img, { patch: 15, stride: 3, sigma: 0, seed: 3 });
  assert.ok(p.n > 0);
  assert.deepEqual(p.x, p.y);
});
