import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandJobs, loadProtocol, shardJobs, type Job } from '../../src/experiments/protocol.js';
import { parseShard, parseSplits, shardFromEnv } from '../../src/experiments/splits.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { expectedSeconds, planReproduction, runReproduction, type Phase } from '../../src/experiments/reproduction.js';
import { readResults, type JobRecord } from '../../src/experiments/store.js';
import { render } from '../../src/report/render.js';
import { reportTables } from '../../src/report/experiments/index.js';
import { Results } from '../../src/report/results.js';

const simulationTables = (rs: JobRecord[]) => reportTables(new Results(rs), 'simulation');
import { ROOT, tempDir } from '../helpers.js';

/** A protocol small enough to run many times: two generated datasets, ANMIN and Adam, few iterations. */
function tinyProtocol(): string {
  const file = join(tempDir('anmin-protocol'), 'simulation-tiny.json');
  writeFileSync(file, JSON.stringify({
    name: 'simulation',
    description: 'test',
    datasets: {
      'sim-d1-tiny': { source: 'sim', params: { simD: 1, simN: 150 }, options: { hidden: 6 } },
      'sim-d3-tiny': { source: 'sim', params: { simD: 3, simN: 150 }, options: { hidden: 6 } },
    },
    methods: { ANMIN: { trainer: 'anmin', options: { iterations: 4 } }, Adam: { trainer: 'adam', options: { iterations: 6 } } },
    splits: 3,
    presets: { quick: { splits: 2 } },
  }));
  return file;
}

/** What must not depend on how a run was spread: every number but the wall-clock ones. */
function numbers(rs: JobRecord[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of [...rs].sort((a, b) => a.key.localeCompare(b.key))) out[r.key] = { final: r.final, selected: r.selected, train: r.trace?.trainMse, test: r.trace?.testMse };
  return out;
}

const CLI = join(ROOT, 'bin', 'anmin.js');

test('protocol files: presets, names case-insensitively, splits and shards', () => {
  const p = loadProtocol('table3');
  const quick = expandJobs(p, { preset: 'quick', methods: ['anmin', 'adam-l'] });
  assert.equal(quick.length, 3 * 2 * 5);
  assert.deepEqual([...new Set(quick.map((j) => j.method))], ['ANMIN', 'Adam-L']);
  assert.equal(quick[0].options.alpha, undefined);
  assert.equal(quick.find((j) => j.method === 'Adam-L')!.options.alpha, 0.1);
  assert.deepEqual(parseSplits('0..3,7,2'), [0, 1, 2, 3, 7]);
  assert.throws(() => parseSplits('3..1'), /--splits/);
  assert.throws(() => parseShard('2/2'), /--shard/);
  const parts = [0, 1, 2].map((k) => shardJobs(quick, { index: k, count: 3 }).map((j) => j.key));
  assert.deepEqual(parts.flat().sort(), quick.map((j) => j.key).sort());
  assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_COUNT: '3' }), { index: 1, count: 3 });
  assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '2', ANMIN_SHARDS: '4' }), { index: 2, count: 4 });
  assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '2' }), /ANMIN_SHARDS/);
  assert.throws(() => expandJobs(p, { datasets: ['nope'] }), /no dataset "nope"/);
  // A dataset's "inputs" reaches its jobs; anything but the known modes is refused, naming the file.
  assert.ok(quick.every((j) => j.inputs === 'standardized-all'));
  assert.ok(expandJobs(loadProtocol('ablation')).every((j) => j.inputs === 'raw'));
  // A method's summary rule reaches its jobs; an unknown one is refused.
  assert.ok(quick.every((j) => j.summary === 'selected'));
  const bad = join(tempDir('anmin-protocol'), 'bad.json');
  writeFileSync(bad, JSON.stringify({ name: 'bad', description: '', datasets: { abalone: { inputs: 'scaled' } }, methods: { A: { trainer: 'adam' } }, splits: 1, presets: {} }));
  assert.throws(() => loadProtocol(bad), /bad\.json: \/datasets\/abalone\/inputs: must be one of standardized, standardized-all, raw/);
  writeFileSync(bad, JSON.stringify({ name: 'bad', description: '', datasets: { abalone: {} }, methods: { A: { trainer: 'adam', summary: 'best' } }, splits: 1, presets: {} }));
  assert.throws(() => loadProtocol(bad), /bad\.json: method "A": "summary" must be one of selected, published-min, published-last/);
});

