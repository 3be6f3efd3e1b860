# anmin: `make run` (quick reproduction, offline with a mirror) and `make test`.
# The dataset mirror defaults to ../shared/data when it exists; override with ANMIN_MIRROR=DIR.
ANMIN_MIRROR ?= $(abspath $(wildcard ../shared/data))
export ANMIN_MIRROR
ANMIN := node bin/anmin.js

.PHONY: run test test-slurm build bench bench-kernels reproduce clean

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The SIMD kernels (AssemblyScript → dist/wasm, rebuilt when their source changed), then the TypeScript:
# the same script as `npm run build` and `prepare`.
build: node_modules/.installed
	node scripts/build.mjs

# The quick presets of Table 3 (sdf, abalone, bike-sharing × 8 methods × 5 splits) and of the Table 5
# ablation (4 variants × 5 splits) and of the planted study (half a minute), then their tables, figures and
# the check against the published numbers. Rerunning resumes where it stopped.
run: build
	$(ANMIN) datasets fetch abalone bike-sharing sdf dae
	$(ANMIN) run table3 --preset quick
	$(ANMIN) run ablation --preset quick
	$(ANMIN) run planted --preset quick
	$(ANMIN) report table3 --out results/table3.md
	$(ANMIN) report table4 --out results/table4.md
	$(ANMIN) report table5 --out results/table5.md
	$(ANMIN) report planted --out results/planted.md
	$(ANMIN) plot --out results/figures
	$(ANMIN) report html --out results/report.html
	$(ANMIN) check --out results/check.txt

# By hand, not in CI (hours on 2 cores; every step resumes where it stopped): Table 4 from splits 0–9 of
# every Table 3 dataset, each run alone with the whole machine; Table 3 at the paper's 100 splits on the
# low-dimensional datasets (the other 90, two jobs at a time: Table 4 leaves them out) and the DAE on 10;
# Table 5 at 100 splits; the simulation's 8 cells × 100 runs; the planted study; then docs/reproduction.md,
# docs/planted.md and the figures from them.
REPRO := results/reproduction
reproduce: build
	$(ANMIN) datasets fetch abalone bike-sharing sdf dae
	$(ANMIN) reproduce --out $(REPRO)
	$(ANMIN) report all --in $(REPRO)/table3 $(REPRO)/dae $(REPRO)/ablation $(REPRO)/simulation --out docs/reproduction.md --figures docs/figures
	$(ANMIN) report planted --in $(REPRO)/planted --out docs/planted.md
	$(ANMIN) plot --in $(REPRO)/table3 $(REPRO)/dae $(REPRO)/ablation $(REPRO)/simulation $(REPRO)/planted --out docs/figures

test: build
	cd dist/test && node --test --test-reporter=spec

# The README's Slurm array script on a single-node cluster started here (root, slurm-wlm and munge needed):
# 3 tasks, one killed mid-run and resubmitted, the merged store compared with a single-process run.
test-slurm: build
	bash test/slurm/run.sh

bench: build
	node dist/bench/peer.js

# Each kernel alone, at bike-sharing's shape; other shapes and kernels: flags in bench/kernels.ts.
bench-kernels: build
	node dist/bench/kernels.js

clean:
	rm -rf dist results
