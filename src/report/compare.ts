import type { TopLevelSpec } from 'vega-lite';
import type { CompareRecord } from '../compare/compare.js';
import { band } from './figures.js';
import { fmt } from './render.js';
import type { Values } from './results.js';
import { BOLD_RULE, grid, type TableModel } from './tables.js';

const COLUMNS = { 'test MSE': 'test_mse', seconds: 'seconds' } as const;

/** A method's values of one column per split; undefined when none of its fits has one (all blew up). */
function values(records: readonly CompareRecord[], method: string, field: 'test_mse' | 'seconds'): Values | undefined {
  const out: Values = new Map();
  for (const r of records) if (r.method === method && typeof r[field] === 'number') out.set(r.split, r[field]);
  return out.size ? out : undefined;
}

/**
 * Test MSE and fit seconds per method, mean (sd) over splits, bold by paired t-test down each
 * column; a note gives each method's p-value against the best test MSE.
 */
export function compareTable(title: string, methods: readonly string[], records: readonly CompareRecord[], notes: string[] = []): TableModel {
  const t = grid({
    id: 'compare',
    title,
    corner: 'method',
    rows: [...methods],
    columns: Object.keys(COLUMNS),
    values: (m, col) => values(records, m, COLUMNS[col as keyof typeof COLUMNS]),
    better: 'lower',
    boldAlong: 'column',
  });
  const mse = t.rows.map((r) => ({ method: r.label, cell: r.cells[0] }));
  const best = mse.filter((e) => e.cell && Number.isFinite(e.cell.mean)).sort((a, b) => a.cell!.mean - b.cell!.mean)[0];
  const ps = mse.filter((e) => e !== best && e.cell?.p !== undefined).map((e) => `${e.method} p = ${fmt(e.cell!.p, 2)}`);
  const failed = mse.filter((e) => !e.cell).map((e) => e.method);
  return {
    ...t,
    notes: [
      `${BOLD_RULE}; seconds: the wall clock of each fit`,
      ...(best && ps.length ? [`test MSE against the best, ${best.method} (paired t-test, two-sided): ${ps.join(', ')}`] : []),
      ...(failed.length ? [`no finite test MSE: ${failed.join(', ')}`] : []),
      ...notes,
    ],
  };
}

/**
 * Each method as a point at its mean fit seconds and mean test MSE, with the 95% t-intervals of both
 * means as error bars; seconds on a log axis when they span more than a decade.
 */
export function compareFigure(title: string, methods: readonly string[], records: readonly CompareRecord[]): TopLevelSpec {
  const points = methods.flatMap((m) => {
    const mse = values(records, m, 'test_mse');
    const secs = values(records, m, 'seconds');
    if (!mse || !secs) return [];
    const y = band(m, 'test MSE', 0, [...mse.values()]);
    const x = band(m, 'seconds', 0, [...secs.values()]);
    return [{ method: m, seconds: x.mean, secondsLo: x.lo, secondsHi: x.hi, mse: y.mean, mseLo: y.lo, mseHi: y.hi }];
  });
  const secs = points.map((p) => p.seconds).filter((s) => s > 0);
  const log = secs.length > 0 && Math.max(...secs) / Math.min(...secs) > 10;
  // A log axis has no room for an interval reaching zero or below: such a bar stops at a tenth of its mean.
  if (log) for (const p of points) p.secondsLo = Math.max(p.secondsLo, p.seconds / 10);
  const x = { type: 'quantitative', title: `fit seconds (mean, 95% interval${log ? ', log' : ''})`, scale: log ? { type: 'log' } : { zero: false } };
  const y = { type: 'quantitative', title: 'test MSE (mean, 95% interval)', scale: { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 280,
    data: { values: points },
    // Colours and legend in the order the methods were asked for, not alphabetical.
    encoding: { color: { field: 'method', type: 'nominal', scale: { domain: points.map((p) => p.method) } } },
    layer: [
      { mark: { type: 'rule' }, encoding: { x: { field: 'secondsLo', ...x }, x2: { field: 'secondsHi' }, y: { field: 'mse', ...y } } },
      { mark: { type: 'rule' }, encoding: { x: { field: 'seconds', ...x }, y: { field: 'mseLo', ...y }, y2: { field: 'mseHi' } } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'seconds', ...x }, y: { field: 'mse', ...y } } },
      { mark: { type: 'text', align: 'left', dx: 6, dy: -6 }, encoding: { x: { field: 'seconds', ...x }, y: { field: 'mse', ...y }, text: { field: 'method' } } },
    ],
  } as TopLevelSpec;
}