test('jobs run split by split; the same jobs give the same numbers with 1 or 2 workers, and a rerun skips finished jobs', async () => {
  const proto = tinyProtocol();
  const one = tempDir();
  const two = tempDir();
  const s1 = await runExperiment({ experiment: proto, out: one, workers: 1 });
  const s2 = await runExperiment({ experiment: proto, out: two, workers: 2 });
  assert.equal(s1.ran, 12);
  assert.equal(s1.failed, 0);
  // One worker runs them split by split, each split in the protocol's order (cells, then methods).
  assert.deepEqual(readResults([one]).map((r) => r.key), [0, 1, 2].flatMap((k) => ['sim-d1-tiny/ANMIN', 'sim-d1-tiny/Adam', 'sim-d3-tiny/ANMIN', 'sim-d3-tiny/Adam'].map((c) => `simulation/${c}/${k}`)));
  assert.deepEqual(numbers(readResults([one])), numbers(readResults([two])));
  const again = await runExperiment({ experiment: proto, out: one, workers: 2 });
  assert.equal(again.ran, 0);
  assert.equal(again.skipped, 12);
});

test('a timed protocol run one job at a time gives each job the machine; its records say how they used it, with no threads among the options', async () => {
  const file = tinyProtocol();
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), timed: true }));
  const alone = tempDir();
  await runExperiment({ experiment: file, out: alone, workers: 1, splits: [0] });
  const shared = tempDir();
  await runExperiment({ experiment: file, out: shared, workers: 2, splits: [0] });
  for (const [dir, threads] of [[alone, availableParallelism()], [shared, 1]] as const) {
    const rs = readResults([dir]);
    assert.equal(rs.length, 4);
    for (const r of rs) {
      assert.equal(r.machine?.clock, 'training');
      assert.equal(r.machine?.threads, threads);
      assert.ok(r.machine!.wallSeconds >= r.seconds!, `${r.key}: ${r.machine!.wallSeconds} s of wall time, ${r.seconds} s of training`);
      assert.equal(r.options.threads, undefined);
    }
  }
  // The thread count is a resource, not an option: the numbers are the same.
  assert.deepEqual(numbers(readResults([alone])), numbers(readResults([shared])));
});

test('a stored job produced with other options is run again, and a table never pools the two', async () => {
  const proto = tinyProtocol();
  const out = tempDir();
  await runExperiment({ experiment: proto, out, workers: 2, splits: [0, 1] });
  const p = JSON.parse(readFileSync(proto, 'utf8'));
  p.methods.ANMIN.options.iterations = 3;
  writeFileSync(proto, JSON.stringify(p));
  // Only split 0 first: the ANMIN cells then hold split 0 at 3 iterations beside split 1 at 4.
  const partial = await runExperiment({ experiment: proto, out, workers: 2, splits: [0] });
  assert.equal(partial.ran, 2);
  // Either ANMIN cell may be named first: the two reruns finish in either order on two workers.
  assert.throws(() => simulationTables(readResults([out])), /sim-d[13]-tiny\/ANMIN: split \d was run with .*"iterations":[34].* and split \d with .*"iterations":[34]/);
  const rest = await runExperiment({ experiment: proto, out, workers: 2, splits: [0, 1] });
  assert.equal(rest.ran, 2);
  assert.equal(rest.skipped, 6);
  assert.ok(readResults([out]).filter((r) => r.method === 'ANMIN').every((r) => r.options.iterations === 3));
  simulationTables(readResults([out]));
});

