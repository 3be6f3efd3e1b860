import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { AnminError } from '../util/errors.js';

export interface TableOptions {
  /** Name used in error messages (the file or URL the user knows). */
  label: string;
  /** The first line holds column names. */
  header?: boolean;
  /** Expected number of fields on every line (defaults to the header's count). */
  columns?: number;
  /** Columns to keep, by name (needs a header) or 0-based index; default all. */
  select?: (string | number)[];
  /** Rows to reserve up front (a hint; the table grows past it). */
  rowsHint?: number;
  /** Called every few thousand rows with the bytes read so far, for progress bars. */
  onProgress?: (bytes: number) => void;
  /** The field separator; a file with a header, without one given, has it found from its header line (see delimiterOf). */
  delimiter?: string;
  /** 'drop': a row holding a missing value (isMissing) in a column read is left out, and listed in `dropped`; else it is an error, which says --missing drop would leave it out where 'error' was given (the caller takes that choice). */
  missing?: Missing;
  /** Data rows (0-based, blank lines not counted) to leave out as well: the caller found a missing value in a column it reads itself. */
  skip?: ReadonlySet<number>;
}

/** What a reader does with a row holding a missing value: refuses the file, naming it (the default), or leaves the row out. */
export type Missing = 'error' | 'drop';

/**
 * The markers of a missing value: pandas' default `na_values` and the UCI repository's "?". A field that
 * is one of them reads as missing, not as a word, so the error says so rather than suggesting a category.
 */
const MISSING_MARKERS = new Set(['', '?', 'NA', 'N/A', 'n/a', '#N/A', '#N/A N/A', '#NA', '<NA>', 'NaN', 'nan', '-NaN', '-nan', 'NULL', 'null', 'None', '-1.#IND', '1.#IND', '-1.#QNAN', '1.#QNAN']);

export const isMissing = (field: string): boolean => MISSING_MARKERS.has(field);

/** Rows a reader left out: their 0-based data-row indices, and each column's missing fields among them. */
export interface Dropped {
  indices: number[];
  columns: Record<string, number>;
}

export interface NumericTable {
  /** Row-major rows × cols. */
  data: Float64Array;
  rows: number;
  cols: number;
  names: string[];
  /** With `missing: 'drop'` (or `skip`): the rows left out. */
  dropped?: Dropped;
}

/**
 * Streams a CSV of numbers into one flat Float64Array, so a 430 MB file is read once and never held
 * as strings. A line with the wrong field count or a field that is not a finite number is an error
 * naming the file and line.
 */
