# anmin: `make run` (quick reproduction, offline with a mirror) and `make test`.
# The dataset mirror defaults to ../shared/data when it exists; override with ANMIN_MIRROR=DIR.
ANMIN_MIRROR ?= $(abspath $(wildcard ../shared/data))
export ANMIN_MIRROR
ANMIN := node bin/anmin.js

.PHONY: run test build bench clean

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: node_modules/.installed dist/wasm/firing.wasm
	node_modules/.bin/tsc -p .

# The SIMD kernels (AssemblyScript → WebAssembly), loaded from dist/wasm at run time.
dist/wasm/%.wasm: assembly/%.ts node_modules/.installed
	@mkdir -p dist/wasm
	node_modules/.bin/asc $< -o $@ -O3 --enable simd --runtime stub --noAssert

run: build
	$(ANMIN) datasets fetch abalone bike-sharing sdf dae
	$(ANMIN) bench anmin --dataset abalone --split 0

test: build
	cd dist/test && node --test --test-reporter=spec

bench: build
	node dist/bench/peer.js

clean:
	rm -rf dist results
