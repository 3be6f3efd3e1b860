import { removeTemps } from './fsx.js';

/** What the user keeps after an interrupt, as the work in progress describes it. */
let hint: string | undefined;

/** Sets (or clears) the line an interrupt prints after cleaning up. */
export function setInterruptHint(text: string | undefined): void {
  hint = text;
}

/**
 * Ctrl-C or a kill: remove the half-written temp files, say what was kept and how to go on, exit 130.
 * The 'exit' handlers still run (a store's lock is released).
 */
export function installInterruptHandler(): void {
  const stop = (signal: string) => {
    const removed = removeTemps();
    process.stderr.write(`\nanmin: ${signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`}${removed ? `; removed ${removed} half-written file(s)` : ''}${hint ? `; ${hint}` : ''}\n`);
    process.exit(130);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
