#!/usr/bin/env bash
# Builds every libFuzzer target (clang-14, ASan + UBSan) into build-fuzz/ and runs each one for
# the given number of seconds (default 60), seeded with the wire fixtures; JOBS of them at once
# (default: one per core).
#
#   scripts/fuzz.sh 600                  ten minutes per target
#   scripts/fuzz.sh 600 otlp_proto       only targets whose name contains "otlp_proto"
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
FILTER=${2:-}

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DARIADNE_BUILD_FUZZERS=ON -DARIADNE_BUILD_TESTS=OFF -DARIADNE_WITH_GENERATED=OFF \
  -DARIADNE_SANITIZE=ON >/dev/null
ninja -C build-fuzz -j "${JOBS:-$(nproc)}"

# Runs one fuzzer and prints its one-line result (with the log's tail when it fails).
run_fuzzer() {
  local fuzzer=$1 name corpus log runs dict
  name=$(basename "$fuzzer")
  dict=()
  [[ -f "tests/fuzz/$name.dict" ]] && dict=(-dict="tests/fuzz/$name.dict")
  corpus="build-fuzz/corpus/$name"
  log="build-fuzz/$name.log"
  mkdir -p "$corpus"
  cp -n tests/fixtures/wire/* "$corpus/" 2>/dev/null || true
  # -rss_limit_mb bounds memory: a decoder that allocates without bound fails here.
  if "$fuzzer" "$corpus" "${dict[@]}" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
    printf 'fuzz %-36s ok   %s runs\n' "$name" "$runs"
  else
    printf 'fuzz %-36s FAILED (see %s)\n' "$name" "$log"
    tail -40 "$log"
  fi
}

# The fuzzers are single-threaded: run as many at once as there are jobs, and print the results
# in order once all have finished.
results=()
for fuzzer in build-fuzz/tests/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer")
  [[ -n "$FILTER" && "$name" != *"$FILTER"* ]] && continue
  result="build-fuzz/$name.result"
  results+=("$result")
  while (($(jobs -rp | wc -l) >= ${JOBS:-$(nproc)})); do wait -n || true; done
  run_fuzzer "$fuzzer" >"$result" &
done
wait

status=0
for result in "${results[@]}"; do
  cat "$result"
  grep -q "FAILED" "$result" && status=1
done
exit $status
