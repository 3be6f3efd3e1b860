/** A Float64Array on a SharedArrayBuffer: worker threads that receive it read the same memory, no copy. */
export function sharedFloat64(len: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(len * 8));
}

/** The first `len` entries of `a` (all by default) on shared memory: a view of `a` where it is there already, else a copy. */
export function toShared(a: Float64Array, len = a.length): Float64Array {
  if (a.buffer instanceof SharedArrayBuffer) return a.subarray(0, len);
  const s = sharedFloat64(len);
  s.set(a.subarray(0, len));
  return s;
}
