// AssemblyScript, compiled to dist/wasm/network.wasm by `make build` (SIMD on).
// The two-layer network f(x̃) = σ(x̃A)B + b⁰, σ(z) = max(z, αz), every sum row by row in order, over flat row-major
// arrays in this module's memory (byte offsets laid out by src/model/kernels.ts): θ = (A p×h, B h×c,
// b⁰ c). Vector loops run over neurons (h) or outputs (c), two doubles at a time.
import { activate, axpy, dot, outputRow, ridgeSums, rowTimes } from './common';
export { heapBase } from './common';

/** Z = X̃A for n rows into z (n×h): the hidden pre-activations, BLOCK_ROWS rows sharing each load of A (hiddenBlock: rowTimes' numbers). */
export function hidden(x: usize, n: i32, p: i32, h: i32, A: usize, z: usize): void {
  const hb = <usize>h << 3;
  for (let i = 0; i < n; i += BLOCK_ROWS) {
    const xi = x + (<usize>(i * p) << 3);
    const k = min(BLOCK_ROWS, n - i);
    hiddenBlock(xi, k, zeroPattern(xi, k, p), p, h, A, z + <usize>i * hb);
  }
}

/** RIDGE_ROWS, for the caller laying out ridgeSums' scratch. */
export { RIDGE_ROWS } from './common';

/** The output layer's ridge system (ridgeSums in common.ts) for n rows of pre-activations z. */
export function outputGram(z: usize, alpha: f64, y: usize, n: i32, h: i32, c: i32, g: usize, rhs: usize, rows: usize): void {
  ridgeSums(z, alpha, y, n, h, c, g, rhs, rows);
}

/** dz = B e for one row, ungated: e (c) pulled back through B (h×c). */
@inline function pullBack(e: usize, B: usize, h: i32, c: i32, dz: usize): void {
  if (c == 1) {
    const e0 = f64x2.splat(load<f64>(e));
    for (let j = 0; j + 2 <= h; j += 2) {
      const o = <usize>j << 3;
      v128.store(dz + o, f64x2.mul(e0, v128.load(B + o)));
    }
    if (h & 1) store<f64>(dz + (<usize>(h - 1) << 3), load<f64>(e) * load<f64>(B + (<usize>(h - 1) << 3)));
    return;
  }
  const cb = <usize>c << 3;
  for (let j = 0; j < h; j++) store<f64>(dz + (<usize>j << 3), dot(c, e, B + <usize>j * cb));
}

/**
 * dz ⊙= σ'(z) for one row, by lanes, not by a branch: firing is as unpredictable as the data (v holds z
 * or σ(z); both are > 0 exactly where the neuron fires, as α ≥ 0).
 */
@inline function gate(v: usize, h: i32, alpha: f64, dz: usize): void {
  const al = f64x2.splat(alpha);
  const zero = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= h; j += 2) {
    const o = <usize>j << 3;
    const ds = v128.load(dz + o);
    v128.store(dz + o, v128.bitselect(ds, f64x2.mul(al, ds), f64x2.gt(v128.load(v + o), zero)));
  }
  if (j < h) {
    const o = <usize>j << 3;
    const ds = load<f64>(dz + o);
    store<f64>(dz + o, select<f64>(ds, alpha * ds, load<f64>(v + o) > 0));
  }
}

/** out (p×h) += x̃ dzᵀ for one row (zero inputs skipped). */
@inline function addOuter(xi: usize, p: i32, h: i32, dz: usize, out: usize): void {
  const hb = <usize>h << 3;
  for (let a = 0; a < p; a++) {
    const v = load<f64>(xi + (<usize>a << 3));
    if (v != 0) axpy(h, v, dz, out + <usize>a * hb);
  }
}

/**
 * The right-hand side of ANMIN's hidden-layer system (Eq. 8) in A's layout (p×h):
 * out += Σ_i x̃_i (g_i ⊙ (y_i − b⁰)Bᵀ), g_ij = 1 where neuron j fires and α elsewhere. Rows go
 * BLOCK_ROWS at a time through the gradient pass's blocks (hiddenBlock, addOuterBlock), every sum still
 * row by row in order. Scratch: z, dz (BLOCK_ROWS·h each) and e (c).
 */
export function hiddenRhs(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, out: usize, z: usize, dz: usize, e: usize): void {
  rhsRows(x, y, n, p, h, c, alpha, theta, out, z, false, dz, e);
}

