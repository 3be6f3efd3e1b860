// AssemblyScript, compiled to dist/wasm/lu.wasm by `make build` (SIMD on).
// LU with partial pivoting in single precision, as torch.logdet and torch.linalg.solve run in float32:
// every product and difference is rounded to float32 (no fused multiply-add), so an ill-conditioned
// system can come out singular or with the wrong sign. Offsets are laid out by src/linalg/lu.ts.
export { heapBase } from './common';

/** Columns eliminated per pass over the trailing rows: their multipliers are applied in one read of each row. */
const PANEL: i32 = 4;

/**
 * Factors a (n×n float32, row-major) in place: unit lower L below the diagonal, U on and above it, row
 * c swapped with perm[c] before column c is eliminated. Returns ln|det|: −∞ at a zero pivot (whose
 * column is then left as it is), NaN when the determinant is negative.
 *
 * Right-looking elimination, PANEL columns at a time: the panel's columns are eliminated first (pivots,
 * swaps, multipliers), then every trailing entry gets the panel's updates in column order while it is
 * in a register. Each entry sees the same roundings in the same order as one column at a time, so the
 * factors are those of the unblocked algorithm to the bit, with a quarter of its passes over memory.
 */
export function factor(a: usize, n: i32, perm: usize): f64 {
  const rb = <usize>n << 2;
  let logAbs = 0.0;
  let negative = false;
  for (let c0 = 0; c0 < n; c0 += PANEL) {
    const end = min(c0 + PANEL, n);
    for (let c = c0; c < end; c++) {
      let piv = c;
      let best = abs<f32>(load<f32>(a + <usize>c * rb + (<usize>c << 2)));
      for (let r = c + 1; r < n; r++) {
        const v = abs<f32>(load<f32>(a + <usize>r * rb + (<usize>c << 2)));
        if (v > best) {
          best = v;
          piv = r;
        }
      }
      store<i32>(perm + (<usize>c << 2), piv);
      const rc = a + <usize>c * rb;
      if (piv != c) {
        negative = !negative;
        swapRows(rc, a + <usize>piv * rb, n);
      }
      const d = load<f32>(rc + (<usize>c << 2));
      if (d == 0) {
        // The column is not eliminated: zero multipliers below it say so to the trailing update.
        logAbs = -Infinity;
        continue;
      }
      if (d < 0) negative = !negative;
      logAbs += Math.log(Math.abs(<f64>d));
      for (let r = c + 1; r < n; r++) {
        const rr = a + <usize>r * rb;
        const l = load<f32>(rr + (<usize>c << 2)) / d;
        store<f32>(rr + (<usize>c << 2), l);
        if (l == 0) continue;
        for (let j = c + 1; j < end; j++) {
          const o = <usize>j << 2;
          store<f32>(rr + o, load<f32>(rr + o) - l * load<f32>(rc + o));
        }
      }
    }
    if (end == n) break;
    // The panel's rows of U beyond it, in order: row i needs rows c0 … i − 1 finished.
    for (let i = c0 + 1; i < end; i++) {
      const ri = a + <usize>i * rb;
      for (let c = c0; c < i; c++) if (eliminated(a, rb, c)) subtractRow(ri, load<f32>(ri + (<usize>c << 2)), a + <usize>c * rb, end, n);
    }
    for (let r = end; r < n; r++) trailingRow(a, rb, a + <usize>r * rb, c0, end, n);
  }
  return logAbs == -Infinity ? -Infinity : negative ? NaN : logAbs;
}

/** Column c was eliminated (its pivot is not zero). */
@inline function eliminated(a: usize, rb: usize, c: i32): bool {
  return load<f32>(a + <usize>c * rb + (<usize>c << 2)) != 0;
}

@inline function swapRows(x: usize, y: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const t = v128.load(x + o);
    v128.store(x + o, v128.load(y + o));
    v128.store(y + o, t);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const t = load<f32>(x + o);
    store<f32>(x + o, load<f32>(y + o));
    store<f32>(y + o, t);
  }
}

