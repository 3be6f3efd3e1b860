import type { JobRecord } from '../../experiments/store.js';
import { AnminError } from '../../util/errors.js';
import { asShipped, leftOutNote, loadKnownDeviations, withKnown, type CheckRow } from '../check.js';
import type { ExperimentReport, Section } from '../experiment.js';
import type { Figure } from '../figures.js';
import { Results } from '../results.js';
import type { TableModel } from '../tables.js';
import { ablationReport } from './ablation.js';
import { genericReport } from './generic.js';
import { plantedReport } from './planted.js';
import { simulationReport } from './simulation.js';
import { table3Report } from './table3.js';

/** The paper's experiments, in the order their tables and figures appear: the ones with published numbers. */
const PAPER: ExperimentReport[] = [table3Report, ablationReport, simulationReport, plantedReport];

/** The protocols shipped with the package, whose runs the published numbers can be compared with. */
export const SHIPPED = PAPER.map((e) => e.experiment);

/** The report of an experiment: the paper's module, or the generic one for any other. */
export function reportOf(experiment: string): ExperimentReport {
  return PAPER.find((e) => e.experiment === experiment) ?? genericReport(experiment);
}

/** The reports the records need: the paper's experiments that ran, in order, then the others by name. */
export function reportsFor(results: Results): ExperimentReport[] {
  return [...SHIPPED.filter((e) => results.experiments.includes(e)), ...results.experiments.filter((e) => !SHIPPED.includes(e))].map(reportOf);
}

/**
 * What `anmin report <name>` prints: a section of the paper's (table3, table4, table5, simulation,
 * planted) with its experiment, else every section of the experiment so named (a user's protocol too).
 */
export function named(name: string): { experiment: string; sections: Section[] } {
  for (const e of PAPER) {
    const section = e.sections.find((s) => s.name === name);
    if (section) return { experiment: e.experiment, sections: [section] };
  }
  return { experiment: name, sections: reportOf(name).sections };
}

/** The tables `anmin report <name>` prints; an AnminError says why the records cannot give them. */
export function reportTables(results: Results, name: string): TableModel[] {
  const { experiment, sections } = named(name);
  const grid = results.grid(experiment);
  return sections.flatMap((s) => s.tables(grid));
}

/** A section's tables, or why these records cannot give them: one refusal must not hide the other sections. */
function sectionTables(section: Section, results: Results, experiment: string): { tables: TableModel[]; reason?: string } {
  try {
    return { tables: section.tables(results.grid(experiment)) };
  } catch (e) {
    if (!(e instanceof AnminError)) throw e;
    return { tables: [], reason: e.message };
  }
}

/** Every section of every experiment the records hold, with its tables or the reason it has none. */
export function allSections(results: Results): { report: ExperimentReport; section: Section; tables: TableModel[]; reason?: string }[] {
  return reportsFor(results).flatMap((report) => report.sections.map((section) => ({ report, section, ...sectionTables(section, results, report.experiment) })));
}

/** Every figure the records allow: the paper's Figures 3–11 for what ran, the planted study's, and each other experiment's curves. */
export function figures(results: Results): Figure[] {
  return reportsFor(results).flatMap((e) => e.figures(results.grid(e.experiment)));
}

/** Every published number and claim that the records can be compared with, known deviations applied. */
export function check(records: JobRecord[], known = loadKnownDeviations()): CheckRow[] {
  const results = new Results(records);
  return withKnown(reportsFor(results).flatMap((e) => (e.checks?.(results.grid(e.experiment)) ?? []).map((r) => ({ ...r, experiment: e.experiment }))), known);
}

/** The records a check compares: those run as a shipped protocol says, and the others. */
export function shipped(records: JobRecord[]): { kept: JobRecord[]; leftOut: JobRecord[] } {
  return asShipped(records, SHIPPED);
}

/**
 * A store's check: the rows of the records run as the shipped protocols say, what it left out of them
 * (in words, empty when nothing), and which experiments have nothing published (empty when none).
 */
export function checkStore(records: JobRecord[], known = loadKnownDeviations()): { rows: CheckRow[]; leftOut: string; unpublished: string } {
  const { kept, leftOut } = shipped(records);
  const others = [...new Set(records.map((r) => r.experiment))].filter((e) => !reportOf(e).checks).sort();
  return {
    rows: check(kept, known),
    leftOut: leftOutNote(leftOut, kept.length),
    unpublished: others.length ? `${others.join(', ')} ${others.length === 1 ? 'has' : 'have'} no published numbers to compare with (only the paper's protocols ${SHIPPED.join(', ')} do)` : '',
  };
}
