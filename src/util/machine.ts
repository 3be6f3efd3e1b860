import { readFileSync } from 'node:fs';

/** How a run used the machine, for judging its seconds (Table 4). */
export interface MachineUse {
  /** What a record's `seconds` count: training, the trace's evaluations paused (see TraceRecorder). */
  clock: 'training';
  /** Threads the method was allowed. */
  threads: number;
  /** Wall seconds of the whole run, evaluations included. */
  wallSeconds: number;
  /** This process's CPU seconds over the run (all its threads), evaluations included. */
  cpuSeconds: number;
  /** CPU seconds the machine's other processes used meanwhile (Linux's /proc/stat; absent elsewhere). */
  othersCpuSeconds?: number;
}

/** Other processes using more than this share of one core during a run make its timing shared. */
export const SHARED_CORE_SHARE = 0.1;

/** Whether other processes took enough of the machine during the run that its seconds are not the method's alone. */
export function sharedMachine(u: MachineUse): boolean {
  return u.othersCpuSeconds !== undefined && u.othersCpuSeconds > SHARED_CORE_SHARE * u.wallSeconds;
}

/**
 * CPU seconds every process of the machine has been busy since boot: the first line of /proc/stat
 * (user, nice, system, irq, softirq, steal; not idle or iowait) in USER_HZ ticks, 100 a second on
 * every Linux that user space sees. Undefined where there is no /proc/stat.
 */
function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
  } catch {
    return undefined;
  }
}

function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Runs `work` and says how it used the machine: its own CPU seconds and the other processes'. */
export function measureMachineUse<T>(threads: number, work: () => T): { value: T; use: MachineUse } {
  const busy0 = machineBusySeconds();
  const cpu0 = processCpuSeconds();
  const t0 = performance.now();
  const value = work();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpuSeconds = processCpuSeconds() - cpu0;
  const busy1 = machineBusySeconds();
  // Ticks are 10 ms, so a quiet machine can read a tick or two below our own CPU time.
  const others = busy0 !== undefined && busy1 !== undefined ? Math.max(0, busy1 - busy0 - cpuSeconds) : undefined;
  return { value, use: { clock: 'training', threads, wallSeconds, cpuSeconds, ...(others !== undefined ? { othersCpuSeconds: others } : {}) } };
}
