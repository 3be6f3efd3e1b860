import { constants } from 'node:os';
import { removeTemps } from './fsx.js';

/** What the user keeps after an interrupt, as the work in progress describes it. */
let hint: string | undefined;

/** Sets (or clears) the line an interrupt prints after cleaning up. */
export function setInterruptHint(text: string | undefined): void {
  hint = text;
}

/**
 * Ctrl-C or a kill: remove the half-written temp files, say what was kept and how to go on, exit as
 * shells report a death by that signal (128 + its number: 130 for SIGINT, 143 for SIGTERM).
 * The 'exit' handlers still run (a store's lock is released).
 */
export function installInterruptHandler(): void {
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
}

function onInterrupt(signal: NodeJS.Signals): void {
  const removed = removeTemps();
  process.stderr.write(`\nanmin: ${signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`}${removed ? `; removed ${removed} half-written file(s)` : ''}${hint ? `; ${hint}` : ''}\n`);
  process.exit(128 + constants.signals[signal]);
}

/**
 * For a computation that runs on the main thread (train, bench): a handler would wait for it to end,
 * since nothing yields to the event loop meanwhile, so Ctrl-C or a kill ends the process at once, as
 * by default. Nothing is half-written then: those commands write their files after the computation.
 */
export function endAtOnceOnInterrupt(): void {
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onInterrupt);
}
