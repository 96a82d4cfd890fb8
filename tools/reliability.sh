#!/usr/bin/env bash
# Regenerates the figures of docs/reliability.md "Faults": builds the fault tests and the
# services (Debug, as CI runs them) and runs every fault test in long mode
# (GRIDWORK_FAULT_LONG=1: more kill rounds, longer load), then prints each figure
# ("FIGURE <test> <name> <value> <unit>" lines of the tests) as a Markdown table with the date
# and the machine. Run as root to include the disk-full fault (it mounts a tmpfs).
#
#   tools/reliability.sh                # long mode, build dir build-faults
#   BUILD_DIR=build QUICK=1 tools/reliability.sh   # the quick mode `make test` runs
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build-faults}"
JOBS="${JOBS:-2}"
TESTS=(reliability_kill_test reliability_downstream_test reliability_disk_test
       reliability_drain_test)

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C "$BUILD_DIR" -j"$JOBS" "${TESTS[@]}"

if [[ -z "${QUICK:-}" ]]; then export GRIDWORK_FAULT_LONG=1; fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
for t in "${TESTS[@]}"; do
  echo "== $t" >&2
  start=$(date +%s)
  if ! (cd "$BUILD_DIR" && "tests/$t" --durations yes) | tee -a "$out" >&2; then status=1; fi
  echo "FIGURE $t wall_time $(( $(date +%s) - start )) s" >>"$out"
done

echo
echo "Fault figures, $(date -u '+%Y-%m-%d %H:%M UTC'), mode: ${GRIDWORK_FAULT_LONG:+long}${QUICK:+quick}"
echo "Machine: $(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo
echo "| test | figure | value | unit |"
echo "| --- | --- | --- | --- |"
grep '^FIGURE ' "$out" | awk '{printf "| %s | %s | %s | %s |\n", $2, $3, $4, $5}'
exit $status