/** row[from..n) −= l·u[from..n), each product and difference rounded to float32; nothing when l = 0. */
@inline function subtractRow(row: usize, l: f32, u: usize, from: i32, n: i32): void {
  if (l == 0) return;
  const lv = f32x4.splat(l);
  let j = from;
  for (; j < n && (j & 3) != 0; j++) {
    const o = <usize>j << 2;
    store<f32>(row + o, load<f32>(row + o) - l * load<f32>(u + o));
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(row + o, f32x4.sub(v128.load(row + o), f32x4.mul(lv, v128.load(u + o))));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(row + o, load<f32>(row + o) - l * load<f32>(u + o));
  }
}

/**
 * A trailing row's updates from the panel's columns c0 … end − 1 beyond it, in column order. A zero
 * multiplier is skipped as the unblocked algorithm skips it (subtracting 0·u could turn −0 into +0); a
 * full panel with no zero multiplier, the usual case, takes one pass.
 */
@inline function trailingRow(a: usize, rb: usize, row: usize, c0: i32, end: i32, n: i32): void {
  let all = end - c0 == PANEL;
  for (let c = c0; c < end && all; c++) all = eliminated(a, rb, c) && load<f32>(row + (<usize>c << 2)) != 0;
  if (!all) {
    for (let c = c0; c < end; c++) if (eliminated(a, rb, c)) subtractRow(row, load<f32>(row + (<usize>c << 2)), a + <usize>c * rb, end, n);
    return;
  }
  const u0 = a + <usize>c0 * rb, u1 = u0 + rb, u2 = u1 + rb, u3 = u2 + rb;
  const l0 = load<f32>(row + (<usize>c0 << 2)), l1 = load<f32>(row + (<usize>(c0 + 1) << 2));
  const l2 = load<f32>(row + (<usize>(c0 + 2) << 2)), l3 = load<f32>(row + (<usize>(c0 + 3) << 2));
  const v0 = f32x4.splat(l0), v1 = f32x4.splat(l1), v2 = f32x4.splat(l2), v3 = f32x4.splat(l3);
  let j = end;
  for (; j < n && (j & 3) != 0; j++) {
    const o = <usize>j << 2;
    store<f32>(row + o, load<f32>(row + o) - l0 * load<f32>(u0 + o) - l1 * load<f32>(u1 + o) - l2 * load<f32>(u2 + o) - l3 * load<f32>(u3 + o));
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    let t = f32x4.sub(v128.load(row + o), f32x4.mul(v0, v128.load(u0 + o)));
    t = f32x4.sub(t, f32x4.mul(v1, v128.load(u1 + o)));
    t = f32x4.sub(t, f32x4.mul(v2, v128.load(u2 + o)));
    v128.store(row + o, f32x4.sub(t, f32x4.mul(v3, v128.load(u3 + o))));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(row + o, load<f32>(row + o) - l0 * load<f32>(u0 + o) - l1 * load<f32>(u1 + o) - l2 * load<f32>(u2 + o) - l3 * load<f32>(u3 + o));
  }
}

/** Solves LUx = Pb in place on x (n float32) with the factors and pivots of `factor`, in float32. */
export function solve(a: usize, n: i32, perm: usize, x: usize): void {
  const rb = <usize>n << 2;
  for (let c = 0; c < n; c++) {
    const p = <usize>load<i32>(perm + (<usize>c << 2)) << 2;
    const t = load<f32>(x + (<usize>c << 2));
    store<f32>(x + (<usize>c << 2), load<f32>(x + p));
    store<f32>(x + p, t);
  }
  for (let i = 0; i < n; i++) {
    const ri = a + <usize>i * rb;
    let s = load<f32>(x + (<usize>i << 2));
    for (let j = 0; j < i; j++) s = s - load<f32>(ri + (<usize>j << 2)) * load<f32>(x + (<usize>j << 2));
    store<f32>(x + (<usize>i << 2), s);
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = a + <usize>i * rb;
    let s = load<f32>(x + (<usize>i << 2));
    for (let j = i + 1; j < n; j++) s = s - load<f32>(ri + (<usize>j << 2)) * load<f32>(x + (<usize>j << 2));
    store<f32>(x + (<usize>i << 2), s / load<f32>(ri + (<usize>i << 2)));
  }
}