/** hiddenRhs with the rows' pre-activations X̃A given in z (n×h), as the output layer's refit left them: the same numbers without their pass. */
export function hiddenRhsFrom(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, out: usize, z: usize, dz: usize, e: usize): void {
  rhsRows(x, y, n, p, h, c, alpha, theta, out, z, true, dz, e);
}

@inline function rhsRows(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, out: usize, z: usize, given: bool, dz: usize, e: usize): void {
  const B = theta + (<usize>(p * h) << 3);
  const b0 = B + (<usize>(h * c) << 3);
  const hb = <usize>h << 3;
  for (let i = 0; i < n; i += BLOCK_ROWS) {
    const xi = x + (<usize>(i * p) << 3);
    const k = min(BLOCK_ROWS, n - i);
    const zeros = zeroPattern(xi, k, p);
    const zi = given ? z + <usize>i * hb : z;
    if (!given) hiddenBlock(xi, k, zeros, p, h, theta, zi);
    for (let r = 0; r < k; r++) {
      const yi = y + (<usize>((i + r) * c) << 3);
      for (let t = 0; t < c; t++) store<f64>(e + (<usize>t << 3), load<f64>(yi + (<usize>t << 3)) - load<f64>(b0 + (<usize>t << 3)));
      pullBack(e, B, h, c, dz + <usize>r * hb);
      gate(zi + <usize>r * hb, h, alpha, dz + <usize>r * hb);
    }
    addOuterBlock(xi, k, zeros, p, h, dz, out);
  }
}

/** g = the gates of the row at x under A: 1 where x̃A > 0, α elsewhere. */
@inline function gates(x: usize, p: i32, h: i32, alpha: f64, A: usize, g: usize): void {
  rowTimes(p, h, x, A, g);
  const one = f64x2.splat(1);
  const al = f64x2.splat(alpha);
  const zero = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= h; j += 2) {
    const o = <usize>j << 3;
    v128.store(g + o, v128.bitselect(one, al, f64x2.gt(v128.load(g + o), zero)));
  }
  if (j < h) store<f64>(g + (<usize>j << 3), load<f64>(g + (<usize>j << 3)) > 0 ? 1.0 : alpha);
}

/** y[0..n) += a·x[0..n) + b·z[0..n): two rows' axpys with one load and store of y. */
@inline function axpy2(n: i32, a: f64, x: usize, b: f64, z: usize, y: usize): void {
  const av = f64x2.splat(a);
  const bv = f64x2.splat(b);
  let t = 0;
  for (; t + 2 <= n; t += 2) {
    const o = <usize>t << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.add(f64x2.mul(av, v128.load(x + o)), f64x2.mul(bv, v128.load(z + o)))));
  }
  if (t < n) {
    const o = <usize>t << 3;
    store<f64>(y + o, load<f64>(y + o) + (a * load<f64>(x + o) + b * load<f64>(z + o)));
  }
}

/**
 * The gated first moments of n rows for A's firing pattern (g_ij = 1 where neuron j fires on row i, α
 * elsewhere), in A's layout (p×h): m1 += Σ_i x̃_i g_iᵀ and, output by output, m2[k] += Σ_i y_ik x̃_i g_iᵀ.
 * With the firing-pair sums they give the output layer's ridge system and Eq. 8 with no other pass over
 * the rows. Rows go two at a time, so each moment row is loaded and stored once for both. Scratch: g0,
 * g1 (h each).
 */
export function firingMoments(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, A: usize, m1: usize, m2: usize, g0: usize, g1: usize): void {
  const hb = <usize>h << 3;
  const planeb = <usize>(p * h) << 3;
  for (let i = 0; i < n; i += 2) {
    const x0 = x + (<usize>(i * p) << 3);
    const y0 = y + (<usize>(i * c) << 3);
    gates(x0, p, h, alpha, A, g0);
    // An odd last row pairs with a row of zeros, which adds nothing.
    const two = i + 1 < n;
    const x1 = x0 + (<usize>p << 3);
    const y1 = y0 + (<usize>c << 3);
    if (two) gates(x1, p, h, alpha, A, g1);
    for (let a = 0; a < p; a++) {
      const v0 = load<f64>(x0 + (<usize>a << 3));
      const v1 = two ? load<f64>(x1 + (<usize>a << 3)) : 0.0;
      axpy2(h, v0, g0, v1, g1, m1 + <usize>a * hb);
      for (let k = 0; k < c; k++) {
        const w1 = two ? v1 * load<f64>(y1 + (<usize>k << 3)) : 0.0;
        axpy2(h, v0 * load<f64>(y0 + (<usize>k << 3)), g0, w1, g1, m2 + <usize>k * planeb + <usize>a * hb);
      }
    }
  }
}

