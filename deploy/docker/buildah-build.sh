#!/usr/bin/env bash
# Builds the service images from deploy/docker/Dockerfile on a machine without a Docker engine
# and without registry access (like the project's development machines), with Debian's buildah
# (chroot isolation, vfs storage: no daemon, no overlay mounts), then runs each image's binary
# once (`--help`, as the image's non-root user) to show it starts with its runtime libraries.
#
#   sudo deploy/docker/buildah-build.sh [SERVICE...]     (default: all six)
#
# The Dockerfile starts FROM debian:bookworm and debian:bookworm-slim. Without a registry,
# this script makes a STAND-IN for both once: a debootstrap --variant=minbase of bookworm from
# the Debian mirror, tagged with both names in buildah's local store. It is larger than the
# real slim image (about 170 MB against 75 MB) but holds the same distribution, so what the
# Dockerfile installs and copies is what a registry build gets. With registry access, delete
# the stand-ins (buildah rmi debian:bookworm debian:bookworm-slim) to build on the real ones.
#
# Images are left in buildah's store as gridwork/<service>:dev; push them with
# `buildah push gridwork/<service>:dev docker://<registry>/gridwork/<service>:<tag>`.
set -euo pipefail
cd "$(dirname "$0")/../.."
services=("$@")
[[ ${#services[@]} -gt 0 ]] || services=(location geofence workorder inspection analytics gateway)

need=()
command -v buildah >/dev/null || need+=(buildah)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [[ ${#need[@]} -gt 0 ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
B=(buildah --storage-driver vfs)

if ! "${B[@]}" inspect --type image debian:bookworm-slim >/dev/null 2>&1; then
  rootfs=$(mktemp -d /var/tmp/gridwork-bookworm.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  echo "== base: debootstrap bookworm (minbase) as a stand-in for debian:bookworm(-slim)"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  rm -f "$rootfs"/var/cache/apt/archives/*.deb
  ctr=$("${B[@]}" from scratch)
  mnt=$("${B[@]}" mount "$ctr")
  cp -a "$rootfs"/. "$mnt"/
  "${B[@]}" umount "$ctr" >/dev/null
  "${B[@]}" commit -q "$ctr" localhost/debian:bookworm >/dev/null
  "${B[@]}" rm "$ctr" >/dev/null
  "${B[@]}" tag localhost/debian:bookworm localhost/debian:bookworm-slim \
    docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
fi

for s in "${services[@]}"; do
  echo "== gridwork/$s:dev"
  start=$(date +%s)
  "${B[@]}" bud -q --isolation chroot --pull-never \
    --ignorefile deploy/docker/Dockerfile.dockerignore -f deploy/docker/Dockerfile \
    --build-arg SERVICE="$s" -t "gridwork/$s:dev" . >/dev/null
  ctr=$("${B[@]}" from "gridwork/$s:dev")
  # The image's own user and entry point: the binary must load and print its flags.
  "${B[@]}" run --isolation chroot "$ctr" -- /usr/local/bin/gridwork-service --help |
    sed -n 1p
  uid=$("${B[@]}" run --isolation chroot "$ctr" -- id -u)
  "${B[@]}" rm "$ctr" >/dev/null
  [[ "$uid" != 0 ]] || { echo "FAIL: gridwork/$s:dev runs as root" >&2; exit 1; }
  size=$("${B[@]}" images --format '{{.Size}}' "gridwork/$s:dev" | head -1)
  echo "   built in $(( $(date +%s) - start )) s, $size, runs as uid $uid"
done
