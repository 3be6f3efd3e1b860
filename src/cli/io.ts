import { markdownTable } from 'markdown-table';
import { writeFileAtomic } from '../util/fsx.js';

/** Results go to stdout, or atomically to --out. */
export function emit(text: string, out?: string): void {
  if (out) writeFileAtomic(out, text.endsWith('\n') ? text : text + '\n');
  else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** A terminal table is a Markdown table with padded columns: aligned on screen, pasteable into a note. */
export function table(rows: (string | number)[][]): string {
  return markdownTable(rows.map((r) => r.map(String)));
}
