#!/usr/bin/env bash
# Runs every test file with node's own test runner (CI reads its summary).
# Usage: test/run-tests.sh [unit|e2e|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
files=()
case "$which" in
  unit) mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/kind/*' | sort) ;;
  e2e) mapfile -t files < <(find test/kind -name '*.test.ts' | sort) ;;
  all) mapfile -t files < <(find test -name '*.test.ts' | sort) ;;
  *) echo "usage: $0 [unit|e2e|all]" >&2; exit 2 ;;
esac
if [ ${#files[@]} -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
# The CLI tests, the conformance runners and the e2e suites spawn bin/pilotfish.mjs, which runs only the
# bundle in dist/: build it from the current sources first (well under a second; the swap is atomic).
node scripts/build.mjs
exec node --import tsx --test --test-concurrency=1 "${files[@]}"