/** Rows the forward and backward blocks take together: each load of A, and of the gradient's A part, serves them all. */
export const BLOCK_ROWS: i32 = 4;

/** How the inputs of a block of rows are zero: so the block goes row by row, or four at a time (skipping zero columns or not). */
const SCATTERED: i32 = 0;
const NO_ZEROS: i32 = 1;
const ZERO_COLUMNS: i32 = 2;

/**
 * For the k rows at x: SCATTERED unless the block is full and each of the p inputs is zero (±0) in all
 * its rows or in none: then skipping an input where the first row's is zero skips exactly what a pass
 * one row at a time skips (a constant column standardizes to zeros). ZERO_COLUMNS when some input is
 * zero in all four. The forward and backward blocks of a row block take the same answer.
 */
@inline function zeroPattern(x: usize, k: i32, p: i32): i32 {
  if (k < BLOCK_ROWS) return SCATTERED;
  const pb = <usize>p << 3;
  let out = NO_ZEROS;
  for (let a = 0; a < p; a++) {
    const xa = x + (<usize>a << 3);
    const zero = load<f64>(xa) == 0;
    for (let r = 1; r < BLOCK_ROWS; r++) if ((load<f64>(xa + <usize>r * pb) == 0) != zero) return SCATTERED;
    if (zero) out = ZERO_COLUMNS;
  }
  return out;
}

/**
 * S (4×n) = start + X M for the four rows of X (4×p, rows p apart) and M (p×n), two columns at a time,
 * the rows' sums in registers, each summed from its start (0 where `start` is 0) over the p rows of M in
 * order: hiddenBlock's full block (start 0; `skip`: zero columns skipped, as rowTimes skips them) and
 * forwardBlock's output layer (start b⁰). Adding a zero input's products instead of skipping them
 * leaves the sums as they were.
 */
@inline function timesFour(x: usize, p: i32, n: i32, M: usize, start: usize, S: usize, skip: bool): void {
  const pb = <usize>p << 3;
  const nb = <usize>n << 3;
  let j = 0;
  // Four columns at a time where they fit: each row's four inputs loaded once for two of M's vectors
  // (six loads for eight multiply-adds, not five for four), eight running sums.
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 3;
    let s0 = start ? v128.load(start + o) : f64x2.splat(0);
    let t0 = start ? v128.load(start + o + 16) : f64x2.splat(0);
    let s1 = s0, s2 = s0, s3 = s0, t1 = t0, t2 = t0, t3 = t0;
    for (let a = 0; a < p; a++) {
      const xa = x + (<usize>a << 3);
      if (skip && load<f64>(xa) == 0) continue;
      const row = M + <usize>a * nb + o;
      const w = v128.load(row);
      const v = v128.load(row + 16);
      const x0 = v128.load64_splat(xa);
      const x1 = v128.load64_splat(xa + pb);
      s0 = f64x2.add(s0, f64x2.mul(x0, w));
      t0 = f64x2.add(t0, f64x2.mul(x0, v));
      s1 = f64x2.add(s1, f64x2.mul(x1, w));
      t1 = f64x2.add(t1, f64x2.mul(x1, v));
      const x2 = v128.load64_splat(xa + 2 * pb);
      const x3 = v128.load64_splat(xa + 3 * pb);
      s2 = f64x2.add(s2, f64x2.mul(x2, w));
      t2 = f64x2.add(t2, f64x2.mul(x2, v));
      s3 = f64x2.add(s3, f64x2.mul(x3, w));
      t3 = f64x2.add(t3, f64x2.mul(x3, v));
    }
    v128.store(S + o, s0);
    v128.store(S + o + 16, t0);
    v128.store(S + nb + o, s1);
    v128.store(S + nb + o + 16, t1);
    v128.store(S + 2 * nb + o, s2);
    v128.store(S + 2 * nb + o + 16, t2);
    v128.store(S + 3 * nb + o, s3);
    v128.store(S + 3 * nb + o + 16, t3);
  }
  for (; j + 2 <= n; j += 2) {
    const o = <usize>j << 3;
    let s0 = start ? v128.load(start + o) : f64x2.splat(0);
    let s1 = s0, s2 = s0, s3 = s0;
    for (let a = 0; a < p; a++) {
      const xa = x + (<usize>a << 3);
      if (skip && load<f64>(xa) == 0) continue;
      const w = v128.load(M + <usize>a * nb + o);
      s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(xa), w));
      s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(xa + pb), w));
      s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(xa + 2 * pb), w));
      s3 = f64x2.add(s3, f64x2.mul(v128.load64_splat(xa + 3 * pb), w));
    }
    v128.store(S + o, s0);
    v128.store(S + nb + o, s1);
    v128.store(S + 2 * nb + o, s2);
    v128.store(S + 3 * nb + o, s3);
  }
  if (j < n) {
    const o = <usize>j << 3;
    for (let r = 0; r < BLOCK_ROWS; r++) {
      const xr = x + <usize>r * pb;
      let t = start ? load<f64>(start + o) : 0.0;
      for (let a = 0; a < p; a++) {
        const v = load<f64>(xr + (<usize>a << 3));
        if (!skip || v != 0) t = t + v * load<f64>(M + <usize>a * nb + o);
      }
      store<f64>(S + <usize>r * nb + o, t);
    }
  }
}

