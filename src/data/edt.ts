/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher's separable lower envelope of
 * parabolas), the same values as `scipy.ndimage.distance_transform_edt`: each nonzero pixel gets its
 * distance to the nearest zero pixel, zero pixels get 0.
 */
export function distanceTransform(mask: Uint8Array, height: number, width: number): Float64Array {
  const INF = 1e20;
  const d2 = new Float64Array(height * width);
  for (let k = 0; k < d2.length; k++) d2[k] = mask[k] ? INF : 0;
  const n = Math.max(height, width);
  const f = new Float64Array(n);
  const out = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let c = 0; c < width; c++) {
    for (let r = 0; r < height; r++) f[r] = d2[r * width + c];
    envelope(f, height, out, v, z);
    for (let r = 0; r < height; r++) d2[r * width + c] = out[r];
  }
  for (let r = 0; r < height; r++) {
    const row = d2.subarray(r * width, (r + 1) * width);
    f.set(row);
    envelope(f, width, out, v, z);
    row.set(out.subarray(0, width));
  }
  for (let k = 0; k < d2.length; k++) d2[k] = Math.sqrt(d2[k]);
  return d2;
}

function envelope(f: Float64Array, n: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    // z[0] = -Infinity stops the walk back at the first parabola (f stays finite: INF is 1e20).
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    out[q] = dq * dq + f[v[k]];
  }
}

/** Distance to the other class: positive outside the shape, negative inside (the paper's SDF). */
export function signedDistance(inside: Uint8Array, height: number, width: number): Float64Array {
  const outside = new Uint8Array(inside.length);
  for (let k = 0; k < inside.length; k++) outside[k] = inside[k] ? 0 : 1;
  const toShape = distanceTransform(outside, height, width);
  const toBackground = distanceTransform(inside, height, width);
  const sdf = new Float64Array(inside.length);
  for (let k = 0; k < sdf.length; k++) sdf[k] = inside[k] ? -toBackground[k] : toShape[k];
  return sdf;
}
