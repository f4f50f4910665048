#!/usr/bin/env bash
# Installs what the end-to-end tests (tests/e2e) need besides the build:
#   - the OpenTelemetry JS SDK clients: `npm ci` in tests/e2e/clients/node (package-lock.json);
#   - the browser tests' playwright-core: `npm ci` in tests/e2e/ui (package-lock.json), and Debian's
#     `chromium` package (apt), which playwright-core drives headless at /usr/bin/chromium;
#   - the OpenTelemetry Python SDK clients: a venv at tests/e2e/clients/python/.venv with
#     requirements.txt, and one at .venv-jaeger with requirements-jaeger.txt (the seed's Jaeger
#     Thrift exporter, which needs an older SDK);
#   - promtool (for `promtool check rules`), taken out of Debian 12's `prometheus` package without
#     installing that package (which would add a service): only usr/bin/promtool is copied to
#     $ARIADNE_DEPS/bin/promtool (default /opt/ariadne-deps/bin/promtool).
# Idempotent: each part is skipped when already in place, and then nothing is printed; otherwise one
# line per thing installed. Needs node >= 20 with npm, python3 (3.9+) with pip, apt; run as root (or
# with sudo available) for the apt steps. Touches nothing outside the two client folders,
# tests/e2e/ui/node_modules and $ARIADNE_DEPS, apart from installing Debian's chromium (when
# /usr/bin/chromium does not run) and python3-venv (when the venv module is missing).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
clients="$root/tests/e2e/clients"
deps="${ARIADNE_DEPS:-/opt/ariadne-deps}"
python="${ARIADNE_E2E_PYTHON:-python3}"

work=""
trap 'if [[ -n "$work" ]]; then rm -rf "$work"; fi' EXIT

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

die() {
  echo "setup-e2e: $*" >&2
  exit 1
}

# ---- node packages (the JS clients, the browser tests) -------------------------------------------
# setup_node DIR WHAT: `npm ci` in $root/DIR. node_modules matches the lock when the stamp written
# after the last successful `npm ci` holds the lock's current checksum (npm ci removes node_modules,
# stamp included, before installing).
setup_node() {
  local dir="$root/$1"
  local stamp="$dir/node_modules/.ariadne-lock.sha256"
  command -v npm >/dev/null || die "npm is not installed (node >= 20 with npm is needed)"
  local want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
    [[ -f "$dir/node_modules/.package-lock.json" ]]; then
    return
  fi
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci failed in $dir"
  echo "$want" >"$stamp"
  echo "setup-e2e: installed $2 (npm ci) in $1"
}

# ---- chromium ------------------------------------------------------------------------------------
# Debian's chromium, for the browser tests (tests/e2e/ui drives /usr/bin/chromium).
setup_chromium() {
  if /usr/bin/chromium --version >/dev/null 2>&1; then
    return
  fi
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium >/dev/null 2>&1; then
    # A fresh machine may have no package lists yet.
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      chromium >/dev/null || die "apt-get install chromium failed"
  fi
  /usr/bin/chromium --version >/dev/null 2>&1 || die "/usr/bin/chromium does not run after installing chromium"
  echo "setup-e2e: installed chromium ($(/usr/bin/chromium --version 2>/dev/null))"
}

# ---- python clients ------------------------------------------------------------------------------
# Exit status 0 when every `name==version` line of requirements.txt is installed at that version.
requirements_satisfied() {
  "$1" - "$2" <<'EOF'
import sys
from importlib import metadata

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, version = line.partition("==")
    try:
        if metadata.version(name) != version:
            sys.exit(1)
    except metadata.PackageNotFoundError:
        sys.exit(1)
EOF
}

# setup_python VENV REQUIREMENTS: the venv tests/e2e/clients/python/VENV holding exactly the pins of
# tests/e2e/clients/python/REQUIREMENTS.
setup_python() {
  local dir="$clients/python"
  local venv="$dir/$1"
  local requirements="$dir/$2"
  command -v "$python" >/dev/null || die "$python is not installed"
  if ! "$venv/bin/python" -c '' 2>/dev/null; then
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        python3-venv >/dev/null
      echo "setup-e2e: installed python3-venv"
    fi
    rm -rf "$venv"
    "$python" -m venv "$venv" || die "could not create the venv $venv with $python"
    echo "setup-e2e: created the Python venv tests/e2e/clients/python/$1"
  fi
  if requirements_satisfied "$venv/bin/python" "$requirements"; then
    return
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$requirements" || die "pip install -r $requirements failed"
  echo "setup-e2e: installed the OpenTelemetry Python clients ($2) into $1"
}

# ---- promtool ------------------------------------------------------------------------------------
setup_promtool() {
  local target="$deps/bin/promtool"
  if [[ -x "$target" ]] && "$target" --version >/dev/null 2>&1; then
    return
  fi
  work="$(mktemp -d)"
  # apt's download sandbox user must be able to write there.
  chmod 755 "$work"
  if ! (cd "$work" && apt-get download prometheus >/dev/null 2>&1); then
    # A fresh machine may have no package lists yet.
    $SUDO apt-get update -qq
    (cd "$work" && apt-get download prometheus >/dev/null 2>&1) ||
      die "apt-get download prometheus failed (is this Debian 12 with its main archive?)"
  fi
  local deb
  deb="$(find "$work" -maxdepth 1 -name 'prometheus_*.deb' | head -n 1)"
  [[ -n "$deb" ]] || die "apt-get download prometheus left no prometheus_*.deb"
  dpkg-deb -x "$deb" "$work/unpacked"
  [[ -f "$work/unpacked/usr/bin/promtool" ]] || die "$(basename "$deb") has no usr/bin/promtool"
  $SUDO install -D -m 755 "$work/unpacked/usr/bin/promtool" "$target"
  "$target" --version >/dev/null 2>&1 || die "$target does not run"
  echo "setup-e2e: installed promtool from $(basename "$deb") as $target"
}

setup_node tests/e2e/clients/node "the OpenTelemetry JS clients"
setup_node tests/e2e/ui "playwright-core for the browser tests"
setup_chromium
setup_python .venv requirements.txt
setup_python .venv-jaeger requirements-jaeger.txt
setup_promtool