/**
 * S (k×h) = X̃A for the k ≤ BLOCK_ROWS rows at x, each row summed exactly as rowTimes sums it (from 0,
 * inputs in order, zero inputs skipped), so the numbers are rowTimes' to the bit: a full block whose
 * inputs are zero in all four rows or in none shares each load of A among its rows (timesFour); any
 * other block goes row by row. `zeros`: zeroPattern's answer for the block.
 */
@inline function hiddenBlock(x: usize, k: i32, zeros: i32, p: i32, h: i32, A: usize, S: usize): void {
  if (zeros == NO_ZEROS) timesFour(x, p, h, A, 0, S, false);
  else if (zeros == ZERO_COLUMNS) timesFour(x, p, h, A, 0, S, true);
  else for (let r = 0; r < k; r++) rowTimes(p, h, x + <usize>(r * p) * 8, A, S + <usize>(r * h) * 8);
}

/** G's row a += Σ_r x_ra dz_r over the four rows (xa: x_0a, the rows p apart), the rows added in order. */
@inline function addOuterRowFour(xa: usize, pb: usize, h: i32, hb: usize, DZ: usize, row: usize): void {
  const w0 = v128.load64_splat(xa), w1 = v128.load64_splat(xa + pb), w2 = v128.load64_splat(xa + 2 * pb), w3 = v128.load64_splat(xa + 3 * pb);
  let j = 0;
  for (; j + 2 <= h; j += 2) {
    const o = <usize>j << 3;
    let g = v128.load(row + o);
    g = f64x2.add(g, f64x2.mul(w0, v128.load(DZ + o)));
    g = f64x2.add(g, f64x2.mul(w1, v128.load(DZ + hb + o)));
    g = f64x2.add(g, f64x2.mul(w2, v128.load(DZ + 2 * hb + o)));
    g = f64x2.add(g, f64x2.mul(w3, v128.load(DZ + 3 * hb + o)));
    v128.store(row + o, g);
  }
  if (j < h) {
    const o = <usize>j << 3;
    let g = load<f64>(row + o);
    for (let r = 0; r < BLOCK_ROWS; r++) g = g + load<f64>(xa + <usize>r * pb) * load<f64>(DZ + <usize>r * hb + o);
    store<f64>(row + o, g);
  }
}

/**
 * addOuterBlock for a full block: each entry of G loaded and stored once for the four rows, two of G's
 * rows at a time so that each load of DZ serves both (six loads for eight multiply-adds, not five for
 * four; DAE's shape, 2,000 rows, with timesFour's four columns: 23.6 → 18.9 ms); `skip`: zero columns
 * are skipped.
 */
