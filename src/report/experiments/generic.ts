import type { ExperimentReport } from '../experiment.js';
import { curves } from '../figures.js';
import { BOLD_RULE, METRIC_BLOCKS, metricTables, secondsTable, timing } from '../tables.js';

/**
 * Any other experiment (a user's protocol): a Table 3-style block per metric, a seconds table, and the
 * mean curves; no published numbers, so no checks. The seconds table is always printed, since every
 * run records its seconds and the store, not the protocol's `timed` flag, says how they were taken:
 * runs timed beside other jobs or before the clock paused are said so beneath it, not refused.
 */
export function genericReport(experiment: string): ExperimentReport {
  return {
    experiment,
    sections: [
      {
        name: experiment,
        heading: experiment,
        htmlHeading: experiment,
        tables: (g) => {
          const { refusal, grid, threads, notes } = timing(g, experiment);
          const allowed = threads.length ? [`Wall seconds of training, each run alone on the machine (one job at a time) with ${threads.join(' or ')} thread(s) allowed.`] : [];
          return [
            ...metricTables(g, METRIC_BLOCKS, { id: (b) => `${experiment}-${b.metric}`, title: (b) => `${experiment} — ${b.title}: ${BOLD_RULE}` }),
            secondsTable(grid ?? g, { id: `${experiment}-seconds`, title: `${experiment} — seconds per training run: mean (sd) over splits`, notes: refusal ? [refusal] : [...allowed, ...notes] }),
          ];
        },
      },
    ],
    figures: (g) => curves(g.succeeded(), `${experiment}-`),
  };
}