export async function readNumericTable(path: string, opts: TableOptions): Promise<NumericTable> {
  const delimiter = opts.delimiter ?? (opts.header ? delimiterOf(path) : ',');
  const stream = createReadStream(path);
  const parser = stream.pipe(
    parse({ info: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, delimiter }),
  );
  stream.on('error', (e) => parser.destroy(e));
  let names: string[] = [];
  let width = opts.columns ?? -1;
  let pick: number[] | null = null;
  let cols = 0;
  let cap = Math.max(opts.rowsHint ?? 1024, 16);
  let data = new Float64Array(0);
  let rows = 0;
  let first = true;
  // Data rows seen, kept or not: the index `skip` and `dropped` speak in.
  let seen = 0;
  const dropped: Dropped = { indices: [], columns: {} };
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (first) {
        first = false;
        if (opts.header) names = utf8Header(path, record, opts.label);
        if (width < 0) width = record.length;
        pick = resolveColumns(opts.select, names, width, opts.label);
        cols = pick.length;
        data = new Float64Array(cap * cols);
        if (opts.header) continue;
      }
      if (record.length !== width) {
        throw new AnminError(`${opts.label}:${info.lines}: expected ${width} fields, found ${record.length}`);
      }
      if (rows === cap) {
        cap *= 2;
        const grown = new Float64Array(cap * cols);
        grown.set(data);
        data = grown;
      }
      const at = seen++;
      const base = rows * cols;
      // Every field is read, a skipped row's too, so a word beside a missing value is still an error and
      // each missing field is counted; the fields written before a missing one are overwritten by the
      // next row kept.
      let complete = !opts.skip?.has(at);
      if (!complete) dropped.indices.push(at);
      for (let k = 0; k < cols; k++) {
        const s = record[pick![k]];
        const v = s === '' || radixPrefixed(s) ? NaN : Number(s);
        if (!Number.isFinite(v)) {
          const col = pick![k];
          const named = names[col] === undefined ? `field ${col + 1}` : `column "${names[col]}"`;
          const where = `${opts.label}:${info.lines}:${col + 1}: ${named} is ${s === '' ? 'empty' : `"${s}"`}`;
          if (!isMissing(s)) throw new AnminError(`${where}, not a finite number${notNumberHint(s, names[col])}`);
          // Only a caller that takes a choice offers one.
          if (opts.missing !== 'drop') throw new AnminError(`${where}, a missing value${opts.missing === 'error' ? ' (train and compare take --missing drop: the rows holding one left out)' : ''}`);
          if (complete) dropped.indices.push(at);
          complete = false;
          const key = names[col] ?? `field ${col + 1}`;
          dropped.columns[key] = (dropped.columns[key] ?? 0) + 1;
          continue;
        }
        data[base + k] = v;
      }
      if (!complete) continue;
      rows++;
      if (opts.onProgress && (rows & 4095) === 0) opts.onProgress(stream.bytesRead);
    }
  } catch (e) {
    if (e instanceof AnminError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      throw new AnminError(`${opts.label}: cannot read (${err.code})`);
    }
    throw new AnminError(`${opts.label}${csvLine(e)}: not a readable CSV (${err.message})`);
  } finally {
    stream.destroy();
  }
  if (rows === 0) throw new AnminError(`${opts.label}: no data rows${dropped.indices.length ? ` (all ${dropped.indices.length} hold a missing value)` : ''}`);
  return { data: data.subarray(0, rows * cols), rows, cols, names: pick ? pick.map((i) => names[i] ?? String(i)) : [], ...(dropped.indices.length ? { dropped } : {}) };
}

function resolveColumns(select: (string | number)[] | undefined, names: string[], width: number, label: string) {
  if (!select) return Array.from({ length: width }, (_, i) => i);
  return select.map((c) => {
    const i = typeof c === 'number' ? c : names.indexOf(c);
    if (i < 0 || i >= width) throw new AnminError(`${label}: no column "${c}" (has: ${names.join(', ')})`);
    if (typeof c === 'string' && names.lastIndexOf(c) !== i) throw new AnminError(`${label}: column "${c}" appears more than once in the header`);
    return i;
  });
}

/** The bytes of a file's first line (without its newline), looking at most `max` bytes in. */
function firstLine(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(max);
  let n: number;
  try {
    n = readSync(fd, head, 0, max, 0);
  } finally {
    closeSync(fd);
  }
  const end = head.subarray(0, n).indexOf(0x0a);
  return head.subarray(0, end < 0 ? n : end);
}

/**
 * The field separator of a file with a header: of comma, semicolon, tab and bar, the one its header line
 * holds most often outside quotes (a comma when it holds none), so a spreadsheet's semicolon export reads
 * as the table it is rather than as one column named "age;sex;…".
 */
export function delimiterOf(path: string): string {
  // Every reader starts here, and each reads the file again: a pipe (`<(…)`) would be empty by the
  // second read and look like a file of no rows.
  const kind = statOf(path);
  if (kind && (kind.isFIFO() || kind.isCharacterDevice() || kind.isSocket())) {
    throw new AnminError(`${path}: not a regular file (a pipe or a device); anmin reads a CSV more than once: save it to a file first`);
  }
  let line: string;
  try {
    line = firstLine(path, 1 << 16).toString('utf8').replace(/\r$/, '');
  } catch {
    // An unreadable file is reported by the reader, which names the reason.
    return ',';
  }
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  return [...counts].reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    // A missing or unreadable file is reported by the reader, which names the reason.
    return undefined;
  }
}