@inline function addOuterFour(x: usize, p: i32, h: i32, DZ: usize, G: usize, skip: bool): void {
  const pb = <usize>p << 3;
  const hb = <usize>h << 3;
  let a = 0;
  for (; a + 2 <= p; a += 2) {
    const xa = x + (<usize>a << 3);
    const row = G + <usize>a * hb;
    if (skip) {
      const zero0 = load<f64>(xa) == 0;
      const zero1 = load<f64>(xa, 8) == 0;
      if (zero0 || zero1) {
        if (!zero0) addOuterRowFour(xa, pb, h, hb, DZ, row);
        if (!zero1) addOuterRowFour(xa + 8, pb, h, hb, DZ, row + hb);
        continue;
      }
    }
    const w0 = v128.load64_splat(xa), w1 = v128.load64_splat(xa + pb), w2 = v128.load64_splat(xa + 2 * pb), w3 = v128.load64_splat(xa + 3 * pb);
    const u0 = v128.load64_splat(xa + 8), u1 = v128.load64_splat(xa + pb + 8), u2 = v128.load64_splat(xa + 2 * pb + 8), u3 = v128.load64_splat(xa + 3 * pb + 8);
    const next = row + hb;
    let j = 0;
    for (; j + 2 <= h; j += 2) {
      const o = <usize>j << 3;
      const d0 = v128.load(DZ + o);
      const d1 = v128.load(DZ + hb + o);
      const d2 = v128.load(DZ + 2 * hb + o);
      const d3 = v128.load(DZ + 3 * hb + o);
      let g = v128.load(row + o);
      let f = v128.load(next + o);
      g = f64x2.add(g, f64x2.mul(w0, d0));
      f = f64x2.add(f, f64x2.mul(u0, d0));
      g = f64x2.add(g, f64x2.mul(w1, d1));
      f = f64x2.add(f, f64x2.mul(u1, d1));
      g = f64x2.add(g, f64x2.mul(w2, d2));
      f = f64x2.add(f, f64x2.mul(u2, d2));
      g = f64x2.add(g, f64x2.mul(w3, d3));
      f = f64x2.add(f, f64x2.mul(u3, d3));
      v128.store(row + o, g);
      v128.store(next + o, f);
    }
    if (j < h) {
      const o = <usize>j << 3;
      let g = load<f64>(row + o);
      let f = load<f64>(next + o);
      for (let r = 0; r < BLOCK_ROWS; r++) {
        const d = load<f64>(DZ + <usize>r * hb + o);
        g = g + load<f64>(xa + <usize>r * pb) * d;
        f = f + load<f64>(xa + <usize>r * pb + 8) * d;
      }
      store<f64>(row + o, g);
      store<f64>(next + o, f);
    }
  }
  if (a < p && !(skip && load<f64>(x + (<usize>a << 3)) == 0)) addOuterRowFour(x + (<usize>a << 3), pb, h, hb, DZ, G + <usize>a * hb);
}

/**
 * G (p×h) += Σ_r x̃_r dz_rᵀ over the k ≤ BLOCK_ROWS rows at x, the rows added to each entry in order as
 * addOuter adds them one row at a time (zero inputs skipped), so the sums are addOuter's to the bit;
 * a full block whose inputs are zero in all four rows or in none goes through addOuterFour. `zeros`:
 * zeroPattern's answer for the block, as the forward pass took it.
 */
@inline function addOuterBlock(x: usize, k: i32, zeros: i32, p: i32, h: i32, DZ: usize, G: usize): void {
  if (zeros == NO_ZEROS) addOuterFour(x, p, h, DZ, G, false);
  else if (zeros == ZERO_COLUMNS) addOuterFour(x, p, h, DZ, G, true);
  else for (let r = 0; r < k; r++) addOuter(x + <usize>(r * p) * 8, p, h, DZ + <usize>(r * h) * 8, G);
}

/**
 * The network's outputs for the k ≤ BLOCK_ROWS rows at x into out (k×c), their activations left in
 * S (k×h): σ(x̃A), then b⁰ + σ(x̃A)B, a full block's rows together where there are several outputs
 * (timesFour: the numbers of outputRow row by row).
 */
@inline function forwardBlock(x: usize, k: i32, zeros: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, S: usize, out: usize): void {
  const B = theta + (<usize>(p * h) << 3);
  const b0 = B + (<usize>(h * c) << 3);
  const hb = <usize>h << 3;
  hiddenBlock(x, k, zeros, p, h, theta, S);
  for (let r = 0; r < k; r++) activate(h, alpha, S + <usize>r * hb, S + <usize>r * hb);
  // outputRow for the four rows at once: b⁰ + SB summed from b⁰ over the neurons in order, to the bit.
  if (outputsFour(c, k)) timesFour(S, h, c, B, b0, out, false);
  else for (let r = 0; r < k; r++) outputRow(h, c, S + <usize>r * hb, B, b0, out + (<usize>(r * c) << 3));
}

/** A full block with more than one output: the four rows go together through the output layer. */
@inline function outputsFour(c: i32, k: i32): bool {
  return c > 1 && k == BLOCK_ROWS;
}

/** Σ_t w_t e_t for B's row bj against the four rows of E, each summed as dot sums (two lanes, then together, then the odd tail), into DZ's column at o. */
@inline function pullBackColumn(E: usize, cb: usize, c: i32, bj: usize, DZ: usize, hb: usize, o: usize): void {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let t = 0; t + 2 <= c; t += 2) {
    const q = <usize>t << 3;
    const w = v128.load(bj + q);
    a0 = f64x2.add(a0, f64x2.mul(v128.load(E + q), w));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(E + cb + q), w));
    a2 = f64x2.add(a2, f64x2.mul(v128.load(E + 2 * cb + q), w));
    a3 = f64x2.add(a3, f64x2.mul(v128.load(E + 3 * cb + q), w));
  }
  pullBackStore(E, cb, c, bj, a0, a1, a2, a3, DZ, hb, o);
}

