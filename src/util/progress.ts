import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for any step that can take more than a second. Off when stderr is not
 * a terminal (CI, pipes) or when ANMIN_PROGRESS=0, so logs stay free of carriage-return noise.
 */
export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  increment(by?: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, increment() {}, setTotal() {}, stop() {} };

export function progressEnabled(): boolean {
  return process.stderr.isTTY === true && process.env.ANMIN_PROGRESS !== '0';
}

export function startProgress(label: string, total: number, unit = ''): Progress {
  if (!progressEnabled()) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total}${unit ? ' ' + unit : ''} | ETA {eta_formatted} {status}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { status: '' });
  return {
    update: (done, payload) => bar.update(done, payload),
    increment: (by = 1, payload) => bar.increment(by, payload),
    setTotal: (t) => bar.setTotal(Math.max(t, 1)),
    stop: () => bar.stop(),
  };
}
