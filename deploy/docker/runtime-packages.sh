#!/usr/bin/env bash
# Prints the Debian packages that own the shared libraries BINARY links (one per line,
# sorted), for the runtime stage of deploy/docker/Dockerfile; fails if a library has no
# owning package. Bookworm's merged /usr means a library may be registered under /lib or
# /usr/lib: every spelling is asked, in one dpkg query. Usage: runtime-packages.sh BINARY
set -euo pipefail
binary="$1"
libs=$(ldd "$binary" | awk '/=> \//{print $3}')
[[ -n "$libs" ]] || { echo "runtime-packages: $binary links no shared library" >&2; exit 1; }
declare -A spellings
for lib in $libs; do
  real=$(realpath "$lib")
  spellings[$lib]="$lib $real ${lib#/usr} ${real#/usr} /usr${lib#/usr} /usr${real#/usr}"
done
# "pkg[:arch][, pkg2]: /path" for every spelling dpkg knows (unknown ones only warn).
owners=$(dpkg -S $(printf '%s\n' "${spellings[@]}" | tr ' ' '\n' | sort -u) 2>/dev/null || true)
for lib in $libs; do
  owner=""
  for p in ${spellings[$lib]}; do
    owner=$(awk -v p="$p" -F': ' '$2 == p {print $1; exit}' <<<"$owners" | cut -d, -f1 | cut -d: -f1)
    [[ -n "$owner" ]] && break
  done
  [[ -n "$owner" ]] || { echo "runtime-packages: no package owns $lib" >&2; exit 1; }
  echo "$owner"
done | sort -u
