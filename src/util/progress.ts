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

/** A run's bars: the jobs done overall, and one line per worker naming the job it is on. */
export interface RunProgress {
  done(job: string): void;
  started(worker: number, job: string): void;
  stop(): void;
}

let active: cliProgress.MultiBar | null = null;

/**
 * Writes a log line above the bars while they are drawn (so neither tears the other); false when no
 * bars are up and the caller should write it itself.
 */
export function logThroughProgress(line: string): boolean {
  if (!active) return false;
  active.log(line.endsWith('\n') ? line : `${line}\n`);
  return true;
}

export function startRunProgress(label: string, total: number, workers: number): RunProgress {
  if (!progressEnabled()) return { done() {}, started() {}, stop() {} };
  const multi = new cliProgress.MultiBar(
    { stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50, format: '{name} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} {status}' },
    cliProgress.Presets.shades_classic,
  );
  active = multi;
  const overall = multi.create(Math.max(total, 1), 0, { name: label, status: '' });
  const lines = Array.from({ length: workers }, (_, i) => multi.create(1, 0, { name: `worker ${i + 1}`, status: 'waiting' }, { format: '  {name}: {status}' }));
  return {
    done: (job) => overall.increment(1, { status: `last: ${job}` }),
    started: (worker, job) => lines[worker]?.update(0, { status: job }),
    stop: () => {
      lines.forEach((l) => l.update(0, { status: 'done' }));
      multi.stop();
      active = null;
    },
  };
}
