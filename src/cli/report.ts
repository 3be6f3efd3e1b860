import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { figures, toSvg } from '../report/figures.js';
import { execFileSync } from 'node:child_process';
import { packageRoot, packageVersion, writeFileAtomic } from '../util/fsx.js';
import { reproductionReport } from '../report/reproduction.js';
import { startProgress } from '../util/progress.js';
import { mergeStores, oneByKey, readResults, type JobRecord } from '../experiments/store.js';
import { check } from '../report/check.js';
import { render, type Format } from '../report/render.js';
import { REPORTS, type ReportName } from '../report/tables.js';
import { AnminError } from '../util/errors.js';
import { emit, table } from './io.js';
import { option, oneOf } from './options.js';
import { defaultResults } from './run.js';

/** Which experiment's results each report reads by default. */
const SOURCE: Record<ReportName, string> = { table3: 'table3', table4: 'table3', table5: 'ablation', simulation: 'simulation', planted: 'planted' };

/** check and plot read every experiment's default folder that exists. */
function defaultInputs(): string[] {
  const dirs = ['table3', 'ablation', 'simulation', 'planted'].map(defaultResults).filter((d) => existsSync(d));
  if (dirs.length === 0) throw new AnminError('no results/table3, results/ablation, results/simulation or results/planted yet (anmin run …, or --in DIR)');
  return dirs;
}

function records(dirs: string[], rs = readResults(dirs)) {
  if (rs.length === 0) throw new AnminError(`${dirs.join(', ')}: no results yet (anmin run …)`);
  return rs;
}

/** The commit of the checkout the package runs from, when it is one (for a report's provenance). */
function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return undefined;
  }
}

/** Each folder with what it holds: experiment, datasets, methods and splits of its records. */
function describeInputs(dirs: string[], perDir: JobRecord[][]): string[] {
  return dirs.map((d, i) => {
    const rs = perDir[i];
    const by = (k: 'experiment' | 'dataset' | 'method') => [...new Set(rs.map((r) => r[k]))].join(', ');
    const splits = new Set(rs.map((r) => r.split));
    return `\`${d}\`: ${by('experiment')}; ${by('dataset')} × ${by('method')}; ${splits.size} split(s), ${rs.length} records`;
  });
}

export function reportCommand(): Command {
  return new Command('report')
    .description('the paper\'s tables from a results store: mean (sd) over splits, bold by paired t-test, published values beside; `all`: every table and the check as one Markdown page (docs/reproduction.md)')
    .argument('<table>', 'table3 | table4 | table5 | simulation | planted | all', (v) => oneOf(...Object.keys(REPORTS), 'all')(v, '<table>'))
    .addOption(option('inDirs'))
    .addOption(option('format'))
    .addOption(option('json'))
    .addOption(option('out'))
    .action((name: ReportName | 'all', f: { in?: string[]; format: Format; json?: boolean; out?: string }) => {
      // --json, as every other command spells machine output; --format json stays for scripts that use it.
      if (f.json) f.format = 'json';
      if (name === 'all') {
        if (f.format !== 'md') throw new AnminError('report all: writes Markdown only (drop --format)');
        const dirs = f.in ?? defaultInputs();
        // Each store is read once: per folder for the header, then as one set for the tables.
        const perDir = dirs.map((d) => readResults([d]));
        const all = records(dirs, oneByKey(perDir.flat()));
        const origin = { command: `anmin report all --in ${dirs.join(' ')}${f.out ? ` --out ${f.out}` : ''}`, version: packageVersion(), commit: gitCommit(), generatedAt: new Date().toISOString().slice(0, 10), inputs: describeInputs(dirs, perDir) };
        emit(reproductionReport(all, origin), f.out);
        return;
      }
      const tables = REPORTS[name](records(f.in ?? [defaultResults(SOURCE[name])]));
      if (tables.length === 0 || tables.every((t) => t.rows.length === 0)) throw new AnminError(`report ${name}: the results hold no ${SOURCE[name]} runs`);
      emit(render(tables, f.format), f.out);
    });
}

export function checkCommand(): Command {
  return new Command('check')
    .description('compare every cell that ran with the published one (tolerance from the published sd and our number of splits) and test the paper\'s claims (and the related papers\' on planted runs); exit 1 on any failure not listed in experiments/known-deviations.json')
    .addOption(option('inDirs'))
    .addOption(option('json'))
    .addOption(option('out'))
    .action((f: { in?: string[]; json?: boolean; out?: string }) => {
      const rows = check(records(f.in ?? defaultInputs()));
      if (rows.length === 0) throw new AnminError('check: nothing to compare (no table3, ablation or simulation runs in the results)');
      const failed = rows.filter((r) => r.status === 'fail').length;
      const undecided = rows.filter((r) => r.status === 'not enough splits').length;
      const known = rows.filter((r) => r.status === 'known deviation').length;
      const text = f.json
        ? JSON.stringify(rows, null, 1)
        : `${table([['status', 'check', 'test', 'ours', 'paper', 'detail'], ...rows.map((r) => [r.status, r.check, r.test, r.ours, r.paper, r.detail])])}\n\ncheck: ${rows.length - failed - undecided - known} pass, ${failed} fail, ${known} known deviations, ${undecided} not enough splits`;
      emit(text, f.out);
      // With --out the verdicts go to the file; stdout gets the count line.
      if (f.out && !f.json) emit(text.slice(text.lastIndexOf('check:')));
      if (failed > 0) throw new AnminError(`check: ${failed} of ${rows.length} checks failed`);
    });
}

export function mergeCommand(): Command {
  return new Command('merge')
    .description('join the stores of several shards or machines into one results.jsonl')
    .argument('<dirs...>', 'results folders (each may hold results.jsonl and results.shard-K-of-N.jsonl files)')
    .requiredOption('--out <dir>', 'folder for the merged results.jsonl')
    .action((dirs: string[], f: { out: string }) => {
      const m = mergeStores(dirs, f.out);
      // Joining machines or commits is allowed (a Slurm array spans nodes) but never silent.
      const mixed = m.sources.length > 1 ? `\nthe records come from ${m.sources.length} machines or commits:\n${m.sources.map((s) => `  ${s}`).join('\n')}` : '';
      emit(`merged ${m.records} job records from ${m.files} file(s) into ${f.out}/results.jsonl${mixed}`);
    });
}

export function plotCommand(): Command {
  return new Command('plot')
    .description('SVG figures like the paper\'s: MSE and R² vs seconds (Figs 4–6), ANMIN minimum so far (9), ln|M + λI| (10–11), LBFGS blow-ups (3), simulation (7–8), the planted study (recovery vs seconds and vs n/(dk²))')
    .addOption(option('inDirs'))
    .option('--out <dir>', 'folder for the .svg files', join('results', 'figures'))
    .action(async (f: { in?: string[]; out: string }) => {
      const figs = figures(records(f.in ?? defaultInputs()));
      if (figs.length === 0) throw new AnminError('plot: the results hold no runs to plot');
      const bar = startProgress('plot', figs.length, 'figures');
      try {
        for (const fig of figs) {
          writeFileAtomic(join(f.out, `${fig.name}.svg`), await toSvg(fig.spec));
          bar.increment(1, { status: fig.name });
        }
      } finally {
        bar.stop();
      }
      emit(figs.map((x) => join(f.out, `${x.name}.svg`)).join('\n'));
    });
}
