import type { CheckRow } from './check.js';
import type { Figure } from './figures.js';
import type { ResultGrid } from './results.js';
import type { TableModel } from './tables.js';

/** One block of tables: a page's section, and what `anmin report <name>` prints. */
export interface Section {
  name: string;
  /** Its heading on the Markdown page (`report all`) and on the HTML page. */
  heading: string;
  htmlHeading: string;
  /** Its tables; an AnminError says why these runs cannot give them (timings that shared the machine). */
  tables(g: ResultGrid): TableModel[];
  /** What the Markdown page adds after that reason. */
  instead?: string;
}

/**
 * What one experiment reports: its tables, figures and checks, chosen from its runs by their fields
 * (trainer, options, the data's params). `experiment` is the protocol's name, the one key that names it.
 */
export interface ExperimentReport {
  experiment: string;
  /** Lines the Markdown page opens with when the records hold this experiment's runs. */
  preamble?: string[];
  sections: Section[];
  figures(g: ResultGrid): Figure[];
  /** The published numbers and claims the runs are compared with; absent: there are none. */
  checks?(g: ResultGrid): CheckRow[];
}
