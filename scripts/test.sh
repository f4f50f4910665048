#!/usr/bin/env bash
# The test command: setup + configure + build + every test (unit, collector in-process tests,
# end-to-end tests with the real OpenTelemetry clients, fuzz smoke, benchmark smoke).
#
#   scripts/test.sh                 everything, as CI runs it
#   ARIADNE_FUZZ_SECONDS=60 scripts/test.sh   longer fuzz runs (default 10 s per target)
#
# Build trees: build/ (RelWithDebInfo, gcc) and build-fuzz/ (clang + libFuzzer + ASan/UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${ARIADNE_FUZZ_SECONDS:-10}

step() { printf '\n== %s\n' "$*"; }

step "setup"
scripts/setup.sh
scripts/setup-e2e.sh

step "configure + build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "$JOBS"

step "style (clang-format, clang-tidy)"
scripts/format.sh --check
scripts/tidy.sh

step "unit tests"
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 120

step "codec benchmark (short mode)"
build/tests/bench/codec_bench --short

step "local store benchmark (short mode)"
build/tests/bench/local_store_bench --short

step "query benchmark (short mode)"
build/tests/bench/query_bench --short

step "agent benchmark (short mode)"
python3 tests/bench/agent_bench.py --build build --short

step "fuzz targets (${FUZZ_SECONDS}s each, clang + ASan/UBSan)"
scripts/fuzz.sh "$FUZZ_SECONDS"

echo
echo "scripts/test.sh: all steps passed"
