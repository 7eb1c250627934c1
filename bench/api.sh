#!/usr/bin/env bash
# api: signed requests per second and latency of openvpc's API (docs/benchmarks.md).
#   bench/api.sh [BUILD_DIR]      (default build: the debugoptimized -O2 build CI checks)
# Starts openvpcd on 127.0.0.1 with a fresh data directory (SQLite, synchronous=FULL),
# then runs bench/loadgen with 16 keep-alive connections for:
#   DescribeVpcs       a read (the account holds 5 VPCs)
#   CreateVpc          a durable write: answered only after the commit is on disk
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
[[ -f $B/build.ninja ]] || meson setup "$B" >/dev/null
ninja -C "$B" daemon/openvpcd bench/loadgen >/dev/null
dir=$(mktemp -d /tmp/openvpc-bench-XXXXXX)
"$B"/daemon/openvpcd --data-dir "$dir" --listen 127.0.0.1:0 --threads "${THREADS:-16}" --log-level 1 \
  >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [[ -f $dir/api.addr ]] && break; sleep 0.05; done
ep=$(cat "$dir/api.addr")
ak=$(sed 's/.*"AccessKeyId":"\([^"]*\)".*/\1/' "$dir/operator.json")
sk=$(sed 's/.*"AccessKeySecret":"\([^"]*\)".*/\1/' "$dir/operator.json")
acct=$(sed 's/.*"AccountId":\([0-9]*\).*/\1/' "$dir/operator.json")
lg() { "$B"/bench/loadgen --endpoint "$ep" --key "$ak" --secret "$sk" "$@"; }
N=${REQUESTS:-20000}
echo "machine: $(nproc) cores, $(uname -r); openvpcd threads ${THREADS:-16}; $(git rev-parse --short HEAD 2>/dev/null)"
lg --version 2026-01-01 --action SetQuota --param AccountId="$acct" --param QuotaName=vpc \
  --param Value=10000000 --connections 1 --requests 1 --warmup 0 >/dev/null
lg --version 2016-04-28 --action CreateVpc --param RegionId=cn-hangzhou --connections 1 \
  --requests 5 --warmup 0 >/dev/null
lg --version 2016-04-28 --action DescribeVpcs --param RegionId=cn-hangzhou --connections 16 --requests "$N"
lg --version 2016-04-28 --action CreateVpc --param RegionId=cn-hangzhou --param CidrBlock=10.0.0.0/16 \
  --connections 16 --requests "$((N / 4))"