test('a method run by another trainer under the same name is run again, not reported as done', async () => {
  const proto = tinyProtocol();
  const out = tempDir();
  await runExperiment({ experiment: proto, out, workers: 1, splits: [0], methods: ['Adam'] });
  const p = JSON.parse(readFileSync(proto, 'utf8'));
  p.methods.Adam.trainer = 'sgd';
  writeFileSync(proto, JSON.stringify(p));
  const again = await runExperiment({ experiment: proto, out, workers: 1, splits: [0], methods: ['Adam'] });
  assert.equal(again.ran, 2);
  assert.deepEqual(readResults([out]).map((r) => r.trainer), ['sgd', 'sgd']);
});

test('four shards run as separate processes merge to the same table as one run', () => {
  const proto = tinyProtocol();
  const single = tempDir();
  const shards = tempDir();
  const merged = tempDir();
  const env = { ...process.env, ANMIN_PROGRESS: '0' };
  assert.equal(spawnSync(process.execPath, [CLI, 'run', proto, '--out', single, '--workers', '2'], { env }).status, 0);
  const procs = [0, 1, 2, 3].map((k) => spawnSync(process.execPath, [CLI, 'run', proto, '--out', shards, '--workers', '1'], { env: { ...env, SLURM_ARRAY_TASK_ID: String(k), SLURM_ARRAY_TASK_COUNT: '4' } }));
  for (const p of procs) assert.equal(p.status, 0, p.stderr.toString());
  for (const k of [0, 1, 2, 3]) assert.ok(existsSync(join(shards, `results.shard-${k}-of-4.jsonl`)));
  assert.equal(spawnSync(process.execPath, [CLI, 'merge', shards, '--out', merged]).status, 0);
  assert.deepEqual(numbers(readResults([merged])), numbers(readResults([single])));
  assert.equal(render(simulationTables(readResults([merged])), 'md'), render(simulationTables(readResults([single])), 'md'));
});

