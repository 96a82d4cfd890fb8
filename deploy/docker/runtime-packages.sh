#!/usr/bin/env bash
# Prints the Debian packages that own the shared libraries BINARY links (one per line,
# sorted), for the runtime stage of deploy/docker/Dockerfile; fails if a library has no
# owning package. Bookworm's merged /usr means a library may be registered under /lib or
# /usr/lib: both spellings are asked. Usage: runtime-packages.sh BINARY
set -euo pipefail
binary="$1"
libs=$(ldd "$binary" | awk '/=> \//{print $3}')
[[ -n "$libs" ]] || { echo "runtime-packages: $binary links no shared library" >&2; exit 1; }
for lib in $libs; do
  real=$(realpath "$lib")
  owner=$( { dpkg -S "$lib" || dpkg -S "$real" || dpkg -S "${real#/usr}" || dpkg -S "${lib#/usr}"; } 2>/dev/null \
           | head -1 | cut -d: -f1) || true
  [[ -n "$owner" ]] || { echo "runtime-packages: no package owns $lib" >&2; exit 1; }
  echo "$owner"
done | sort -u
