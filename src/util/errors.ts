/**
 * An error meant for the user: its message is one line that names the file, line or flag at fault.
 * The CLI prints `anmin: <message>` and exits non-zero; anything else is a bug and keeps its stack.
 */
export class AnminError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'AnminError';
  }
}

/** Exit code of a usage error (a bad flag or argument), as against 1 for a failure of the work itself. */
export const USAGE = 2;

export function fail(message: string): never {
  throw new AnminError(message);
}
