import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for any step that can take more than a second. When stderr is not a
 * terminal (CI, a log file) the bar becomes a plain line every ANMIN_PROGRESS_SECONDS (default 60)
 * — done, total, ETA — so an hour-long run speaks without carriage-return noise; ANMIN_PROGRESS=0
 * silences both.
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

const clock = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

/**
 * Progress as a line now and then, for a log: nothing for a step shorter than the interval; then a line
 * per interval and one at the end, each with the elapsed time and, from the rate so far, the time left.
 */
function lineProgress(label: string, total: number, unit: string): Progress {
  const every = 1000 * (Number(process.env.ANMIN_PROGRESS_SECONDS) > 0 ? Number(process.env.ANMIN_PROGRESS_SECONDS) : 60);
  const t0 = performance.now();
  let done = 0;
  let status = '';
  let spoke = false;
  const say = (final: boolean) => {
    const s = (performance.now() - t0) / 1000;
    const left = done > 0 && done < total ? `, about ${clock((s * (total - done)) / done)} left` : '';
    process.stderr.write(`${label}: ${done}/${total}${unit ? ` ${unit}` : ''} (${Math.floor((100 * done) / Math.max(total, 1))}%) after ${clock(s)}${final ? ', finished' : left}${status ? ` | ${status}` : ''}\n`);
    spoke = true;
  };
  const timer = setInterval(() => say(false), every);
  timer.unref();
  const note = (payload?: Record<string, string | number>) => {
    if (payload?.status !== undefined) status = String(payload.status);
  };
  return {
    update: (d, payload) => ((done = d), note(payload)),
    increment: (by = 1, payload) => ((done += by), note(payload)),
    setTotal: (t) => (total = t),
    stop: () => {
      clearInterval(timer);
      if (spoke) say(true);
    },
  };
}

export function startProgress(label: string, total: number, unit = ''): Progress {
  if (process.env.ANMIN_PROGRESS === '0') return silent;
  if (!progressEnabled()) return lineProgress(label, total, unit);
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
  if (process.env.ANMIN_PROGRESS === '0') return { done() {}, started() {}, stop() {} };
  if (!progressEnabled()) {
    const line = lineProgress(label, total, 'jobs');
    return { done: (job) => line.increment(1, { status: `last: ${job}` }), started() {}, stop: () => line.stop() };
  }
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
