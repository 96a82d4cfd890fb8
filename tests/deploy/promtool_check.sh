#!/usr/bin/env bash
# promtool check config / check rules on deploy/prometheus. Debian's prometheus is built
# without the Kubernetes service discovery, so the cluster config is checked as a copy whose
# kubernetes_sd_configs block is replaced by an equivalent static target; everything else
# (globals, relabelling, rule files) is checked as written.
# Usage: promtool_check.sh <repo root>
set -euo pipefail
dir="$1/deploy/prometheus"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
promtool --version 2>&1 | head -1
promtool check rules "$dir"/rules/*.yml
promtool check config "$dir/prometheus-local.yml"
cp -r "$dir/rules" "$tmp/"
awk '
  /^    kubernetes_sd_configs:/ { print "    static_configs:"; print "      - targets: [\"127.0.0.1:9151\"]"; skip = 1; next }
  skip && /^      / { next }
  { skip = 0; print }
' "$dir/prometheus.yml" > "$tmp/prometheus.yml"
grep -q 'static_configs' "$tmp/prometheus.yml" || { echo "FAIL: no kubernetes_sd_configs block found"; exit 1; }
promtool check config "$tmp/prometheus.yml"
