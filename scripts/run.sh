#!/usr/bin/env bash
# The run command: builds Ariadne and starts ariadne-all-in-one on the embedded store.
#
#   scripts/run.sh [flags for ariadne-all-in-one]
#
# Until the all-in-one service lands (issues 3 and 4) the tree holds libtracecore and its tools
# only; this script then builds them and says so instead of pretending to start a server.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build

binary=build/services/all-in-one/ariadne-all-in-one
if [[ -x "$binary" ]]; then
  exec "$binary" "$@"
fi
echo "run.sh: built libtracecore and its tools; no service exists yet (ariadne-all-in-one arrives"
echo "with the collector and local-store issues). Try: build/tests/bench/codec_bench"
exit 2