test('a run stopped by SIGTERM exits 143 (128 + 15) and keeps its finished jobs', async () => {
  const proto = tinyProtocol();
  const out = tempDir();
  const store = join(out, 'results.jsonl');
  const child = spawn(process.execPath, [CLI, 'run', proto, '--out', out, '--workers', '1'], { env: { ...process.env, ANMIN_PROGRESS: '0' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = setInterval(() => {
    if (existsSync(store) && readFileSync(store, 'utf8').length > 0) {
      child.kill('SIGTERM');
      clearInterval(poll);
    }
  }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 128 + 15, stderr);
  assert.match(stderr, /anmin: stopped by SIGTERM/);
  assert.ok(readResults([out]).length >= 1);
});

test('without --out a protocol given by path writes to results/<its name> under the current folder', () => {
  const proto = tinyProtocol();
  const cwd = tempDir('anmin-cwd');
  const r = spawnSync(process.execPath, [CLI, 'run', proto, '--splits', '0', '--methods', 'ANMIN', '--workers', '1'], { cwd, encoding: 'utf8', env: { ...process.env, ANMIN_PROGRESS: '0' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readResults([join(cwd, 'results', 'simulation')]).length, 2);
  assert.deepEqual(readdirSync(cwd), ['results']);
});

test('a killed run, rerun, ends with the same numbers as an uninterrupted one', async () => {
  const proto = tinyProtocol();
  const whole = tempDir();
  const killed = tempDir();
  await runExperiment({ experiment: proto, out: whole, workers: 1 });
  const store = join(killed, 'results.jsonl');
  // Kill as soon as the first job has landed, mid-way through the others.
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', proto, '--out', killed, '--workers', '1'], { stdio: 'ignore', env: { ...process.env, ANMIN_PROGRESS: '0' } });
    const poll = setInterval(() => {
      if (existsSync(store) && readFileSync(store, 'utf8').length > 0) {
        child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 5);
    child.on('exit', () => resolve());
  });
  const partial = readResults([killed]).length;
  assert.ok(partial >= 1 && partial < 12, `killed after ${partial} jobs`);
  const rest = await runExperiment({ experiment: proto, out: killed, workers: 2 });
  assert.equal(rest.ran, 12 - partial);
  assert.deepEqual(numbers(readResults([killed])), numbers(readResults([whole])));
});

test('a reproduction runs its phases in order into their stores, counts a job two phases share once, and resumes', async () => {
  const proto = tinyProtocol();
  const root = tempDir();
  const phases: Phase[] = [
    { name: 'split 0 alone', experiment: proto, preset: 'quick', splits: '0', workers: 1, store: 'sim' },
    { name: 'all splits', experiment: proto, preset: 'quick', workers: 2, store: 'sim' },
    { name: 'elsewhere', experiment: proto, preset: 'quick', splits: '1', workers: 2, store: 'other' },
  ];
  const plan = await planReproduction(root, {}, phases);
  assert.deepEqual(plan.map((p) => [p.jobs, p.pending]), [[4, 4], [8, 4], [4, 4]]);
  const { runs } = await runReproduction(root, {}, phases);
  assert.deepEqual(runs.map((r) => r.ran), [4, 4, 4]);
  assert.equal(readResults([join(root, 'sim')]).length, 8);
  assert.equal(readResults([join(root, 'sim')]).filter((r) => r.workers === 1).length, 4, 'the first phase ran alone');
  assert.deepEqual((await planReproduction(root, {}, phases)).map((p) => p.pending), [0, 0, 0]);
  assert.deepEqual((await runReproduction(root, {}, phases)).runs, []);
  const wider = [...phases, { name: 'more splits', experiment: proto, preset: 'quick', splits: '0..2', workers: 2, store: 'sim' }];
  const more = (await planReproduction(root, {}, wider))[3];
  assert.ok(more.pending > 0 && more.work.size === more.pending);
  const stored = [...readResults([join(root, 'sim')]), ...readResults([join(root, 'other')])];
  for (const [key, work] of more.work) {
    const [, dataset, method] = key.split('/');
    const runs = stored.filter((r) => r.dataset === dataset && r.method === method).map((r) => r.machine!.wallSeconds);
    assert.equal(work, runs.reduce((a, b) => a + b, 0) / runs.length / 2, `${key}: its cell's mean, over the 2 jobs at once`);
  }
});

test("a job is expected to take its cell's mean seconds, else its data set's runs by its trainer, else the median run's", () => {
  const rec = (dataset: string, method: string, trainer: string, seconds: number, params?: Record<string, number>) =>
    ({ key: `${dataset}/${method}/${seconds}`, experiment: 'e', dataset, method, trainer, split: 0, seed: 0, status: 'ok', seconds, options: {}, ...(params ? { params } : {}) }) as JobRecord;
  const job = (dataset: string, method: string, trainer: string, params: Record<string, number> = {}) => ({ experiment: 'e', dataset, method, trainer, params }) as Job;
  const expected = expectedSeconds([rec('a', 'ANMIN', 'anmin', 2), rec('a', 'ANMIN', 'anmin', 4), rec('a', 'Adam', 'adam', 30), rec('b', 'Adam', 'adam', 10, { d: 1 }), rec('b', 'Adam', 'adam', 50, { d: 3 })]);
  assert.equal(expected(job('a', 'ANMIN', 'anmin')), 3);
  assert.equal(expected(job('b', 'Adam', 'adam', { d: 3 })), 50);
  assert.equal(expected(job('a', 'ANMIN (no refit)', 'anmin')), 3, "Table 5's variant from the trainer's runs on its data set");
  assert.equal(expected(job('c', 'Adam', 'adam')), 10, 'the median run');
  assert.equal(expectedSeconds([])(job('a', 'ANMIN', 'anmin')), 1);
});
