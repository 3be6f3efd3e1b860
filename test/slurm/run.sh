#!/usr/bin/env bash
# make test-slurm: the README's array script on a real single-node Slurm cluster started here (its own munged,
# slurmctld and slurmd in a temporary folder, removed at the end). Needs root and Debian's slurm-wlm and munge
# (apt-get install -y slurm-wlm munge). Runs the ablation's quick preset as 3 array tasks, kills one task with
# SIGKILL mid-run, resubmits the array, merges, and checks every job is there once with the numbers of a
# single-process run of the same preset.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "test-slurm: $*" >&2; exit 1; }
for c in munged mungekey slurmctld slurmd sbatch squeue scancel sinfo; do
  command -v "$c" >/dev/null || fail "$c not found: install Slurm from Debian's packages (apt-get install -y slurm-wlm munge)"
done
[ "$(id -u)" = 0 ] || fail "needs root: it starts munged, slurmctld and slurmd"
[ -n "${ANMIN_MIRROR:-}" ] || fail "ANMIN_MIRROR is not set (make test-slurm sets it to ../shared/data)"

work="$(mktemp -d /tmp/anmin-slurm.XXXXXX)"
export SLURM_CONF="$work/slurm.conf" ANMIN_CACHE="$work/cache" ANMIN_PROGRESS=0
stop() {
  for pid in "$work"/slurmd.pid "$work"/slurmctld.pid "$work"/munged.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$work"
}
trap stop EXIT

node="$(hostname -s)"
mungekey --create --keyfile="$work/munge.key"
munged --force --socket="$work/munge.sock" --key-file="$work/munge.key" --pid-file="$work/munged.pid" \
  --log-file="$work/munged.log" --seed-file="$work/munged.seed"
mkdir -p "$work/state" "$work/spool"
cat > "$SLURM_CONF" <<CONF
ClusterName=anmintest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i
slurmd
for _ in $(seq 60); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 1
done
[ "$(sinfo -h -o %T)" = idle ] || fail "the Slurm node did not come up: $(tail -n 3 "$work/slurmd.log" "$work/slurmctld.log")"

# The single-process run to compare with (also fills the data cache the tasks share).
node bin/anmin.js run ablation --preset quick --workers 1 --out "$work/single" >/dev/null

submit() {
  sbatch --parsable --array=0-2 --cpus-per-task=1 --mem=500M --time=30 --output="$work/task-%A_%a.out" \
    --export="ALL,ANMIN_EXPERIMENT=ablation,ANMIN_PRESET=quick,ANMIN_OUT=$work/array" scripts/slurm-array.sh
}
wait_for() {
  for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 1
  done
  fail "array job $1 did not finish in 10 minutes"
}
records() { [ -f "$1" ] && grep -c '' "$1" || echo 0; }

job="$(submit)"
victim="$work/array/results.shard-1-of-3.jsonl"
for _ in $(seq 1200); do
  [ "$(records "$victim")" -ge 2 ] && break
  sleep 0.1
done
[ "$(records "$victim")" -ge 2 ] || fail "task 1 wrote no records: $(cat "$work"/task-*_1.out)"
# SIGKILL to the batch step (node itself: the script execs it), as an OOM killer or a lost node would.
scancel --batch --signal=KILL "${job}_1"
wait_for "$job"
kept="$(records "$victim")"
# The preset's 20 jobs over 3 shards: shard 1 has 7; fewer kept means the kill came mid-run.
[ "$kept" -lt 7 ] || fail "task 1 finished before it was killed; nothing was tested"
echo "test-slurm: array $job ran; task 1 killed with SIGKILL after $kept of its 7 jobs"

job="$(submit)"
wait_for "$job"
grep -q "^anmin:" "$work/task-${job}"_*.out && fail "a task failed: $(cat "$work/task-${job}"_*.out)"
echo "test-slurm: resubmitted as $job; shard 1 now has $(records "$victim") records"
node test/slurm/same-store.mjs "$work/array" "$work/single"
node bin/anmin.js merge "$work/array" --out "$work/merged" >/dev/null
node test/slurm/same-store.mjs "$work/merged" "$work/single"
echo "test-slurm: passed"
