// AssemblyScript, compiled to dist/wasm/normal.wasm by `make build` (SIMD on).
// Products with ANMIN's hidden-layer normal matrix M (Eqs. 6–7) without forming it, for the
// matrix-free (conjugate gradient) solve: vectors are p×h row-major, laid out like A, so every inner
// loop runs over the h neurons, two doubles at a time. Offsets are laid out by src/linalg/normal-operator.ts.
import { axpy, dot, rowTimes, scale } from './common';
export { heapBase } from './common';

/**
 * out = M·V for rows [0, n): with the gates g (n×h, g_ij = 1 where neuron j fires on row i, else α),
 * u_i = g_i ⊙ (x̃_i V), w_i = BBᵀ u_i, out += x̃_iᵀ (g_i ⊙ w_i). With few outputs (c > 0) `bb` holds B
 * (h×c) and w_i = B(Bᵀu_i) costs 2hc; otherwise (c = 0) it holds BBᵀ (h×h). `u`, `w` (h) and `t` (c)
 * are scratch.
 */
export function product(x: usize, g: usize, n: i32, p: i32, h: i32, c: i32, v: usize, bb: usize, out: usize, u: usize, w: usize, t: usize): void {
  const hb = <usize>h << 3;
  memory.fill(out, 0, <usize>p * hb);
  for (let i = 0; i < n; i++) {
    const xi = x + (<usize>(i * p) << 3);
    const gi = g + <usize>i * hb;
    rowTimes(p, h, xi, v, u);
    scale(h, gi, u);
    if (c > 0) {
      const cb = <usize>c << 3;
      memory.fill(t, 0, cb);
      for (let l = 0; l < h; l++) {
        const ul = load<f64>(u + (<usize>l << 3));
        if (ul != 0) axpy(c, ul, bb + <usize>l * cb, t);
      }
      for (let l = 0; l < h; l++) store<f64>(w + (<usize>l << 3), dot(c, bb + <usize>l * cb, t));
    } else {
      memory.fill(w, 0, hb);
      // BBᵀ is symmetric: its rows are its columns.
      for (let l = 0; l < h; l++) {
        const ul = load<f64>(u + (<usize>l << 3));
        if (ul != 0) axpy(h, ul, bb + <usize>l * hb, w);
      }
    }
    scale(h, gi, w);
    for (let a = 0; a < p; a++) {
      const xa = load<f64>(xi + (<usize>a << 3));
      if (xa != 0) axpy(h, xa, w, out + <usize>a * hb);
    }
  }
}

/**
 * The per-neuron diagonal blocks U_jj = Σ_i g_ij² x̃_i x̃_iᵀ, packed upper triangles (q = p(p+1)/2
 * each) into out (h × q), for the block-Jacobi preconditioner. `q2` is q doubles of scratch.
 */
export function diagonalBlocks(x: usize, g: usize, n: i32, p: i32, h: i32, out: usize, q2: usize): void {
  const q = (p * (p + 1)) >> 1;
  const qb = <usize>q << 3;
  memory.fill(out, 0, <usize>h * qb);
  for (let i = 0; i < n; i++) {
    const xi = x + (<usize>(i * p) << 3);
    let t = 0;
    for (let a = 0; a < p; a++) {
      const xa = load<f64>(xi + (<usize>a << 3));
      const len = p - a;
      // Row a of the packed outer product: xa · x̃[a..p).
      memory.fill(q2 + (<usize>t << 3), 0, <usize>len << 3);
      axpy(len, xa, xi + (<usize>a << 3), q2 + (<usize>t << 3));
      t += len;
    }
    const gi = g + (<usize>(i * h) << 3);
    for (let j = 0; j < h; j++) {
      const gj = load<f64>(gi + (<usize>j << 3));
      if (gj != 0) axpy(q, gj * gj, q2, out + <usize>j * qb);
    }
  }
}
