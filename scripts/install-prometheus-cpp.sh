#!/usr/bin/env bash
# Installs prometheus-cpp (core: registry, metric types, text serializer) on a Debian 12 machine.
#
# Debian 12 does not package prometheus-cpp; Debian 13 does (libprometheus-cpp-core1.0, whose only
# dependencies, libc6 >= 2.14 and libstdc++6 >= 11, Debian 12 satisfies). This script takes the two
# packages from Debian 13's archive, checks them the way apt would (InRelease signature by the
# Debian archive keyring, then SHA-256 of the index and of each package), and unpacks them under
# $ARIADNE_DEPS/prometheus-cpp (default /opt/ariadne-deps). cmake/prometheus.cmake looks there
# after the system. Nothing is installed system-wide; removing the folder undoes it.
# Idempotent: returns at once when the library is already there.
set -euo pipefail

prefix="${ARIADNE_DEPS:-/opt/ariadne-deps}/prometheus-cpp"
if [[ -f "$prefix/usr/include/prometheus/registry.h" ]] || [[ -f /usr/include/prometheus/registry.h ]]; then
  exit 0
fi

mirror="${ARIADNE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite="trixie"
packages=(libprometheus-cpp-core1.0 prometheus-cpp-dev)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "setup: installing prometheus-cpp from Debian ${suite} into ${prefix}"
curl -fsS "$mirror/dists/$suite/InRelease" -o "$work/InRelease"
gpgv --quiet --keyring /usr/share/keyrings/debian-archive-keyring.gpg "$work/InRelease" 2>/dev/null ||
  { echo "setup: the signature of $mirror/dists/$suite/InRelease does not verify" >&2; exit 1; }

index="main/binary-amd64/Packages.xz"
index_sha="$(awk -v f="$index" '/^SHA256:/{s=1;next} /^[A-Za-z]/{s=0} s && $3==f {print $1}' "$work/InRelease")"
curl -fsS "$mirror/dists/$suite/$index" -o "$work/Packages.xz"
echo "$index_sha  $work/Packages.xz" | sha256sum --quiet -c -
xz -d "$work/Packages.xz"

mkdir -p "$prefix"
for package in "${packages[@]}"; do
  read -r filename sha < <(awk -v p="$package" '
    /^Package: /{cur=$2} cur==p && /^Filename: /{f=$2} cur==p && /^SHA256: /{print f, $2; exit}' \
    "$work/Packages")
  [[ -n "${filename:-}" ]] || { echo "setup: $package is not in Debian $suite" >&2; exit 1; }
  curl -fsS "$mirror/$filename" -o "$work/$package.deb"
  echo "$sha  $work/$package.deb" | sha256sum --quiet -c -
  dpkg-deb -x "$work/$package.deb" "$prefix"
done
echo "setup: prometheus-cpp installed"
