#!/usr/bin/env bash
# Renders k8s/overlays/dev and k8s/overlays/prod with `kubectl kustomize` (offline) and
# validates every object against the Kubernetes schemas plus Gridwork's rules
# (validate_k8s.mjs). Then proves the check bites: a render with a writable root file system,
# a probe on the wrong port, or a NetworkPolicy edge DESIGN.md does not have must fail.
# Any kubectl from 1.20 on: the kustomizations use only kustomize v2.0 fields, because a
# bare Debian 12 CI machine has Debian's kubectl 1.20 (kustomize v2.0.3);
# kustomize_compat.mjs checks that, so a newer kubectl does not hide a field v2.0 lacks.
# Usage: k8s_test.sh <repo root> <node_modules dir>
set -euo pipefail
root="$1" modules="$2"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# kubectl 1.20 prints a Go struct and no kustomize line (its kustomize is v2.0.3).
version=$(kubectl version --client 2>/dev/null || true)
echo "kubectl $(grep -o -m1 'v[0-9][0-9.]*' <<<"$version" | head -1)," \
  "kustomize $(sed -n 's/^Kustomize Version: //p' <<<"$version" | grep . || echo 'v2.0.3 (bundled before kubectl 1.21)')"
node "$here/kustomize_compat.mjs" "$modules" "$root/k8s"
for overlay in dev prod; do
  start=$(date +%s%N)
  if ! kubectl kustomize "$root/k8s/overlays/$overlay" > "$tmp/$overlay.yaml" 2> "$tmp/err"; then
    cat "$tmp/err"; echo "FAIL: kubectl kustomize k8s/overlays/$overlay"; exit 1
  fi
  # New kustomize warns that bases, commonLabels and patches* are deprecated: they are
  # what kustomize v2.0 reads, so they stay (docs/operations.md).
  grep -v "^# Warning: '[A-Za-z0-9]*' is deprecated" "$tmp/err" >&2 || true
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
expect_rejected "a namespace on a cluster-scoped object" \
  '0,/^  name: gridwork-dev$/s//  name: gridwork-dev\n  namespace: gridwork-dev/'
expect_rejected "an object without the part-of label" '0,/^    app.kubernetes.io\/part-of: gridwork$/{//d}'
expect_rejected "an extra network path (workorder -> location)" \
  '/^  name: workorder$/,/^---/{s/app.kubernetes.io\/name: geofence/app.kubernetes.io\/name: location/}'
echo "k8s: both overlays valid; broken manifests rejected"
