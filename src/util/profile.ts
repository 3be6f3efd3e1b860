/**
 * Where a run's time goes, phase by phase (`anmin bench anmin --profile`). Off by default: `phase`
 * then only runs its work, so the solver's code carries its phase names at no cost.
 */
let phases: Map<string, { ms: number; calls: number; work: number }> | null = null;

export function startProfile(): void {
  phases = new Map();
}

/** Adds `ms` (and `work`, e.g. floating-point operations) to a phase. */
export function addPhase(name: string, ms: number, work = 0): void {
  if (!phases) return;
  const p = phases.get(name) ?? { ms: 0, calls: 0, work: 0 };
  p.ms += ms;
  p.calls++;
  p.work += work;
  phases.set(name, p);
}

/** Runs `fn` as the phase `name` (timed only while profiling); `work` counts its operations when known. */
export function phase<T>(name: string, fn: () => T, work?: () => number): T {
  if (!phases) return fn();
  const t = performance.now();
  try {
    return fn();
  } finally {
    addPhase(name, performance.now() - t, work ? work() : 0);
  }
}

export function profiling(): boolean {
  return phases !== null;
}

/** The phases in the order they first ran, and stops profiling. */
export function stopProfile(): { name: string; ms: number; calls: number; work: number }[] {
  const out = [...(phases ?? new Map()).entries()].map(([name, p]) => ({ name, ...p }));
  phases = null;
  return out;
}
