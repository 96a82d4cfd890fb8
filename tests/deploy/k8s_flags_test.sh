#!/usr/bin/env bash
# Every flag in the Kubernetes flags files (k8s/**/*.flags) and in the containers' args is one
# the service binary really has (its --helpfull), except those the same file names in
# --undefok: an unknown flag stops an absl binary at start, which a schema check cannot see.
# Services whose binary is not built here are reported and skipped.
# Usage: k8s_flags_test.sh <repo root> <bin dir>
set -euo pipefail
root="$1" bin="$2"
checked=0 failed=0
declare -A help
load_help() {  # service: its --helpfull, once (not in a subshell, so the cache holds)
  if [[ -z "${help[$1]:-}" ]]; then help[$1]="$("$bin/gridwork-$1" --helpfull 2>&1 || true)"; fi
}
check() {  # service source flag-lines...
  local s=$1 src=$2; shift 2
  local undefok
  load_help "$s"
  undefok=$(printf '%s\n' "$@" | sed -n 's/^--undefok=//p' | tr ',' ' ')
  for line in "$@"; do
    [[ "$line" =~ ^--([a-z_]+)= ]] || continue
    local name=${BASH_REMATCH[1]}
    [[ " $undefok " == *" $name "* ]] && continue
    checked=$((checked + 1))
    if ! grep -q -- "^ *--$name " <<<"${help[$s]}"; then
      echo "FAIL: $src: gridwork-$s has no flag --$name"; failed=$((failed + 1))
    fi
  done
}
skipped=()
while IFS= read -r f; do
  s=$(basename "$f" .flags)
  if [[ ! -x "$bin/gridwork-$s" ]]; then skipped+=("$f"); continue; fi
  mapfile -t lines < "$f"
  check "$s" "${f#$root/}" "${lines[@]}"
done < <(find "$root/k8s" -name '*.flags' | sort)
# The args of the base workloads (flagfile, key files).
for y in "$root"/k8s/base/*/*.yaml; do
  s=$(basename "$y" .yaml)
  [[ -x "$bin/gridwork-$s" ]] || continue
  mapfile -t lines < <(sed -n 's/^ *- \(--[a-z_]*=.*\)$/\1/p' "$y")
  check "$s" "${y#$root/}" "${lines[@]}"
done
if (( ${#skipped[@]} )); then echo "not built here, skipped: ${skipped[*]#$root/}"; fi
(( checked > 0 )) || { echo "FAIL: no flag checked"; exit 1; }
(( failed == 0 )) || exit 1
echo "k8s flags: $checked flags known to their binaries"
