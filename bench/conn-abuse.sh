#!/usr/bin/env bash
# conn-abuse: RSS of openvpcd and the latency of a signed client while
# hostile clients abuse connections (issue 7; figures in docs/benchmarks.md).
#   bench/conn-abuse.sh [BUILD_DIR]    (default build)
# Env: SECONDS_RUN (20), ADDRS (4 hostile addresses 127.0.0.2..), CLOSERS (64
# send-and-close loops per address), SLOW (1000 slowloris per address), IDLE
# (1000 idle sockets per address). Loopback only. Exits non-zero when the
# signed client saw a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
[[ -f $B/build.ninja ]] || meson setup "$B" >/dev/null
ninja -C "$B" daemon/openvpcd >/dev/null
dir=$(mktemp -d /tmp/openvpc-abuse-XXXXXX)
ulimit -n 65536 2>/dev/null || true
"$B"/daemon/openvpcd --data-dir "$dir" --listen 127.0.0.1:0 --dataplane off --log-level 1 \
  >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [[ -f $dir/api.addr ]] && break; sleep 0.05; done
echo "machine: $(nproc) cores, $(uname -r); $(git rev-parse --short HEAD 2>/dev/null)"
PID=$pid DIR=$dir node --input-type=module -e '
import { abuse, steadyClient, rssKiB } from "./bench/conn-abuse.mjs";
import * as h from "./tests/api/lib/harness.mjs";
import { readFileSync } from "node:fs";
const pid = Number(process.env.PID), dir = process.env.DIR;
const d = { endpoint: readFileSync(`${dir}/api.addr`, "utf8").trim() };
const op = JSON.parse(readFileSync(`${dir}/operator.json`, "utf8"));
const call = h.rpc(d, op, "pop-get");
await call(h.V_VPC, "DescribeVpcs", { RegionId: h.REGION });
const secs = Number(process.env.SECONDS_RUN ?? 20), addrs = Number(process.env.ADDRS ?? 4);
const rss0 = rssKiB(pid);
let peak = rss0;
const t = setInterval(() => { peak = Math.max(peak, rssKiB(pid)); }, 200);
const runs = [];
for (let i = 0; i < addrs; i++)
  runs.push(abuse({ endpoint: d.endpoint, from: `127.0.0.${2 + i}`, seconds: secs,
    closers: Number(process.env.CLOSERS ?? 64), slow: Number(process.env.SLOW ?? 1000), idle: Number(process.env.IDLE ?? 1000) }));
const [client, ...stats] = await Promise.all([
  steadyClient(() => call(h.V_VPC, "DescribeVpcs", { RegionId: h.REGION }), { until: Date.now() + secs * 1000 }), ...runs]);
const during = peak;
await new Promise((r) => setTimeout(r, 3000));
clearInterval(t);
const tot = stats.reduce((a, s) => ({ requests: a.requests + s.requests, refused: a.refused + s.refused, slowClosed: a.slowClosed + s.slowClosed }), { requests: 0, refused: 0, slowClosed: 0 });
console.log(`abuse ${secs} s from ${addrs} addresses: ${tot.requests} abusive requests, ${tot.refused} refused connects, ${tot.slowClosed} slowloris cut by the server`);
console.log(`signed client: ${client.lat.length} DescribeVpcs, ${client.failures.length} failed, p50 ${client.p50} ms, max ${client.max} ms`);
console.log(`RSS: ${(rss0 / 1024).toFixed(1)} MiB before, ${(during / 1024).toFixed(1)} MiB peak, ${(rssKiB(pid) / 1024).toFixed(1)} MiB 3 s after`);
if (client.failures.length) { console.log(client.failures.slice(0, 5)); process.exit(1); }
'
