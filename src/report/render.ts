import { markdownTable } from 'markdown-table';
import { stringify } from 'csv-stringify/sync';
import { stringifyNumbers } from '../util/json.js';
import type { Cell, TableModel } from './tables.js';

export type Format = 'md' | 'csv' | 'latex' | 'json' | 'html';

/** Four significant digits like the paper's tables (1457, 3.534, 0.9951). */
export function fmt(v: number | undefined, digits = 4): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

/**
 * "mean (sd)" with the mean shown to the precision its standard error (sd/√n) supports: two
 * significant digits of the standard error fix the decimals, for the mean and the sd alike, so one cell
 * never shows more digits than its runs can tell apart (and "4.00 (0.09)" keeps its zeros). Without a
 * spread (one run, or all equal), four significant digits; far from 1, exponents.
 */
export function meanSd(mean: number, sd: number | undefined, n: number): string {
  if (sd === undefined || Number.isNaN(sd)) return fmt(mean);
  const se = sd / Math.sqrt(Math.max(n, 1));
  if (!(se > 0) || !Number.isFinite(se) || !Number.isFinite(mean)) return `${fmt(mean)} (${fmt(sd, 3)})`;
  const decimals = Math.max(0, 1 - Math.floor(Math.log10(se)));
  if (decimals > 6 || Math.abs(mean) >= 1e6) return `${fmt(mean)} (${fmt(sd, 3)})`;
  return `${mean.toFixed(decimals)} (${sd.toFixed(decimals)})`;
}

/** Digits after the point in a number's shortest form (0.09 → 2, 4 → 0, 1e-7 → 7). */
function decimalsOf(v: number): number {
  const [digits, exp] = String(Math.abs(v)).split('e');
  const after = digits.split('.')[1]?.length ?? 0;
  return Math.max(0, after - Number(exp ?? 0));
}

/**
 * A published "mean (sd)" as precise as the paper printed it: both numbers to the decimals of the more
 * precise one ("4.00 (0.09)", "3.53 (1.05)", "2422 (100)"), never padded past what the paper gave.
 */
export function publishedMeanSd(mean: number, sd: number | undefined): string {
  if (sd === undefined) return fmt(mean);
  const d = Math.max(decimalsOf(mean), decimalsOf(sd));
  if (d > 6 || Math.abs(mean) >= 1e6) return `${fmt(mean)} (${fmt(sd, 3)})`;
  return `${mean.toFixed(d)} (${sd.toFixed(d)})`;
}

function ours(c: Cell): string {
  return meanSd(c.mean, c.sd, c.n);
}

function theirs(c: Cell | null): string {
  const p = c?.published;
  if (!p) return '';
  return publishedMeanSd(p.mean, p.sd);
}

/**
 * A row's split count; where its cells stand on different counts (the DAE's baselines at 10, its ANMIN
 * at 100), the most splits, then which columns have fewer: "100; SGD, Adam: 10".
 */
function splitsOf(cells: (Cell | null)[], columns: string[]): string {
  const ns = cells.map((c) => c?.n).filter((n): n is number => n !== undefined);
  if (ns.length === 0) return '0';
  const hi = Math.max(...ns);
  const fewer = new Map<number, string[]>();
  cells.forEach((c, i) => {
    if (c && c.n < hi) fewer.set(c.n, [...(fewer.get(c.n) ?? []), columns[i]]);
  });
  return [String(hi), ...[...fewer].sort((a, b) => b[0] - a[0]).map(([n, cols]) => `${cols.join(', ')}: ${n}`)].join('; ');
}

const hasPublished = (t: TableModel) => t.rows.some((r) => r.cells.some((c) => c?.published));

/**
 * Text from data (data set, method and column names, errors) as Markdown shows it, never as markup:
 * Markdown passes raw HTML through, so a name holding <script> would run in a rendered page.
 */
export function markdownText(s: string): string {
  // '<' and '&' are what start a tag or an entity; '>' alone starts neither, and "p > 0.01" should read as written.
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/**
 * A CSV cell of text that a spreadsheet will not run: one starting with =, +, -, @, a tab or a carriage
 * return is a formula there, so it gets a leading ' (OWASP's advice). Numbers stay as they are.
 */
export function csvText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) && !Number.isFinite(Number(s)) ? `'${s}` : s;
}

function markdown(t: TableModel): string {
  const rows = [[t.corner, ...t.columns, 'splits'].map(markdownText)];
  for (const r of t.rows) {
    const label = markdownText(r.label);
    rows.push([label, ...r.cells.map((c) => (c ? (c.bold ? `**${ours(c)}**` : ours(c)) : '')), markdownText(splitsOf(r.cells, t.columns))]);
    if (r.cells.some((c) => c?.published)) rows.push([`${label}, paper`, ...r.cells.map(theirs), '100']);
  }
  return [`### ${markdownText(t.title)}`, '', markdownTable(rows, { alignDelimiters: false }), ...t.notes.flatMap((n) => ['', `- ${markdownText(n)}`])].join('\n') + '\n';
}