/** pullBackColumn's end: each sum's two lanes together, the odd tail, stored in DZ's column at o. */
@inline function pullBackStore(E: usize, cb: usize, c: i32, bj: usize, a0: v128, a1: v128, a2: v128, a3: v128, DZ: usize, hb: usize, o: usize): void {
  let d0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  let d1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  let d2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
  let d3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
  if (c & 1) {
    const tail = <usize>(c - 1) << 3;
    const w = load<f64>(bj + tail);
    d0 += load<f64>(E + tail) * w;
    d1 += load<f64>(E + cb + tail) * w;
    d2 += load<f64>(E + 2 * cb + tail) * w;
    d3 += load<f64>(E + 3 * cb + tail) * w;
  }
  store<f64>(DZ + o, d0);
  store<f64>(DZ + hb + o, d1);
  store<f64>(DZ + 2 * hb + o, d2);
  store<f64>(DZ + 3 * hb + o, d3);
}

/**
 * pullBack for the four rows of E (4×c) at once, into DZ (4×h), ungated: each B row loaded once for
 * the four, and two of B's rows at a time so that each load of E serves both (six loads for eight
 * multiply-adds), each sum taken as dot takes it (two lanes, then together, then the odd tail), to the bit.
 */
@inline function pullBackFour(E: usize, B: usize, h: i32, c: i32, DZ: usize): void {
  const hb = <usize>h << 3;
  const cb = <usize>c << 3;
  let j = 0;
  for (; j + 2 <= h; j += 2) {
    const bj = B + <usize>j * cb;
    const bk = bj + cb;
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (let t = 0; t + 2 <= c; t += 2) {
      const q = <usize>t << 3;
      const w = v128.load(bj + q);
      const v = v128.load(bk + q);
      const e0 = v128.load(E + q);
      const e1 = v128.load(E + cb + q);
      a0 = f64x2.add(a0, f64x2.mul(e0, w));
      b0 = f64x2.add(b0, f64x2.mul(e0, v));
      a1 = f64x2.add(a1, f64x2.mul(e1, w));
      b1 = f64x2.add(b1, f64x2.mul(e1, v));
      const e2 = v128.load(E + 2 * cb + q);
      const e3 = v128.load(E + 3 * cb + q);
      a2 = f64x2.add(a2, f64x2.mul(e2, w));
      b2 = f64x2.add(b2, f64x2.mul(e2, v));
      a3 = f64x2.add(a3, f64x2.mul(e3, w));
      b3 = f64x2.add(b3, f64x2.mul(e3, v));
    }
    pullBackStore(E, cb, c, bj, a0, a1, a2, a3, DZ, hb, <usize>j << 3);
    pullBackStore(E, cb, c, bk, b0, b1, b2, b3, DZ, hb, <usize>(j + 1) << 3);
  }
  if (j < h) pullBackColumn(E, cb, c, B + <usize>j * cb, DZ, hb, <usize>j << 3);
}

/** out (n×c) = f(x̃_i) for n rows; `s` (BLOCK_ROWS·h) is scratch. */
export function predict(x: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, out: usize): void {
  for (let i = 0; i < n; i += BLOCK_ROWS) {
    const xi = x + (<usize>(i * p) << 3);
    const k = min(BLOCK_ROWS, n - i);
    forwardBlock(xi, k, zeroPattern(xi, k, p), p, h, c, alpha, theta, s, out + (<usize>(i * c) << 3));
  }
}

/** Σ over n rows and c outputs of (f(x̃_i) − y_i)²; `s` (BLOCK_ROWS·h) and `o` (BLOCK_ROWS·c) are scratch. */
export function sse(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, o: usize): f64 {
  let total = 0.0;
  for (let i = 0; i < n; i += BLOCK_ROWS) {
    const xi = x + (<usize>(i * p) << 3);
    const k = min(BLOCK_ROWS, n - i);
    forwardBlock(xi, k, zeroPattern(xi, k, p), p, h, c, alpha, theta, s, o);
    const yi = y + (<usize>(i * c) << 3);
    for (let t = 0; t < k * c; t++) {
      const e = load<f64>(o + (<usize>t << 3)) - load<f64>(yi + (<usize>t << 3));
      total += e * e;
    }
  }
  return total;
}

