import { existsSync } from 'node:fs';
import { loadProtocol, protocolPath, type Protocol } from '../experiments/protocol.js';
import { identity, type FinalMetrics, type JobRecord } from '../experiments/store.js';
import { provenanceLines } from '../experiments/provenance.js';
import { AnminError } from '../util/errors.js';

const rank = (name: string, known: string[]) => (known.includes(name) ? known.indexOf(name) : known.length);

/** Records of one experiment, by dataset, method and split (successful runs only). */
export class ResultGrid {
  private readonly ok = new Map<string, Map<number, JobRecord>>();
  readonly failed: JobRecord[] = [];
  /** The experiment's protocol file under experiments/, when it has one (a user's may live anywhere). */
  readonly protocol: Protocol | undefined;
  readonly datasets: string[];
  readonly methods: string[];

  constructor(records: JobRecord[], readonly experiment: string) {
    for (const r of records) {
      if (r.experiment !== experiment) continue;
      if (r.status !== 'ok') {
        this.failed.push(r);
        continue;
      }
      const k = `${r.dataset}\u0000${r.method}`;
      if (!this.ok.has(k)) this.ok.set(k, new Map());
      this.ok.get(k)!.set(r.split, r);
    }
    // One cell pools runs of one protocol: records produced with other options are not averaged in.
    for (const runs of this.ok.values()) {
      const [first, ...rest] = [...runs.values()];
      const other = rest.find((r) => identity(r) !== identity(first));
      if (other) throw new AnminError(`${experiment} ${first.dataset}/${first.method}: split ${first.split} was run with ${identity(first)} and split ${other.split} with ${identity(other)}; rerun the cell into one store (anmin run … reruns what changed)`);
    }
    const file = protocolPath(experiment);
    this.protocol = existsSync(file) ? loadProtocol(file) : undefined;
    // Datasets and methods that ran, in the order of the protocol (others after, by name); a user's
    // protocol, not in experiments/, in the order its runs were stored: the order its file lists them.
    const all = [...this.succeeded(), ...this.failed];
    const order = (names: Iterable<string>, known: string[]) =>
      known.length ? [...new Set(names)].sort((a, b) => rank(a, known) - rank(b, known) || a.localeCompare(b, 'en', { numeric: true })) : [...new Set(names)];
    this.datasets = order(all.map((r) => r.dataset), Object.keys(this.protocol?.datasets ?? {}));
    this.methods = order(all.map((r) => r.method), Object.keys(this.protocol?.methods ?? {}));
  }

  runs(dataset: string, method: string): Map<number, JobRecord> | undefined {
    return this.ok.get(`${dataset}\u0000${method}`);
  }

  /** One run of the cell, for what every run of it shares (trainer, options, the data's params). */
  first(dataset: string, method: string): JobRecord | undefined {
    return this.runs(dataset, method)?.values().next().value;
  }

  /** Methods whose runs satisfy `is` (by their trainer and options, never by name), in axis order. */
  methodsWhere(is: (r: JobRecord) => boolean): string[] {
    return this.methods.filter((m) => this.datasets.some((d) => {
      const r = this.first(d, m);
      return r !== undefined && is(r);
    }));
  }

  /** Datasets whose runs satisfy `is` (by their data's params), in axis order. */
  datasetsWhere(is: (r: JobRecord) => boolean): string[] {
    return this.datasets.filter((d) => this.methods.some((m) => {
      const r = this.first(d, m);
      return r !== undefined && is(r);
    }));
  }

  /** Every successful run of the experiment, in no particular order. */
  succeeded(): JobRecord[] {
    return [...this.ok.values()].flatMap((m) => [...m.values()]);
  }

  /** A table's notes: where the runs came from (machine, code), then the failed runs left out. */
  notes(): string[] {
    const by = new Map<string, JobRecord[]>();
    for (const r of this.failed) by.set(`${r.dataset}/${r.method}`, [...(by.get(`${r.dataset}/${r.method}`) ?? []), r]);
    return [...provenanceLines(this.succeeded()), ...[...by].map(([k, rs]) => `${k}: ${rs.length} failed run(s), left out of the averages (split ${rs[0].split}: ${rs[0].error})`)];
  }
}

/** A store's records grouped once per report: one grid per experiment, each protocol read once. */
export class Results {
  private readonly grids = new Map<string, ResultGrid>();
  private readonly byExperiment = new Map<string, JobRecord[]>();

  constructor(readonly records: JobRecord[]) {
    for (const r of records) {
      const mine = this.byExperiment.get(r.experiment);
      if (mine) mine.push(r);
      else this.byExperiment.set(r.experiment, [r]);
    }
  }

  /** The experiments the records hold, by name. */
  get experiments(): string[] {
    return [...this.byExperiment.keys()].sort();
  }

  /** The experiment's grid (empty when the records hold none of its runs). */
  grid(experiment: string): ResultGrid {
    let g = this.grids.get(experiment);
    if (!g) this.grids.set(experiment, (g = new ResultGrid(this.byExperiment.get(experiment) ?? [], experiment)));
    return g;
  }
}

export type Metric = keyof FinalMetrics | 'seconds';
export type Values = Map<number, number>;

/** A cell's value per split, from each run alone (runs without one left out); undefined when none has one. */
export function perRun(runs: Map<number, JobRecord> | undefined, value: (r: JobRecord) => number | undefined): Values | undefined {
  if (!runs) return undefined;
  const out: Values = new Map();
  for (const [split, r] of runs) {
    const v = value(r);
    if (typeof v === 'number') out.set(split, v);
  }
  return out.size ? out : undefined;
}

export function metricValues(runs: Map<number, JobRecord> | undefined, metric: Metric): Values | undefined {
  return perRun(runs, (r) => (metric === 'seconds' ? r.seconds : r.final?.[metric]));
}

/** Values at the splits both have, in split order, for a paired test. */
export function paired(a: Values, b: Values): [number[], number[]] {
  const splits = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  return [splits.map((s) => a.get(s)!), splits.map((s) => b.get(s)!)];
}
