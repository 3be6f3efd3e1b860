// Used by test/slurm/run.sh: exits 0 when the store in the first folder (shards of a Slurm array) holds every
// job of the second (a single-process run of the same preset) exactly once, with the same numbers. Plain JS
// on the built library, so the unit-test runner does not take it for a test.
import { readStoreFile, storeFiles } from '../../dist/src/experiments/store.js';

// What differs between two runs of the same job by design: when and where it ran, how long it took and how it used the machine.
function numbers(r) {
  const { seconds: _s, finishedAt: _f, provenance: _p, workers: _w, machine: _m, trace, ...rest } = r;
  const { seconds: _t, ...columns } = trace ?? {};
  return JSON.stringify({ ...rest, trace: columns });
}

function records(dir) {
  return storeFiles(dir).flatMap(readStoreFile);
}

const [arrayDir, singleDir] = process.argv.slice(2);
const array = records(arrayDir);
const single = new Map(records(singleDir).map((r) => [r.key, r]));
const seen = new Map();
for (const r of array) seen.set(r.key, (seen.get(r.key) ?? 0) + 1);
const problems = [];
for (const [key, count] of seen) if (count > 1) problems.push(`${key}: ${count} records in ${arrayDir}`);
for (const key of single.keys()) if (!seen.has(key)) problems.push(`${key}: missing from ${arrayDir}`);
for (const r of array) {
  const twin = single.get(r.key);
  if (!twin) problems.push(`${r.key}: not a job of ${singleDir}`);
  else if (r.status !== 'ok') problems.push(`${r.key}: ${r.status} (${r.error ?? ''})`);
  else if (numbers(r) !== numbers(twin)) problems.push(`${r.key}: numbers differ from the single-process run`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${array.length} records, each job once, the same numbers as the single-process run`);