/** The header line of a CSV (the column names), read without the rest of the file. */
export async function readCsvHeader(path: string, label: string, delimiter = delimiterOf(path)): Promise<string[]> {
  const stream = createReadStream(path);
  const parser = stream.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, to_line: 1, delimiter }));
  stream.on('error', (e) => parser.destroy(e));
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const empty = record.findIndex((s) => s === '');
      if (empty >= 0) throw new AnminError(`${label}:1:${empty + 1}: empty column name in the header`);
      return utf8Header(path, record, label);
    }
  } catch (e) {
    if (e instanceof AnminError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new AnminError(`${label}${csvLine(e)}: cannot read (${err.code ?? err.message})`);
  } finally {
    stream.destroy();
  }
  throw new AnminError(`${label}: empty file (a header line of column names is required)`);
}

/**
 * What a field that is not a number most likely is, and what to do with it: a date or time (numbers are
 * read, so its parts must be columns of their own), a decimal comma, or, in a named column, a word,
 * most often a category.
 */
function notNumberHint(s: string, name: string | undefined): string {
  const leave = name !== undefined ? `, or leave it out with --features` : '';
  if (/^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}.*)?$/.test(s) || /^\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?$/.test(s)) return ` (a date or time? anmin reads numbers: give its parts, such as year, month, day or hour, as columns of their own${leave})`;
  if (/^[+-]?\d{1,3}(,\d{3})+$/.test(s)) return ' (a thousands separator or a decimal comma? anmin reads plain digits and a decimal point)';
  if (/^[+-]?\d+,\d+$/.test(s)) return ' (a decimal comma? anmin reads a decimal point)';
  if (name !== undefined && /[A-Za-z]/.test(s) && !/^[+-]?(inf(inity)?|nan)$/i.test(s)) return ` (a column of words? train and compare take --categorical ${name})`;
  return '';
}

/** Number() reads 0x1F, 0b11 and 0o7 as integers; in a data file they are text, not numbers. */
function radixPrefixed(s: string): boolean {
  const c = s.charCodeAt(1) | 0x20;
  return s.length > 2 && s.charCodeAt(0) === 0x30 && (c === 0x78 || c === 0x62 || c === 0x6f);
}

/** `:N` for a csv-parse error that knows its line (a stray quote), so the message names file:line. */
function csvLine(e: unknown): string {
  const lines = (e as { lines?: unknown }).lines;
  return typeof lines === 'number' && lines > 0 ? `:${lines}` : '';
}

/**
 * The header's names, refused when the file's bytes there are not UTF-8: the decoder would put U+FFFD
 * in a column name silently. Only a name holding U+FFFD sends us back to the bytes, to tell an encoded
 * U+FFFD from a bad byte and give its offset.
 */
function utf8Header(path: string, names: string[], label: string): string[] {
  if (!names.some((n) => n.includes('\uFFFD'))) return names;
  const bytes = firstLine(path, 1 << 20);
  const text = bytes.toString('utf8');
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    const at = Buffer.byteLength(text.slice(0, i));
    if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) throw new AnminError(`${label}:1: the header is not UTF-8 (byte 0x${bytes[at].toString(16)} at offset ${at}); save the file as UTF-8`);
  }
  return names;
}

/** Named columns of a CSV with a header, as text, one array per row: ids and words a table carries beside its numbers. */
export async function readTextColumns(path: string, label: string, names: string[], delimiter = delimiterOf(path)): Promise<string[][]> {
  const header = await readCsvHeader(path, label, delimiter);
  const pick = resolveColumns(names, header, header.length, label);
  const stream = createReadStream(path);
  const parser = stream.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, from_line: 2, delimiter }));
  stream.on('error', (e) => parser.destroy(e));
  const rows: string[][] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) rows.push(pick.map((i) => record[i] ?? ''));
  } catch (e) {
    throw new AnminError(`${label}${csvLine(e)}: not a readable CSV (${(e as Error).message})`);
  } finally {
    stream.destroy();
  }
  return rows;
}
