#!/usr/bin/env bash
# Builds the libFuzzer binaries (clang 16 or 14, ASan + UBSan) in build-fuzz/ and runs each fuzzer
# for FUZZ_SECONDS seconds (default 60) from its seed corpus. docs/fuzzing.md has the details.
#
# Usage: tests/fuzz/run.sh [fuzzer...]      (default: every fuzzer listed in `all` below)
#   e.g. tests/fuzz/run.sh gateway_json http_request; FUZZ_SECONDS=1800 for a long run.
# Environment: FUZZ_SECONDS (per fuzzer), JOBS (build parallelism, default 2),
#              FUZZ_CLANG_VERSION (16 or 14; default the newest installed),
#              FUZZ_BUILD_DIR (default build-fuzz), FUZZ_ARGS (extra libFuzzer flags).
# New corpus inputs go to $FUZZ_BUILD_DIR/corpus/<fuzzer>/ (the seeds in the repository are only
# read); crashes to $FUZZ_BUILD_DIR/artifacts/<fuzzer>/. Exits non-zero if a fuzzer crashed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
fuzzers=("$@")
all=(geojson_import region_index gateway_json http_request osmand_form open311_form token_verify
     workorder_handlers inspection_rules)
if [[ ${#fuzzers[@]} -eq 0 ]]; then fuzzers=("${all[@]}"); fi

# clang 16 by default: clang 14 cannot compile libs/geo (it rejects lambdas that capture
# structured bindings, a C++20 feature it lacks). FUZZ_CLANG_VERSION=14 forces 14.
version=${FUZZ_CLANG_VERSION:-}
if [[ -z $version ]]; then
  for v in 16 14; do
    if command -v "clang++-$v" >/dev/null; then version=$v; break; fi
  done
fi
if [[ -z $version ]] || ! command -v "clang++-$version" >/dev/null; then
  echo "run.sh: clang++-${version:-16} not found; run tools/install-deps.sh --with-fuzz" >&2
  exit 1
fi

# Every library is built with the sanitizers and fuzzer coverage (-fsanitize=fuzzer-no-link);
# only the fuzz executables link libFuzzer's main (tests/fuzz/CMakeLists.txt).
# -O1 -gline-tables-only (libFuzzer's advice): builds about twice as fast as -O2 -g on this
# machine and keeps file:line in sanitizer reports.
CC=clang-$version CXX=clang++-$version cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=None -DGRIDWORK_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only -fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
targets=()
for f in "${fuzzers[@]}"; do targets+=("${f}_fuzzer"); done
ninja -C "$build" -j"${JOBS:-2}" "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]] && command -v llvm-symbolizer >/dev/null; then
  export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
fi
status=0
for f in "${fuzzers[@]}"; do
  corpus="$build/corpus/$f"
  artifacts="$build/artifacts/$f"
  mkdir -p "$corpus" "$artifacts"
  dict=()
  case $f in
    geojson_import | gateway_json) dict=(-dict="$root/tests/fuzz/geojson.dict") ;;
    http_request) dict=(-dict="$root/tests/fuzz/http.dict") ;;
  esac
  echo "== $f: ${seconds}s"
  # -workers/-jobs stay at 1: the machine has 2 cores shared with the build.
  # shellcheck disable=SC2086
  if ! "$build/bin/${f}_fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -max_len=16384 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
      ${FUZZ_ARGS:-} "$corpus" "$root/tests/fuzz/corpus/$f"; then
    echo "run.sh: $f found a crash; see $artifacts/ (copy a minimal input to tests/fuzz/crashes/)" >&2
    status=1
  fi
done
exit $status
