#!/usr/bin/env bash
# The run command: installs what is missing, builds Ariadne and starts ariadne-all-in-one in the
# foreground, with its spans on local disk.
#
#   scripts/run.sh [--demo] [flags for ariadne-all-in-one...]
#
#   --demo          also runs ariadne-tracegen at a gentle rate (50 spans/s), so that there is
#                   something to look at; it stops with the all-in-one
#   ARIADNE_DATA    where the spans are kept (default ./data; --local.path=... works too)
#
# Ctrl-C stops it cleanly: the collector drains its queue into the store first.
set -euo pipefail
cd "$(dirname "$0")/.."

demo=false
args=()
for arg in "$@"; do
  if [[ "$arg" == "--demo" ]]; then demo=true; else args+=("$arg"); fi
done

scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build ariadne-all-in-one ariadne-tracegen

data=${ARIADNE_DATA:-./data}
cat <<EOF

Ariadne all-in-one, spans kept under $data
  UI and query API   http://localhost:16686/      (try /api/services)
  OTLP               gRPC localhost:4317, HTTP http://localhost:4318/v1/traces
  Jaeger             gRPC localhost:14250, Thrift HTTP http://localhost:14268/api/traces
  Zipkin             set COLLECTOR_ZIPKIN_HOST_PORT=:9411 to receive on 9411
  Sampling           http://localhost:5778/sampling?service=NAME
  Admin              http://localhost:14269/metrics, health at http://localhost:14269/
The all-in-one logs the addresses it really bound below. Ctrl-C stops it.

EOF

if [[ "$demo" == true ]]; then
  # The load generator starts once the receivers answer, and stops when this script exits.
  (
    for _ in $(seq 1 100); do
      (exec 3<>/dev/tcp/127.0.0.1/4317) 2>/dev/null && break
      sleep 0.1
    done
    exec build/services/tracegen/ariadne-tracegen --protocol otlp-grpc \
      --endpoint 127.0.0.1:4317 --rate 50 --duration 0s 2>/dev/null >/dev/null
  ) &
  demo_pid=$!
  trap 'kill "$demo_pid" 2>/dev/null || true' EXIT
fi

build/services/all-in-one/ariadne-all-in-one --local.path="$data" "${args[@]}"
