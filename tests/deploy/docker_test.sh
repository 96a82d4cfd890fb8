#!/usr/bin/env bash
# What of deploy/docker can be checked without a Docker engine (none runs on the project's
# machines): the runtime stage's library discovery (runtime-packages.sh) on every service
# binary built here, and that the image and the manifests agree on the user and the data path.
# Usage: docker_test.sh <repo root> <bin dir>
set -euo pipefail
root="$1" bin="$2"
dockerfile="$root/deploy/docker/Dockerfile"
n=0
for b in "$bin"/gridwork-{location,geofence,workorder,inspection,analytics,gateway}; do
  [[ -x "$b" ]] || continue
  pkgs=$("$root/deploy/docker/runtime-packages.sh" "$b")
  for want in librocksdb7.8 'libgrpc++1.51' libprotobuf32 libssl3; do
    grep -qx -- "$want" <<<"$pkgs" || { echo "FAIL: $(basename "$b"): $want missing from: $pkgs"; exit 1; }
  done
  echo "$(basename "$b"): runtime packages: $(tr '\n' ' ' <<<"$pkgs")"
  n=$((n + 1))
done
(( n >= 4 )) || { echo "FAIL: only $n service binaries in $bin"; exit 1; }

uid=$(sed -n 's/^USER \([0-9]*\):.*/\1/p' "$dockerfile")
[[ -n "$uid" && "$uid" != 0 ]] || { echo "FAIL: the Dockerfile sets no numeric non-root USER"; exit 1; }
for y in "$root"/k8s/base/*/*.yaml; do
  grep -q 'runAsUser:' "$y" || continue
  grep -q "runAsUser: $uid$" "$y" || { echo "FAIL: ${y#$root/} runs as another uid than the image's $uid"; exit 1; }
  grep -q 'mountPath: /var/lib/gridwork$' "$y" || { echo "FAIL: ${y#$root/} mounts no data volume at the image's /var/lib/gridwork"; exit 1; }
done
grep -q 'VOLUME \["/var/lib/gridwork"\]' "$dockerfile" || { echo "FAIL: the image declares no /var/lib/gridwork volume"; exit 1; }
echo "docker: $n binaries' runtime libraries resolve to Debian packages; image uid $uid and data path match k8s"
