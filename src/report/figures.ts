import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { TopLevelSpec } from 'vega-lite';
import { optionalImport } from '../util/optional.js';
import { points, type JobRecord } from '../experiments/store.js';
import type { TracePoint } from '../train/types.js';
import { summarize } from './stats.js';

/** One figure: a file name and its vega-lite specification. */
export interface Figure {
  name: string;
  spec: TopLevelSpec;
  /** Mean curves per dataset, which the HTML page's selectors draw already. */
  meanCurves?: boolean;
}

export type Row = Record<string, string | number>;

/** Traces have up to 300 points per run; a plot needs far fewer, and 100 splits × 6 methods add up. */
const MAX_POINTS = 120;

function thin<T>(xs: T[]): T[] {
  if (xs.length <= MAX_POINTS) return xs;
  const step = (xs.length - 1) / (MAX_POINTS - 1);
  return Array.from({ length: MAX_POINTS }, (_, i) => xs[Math.round(i * step)]);
}

/** Long-format rows of the chosen trace fields, non-finite values left out (the curve breaks there). */
export function traceRows(records: JobRecord[], fields: (keyof TracePoint)[], extra: (r: JobRecord, p: TracePoint, i: number, all: TracePoint[]) => Row = () => ({})): Row[] {
  const out: Row[] = [];
  for (const r of records) {
    if (r.status !== 'ok' || !r.trace) continue;
    const all = points(r.trace);
    for (const [i, p] of thin([...all.entries()])) {
      for (const f of fields) {
        const v = p[f];
        if (typeof v === 'number' && Number.isFinite(v)) {
          out.push({ dataset: r.dataset, method: r.method, split: r.split, run: `${r.method} ${r.split}`, iteration: p.iteration, seconds: p.seconds, measure: f, value: v, ...extra(r, p, i, all) });
        }
      }
    }
  }
  return out;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const LABELS: Partial<Record<keyof TracePoint, string>> = { trainMse: 'train MSE', testMse: 'test MSE', trainR2: 'train R²', testR2: 'test R²', recovery: 'recovery error' };

/** A log axis labelled as a paper's, at the powers of ten: 1e-2, 1e3, 1e6 (vega's SI prefixes print an MSE as "10G" or "1P"). */
const LOG_AXIS = { labelExpr: "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6 ? replace(format(datum.value, '.0e'), 'e+', 'e') : ''" };

/** Methods' colours in the legend as the lines they are, not pale circles. */
const LEGEND = { symbolType: 'stroke', symbolStrokeWidth: 3, symbolSize: 300, symbolOpacity: 1 };

/**
 * A figure's title as a reader meets it: what it shows on one line, its fine print (the text in the
 * first parentheses) beneath in lines short enough not to widen the figure past its plots.
 */
function titled(text: string): { text: string; subtitle?: string[]; anchor: 'start' } {
  const at = text.indexOf(' (');
  if (at < 0 || !text.endsWith(')')) return { text, anchor: 'start' };
  const words = text.slice(at + 2, -1).split(' ');
  const subtitle: string[] = [];
  for (const w of words) {
    if (subtitle.length && subtitle[subtitle.length - 1].length + w.length < 90) subtitle[subtitle.length - 1] += ` ${w}`;
    else subtitle.push(w);
  }
  return { text: text.slice(0, at), subtitle, anchor: 'start' };
}

/** Panels by a field's values, in `order` if given; numbers ascending and headed "field = 1,000"; "train …" before "test …"; else as they ran. */
function facetField(field: string, values: Row[], order?: readonly (string | number)[]) {
  if (typeof values[0]?.[field] === 'number') return { field, type: 'ordinal', title: null, sort: order ?? 'ascending', header: { labelExpr: `'${field} = ' + format(datum.value, ',')` } };
  return { field, type: 'nominal', title: null, sort: order ?? (field === 'measure' ? 'descending' : null) };
}

export interface Facet {
  row?: string;
  column?: string;
  /** Panel order per facet field (default: see facetField). */
  order?: Record<string, readonly (string | number)[]>;
}

export function lines(title: string, values: Row[], x: { field: string; title: string }, y: { title: string; log?: boolean }, facet: Facet): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: titled(title),
    data: { values },
    facet: {
      ...(facet.row ? { row: facetField(facet.row, values, facet.order?.[facet.row]) } : {}),
      ...(facet.column ? { column: facetField(facet.column, values, facet.order?.[facet.column]) } : {}),
    },
    spec: {
      width: 300,
      height: 190,
      mark: { type: 'line', strokeWidth: 0.8, opacity: 0.6, clip: true },
      encoding: {
        x: { field: x.field, type: 'quantitative', title: x.title },
        y: { field: 'value', type: 'quantitative', title: y.title, scale: y.log ? { type: 'log' } : { zero: false }, ...(y.log ? { axis: LOG_AXIS } : {}) },
        color: { field: 'method', type: 'nominal', legend: LEGEND },
        detail: { field: 'run', type: 'nominal' },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}

/** A mean curve over splits: per method, measure and iteration, the mean and its 95% confidence band. */
export interface BandRow extends Row {
  method: string;
  measure: string;
  x: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Mean over splits of each trace field per iteration, with the 95% t-interval of the mean; x is the
 * iteration or the mean seconds at it. Non-finite values leave their split out of that point.
 */
export function bandRows(records: JobRecord[], fields: (keyof TracePoint)[], x: 'seconds' | 'iteration'): BandRow[] {
  const groups = new Map<string, { method: string; measure: string; iteration: number; values: number[]; seconds: number[] }>();
  for (const r of records) {
    if (r.status !== 'ok' || !r.trace) continue;
    for (const p of points(r.trace)) {
      for (const f of fields) {
        const v = p[f];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const measure = LABELS[f] ?? f;
        const k = `${r.method}\u0000${measure}\u0000${p.iteration}`;
        const g = groups.get(k) ?? { method: r.method, measure, iteration: p.iteration, values: [], seconds: [] };
        g.values.push(v);
        g.seconds.push(p.seconds);
        groups.set(k, g);
      }
    }
  }
  const rows: BandRow[] = [];
  for (const g of groups.values()) {
    const at = x === 'iteration' ? g.iteration : g.seconds.reduce((a, b) => a + b, 0) / g.seconds.length;
    rows.push(band(g.method, g.measure, at, g.values));
  }
  return thinBands(rows);
}

/** At most MAX_POINTS points per curve, evenly spread over its iterations. */
function thinBands(rows: BandRow[]): BandRow[] {
  const by = new Map<string, BandRow[]>();
  for (const r of rows) by.set(`${r.method}\u0000${r.measure}`, [...(by.get(`${r.method}\u0000${r.measure}`) ?? []), r]);
  return [...by.values()].flatMap((curve) => thin(curve.sort((a, b) => a.x - b.x)));
}

/**
 * The y scale a reader needs: the range of the curves that do not blow up (a curve whose mean exceeds
 * 10× the median of all means is drawn clipped at the top, not allowed to flatten the rest), on a log
 * axis only when that range spans more than two decades.
 */
function yScale(rows: BandRow[]): { domain: [number, number]; type: 'log' | 'linear' } {
  const means = rows.map((r) => r.mean).sort((a, b) => a - b);
  const median = means[Math.floor(means.length / 2)] ?? 1;
  const calm = rows.filter((r) => Math.abs(r.mean) <= 10 * Math.abs(median) || median === 0);
  const lo = Math.min(...calm.map((r) => Math.min(r.lo, r.mean)));
  const hi = Math.max(...calm.map((r) => Math.max(r.hi, r.mean)));
  // Whether a log axis is needed is the means' call: a wide band of few runs can dip below zero.
  const low = Math.min(...calm.map((r) => (r.lo > 0 ? Math.min(r.lo, r.mean) : r.mean)));
  const log = low > 0 && hi / low > 100;
  return { domain: [log ? low : lo - 0.02 * (hi - lo), hi], type: log ? 'log' : 'linear' };
}

/**
 * Mean curves with their 95% bands, one panel per measure, methods by colour. The panels share one y
 * scale (train beside test reads right only so) unless `sameScale` is false, for measures in other
 * units; a band of a measure that cannot be negative (every mean ≥ 0: an MSE) stops at zero.
 */
export function bandPanels(title: string, rows: BandRow[], x: { title: string; log?: boolean }, y: { title: string }, sameScale = true): TopLevelSpec {
  const measures = [...new Set(rows.map((r) => r.measure))];
  const floored = (rs: BandRow[]) => (rs.every((r) => r.mean >= 0) ? rs.map((r) => ({ ...r, lo: Math.max(r.lo, 0) })) : rs);
  const shared = yScale(floored(rows));
  return {
    $schema: SCHEMA,
    title: titled(title),
    hconcat: measures.map((m) => {
      const mine = floored(rows.filter((r) => r.measure === m));
      const scale = sameScale ? shared : yScale(mine);
      const yEnc = { type: 'quantitative', scale: { type: scale.type, domain: scale.domain, ...(scale.type === 'linear' ? { zero: false } : {}) }, ...(scale.type === 'log' ? { axis: LOG_AXIS } : {}) };
      return {
        title: m,
        width: 300,
        height: 190,
        data: { values: mine.filter((r) => !x.log || r.x > 0).map((r) => (scale.type === 'log' ? { ...r, lo: Math.max(r.lo, scale.domain[0]) } : r)) },
        encoding: { x: { field: 'x', type: 'quantitative', title: x.title, ...(x.log ? { scale: { type: 'log' }, axis: LOG_AXIS } : {}) }, color: { field: 'method', type: 'nominal', legend: LEGEND } },
        layer: [
          // A band reaching far past the top (a blow-up's) would shade the whole panel: its line shows it.
          { mark: { type: 'area', opacity: 0.2, clip: true }, transform: [{ filter: `datum.hi <= ${2 * scale.domain[1]}` }], encoding: { y: { field: 'lo', ...yEnc, title: `${y.title} (mean, 95% band)` }, y2: { field: 'hi' } } },
          { mark: { type: 'line', strokeWidth: 1.5, clip: true }, encoding: { y: { field: 'mean', ...yEnc } } },
        ],
      };
    }),
  } as TopLevelSpec;
}

/** Mean train and test MSE and R² over splits against seconds, with 95% bands, per dataset (the paper's Figs 4–6). */
export function curves(g: JobRecord[], prefix = '', blowUps = ''): Figure[] {
  const datasets = [...new Set(g.map((r) => r.dataset))];
  return datasets.flatMap((d) => {
    const rs = g.filter((r) => r.dataset === d);
    const n = new Set(rs.map((r) => r.split)).size;
    const note = `mean over up to ${n} split(s), each point over the splits finite there, with its 95% band; a curve leaving the top is a blow-up${blowUps}`;
    return [
      { name: `${prefix}curves-mse-${d}`, meanCurves: true, spec: bandPanels(`${d}: MSE vs training seconds (${note})`, bandRows(rs, ['trainMse', 'testMse'], 'seconds'), { title: 'seconds' }, { title: 'MSE' }) },
      { name: `${prefix}curves-r2-${d}`, meanCurves: true, spec: bandPanels(`${d}: R² vs training seconds (${note})`, bandRows(rs, ['trainR2', 'testR2'], 'seconds'), { title: 'seconds' }, { title: 'R²' }) },
    ];
  });
}

/** The measures a curve can show, as trace fields: both sides (train, test) of one metric. */
export const CURVE_METRICS = { MSE: ['trainMse', 'testMse'], 'R²': ['trainR2', 'testR2'], recovery: ['recovery'] } as const satisfies Record<string, readonly (keyof TracePoint)[]>;
export type CurveMetric = keyof typeof CURVE_METRICS;

/**
 * One panel set of mean curves with 95% bands: the runs of one dataset, one metric, against iterations
 * or seconds; undefined when the runs never recorded that metric (the HTML report's selectors).
 */
export function curveFigure(records: JobRecord[], metric: CurveMetric, x: 'iteration' | 'seconds'): TopLevelSpec | undefined {
  const rows = bandRows(records, [...CURVE_METRICS[metric]], x);
  if (!rows.length) return undefined;
  const n = new Set(records.map((r) => r.split)).size;
  return bandPanels(`${metric} vs ${x === 'seconds' ? 'training seconds' : 'iteration / epoch / step'} (mean over up to ${n} run(s), 95% band)`, rows, { title: x === 'seconds' ? 'seconds (log)' : 'iteration (log)', log: true }, { title: metric });
}

/** Mean and 95% t-band of a sample, as a band row. */
export function band(method: string, measure: string, x: number, values: number[]): BandRow {
  const { mean, sd, n } = summarize(values);
  const half = n > 1 ? tQuantile(0.975, n - 1) * (sd / Math.sqrt(n)) : 0;
  return { method, measure, x, mean, lo: mean - half, hi: mean + half, n };
}

/** Renders a vega-lite specification to SVG, headless (no browser, no canvas). */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([optionalImport(() => import('vega'), 'vega', 'drawing a figure'), optionalImport(() => import('vega-lite'), 'vega-lite', 'drawing a figure')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

/** An SVG figure as PNG at twice its size on white, rendered by resvg (no browser, no canvas). */
export async function toPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await optionalImport(() => import('@resvg/resvg-js'), '@resvg/resvg-js', 'a PNG figure');
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}
