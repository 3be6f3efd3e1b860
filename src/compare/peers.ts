import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AnminError } from '../util/errors.js';
import { packageRoot } from '../util/fsx.js';

/** scikit-learn's models that `anmin compare` runs beside anmin's (scripts/sklearn_peers.py builds them). */
export const PEERS = ['sk-mlp-lbfgs', 'sk-mlp-adam', 'sk-ridge', 'sk-hgb'] as const;

/** The peers that are anmin's network trained otherwise: MLPRegressor with 64 hidden ReLUs. */
export const MLP_PEERS: readonly string[] = ['sk-mlp-lbfgs', 'sk-mlp-adam'];

/** One fit: the method's test and training MSE (standardized inputs, centred targets) and its fit's wall seconds. */
export interface CompareRecord {
  method: string;
  split: number;
  test_mse: number | null;
  train_mse: number | null;
  seconds: number;
  train_rows: number;
  test_rows: number;
  /** Σ of the raw test targets, left to right: equal for every method of a split when all saw the same rows. */
  test_target_sum: number;
  /** auto: the method it chose for this split's rows. */
  chose?: string;
  /** auto: the linear fit beat the network on this split's validation rows and was kept (ValidationSettings.linear). */
  linear?: true;
}

export const PEER_INSTALL = 'apt-get install -y python3-sklearn, or pip install scikit-learn';

/** What the script is given: the raw table, each split's rows by index (and the indicator columns its test rows zero: unseenIndicators), the peers to fit. */
export interface PeerJob {
  n: number;
  d: number;
  c: number;
  x: Float64Array;
  y: Float64Array;
  methods: string[];
  splits: { split: number; train: Int32Array; test: Int32Array; unseen: number[] }[];
}

const script = () => join(packageRoot(), 'scripts', 'sklearn_peers.py');

/**
 * The Pythons that may run the peers, in order: $ANMIN_PYTHON alone when set; else python3 on the PATH,
 * then the system's /usr/bin/python3 (Debian's python3-sklearn lives there, while a pyenv or venv
 * python3 first on the PATH often lacks it).
 */
export function peerPythons(): string[] {
  return process.env.ANMIN_PYTHON ? [process.env.ANMIN_PYTHON] : ['python3', '/usr/bin/python3'];
}

/** scikit-learn's version under `python`, or undefined when that Python is missing or lacks it. */
function sklearnVersion(python: string): string | undefined {
  const r = spawnSync(python, [script(), '--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  try {
    return (JSON.parse(r.stdout) as { sklearn: string }).sklearn;
  } catch {
    return undefined;
  }
}

/**
 * Runs the peers in one Python process, each result passed to `each` as its line arrives (a throw
 * there stops the process and rejects). The table goes as raw float64 files, so Python reads the very
 * doubles anmin has; a Python without scikit-learn skips the peers with the install line instead.
 */
export async function runPeers(job: PeerJob, each: (r: CompareRecord) => void): Promise<{ sklearn?: string; skipped?: string }> {
  let found: { python: string; sklearn: string } | undefined;
  for (const python of peerPythons()) {
    const sklearn = sklearnVersion(python);
    if (sklearn) {
      found = { python, sklearn };
      break;
    }
  }
  if (!found) return { skipped: `scikit-learn peers skipped: ${peerPythons().join(' or ')} with scikit-learn not found (install: ${PEER_INSTALL}; or set ANMIN_PYTHON to a Python that has it)` };
  const { python, sklearn } = found;
  const dir = mkdtempSync(join(tmpdir(), 'anmin-peers-'));
  try {
    writeFileSync(join(dir, 'x.f64'), new Uint8Array(job.x.buffer, job.x.byteOffset, job.x.byteLength));
    writeFileSync(join(dir, 'y.f64'), new Uint8Array(job.y.buffer, job.y.byteOffset, job.y.byteLength));
    const splits = job.splits.map((s) => ({ split: s.split, train: Array.from(s.train), test: Array.from(s.test), unseen: s.unseen }));
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ n: job.n, d: job.d, c: job.c, methods: job.methods, splits }));
    await new Promise<void>((resolve, reject) => {
      const child = spawn(python, [script(), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let failed: unknown;
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (failed || !line.trim()) return;
        try {
          each(JSON.parse(line) as CompareRecord);
        } catch (e) {
          failed = e;
          child.kill();
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (failed) return reject(failed);
        const last = stderr.trim().split('\n').pop() ?? '';
        if (code !== 0) reject(new AnminError(`scikit-learn peers: ${python} ${script()} exited with ${code ?? 'a signal'}${last ? `: ${last}` : ''}`));
        else resolve();
      });
    });
    return { sklearn };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
