import { markdownTable } from 'markdown-table';
import { sep } from 'node:path';
import { AnminError, USAGE } from '../util/errors.js';
import { checkWritable, realPath, writeFileAtomic } from '../util/fsx.js';

/** Results go to stdout, or atomically to --out. */
export function emit(text: string, out?: string): void {
  if (out) writeFileAtomic(out, text.endsWith('\n') ? text : text + '\n');
  else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** A terminal table is a Markdown table with padded columns: aligned on screen, pasteable into a note. */
export function table(rows: (string | number)[][]): string {
  return markdownTable(rows.map((r) => r.map(String)));
}

/** Refuses an output that is one of the command's input files or inside a results folder it reads (links and `..` resolved). */
export function refuseOverInputs(out: string, flag: string, inputs: { files?: string[]; stores?: string[] }): void {
  const o = realPath(out);
  for (const f of inputs.files ?? []) if (realPath(f) === o) throw new AnminError(`${flag} ${out}: is the input ${f}; write to another file`, USAGE);
  for (const d of inputs.stores ?? []) {
    const s = realPath(d);
    if (o === s || o.startsWith(s + sep)) throw new AnminError(`${flag} ${out}: is inside the results folder ${d}, which this command reads; write elsewhere`, USAGE);
  }
}

/** An output file checked before the work: over no input (see refuseOverInputs), and writable. */
export function outputPath(out: string, flag: string, inputs: { files?: string[]; stores?: string[] }): void {
  refuseOverInputs(out, flag, inputs);
  checkWritable(out);
}
