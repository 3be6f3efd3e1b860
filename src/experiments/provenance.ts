import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, hostname, arch, release, type } from 'node:os';
import { packageRoot, packageVersion } from '../util/fsx.js';

/** Where and with what a record was produced, so stores from two machines or commits can be told apart. */
export interface Provenance {
  host: string;
  cpu: string;
  cores: number;
  os: string;
  node: string;
  anmin: string;
  /** The git commit of the code, when it runs from a checkout (null from an installed package). */
  commit: string | null;
  /** Uncommitted changes in the checkout when the run started. */
  dirty: boolean | null;
  /** When the run that produced the record started. */
  runStarted: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: packageRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * The checkout's commit and whether tracked files differ from it (both null outside a checkout). docs/
 * holds only generated pages and figures: regenerating them is output, not a change to the code.
 */
export function codeVersion(): { commit: string | null; dirty: boolean | null } {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)docs']);
  return { commit, dirty: status === null ? null : status !== '' };
}

/** This process's provenance (read once: a run's records share it). */
export function provenance(runStarted = new Date()): Provenance {
  const { commit, dirty } = codeVersion();
  return {
    host: hostname(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    anmin: packageVersion(),
    commit,
    dirty,
    runStarted: runStarted.toISOString(),
  };
}

/** The machines and commits behind a set of records, one line each (for footnotes and merge). */
export function provenanceLines(records: { provenance?: Provenance }[]): string[] {
  const seen = new Map<string, number>();
  for (const r of records) {
    const p = r.provenance;
    const line = p ? `on ${p.host}: ${p.cpu} (${p.cores} cores), ${p.os}, Node ${p.node}, anmin ${p.anmin}${p.commit ? ` at ${p.commit.slice(0, 10)}${p.dirty ? ' (uncommitted changes)' : ''}` : ''}` : 'with no provenance (written before anmin recorded it)';
    seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  return [...seen].map(([line, n]) => `${n} run(s) ${line}`);
}
