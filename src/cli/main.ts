import { Command, CommanderError } from 'commander';
import { AnminError, USAGE } from '../util/errors.js';
import { packageVersion } from '../util/fsx.js';
import { installInterruptHandler } from '../util/interrupt.js';
import { configureLogger, type LogLevel } from '../util/log.js';
import { benchCommand } from './bench.js';
import { datasetsCommand } from './datasets.js';
import { checkCommand, mergeCommand, plotCommand, reportCommand } from './report.js';
import { ablationCommand, runCommand } from './run.js';
import { tuneCommand } from './tune.js';
import { evaluateCommand, exportCommand, predictCommand, trainCommand } from './model.js';
import { option } from './options.js';

export function program(): Command {
  const p = new Command('anmin')
    .description('Train two-layer ReLU networks analytically (ANMIN) and reproduce Barbu (2023)')
    .version(packageVersion())
    .addOption(option('logLevel'))
    .showSuggestionAfterError()
    .hook('preAction', (cmd) => {
      configureLogger(cmd.opts().logLevel as LogLevel);
    });
  p.addCommand(trainCommand());
  p.addCommand(predictCommand());
  p.addCommand(evaluateCommand());
  p.addCommand(exportCommand());
  p.addCommand(datasetsCommand());
  p.addCommand(benchCommand());
  p.addCommand(runCommand());
  p.addCommand(ablationCommand());
  p.addCommand(reportCommand());
  p.addCommand(checkCommand());
  p.addCommand(mergeCommand());
  p.addCommand(tuneCommand());
  p.addCommand(plotCommand());
  return p;
}

export async function main(argv: string[]): Promise<number> {
  installInterruptHandler();
  const p = program();
  // Commander's own usage errors read as ours: one `anmin:` line (a suggestion may follow), exit 2.
  const quiet = (c: Command): void => {
    c.exitOverride();
    c.configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(`anmin: ${s.replace(/^error: /, '')}`) });
    c.commands.forEach(quiet);
  };
  quiet(p);
  try {
    await p.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE;
    if (e instanceof AnminError) {
      process.stderr.write(`anmin: ${e.message}\n`);
      return e.exitCode;
    }
    const fs = fileSystemError(e);
    if (fs) {
      process.stderr.write(`anmin: ${fs}\n`);
      return 1;
    }
    throw e;
  }
}

/** What a file-system failure means to the user; the rest of Node's errno errors stay bugs with stacks. */
const FS_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
};

function fileSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const what = err?.code ? FS_ERRORS[err.code] : undefined;
  if (!what) return undefined;
  return `${err.path ?? '(a file)'}${err.dest ? ` → ${err.dest}` : ''}: cannot ${err.syscall ?? 'access'}: ${what} (${err.code})`;
}
