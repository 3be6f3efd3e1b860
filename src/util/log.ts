import { pino, type Logger } from 'pino';
import { logThroughProgress } from './progress.js';

/**
 * Structured logs go to stderr only: stdout carries results (tables, JSON) and must stay clean
 * enough to pipe. JSON lines when stderr is not a terminal, so cluster logs stay machine-readable.
 */
let current: Logger | null = null;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function configureLogger(level: LogLevel = 'info'): Logger {
  const pretty = process.stderr.isTTY === true;
  current = pino(
    {
      level,
      base: undefined,
      timestamp: pretty ? false : pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pretty ? prettyStream() : pino.destination({ fd: 2, sync: true }),
  );
  return current;
}

export function logger(): Logger {
  return current ?? configureLogger(process.env.ANMIN_LOG_LEVEL as LogLevel | undefined ?? 'warn');
}

/** A terminal gets one readable line per record instead of JSON, written above the progress bars when they are up. */
function prettyStream() {
  return {
    write(line: string) {
      try {
        const { level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
        const text = `[${String(level)}] ${String(msg ?? '')}${extra}\n`;
        if (!logThroughProgress(text)) process.stderr.write(text);
      } catch {
        if (!logThroughProgress(line)) process.stderr.write(line);
      }
    },
  };
}
