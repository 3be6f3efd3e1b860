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
  /** CPU seconds the hypervisor gave to other virtual machines meanwhile (steal; Linux, absent elsewhere). */
  stolenCpuSeconds?: number;
}

/** Other processes using more than this share of one core during a run make its timing shared. */
export const SHARED_CORE_SHARE = 0.1;

/**
 * /proc/stat counts 10 ms ticks, each core its own, read twice: what it says other processes used can be
 * off by a couple of ticks, which is more than a tenth of a millisecond-long run.
 */
const TICK_SLACK = 0.02;

/** Whether other processes took enough of the machine during the run that its seconds are not the method's alone. */
export function sharedMachine(u: MachineUse): boolean {
  return u.othersCpuSeconds !== undefined && u.othersCpuSeconds - TICK_SLACK > SHARED_CORE_SHARE * u.wallSeconds;
}

/**
 * CPU seconds since boot from the first line of /proc/stat, in USER_HZ ticks (100 a second on every
 * Linux that user space sees): `busy`, every process of the machine (user, nice, system, irq, softirq);
 * `stolen`, time a virtual machine's cores waited for the host (steal). Undefined without /proc/stat.
 */
function machineSeconds(): { busy: number; stolen: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return { busy: (user + nice + system + irq + softirq) / 100, stolen: (steal ?? 0) / 100 };
  } catch {
    return undefined;
  }
}

function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Runs `work` and says how it used the machine: its own CPU seconds, the other processes' and the host's. */
export function measureMachineUse<T>(threads: number, work: () => T): { value: T; use: MachineUse } {
  const m0 = machineSeconds();
  const cpu0 = processCpuSeconds();
  const t0 = performance.now();
  const value = work();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpuSeconds = processCpuSeconds() - cpu0;
  const m1 = machineSeconds();
  // Ticks are 10 ms, so a quiet machine can read a tick or two below our own CPU time.
  const shares = m0 && m1 ? { othersCpuSeconds: Math.max(0, m1.busy - m0.busy - cpuSeconds), stolenCpuSeconds: m1.stolen - m0.stolen } : {};
  return { value, use: { clock: 'training', threads, wallSeconds, cpuSeconds, ...shares } };
}