/** One line per cell, numbers as they are (no rounding): for spreadsheets and scripts. */
function csv(tables: TableModel[]): string {
  const rows: (string | number)[][] = [['table', 'row', 'column', 'mean', 'sd', 'n', 'bold', 'p', 'published_mean', 'published_sd']];
  for (const t of tables) {
    for (const r of t.rows) {
      r.cells.forEach((c, j) => {
        if (c) rows.push([csvText(t.id), csvText(r.label), csvText(t.columns[j]), c.mean, c.sd, c.n, c.bold ? 1 : 0, c.p ?? '', c.published?.mean ?? '', c.published?.sd ?? '']);
      });
    }
  }
  return stringify(rows, { cast: { number: String } });
}

function tex(s: string): string {
  return s.replace(/([&%$#_{}])/g, '\\$1').replace(/≤/g, '$\\le$').replace(/≥/g, '$\\ge$').replace(/×/g, '$\\times$').replace(/σ/g, '$\\sigma$').replace(/²/g, '$^2$').replace(/‖/g, '$\\|$').replace(/—/g, '---').replace(/–/g, '--');
}

/** A number for LaTeX: exponents as ×10^k in math mode, not "e-4". */
function texNumber(s: string): string {
  const m = /^(-?[\d.]+)e([+-]?\d+)$/.exec(s);
  return m ? `$${m[1]}\\times10^{${Number(m[2])}}$` : s;
}

/** A "mean (sd)" cell for LaTeX: the same digits as everywhere, exponents in math mode. */
function texMeanSd(text: string): string {
  return text.replace(/-?[\d.]+e[+-]?\d+/g, texNumber);
}

function texCell(c: Cell): string {
  const v = texMeanSd(ours(c));
  return c.bold ? `\\textbf{${v}}` : v;
}

/** A booktabs table in a float, with the title as caption and the table's id as label. */
function latex(t: TableModel): string {
  const cols = `l${'r'.repeat(t.columns.length)}r`;
  const paper = (c: Cell | null) => texMeanSd(theirs(c));
  const lines = [
    '\\begin{table}[ht]',
    '\\centering',
    `\\caption{${tex(t.title)}}`,
    `\\label{tab:${t.id}}`,
    `\\begin{tabular}{${cols}}`,
    '\\toprule',
    `${[t.corner, ...t.columns, 'splits'].map(tex).join(' & ')} \\\\`,
    '\\midrule',
  ];
  for (const r of t.rows) {
    lines.push(`${[tex(r.label), ...r.cells.map((c) => (c ? texCell(c) : '')), tex(splitsOf(r.cells, t.columns))].join(' & ')} \\\\`);
    if (hasPublished(t) && r.cells.some((c) => c?.published)) lines.push(`\\quad paper & ${r.cells.map(paper).join(' & ')} & 100 \\\\`);
  }
  lines.push('\\bottomrule', '\\end{tabular}', '\\end{table}');
  return lines.join('\n') + '\n';
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A table as an HTML fragment: our row, the paper's beneath, bold as in Markdown, notes after. */
function html(t: TableModel): string {
  const cell = (v: string, tag = 'td') => `<${tag}>${v}</${tag}>`;
  const head = `<tr>${[t.corner, ...t.columns, 'splits'].map((h) => cell(escapeHtml(h), 'th')).join('')}</tr>`;
  const body = t.rows.flatMap((r) => {
    const mine = `<tr>${cell(escapeHtml(r.label), 'th')}${r.cells.map((c) => cell(c ? (c.bold ? `<strong>${ours(c)}</strong>` : ours(c)) : '')).join('')}${cell(escapeHtml(splitsOf(r.cells, t.columns)))}</tr>`;
    const pub = r.cells.some((c) => c?.published) ? [`<tr class="paper">${cell(`${escapeHtml(r.label)}, paper`, 'th')}${r.cells.map((c) => cell(theirs(c))).join('')}${cell('100')}</tr>`] : [];
    return [mine, ...pub];
  });
  const notes = t.notes.length ? `<ul class="notes">${t.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<table id="${escapeHtml(t.id)}"><caption>${escapeHtml(t.title)}</caption><thead>${head}</thead><tbody>${body.join('')}</tbody></table>${notes}`;
}

export function render(tables: TableModel[], format: Format): string {
  switch (format) {
    case 'md':
      return tables.map(markdown).join('\n');
    case 'csv':
      return csv(tables);
    case 'latex':
      return tables.map(latex).join('\n');
    case 'json':
      return stringifyNumbers(tables, 1) + '\n';
    case 'html':
      return tables.map(html).join('\n');
  }
}
