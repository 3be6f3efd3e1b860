import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { points, type JobRecord } from '../experiments/store.js';
import type { TracePoint } from '../train/types.js';
import { summarize } from './stats.js';

/** One figure: a file name and its vega-lite specification. */
export interface Figure {
  name: string;
  spec: TopLevelSpec;
}

type Row = Record<string, string | number>;

/** Traces have up to 300 points per run; a plot needs far fewer, and 100 splits × 6 methods add up. */
const MAX_POINTS = 120;

function thin<T>(xs: T[]): T[] {
  if (xs.length <= MAX_POINTS) return xs;
  const step = (xs.length - 1) / (MAX_POINTS - 1);
  return Array.from({ length: MAX_POINTS }, (_, i) => xs[Math.round(i * step)]);
}

/** Long-format rows of the chosen trace fields, non-finite values left out (the curve breaks there). */
function traceRows(records: JobRecord[], fields: (keyof TracePoint)[], extra: (r: JobRecord, p: TracePoint, i: number, all: TracePoint[]) => Row = () => ({})): Row[] {
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
const LABELS: Partial<Record<keyof TracePoint, string>> = { trainMse: 'train MSE', testMse: 'test MSE', trainR2: 'train R²', testR2: 'test R²', recovery: 'recovery error' };

function lines(title: string, values: Row[], x: { field: string; title: string }, y: { title: string; log?: boolean }, facet: { row?: string; column?: string }): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: {
      // "train …" before "test …"; datasets in the order they ran.
      ...(facet.row ? { row: { field: facet.row, type: 'nominal', title: null, sort: facet.row === 'measure' ? 'descending' : null } } : {}),
      ...(facet.column ? { column: { field: facet.column, type: 'nominal', title: null, sort: facet.column === 'measure' ? 'descending' : null } } : {}),
    },
    spec: {
      width: 260,
      height: 170,
      mark: { type: 'line', strokeWidth: 0.8, opacity: 0.6, clip: true },
      encoding: {
        x: { field: x.field, type: 'quantitative', title: x.title },
        y: { field: 'value', type: 'quantitative', title: y.title, scale: y.log ? { type: 'log' } : { zero: false }, ...(y.log ? { axis: { format: '~s' } } : {}) },
        color: { field: 'method', type: 'nominal' },
        detail: { field: 'run', type: 'nominal' },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}

/** A mean curve over splits: per method, measure and iteration, the mean and its 95% confidence band. */
interface BandRow extends Row {
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
function bandRows(records: JobRecord[], fields: (keyof TracePoint)[], x: 'seconds' | 'iteration'): BandRow[] {
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

/** Mean curves with their 95% bands, one panel per measure, methods by colour. */
function bandPanels(title: string, rows: BandRow[], x: { title: string; log?: boolean }, y: { title: string }): TopLevelSpec {
  const measures = [...new Set(rows.map((r) => r.measure))];
  return {
    $schema: SCHEMA,
    title,
    hconcat: measures.map((m) => {
      const mine = rows.filter((r) => r.measure === m);
      const scale = yScale(mine);
      const yEnc = { type: 'quantitative', scale: { type: scale.type, domain: scale.domain, ...(scale.type === 'linear' ? { zero: false } : {}) } };
      return {
        title: m,
        width: 260,
        height: 170,
        data: { values: mine.filter((r) => !x.log || r.x > 0).map((r) => (scale.type === 'log' ? { ...r, lo: Math.max(r.lo, scale.domain[0]) } : r)) },
        encoding: { x: { field: 'x', type: 'quantitative', title: x.title, ...(x.log ? { scale: { type: 'log' } } : {}) }, color: { field: 'method', type: 'nominal' } },
        layer: [
          // A band reaching far past the top (a blow-up's) would shade the whole panel: its line shows it.
          { mark: { type: 'area', opacity: 0.2, clip: true }, transform: [{ filter: `datum.hi <= ${2 * scale.domain[1]}` }], encoding: { y: { field: 'lo', ...yEnc, title: `${y.title} (mean, 95% band)` }, y2: { field: 'hi' } } },
          { mark: { type: 'line', strokeWidth: 1.5, clip: true }, encoding: { y: { field: 'mean', ...yEnc } } },
        ],
      };
    }),
  } as TopLevelSpec;
}

/** Figs 4–6: mean train and test MSE and R² over splits against seconds, with 95% bands, per dataset. */
function curves(g: JobRecord[], prefix = ''): Figure[] {
  const datasets = [...new Set(g.map((r) => r.dataset))];
  return datasets.flatMap((d) => {
    const rs = g.filter((r) => r.dataset === d);
    const n = new Set(rs.map((r) => r.split)).size;
    const note = `mean over up to ${n} split(s), each point over the splits finite there, with its 95% band; a curve leaving the top is a blow-up (LBFGS: see lbfgs-losses)`;
    return [
      { name: `${prefix}curves-mse-${d}`, spec: bandPanels(`${d}: MSE vs training seconds (${note})`, bandRows(rs, ['trainMse', 'testMse'], 'seconds'), { title: 'seconds' }, { title: 'MSE' }) },
      { name: `${prefix}curves-r2-${d}`, spec: bandPanels(`${d}: R² vs training seconds (${note})`, bandRows(rs, ['trainR2', 'testR2'], 'seconds'), { title: 'seconds' }, { title: 'R²' }) },
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

/** Fig 9: ANMIN's training MSE per iteration and its minimum so far. */
function minSoFar(rs: JobRecord[]): Figure[] {
  const anmin = rs.filter((r) => r.method.startsWith('ANMIN'));
  if (!anmin.length) return [];
  const rows = traceRows(anmin, ['trainMse'], (_, p, i, all) => ({ best: Math.min(...all.slice(0, i + 1).map((q) => q.trainMse).filter(Number.isFinite)) }));
  const both = rows.flatMap((r) => [{ ...r, measure: 'train MSE' }, { ...r, measure: 'minimum so far', value: r.best }]);
  return [{ name: 'anmin-min-so-far', spec: lines('ANMIN training MSE per iteration (left) and the minimum so far (right)', both, { field: 'iteration', title: 'iteration' }, { title: 'train MSE', log: true }, { row: 'dataset', column: 'measure' }) }];
}

/** Figs 10–11: ln|M + λI| per iteration (−∞ or not computed: the curve breaks). */
function logdet(rs: JobRecord[]): Figure[] {
  const rows = traceRows(rs.filter((r) => r.method.startsWith('ANMIN')), ['logdet']);
  if (!rows.length) return [];
  return [{ name: 'anmin-logdet', spec: lines('ln|M + λI| of the hidden-layer system per ANMIN iteration', rows, { field: 'iteration', title: 'iteration' }, { title: 'ln|M + λI|' }, { column: 'dataset' }) }];
}

/** Fig 3: LBFGS training losses per step, on a log scale (blow-ups to 1e26). */
function lbfgs(rs: JobRecord[]): Figure[] {
  const rows = traceRows(rs.filter((r) => r.method === 'LBFGS'), ['batchMse']);
  if (!rows.length) return [];
  return [{ name: 'lbfgs-losses', spec: lines('LBFGS training loss per step (each split a line)', rows, { field: 'iteration', title: 'step' }, { title: 'train MSE', log: true }, { column: 'dataset' }) }];
}

/** Figs 7–8: simulation MSE per iteration, and final MSEs of all runs sorted by decreasing test MSE. */
function simulation(rs: JobRecord[]): Figure[] {
  if (!rs.length) return [];
  const curves = traceRows(rs, ['trainMse', 'testMse']).map((r) => ({ ...r, measure: LABELS[r.measure as keyof TracePoint]! }));
  const sorted: Row[] = [];
  for (const d of new Set(rs.map((r) => r.dataset))) {
    for (const m of new Set(rs.map((r) => r.method))) {
      const runs = rs.filter((r) => r.dataset === d && r.method === m && r.status === 'ok' && r.final);
      runs.sort((a, b) => (b.final!.testMse ?? 0) - (a.final!.testMse ?? 0));
      runs.forEach((r, rank) => {
        sorted.push({ dataset: d, method: m, run: `${m} train`, rank, measure: 'train', value: r.final!.trainMse });
        sorted.push({ dataset: d, method: m, run: `${m} test`, rank, measure: 'test', value: r.final!.testMse ?? NaN });
      });
    }
  }
  const sortedSpec = lines('Final train and test MSE per run, runs sorted by decreasing test MSE (per method)', sorted.filter((r) => Number.isFinite(r.value as number)), { field: 'rank', title: 'run (sorted)' }, { title: 'MSE', log: true }, { column: 'dataset' });
  (sortedSpec as { spec: { encoding: Record<string, unknown> } }).spec.encoding.strokeDash = { field: 'measure', type: 'nominal' };
  return [
    { name: 'simulation-curves', spec: lines('Simulation: MSE per iteration (ANMIN) or epoch (Adam)', curves, { field: 'iteration', title: 'iteration / epoch' }, { title: 'MSE', log: true }, { row: 'measure', column: 'dataset' }) },
    { name: 'simulation-sorted', spec: sortedSpec },
  ];
}

/** Mean and 95% t-band of a sample, as a band row. */
function band(method: string, measure: string, x: number, values: number[]): BandRow {
  const { mean, sd, n } = summarize(values);
  const half = n > 1 ? tQuantile(0.975, n - 1) * (sd / Math.sqrt(n)) : 0;
  return { method, measure, x, mean, lo: mean - half, hi: mean + half, n };
}

/**
 * The planted study: per cell, recovery error and train MSE against seconds (mean over runs, 95%
 * band); and the returned networks' recovery error against n/(dk²), from a random and a good start.
 */
function planted(rs: JobRecord[]): Figure[] {
  if (!rs.length) return [];
  const cells = [...new Set(rs.map((r) => r.dataset))];
  const out: Figure[] = cells.map((d) => ({
    name: `planted-${d}`,
    spec: bandPanels(`${d}: recovery error and train MSE vs seconds (mean over runs, 95% band)`, bandRows(rs.filter((r) => r.dataset === d), ['recovery', 'trainMse'], 'seconds'), { title: 'seconds (log)', log: true }, { title: 'value' }),
  }));
  const rows: BandRow[] = [];
  for (const [family, measure] of [['plain', 'random start'], ['start', 'good start']] as const) {
    for (const m of new Set(rs.map((r) => r.method))) {
      for (const d of cells.filter((c) => c.startsWith(`${family}-r`))) {
        const v = rs.filter((r) => r.dataset === d && r.method === m).map((r) => r.final?.recovery).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
        if (v.length) rows.push(band(m, measure, Number(d.slice(family.length + 2)), v));
      }
    }
  }
  if (rows.length) out.push({ name: 'planted-recovery-vs-samples', spec: bandPanels('Recovery error of the returned network vs n/(dk²) (d = 10, k = 3; mean over runs, 95% band)', rows, { title: 'n / (d·k²) (log)', log: true }, { title: 'recovery error' }) });
  return out;
}

/** Every figure the records allow: the paper's Figures 3–11 for what ran, and the planted study's. */
export function figures(records: JobRecord[]): Figure[] {
  const of = (experiment: string) => records.filter((r) => r.experiment === experiment && r.status === 'ok');
  const t3 = of('table3');
  return [...curves(t3), ...minSoFar(t3), ...logdet(t3), ...lbfgs(t3), ...curves(of('ablation'), 'ablation-'), ...simulation(of('simulation')), ...planted(of('planted'))];
}

/** Renders a vega-lite specification to SVG, headless (no browser, no canvas). */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

/** An SVG figure as PNG at twice its size on white, rendered by resvg (no browser, no canvas). */
export function toPng(svg: string): Uint8Array {
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}
