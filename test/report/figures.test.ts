import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columns } from '../../src/experiments/store.js';
import { toPng, toSvg } from '../../src/report/figures.js';
import { figures } from '../../src/report/experiments/index.js';
import { Results } from '../../src/report/results.js';
import { record } from '../helpers.js';

test('plot: the figures the records allow, rendered to SVG without a browser; −∞ and blow-ups do not break them', async () => {
  const trace = (k: number) => columns(Array.from({ length: 5 }, (_, i) => ({ iteration: i, seconds: i / 10, trainMse: 10 / (i + 1) + k, trainR2: 0.5, testMse: 11 / (i + 1), testR2: 0.4, logdet: i === 2 ? -Infinity : -100 * i, batchMse: i === 3 ? 1e26 : 5 })));
  const rs = ['ANMIN', 'LBFGS', 'Adam'].flatMap((m) => [0, 1].map((s) => record(`table3/abalone/${m}/${s}`, { trainer: m.toLowerCase(), trace: trace(s) })));
  rs.push(record('simulation/sim-d1-n1000/ANMIN/0', { trace: trace(0), final: { trainMse: 1, trainR2: 0, testMse: 2, testR2: 0 } }));
  const figs = figures(new Results(rs));
  assert.deepEqual(figs.map((f) => f.name), ['curves-mse-abalone', 'curves-r2-abalone', 'anmin-min-so-far', 'anmin-logdet', 'lbfgs-losses', 'simulation-curves', 'simulation-sorted']);
  const svg = await toSvg(figs.find((f) => f.name === 'anmin-logdet')!.spec);
  assert.ok(svg.startsWith('<svg'));
  assert.match(svg, /ln\|M \+ λI\|/);
});

test('the ablation gets its curves, and a figure renders to PNG without a browser', async () => {
  const trace = { iteration: [0, 1, 2], seconds: [0.1, 0.2, 0.3], trainMse: [3, 2, 1], trainR2: [0.1, 0.2, 0.3], testMse: [3, 2.5, 2], testR2: [0, 0.1, 0.2] };
  const rs = [0, 1].map((k) => record(`ablation/bike-sharing/4 Algorithm 1/${k}`, { trace }));
  const figs = figures(new Results(rs));
  assert.ok(figs.some((f) => f.name === 'ablation-curves-mse-bike-sharing'), figs.map((f) => f.name).join(', '));
  const png = await toPng(await toSvg(figs[0].spec));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test("the simulation's figures put d across and N down in numeric order (d = 3 before d = 10), headed as a reader reads them", () => {
  const rs = [[10, 1000], [3, 10000], [3, 1000]].flatMap(([d, N]) =>
    ['ANMIN', 'Adam'].map((m) => record(`simulation/sim-d${d}-n${N}/${m}/0`, { trainer: m.toLowerCase(), params: { simD: d, simN: N }, final: { trainMse: 1, trainR2: 0, testMse: 2, testR2: 0 } })),
  );
  const figs = figures(new Results(rs));
  type Facets = { facet: Record<string, { field: string; sort: unknown; header?: { labelExpr: string } }>; data: { values: Record<string, unknown>[] } };
  const sorted = figs.find((f) => f.name === 'simulation-sorted')!.spec as unknown as Facets;
  assert.deepEqual([sorted.facet.row.field, sorted.facet.column.field], ['N', 'd']);
  assert.equal(sorted.facet.column.sort, 'ascending');
  assert.match(sorted.facet.column.header!.labelExpr, /'d = '/);
  assert.ok(sorted.data.values.every((v) => typeof v.d === 'number' && typeof v.N === 'number'));
  const curves = figs.find((f) => f.name === 'simulation-curves')!.spec as unknown as Facets;
  assert.deepEqual(curves.facet.row.sort, ['train MSE, N = 1,000', 'test MSE, N = 1,000', 'train MSE, N = 10,000', 'test MSE, N = 10,000']);
});