/** θ's second layer B (h×c), after A (p×h); the same offset in θ's gradient. */
@inline function layerB(theta: usize, p: i32, h: i32): usize {
  return theta + (<usize>(p * h) << 3);
}

/** θ's output bias b⁰ (c), after B; the same offset in θ's gradient. */
@inline function biasB0(theta: usize, p: i32, h: i32, c: i32): usize {
  return theta + (<usize>(p * h + h * c) << 3);
}

/** Zeroes θ's gradient (p×h + h×c + c) and returns the scale of a row's error in it: 2 over the MSE's mean·c entries. */
@inline function startGradient(grad: usize, p: i32, h: i32, c: i32, mean: i32): f64 {
  memory.fill(grad, 0, <usize>(p * h + h * c + c) << 3);
  return 2.0 / (<f64>mean * <f64>c);
}

/**
 * One row's output error, from its outputs in e (c) and its targets at y: returns `total` + Σ (e − y)²,
 * the squares added to it one by one (a pass's running sum, to the bit), leaves e = (e − y)·scale (the
 * loss's gradient with respect to the outputs) and adds it to b⁰'s gradient gb.
 */
@inline function outputError(e: usize, y: usize, c: i32, scale: f64, gb: usize, total: f64): f64 {
  for (let t = 0; t < c; t++) {
    const d = load<f64>(e + (<usize>t << 3)) - load<f64>(y + (<usize>t << 3));
    total += d * d;
    store<f64>(e + (<usize>t << 3), d * scale);
  }
  axpy(c, 1.0, e, gb);
  return total;
}

/** One row's second-layer gradient, gB (h×c) += s eᵀ, and e pulled back through B and gated by σ' at s into dz (h). */
@inline function backRow(s: usize, e: usize, B: usize, h: i32, c: i32, alpha: f64, gB: usize, dz: usize): void {
  if (c == 1) axpy(h, load<f64>(e), s, gB);
  else for (let j = 0; j < h; j++) axpy(c, load<f64>(s + (<usize>j << 3)), e, gB + <usize>j * (<usize>c << 3));
  pullBack(e, B, h, c, dz);
  gate(s, h, alpha, dz);
}

/**
 * The m rows' share of the MSE over `mean` rows (mean over mean·c entries, torch's MSELoss; mean = m
 * for the MSE of these rows alone) and of its gradient with respect to θ, into `grad` (same layout as
 * θ). σ'(z) is 1 where z > 0 and α elsewhere, as torch's (leaky) ReLU. Rows go BLOCK_ROWS at a time,
 * every sum still taken row by row in order (the numbers of a pass one row at a time, to the bit).
 * Scratch: s, dz (BLOCK_ROWS·h each) and e (BLOCK_ROWS·c).
 */
export function lossGrad(x: usize, y: usize, m: i32, mean: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, grad: usize, s: usize, dz: usize, e: usize): f64 {
  const B = layerB(theta, p, h);
  const gA = grad;
  const gB = layerB(grad, p, h);
  const gb = biasB0(grad, p, h, c);
  const hb = <usize>h << 3;
  const scale = startGradient(grad, p, h, c, mean);
  let total = 0.0;
  for (let i = 0; i < m; i += BLOCK_ROWS) {
    const k = min(BLOCK_ROWS, m - i);
    const xi = x + (<usize>(i * p) << 3);
    const zeros = zeroPattern(xi, k, p);
    const four = outputsFour(c, k);
    forwardBlock(xi, k, zeros, p, h, c, alpha, theta, s, e);
    for (let r = 0; r < k; r++) {
      const er = e + (<usize>(r * c) << 3);
      total = outputError(er, y + (<usize>((i + r) * c) << 3), c, scale, gb, total);
      if (!four) backRow(s + <usize>r * hb, er, B, h, c, alpha, gB, dz + <usize>r * hb);
    }
    if (four) {
      // gB += Σ_r s_r e_rᵀ, each entry loaded once for the four rows, and B's rows likewise for the
      // pull-back (and timesFour's forward), the rows in order: a pass row by row, to the bit. A pass
      // over 4,000 rows × 12 inputs (make bench-kernels, N(0, 1)), row by row with branches on firing →
      // so: 2 outputs 6.45 → 2.21 ms, 10 outputs 8.02 → 3.17, 33 11.1 → 7.2; the DAE's shape (2,000
      // rows, 225 inputs and outputs) 36.3 → 29.6; one output as it was (1.74).
      addOuterFour(s, h, c, e, gB, false);
      pullBackFour(e, B, h, c, dz);
      for (let r = 0; r < BLOCK_ROWS; r++) gate(s + <usize>r * hb, h, alpha, dz + <usize>r * hb);
    }
    addOuterBlock(xi, k, zeros, p, h, dz, gA);
  }
  return total / (<f64>mean * <f64>c);
}

