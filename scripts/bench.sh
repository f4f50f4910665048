#!/usr/bin/env bash
# Builds and runs the benchmarks (docs/benchmarks.md says how to read them).
#   scripts/bench.sh                 codec benchmark, full run
#   scripts/bench.sh --only thrift   codec_bench flags pass through
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build codec_bench
exec build/tests/bench/codec_bench "$@"
