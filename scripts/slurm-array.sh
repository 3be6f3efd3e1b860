#!/bin/bash
#SBATCH --job-name=anmin
#SBATCH --array=0-19
#SBATCH --cpus-per-task=8
#SBATCH --mem=16G
#SBATCH --time=24:00:00
# One task per shard: anmin takes its shard from SLURM_ARRAY_TASK_ID (relative to SLURM_ARRAY_TASK_MIN) out of
# SLURM_ARRAY_TASK_COUNT and appends to its own results.shard-K-of-N.jsonl, so tasks need no lock between them.
# Resubmitting the whole array resumes every shard where it stopped; finished shards exit at once.
# Submit from the project folder; another experiment or preset:
#   sbatch --export=ALL,ANMIN_EXPERIMENT=ablation,ANMIN_PRESET=quick,ANMIN_OUT=/shared/results/ablation scripts/slurm-array.sh
set -euo pipefail
export ANMIN_MIRROR="${ANMIN_MIRROR:-/shared/anmin-data}" ANMIN_PROGRESS=0
exec node bin/anmin.js run "${ANMIN_EXPERIMENT:-table3}" --preset "${ANMIN_PRESET:-paper}" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" --out "${ANMIN_OUT:-/shared/results/table3}"
