/**
 * The two-layer network of the paper, f(x) = σ((1, xᵀ)A)B + b⁰ with σ(z) = αz + (1−α)max(0, z),
 * on flat row-major arrays: A is p×h (p = d + 1, the first row multiplies the ones column),
 * B is h×c, b⁰ has c entries. Inputs passed in already carry the leading ones column.
 */
export interface Network {
  p: number;
  h: number;
  c: number;
  alpha: number;
  A: Float64Array;
  B: Float64Array;
  b0: Float64Array;
}
