import { Command, CommanderError } from 'commander';
import { AnminError, USAGE } from '../util/errors.js';
import { packageVersion } from '../util/fsx.js';
import { installInterruptHandler } from '../util/interrupt.js';
import { configureLogger, type LogLevel } from '../util/log.js';
import { COMMANDS } from './commands.js';
import { DESCRIPTIONS } from './descriptions.js';
import { option } from './options.js';

/**
 * The `anmin` program for these arguments: the invoked command built in full, every other one by
 * name and description (enough for the help, suggestions and `help <command>`, which builds it).
 */
export async function program(argv: readonly string[] = []): Promise<Command> {
  const p = new Command('anmin')
    .description('Train two-layer ReLU networks analytically (ANMIN) and reproduce Barbu (2023)')
    .version(packageVersion())
    .addOption(option('logLevel'))
    .addOption(option('verbose'))
    .showSuggestionAfterError()
    .hook('preAction', (cmd) => {
      configureLogger(cmd.opts().logLevel as LogLevel);
    });
  // The first command name among the arguments (a global option's value is never one), or help's.
  const names = argv.slice(2).filter((w) => w === 'help' || COMMANDS.some((c) => c.name === w));
  const wanted = names[0] === 'help' ? names[1] : names[0];
  for (const entry of COMMANDS) p.addCommand(entry.name === wanted ? await entry.build() : new Command(entry.name).description(DESCRIPTIONS[entry.name]));
  return p;
}

export async function main(argv: string[]): Promise<number> {
  installInterruptHandler();
  const p = await program(argv);
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
    const line = e instanceof AnminError ? e.message : fileSystemError(e);
    // Anything else is a bug: it keeps its stack (the caller rethrows it to Node).
    if (line === undefined) throw e;
    // A message about the anmin trainer already starts with its name, the program's.
    process.stderr.write(line.startsWith('anmin: ') ? `${line}\n` : `anmin: ${line}\n`);
    if (p.opts().verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return e instanceof AnminError ? e.exitCode : 1;
  }
}

/** What a file-system failure means to the user, and what to do; the rest of Node's errno errors stay bugs. */
const FS_ERRORS: Record<string, [string, string]> = {
  EACCES: ['permission denied', 'check its permissions or choose another path'],
  EPERM: ['operation not permitted', 'check its permissions or choose another path'],
  EROFS: ['read-only file system', 'choose a folder on a writable file system'],
  ENOSPC: ['no space left on the device', 'free some space and run the same command again: finished jobs are kept'],
  EDQUOT: ['disk quota exceeded', 'free some space and run the same command again: finished jobs are kept'],
  EEXIST: ['a file is in the way', 'choose another path or move the file'],
  ENOTDIR: ['part of the path is a file, not a folder', 'choose another path'],
  EISDIR: ['is a folder, not a file', 'give a file name'],
  ENOENT: ['no such file or folder', 'check the path'],
  EMFILE: ['too many open files', 'raise the limit (ulimit -n) and run again'],
};

/** One line for an expected file-system failure: the path, the call, what it means and what to do. */
export function fileSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const known = err?.code ? FS_ERRORS[err.code] : undefined;
  if (!known) return undefined;
  // A failed rename is an atomic write's last step: its temp file is already removed, the target is what counts.
  const path = err.syscall === 'rename' && err.dest ? err.dest : err.path ?? '(a file)';
  return `${path}: cannot ${err.syscall === 'rename' ? 'write' : err.syscall ?? 'access'}: ${known[0]} (${err.code}); ${known[1]}`;
}
