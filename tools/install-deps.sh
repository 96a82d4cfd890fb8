#!/usr/bin/env bash
# Installs every Debian package Gridwork needs to build, test and benchmark.
# Idempotent: packages already present are skipped; apt-get runs only when something is missing.
# Usage: tools/install-deps.sh [--with-bench] [--with-fuzz]
#   (--with-bench adds PostgreSQL/PostGIS, --with-fuzz clang-16 for libFuzzer)
set -euo pipefail

packages=(
  build-essential make cmake ninja-build ccache pkg-config
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev libboost-dev prometheus-cpp-dev catch2 libssl-dev nlohmann-json3-dev
  libjemalloc-dev
  # libpq: bench/ always builds (its PostgreSQL/PostGIS baselines skip at run time when no
  # server is there), and CMake requires the library to configure the tree at all.
  libpq-dev
  curl ca-certificates python3
  prometheus
  # The web app's browser test (tests/web): Debian's chromium driven by npm playwright-core,
  # and a CJK font so the Chinese pages render (and screenshot) as text, not boxes.
  chromium fonts-wqy-microhei
)
# Deploy checks (tests/deploy): promtool and prometheus come from Debian's prometheus above;
# kubectl (kustomize) and node/npm where the machine has none: Debian's kubernetes-client
# (kubectl 1.20, kustomize v2.0.3, which k8s/ is written for: docs/operations.md) and
# Debian's nodejs 18 + npm 9 (npm pulls python3, which scrape_test.sh uses).
if ! command -v kubectl >/dev/null 2>&1; then packages+=(kubernetes-client); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
if [[ "${1:-}" == "--with-bench" ]]; then
  packages+=(postgresql-15-postgis-3 postgresql-15)
fi
# --with-fuzz (anywhere on the line, with or without --with-bench) adds clang-16 and its
# sanitizer/libFuzzer runtimes for tests/fuzz/run.sh (clang-14 cannot compile libs/geo). Without it nothing below changes anything.
if [[ " $* " == *" --with-fuzz "* ]]; then
  packages+=(clang-16 libclang-rt-16-dev)
  if [[ "${1:-}" != "--with-bench" && " $* " == *" --with-bench "* ]]; then
    packages+=(postgresql-15-postgis-3 postgresql-15)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
