import { Command, CommanderError } from 'commander';
import { AnminError, USAGE } from '../util/errors.js';
import { packageVersion } from '../util/fsx.js';
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
    throw e;
  }
}
