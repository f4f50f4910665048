#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Ubuntu 22.04+ machine needs to build and test Ariadne.
# Idempotent: when everything is present it prints nothing and returns at once.
set -euo pipefail

# Build toolchain and libraries (Debian package names).
PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl xz-utils gpgv
  libprotobuf-dev protobuf-compiler libgrpc++-dev libgrpc-dev protobuf-compiler-grpc
  libthrift-dev thrift-compiler
  libboost-dev libboost-system-dev libssl-dev zlib1g-dev
  libsimdjson-dev rapidjson-dev libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  librocksdb-dev libzstd-dev libabsl-dev
  catch2
  # libFuzzer + sanitizers for the fuzz targets, and the style tools
  clang-14 libclang-rt-14-dev libfuzzer-14-dev clang-format-14 clang-tidy-14
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: done"
fi

# prometheus-cpp is packaged from Debian 13 on; on Debian 12 it is taken from Debian 13's archive.
"$(dirname "$0")/install-prometheus-cpp.sh"
