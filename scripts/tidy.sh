#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the root) over the first-party libraries, using the compile
# database of build/ (scripts/test.sh configures it). Any finding fails the run.
#   scripts/tidy.sh            all of libs/
#   scripts/tidy.sh otlp       only files whose path matches the regex "otlp"
set -euo pipefail
cd "$(dirname "$0")/.."

FILTER=${1:-}
[[ -f build/compile_commands.json ]] || { echo "tidy: configure build/ first (scripts/test.sh)"; exit 2; }
mapfile -t files < <(git ls-files 'libs/*.cc' 'services/*.cc' | grep -E "${FILTER:-.}")
((${#files[@]} == 0)) && exit 0
log=$(mktemp)
printf '%s\n' "${files[@]}" | xargs -P "${JOBS:-$(nproc)}" -n 4 \
  clang-tidy-14 -quiet -p build --warnings-as-errors='*' >"$log" 2>/dev/null || true
if grep -qE "(warning|error):" "$log"; then
  grep -E -A3 "(warning|error):" "$log"
  echo "tidy: findings above (fix them, or NOLINT(check) with a reason)"
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "tidy: ${#files[@]} files clean"
