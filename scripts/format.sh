#!/usr/bin/env bash
# Formats first-party C++ with clang-format (.clang-format at the root).
#   scripts/format.sh          rewrite files in place
#   scripts/format.sh --check  fail, listing the files, if any file is not formatted
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files 'libs/*.h' 'libs/*.cc' 'services/*.h' 'services/*.cc' 'tests/*.h' 'tests/*.cc')
((${#files[@]} == 0)) && exit 0
if [[ "${1:-}" == "--check" ]]; then
  bad=()
  for file in "${files[@]}"; do
    clang-format-14 --dry-run -Werror "$file" >/dev/null 2>&1 || bad+=("$file")
  done
  if ((${#bad[@]} > 0)); then
    echo "not clang-formatted (run scripts/format.sh): ${bad[*]}"
    exit 1
  fi
else
  clang-format-14 -i "${files[@]}"
fi
