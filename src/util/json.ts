/**
 * JSON without losing Infinity and NaN: a blown-up LBFGS loss or a −∞ log determinant is a result to
 * keep, and plain JSON would turn it into null. They are written as the strings "Infinity",
 * "-Infinity" and "NaN" and read back as numbers.
 */
export function stringifyNumbers(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), indent);
}

export function parseNumbers<T>(text: string): T {
  return JSON.parse(text, (_, v: unknown) => (v === 'Infinity' || v === '-Infinity' || v === 'NaN' ? Number(v) : v)) as T;
}
