#!/usr/bin/env bash
# Renders k8s/overlays/dev and k8s/overlays/prod with `kubectl kustomize` (offline) and
# validates every object against the Kubernetes schemas plus Gridwork's rules
# (validate_k8s.mjs). Then proves the check bites: a render with a writable root file system,
# a probe on the wrong port, or a NetworkPolicy edge DESIGN.md does not have must fail.
# Usage: k8s_test.sh <repo root> <node_modules dir>
set -euo pipefail
root="$1" modules="$2"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: /kustomize /p'
for overlay in dev prod; do
  start=$(date +%s%N)
  kubectl kustomize "$root/k8s/overlays/$overlay" > "$tmp/$overlay.yaml"
  node "$here/validate_k8s.mjs" "$modules" "$tmp/$overlay.yaml" "$overlay"
  echo "$overlay: rendered and validated in $(( ($(date +%s%N) - start) / 1000000 )) ms"
done

# The validator must reject broken manifests (each mutation of the dev render on its own).
expect_rejected() {  # name sed-expression
  sed -e "$2" "$tmp/dev.yaml" > "$tmp/broken.yaml"
  if cmp -s "$tmp/dev.yaml" "$tmp/broken.yaml"; then
    echo "FAIL: mutation '$1' changed nothing (the render changed; update k8s_test.sh)"; exit 1
  fi
  if node "$here/validate_k8s.mjs" "$modules" "$tmp/broken.yaml" dev > "$tmp/out" 2>&1; then
    echo "FAIL: the validator accepted a render with $1"; exit 1
  fi
  echo "rejected as expected: $1 ($(grep -m1 FAIL "$tmp/out"))"
}
expect_rejected "a writable root file system" '0,/readOnlyRootFilesystem: true/s//readOnlyRootFilesystem: false/'
expect_rejected "a probe port that is a string" '0,/port: 50052$/s//port: "50052"/'
expect_rejected "a CPU request that is no quantity" '0,/cpu: 50m/s//cpu: lots/'
expect_rejected "an unknown kind" '0,/^kind: PodDisruptionBudget/s//kind: PodDisruptionBudgett/'
expect_rejected "an extra network path (workorder -> location)" \
  '/^  name: workorder$/,/^---/{s/app.kubernetes.io\/name: geofence/app.kubernetes.io\/name: location/}'
echo "k8s: both overlays valid; broken manifests rejected"
