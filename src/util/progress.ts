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

/** Seconds as 45s, 12m05s or 3h20m. */
export const clock = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

/**
 * The time left from the rate so far, counted in work rather than steps where steps differ: a step then
 * weighs what it is expected to take, so minute-long jobs after seconds-long ones do not throw the
 * estimate by 10× (the reproduction's first 25 jobs took 4 minutes, and said 9 hours of 6 were left).
 */
function timeLeft(t0: number, total: number) {
  let work = 0;
  return {
    total,
    add(w: number) {
      work += w;
    },
    left(): string | undefined {
      const s = (performance.now() - t0) / 1000;
      return work > 0 && work < this.total ? clock((s * (this.total - work)) / work) : undefined;
    },
  };
}

/**
 * Progress as a line now and then, for a log: nothing for a step shorter than the interval; then a line
 * per interval and one at the end, each with the elapsed time and the time left (see timeLeft; with
 * `totalWork`, the caller reports each step's work through `work`).
 */
function lineProgress(label: string, total: number, unit: string, totalWork?: number): Progress & { work(w: number): void } {
  const every = 1000 * (Number(process.env.ANMIN_PROGRESS_SECONDS) > 0 ? Number(process.env.ANMIN_PROGRESS_SECONDS) : 60);
  const t0 = performance.now();
  const eta = timeLeft(t0, totalWork ?? total);
  let done = 0;
  let status = '';
  let spoke = false;
  const say = (final: boolean) => {
    const s = (performance.now() - t0) / 1000;
    const left = done < total ? eta.left() : undefined;
    process.stderr.write(`${label}: ${done}/${total}${unit ? ` ${unit}` : ''} (${Math.floor((100 * done) / Math.max(total, 1))}%) after ${clock(s)}${final ? ', finished' : left ? `, about ${left} left` : ''}${status ? ` | ${status}` : ''}\n`);
    spoke = true;
  };
  const timer = setInterval(() => say(false), every);
  timer.unref();
  const step = (by: number, payload?: Record<string, string | number>) => {
    done += by;
    if (totalWork === undefined) eta.add(by);
    if (payload?.status !== undefined) status = String(payload.status);
  };
  return {
    update: (d, payload) => step(d - done, payload),
    increment: (by = 1, payload) => step(by, payload),
    setTotal: (t) => {
      total = t;
      if (totalWork === undefined) eta.total = t;
    },
    work: (w) => eta.add(w),
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
  /** A job ended; `work`, when the run was started with a total of work, is what it weighed. */
  done(job: string, work?: number): void;
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

/** `totalWork`: the jobs weigh what each `done` says, and the time left is counted in it (see timeLeft). */
export function startRunProgress(label: string, total: number, workers: number, totalWork?: number): RunProgress {
  if (process.env.ANMIN_PROGRESS === '0') return { done() {}, started() {}, stop() {} };
  if (!progressEnabled()) {
    const line = lineProgress(label, total, 'jobs', totalWork);
    return {
      done: (job, work = 1) => {
        if (totalWork !== undefined) line.work(work);
        line.increment(1, { status: `last: ${job}` });
      },
      started() {},
      stop: () => line.stop(),
    };
  }
  const eta = totalWork === undefined ? undefined : timeLeft(performance.now(), totalWork);
  const multi = new cliProgress.MultiBar(
    { stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50, format: `{name} [{bar}] {percentage}% | {value}/{total} | ETA ${eta ? '{left}' : '{eta_formatted}'} {status}` },
    cliProgress.Presets.shades_classic,
  );
  active = multi;
  const overall = multi.create(Math.max(total, 1), 0, { name: label, status: '', left: '…' });
  const lines = Array.from({ length: workers }, (_, i) => multi.create(1, 0, { name: `worker ${i + 1}`, status: 'waiting' }, { format: '  {name}: {status}' }));
  return {
    done: (job, work = 1) => {
      eta?.add(work);
      overall.increment(1, { status: `last: ${job}`, left: eta?.left() ?? '' });
    },
    started: (worker, job) => lines[worker]?.update(0, { status: job }),
    stop: () => {
      lines.forEach((l) => l.update(0, { status: 'done' }));
      multi.stop();
      active = null;
    },
  };
}
