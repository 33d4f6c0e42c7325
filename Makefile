# pilotfish — common tasks. `make up` runs the main job, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

.PHONY: help
help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

.PHONY: build
build: node_modules ## bundle the CLI to dist/ (esbuild; bin/pilotfish.mjs runs only dist/)
	node scripts/build.mjs

.PHONY: typecheck
typecheck: node_modules ## type-check without emitting
	npx tsc -p tsconfig.json --noEmit

.PHONY: crds
crds: node_modules ## regenerate charts/pilotfish/crds/istio.yaml from the validation schemas
	npx tsx scripts/gen-crds.ts

.PHONY: controlplane
controlplane: ## build kube-apiserver, kube-controller-manager, kubectl and etcd from Go modules (cached)
	bash test/kind/build-controlplane.sh

.PHONY: helm
helm: ## build helm from Go modules (cached), for the chart tests
	bash test/kind/build-helm.sh

.PHONY: up
up: node_modules controlplane build ## main job: local control plane + pilotfish + an injected Deployment
	bash test/kind/up

.PHONY: down
down: ## stop the local control plane and pilotfish
	bash test/kind/down

.PHONY: test-unit
test-unit: node_modules ## unit tests only (no Kubernetes)
	bash test/run-tests.sh unit

.PHONY: test
test: node_modules controlplane helm build ## all tests: unit, CLI, webhook over HTTPS, end-to-end on a local API server
	npx tsc -p tsconfig.json --noEmit
	bash test/run-tests.sh all

.PHONY: fuzz
fuzz: node_modules build ## long fuzzing run: injection core, validators and HTTPS server (PILOTFISH_FUZZ_RUNS cases a target, default 10000; PILOTFISH_FUZZ_SEED, default a new one), then connection abuse
	PILOTFISH_FUZZ_RUNS=$${PILOTFISH_FUZZ_RUNS:-10000} PILOTFISH_FUZZ_SEED=$${PILOTFISH_FUZZ_SEED:-$$(date +%s)} node --import tsx --test --test-concurrency=1 test/unit/inject-fuzz.test.ts test/unit/validate-fuzz.test.ts test/unit/webhook-fuzz.test.ts test/unit/connection-abuse.test.ts

.PHONY: conformance
conformance: node_modules build ## Istio 1.30.3 conformance runners on the in-tree corpora (test/conformance), with field-level operator diffs
	node test/conformance/istio-inject/run.mjs
	node test/conformance/istio-inject/run.mjs --cases test/conformance/istioctl-inject/cases.json --testdata test/conformance/istioctl-inject/testdata
	node test/conformance/istio-inject/run.mjs --cases test/conformance/istio-inject-all/cases.json --testdata test/conformance/istio-inject-all/testdata
	node test/conformance/istio-inject/run.mjs --cases test/conformance/istioctl-inject-templates/cases.json --testdata test/conformance/istioctl-inject-templates/testdata
	node test/conformance/istio-validate/run.mjs
	node test/conformance/istio-operator/run.mjs --fields --ignore-labels
	node test/conformance/istio-operator/run.mjs --cases test/conformance/istioctl-manifest/cases.json --fields --ignore-labels

.PHONY: bench
bench: build ## benchmarks: CLI cold start, injection core, webhook at 1,000 req/s (vegeta) and under load (+ Istio's Go injector when ISTIO_GIT_DIR is set), operator apply time and footprint; writes bench/results/
	node --import tsx bench/run.ts
	node --import tsx bench/operator.ts

.PHONY: bench-core
bench-core: build ## the in-process injection pipeline only: built-in code, the template path (custom template, Istio's sidecar text) and Istio's Go figures; writes bench/results/core.json
	node --import tsx bench/run.ts --core

.PHONY: soak
soak: node_modules controlplane helm build ## soak with restarts, 10 min: load through 2 replicas while replicas (SIGTERM, SIGKILL), kube-apiserver and etcd restart; writes bench/results/soak.json
	SOAK_DURATION=$${SOAK_DURATION:-10m} SOAK_OUT=$${SOAK_OUT:-bench/results/soak.json} node --import tsx --test test/kind/soak.test.ts

.PHONY: operator-faults
operator-faults: node_modules controlplane build ## the operator under API faults with 60 s quiet windows (make test runs 15 s): restarts, 410, 409, 429, deletions, two IstioOperators
	OPERATOR_FAULTS_QUIET_MS=$${OPERATOR_FAULTS_QUIET_MS:-60000} node --import tsx --test test/kind/operator-faults.test.ts