/**
 * The hidden pre-activations of one row given by its nonzero inputs, entries [from, to) of (cols, vals):
 * out (h) = Σ_k v_k A[col_k], the entries in order from 0, as rowTimes sums the dense row (its zero
 * inputs skipped): the same numbers to the bit.
 */
@inline function sparseRowTimes(from: i32, to: i32, cols: usize, vals: usize, h: i32, A: usize, out: usize): void {
  const hb = <usize>h << 3;
  memory.fill(out, 0, hb);
  for (let k = from; k < to; k++) axpy(h, load<f64>(vals + (<usize>k << 3)), A + <usize>load<i32>(cols + (<usize>k << 2)) * hb, out);
}

/** The network's outputs for one sparse row (entries [from, to)) into out (c), its activations left in s (h). */
@inline function sparseForward(from: i32, to: i32, cols: usize, vals: usize, h: i32, c: i32, alpha: f64, A: usize, B: usize, b0: usize, s: usize, out: usize): void {
  sparseRowTimes(from, to, cols, vals, h, A, s);
  activate(h, alpha, s, s);
  outputRow(h, c, s, B, b0, out);
}

/**
 * sse for n rows held by their nonzero inputs: row r's entries are [start[r], start[r + 1]) of (cols,
 * vals), cols indexing the p inputs. Scratch: s (h), o (c).
 */
export function sseSparse(start: usize, cols: usize, vals: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, o: usize): f64 {
  const B = layerB(theta, p, h);
  const b0 = biasB0(theta, p, h, c);
  let total = 0.0;
  for (let r = 0; r < n; r++) {
    sparseForward(load<i32>(start + (<usize>r << 2)), load<i32>(start + (<usize>(r + 1) << 2)), cols, vals, h, c, alpha, theta, B, b0, s, o);
    const yr = y + (<usize>(r * c) << 3);
    for (let t = 0; t < c; t++) {
      const e = load<f64>(o + (<usize>t << 3)) - load<f64>(yr + (<usize>t << 3));
      total += e * e;
    }
  }
  return total;
}

/**
 * lossGrad for m rows held by their nonzero inputs (as sseSparse's), one row at a time: a row's work
 * on the first layer is its nonzero inputs', not p's, both ways (its gradient rows are only those
 * inputs'). Every sum is taken in the order lossGrad takes it, so rows given by their nonzeros give
 * lossGrad's numbers to the bit. Scratch: s, dz (h each) and e (c).
 */
export function lossGradSparse(start: usize, cols: usize, vals: usize, y: usize, m: i32, mean: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, grad: usize, s: usize, dz: usize, e: usize): f64 {
  const B = layerB(theta, p, h);
  const b0 = biasB0(theta, p, h, c);
  const gB = layerB(grad, p, h);
  const gb = biasB0(grad, p, h, c);
  const hb = <usize>h << 3;
  const scale = startGradient(grad, p, h, c, mean);
  let total = 0.0;
  for (let r = 0; r < m; r++) {
    const from = load<i32>(start + (<usize>r << 2));
    const to = load<i32>(start + (<usize>(r + 1) << 2));
    sparseForward(from, to, cols, vals, h, c, alpha, theta, B, b0, s, e);
    total = outputError(e, y + (<usize>(r * c) << 3), c, scale, gb, total);
    backRow(s, e, B, h, c, alpha, gB, dz);
    // The first layer's gradient rows of this row's nonzero inputs alone (grad's A part starts at grad).
    for (let k = from; k < to; k++) axpy(h, load<f64>(vals + (<usize>k << 3)), dz, grad + <usize>load<i32>(cols + (<usize>k << 2)) * hb);
  }
  return total / (<f64>mean * <f64>c);
}

/** predict for n rows held by their nonzero inputs (as sseSparse's); `s` (h) is scratch. */
export function predictSparse(start: usize, cols: usize, vals: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, out: usize): void {
  const B = layerB(theta, p, h);
  const b0 = biasB0(theta, p, h, c);
  for (let r = 0; r < n; r++) sparseForward(load<i32>(start + (<usize>r << 2)), load<i32>(start + (<usize>(r + 1) << 2)), cols, vals, h, c, alpha, theta, B, b0, s, out + (<usize>(r * c) << 3));
}
