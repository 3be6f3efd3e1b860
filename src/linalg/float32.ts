/**
 * The published code's single-precision arithmetic, emulated where it changes ANMIN's path: sums
 * accumulated in float32 over minibatches, and TF32 matmul inputs (10-bit mantissa, what an Ampere GPU
 * gave float32 matmuls by default in PyTorch before 1.12).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** v rounded to float32, then to TF32 (8-bit exponent, 10-bit mantissa), round to nearest even. */
export function tf32(v: number): number {
  f32[0] = v;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000) return f32[0];
  u32[0] = ((bits + 0x0fff + ((bits >>> 13) & 1)) & ~0x1fff) >>> 0;
  return f32[0];
}

/** A copy of `x` with every entry rounded to TF32. */
export function roundTf32(x: Float64Array): Float64Array {
  return x.map(tf32);
}

/** acc += part entrywise in float32: each part rounded to float32, then a float32 addition (acc stores). */
export function addFloat32(acc: Float32Array, part: Float64Array, len = acc.length): void {
  for (let k = 0; k < len; k++) acc[k] += Math.fround(part[k]);
}
