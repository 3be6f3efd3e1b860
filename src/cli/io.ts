import { writeFileAtomic } from '../util/fsx.js';

/** Results go to stdout, or atomically to --out. */
export function emit(text: string, out?: string): void {
  if (out) writeFileAtomic(out, text.endsWith('\n') ? text : text + '\n');
  else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c]?.length ?? 0)));
  return cells.map((r) => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}
