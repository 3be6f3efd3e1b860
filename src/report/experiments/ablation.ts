import type { FinalMetrics } from '../../experiments/store.js';
import { publishedCells } from '../check.js';
import type { ExperimentReport } from '../experiment.js';
import { curves } from '../figures.js';
import { metricValues, type ResultGrid } from '../results.js';
import { BOLD_RULE, grid, type TableModel } from '../tables.js';
import { published } from './published.js';

const EXPERIMENT = 'ablation';

/** Where each metric's mean sits in a published Table 5 row (its sd follows it). */
const COLUMNS: { name: string; metric: keyof FinalMetrics; at: 2 | 4 }[] = [
  { name: 'MSE train', metric: 'trainMse', at: 2 },
  { name: 'MSE test', metric: 'testMse', at: 4 },
];

/** The published Table 5 mean and sd of a variant (named by its protocol entry's `published` field). */
function publishedRow(g: ResultGrid, method: string, metric: keyof FinalMetrics): [number, number] | undefined {
  const row = published().table5_ablation_bike_sharing.rows[g.protocol?.methods[method]?.published ?? method];
  const at = COLUMNS.find((c) => c.metric === metric)?.at;
  return row && at ? [row[at], row[at + 1] as number] : undefined;
}

/** Table 5: the ablation variants, per dataset. */
function table5(g: ResultGrid): TableModel[] {
  return g.datasets.map((d) =>
    grid({
      id: `table5-${d}`,
      title: `Table 5 — ablation on ${d}: ${BOLD_RULE}`,
      corner: 'variant',
      rows: g.methods,
      columns: COLUMNS.map((c) => c.name),
      values: (m, c) => metricValues(g.runs(d, m), COLUMNS.find((x) => x.name === c)!.metric),
      published: (m, c) => {
        const p = publishedRow(g, m, COLUMNS.find((x) => x.name === c)!.metric);
        return p ? { mean: p[0], sd: p[1] } : undefined;
      },
      better: 'lower',
      boldAlong: 'column',
      notes: g.notes(),
    }),
  );
}

/** Table 5 of the paper: Algorithm 1 with parts removed. */
export const ablationReport: ExperimentReport = {
  experiment: EXPERIMENT,
  sections: [{ name: 'table5', heading: 'Table 5: ablation', htmlHeading: 'Table 5 (ablation)', tables: table5 }],
  // Variants 3 and 4 run the same iterations (the pseudo-inverse on a degenerate system; their traces were equal in all 100 splits) and differ only in the iterate kept.
  figures: (g) => curves(g.succeeded(), `${EXPERIMENT}-`, '; 3 and 4 run the same iterations (4 keeps their minimum), so one curve hides the other'),
  checks: (g) => publishedCells(g, ['trainMse', 'testMse'] as const, (metric, d, m) => publishedRow(g, m, metric), (metric, d, m) => `table5 ${metric} ${d} ${m}`),
};
