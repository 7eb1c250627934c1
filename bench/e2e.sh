#!/usr/bin/env bash
# bench/e2e.sh: openvpc's data plane end to end, side by side with its peers.
#
#   bench/e2e.sh                 3 interleaved rounds, TCP 10 s, UDP 5 s
#   bench/e2e.sh --short         1 round, 2 s tests: only checks that all runs (CI)
#   bench/e2e.sh --rounds N      N rounds
#   SYSTEMS="openvpc veth bridge" bench/e2e.sh    a subset
#   OPENVPC_BUILD=DIR            where openvpcd and openvpc are (default build/)
#
# openvpc: a real openvpcd (its own data directory, --dp-prefix of its own),
# an account, a VPC 10.0.0.0/16 with two vSwitches (10.0.1.0/24 and
# 10.0.2.0/24, so every packet is routed), a security group with several
# rules (accepts for TCP/UDP 5201 and ICMP from the VPC, a higher-priority drop
# of another port, rules for ports nobody uses), and two instances, one per
# vSwitch: the full pipeline (anti-spoof, routing, group check, conntrack,
# counters) on every packet.  The instances are the namespaces openvpcd made;
# iperf3 runs in them with `ip netns exec` (what `openvpc instance exec` does).
# The group's inner-access policy is Drop, so its rules (not the same-group
# default) decide each flow; `openvpc show rules` afterwards counts the hits.
#
# Peers (bench/peers/, the same two-instance topology): a bare veth pair (the
# floor), a Linux bridge routing between two bridges, one Linux bridge on one
# subnet, Open vSwitch's userspace datapath with TAP ports and userspace TSO,
# and with AF_PACKET ports.
#
# Everything is set up first, then each round runs every system in a rotated
# order; everything is torn down on any exit.  The table gives medians over
# the rounds and each system's ratio to the veth pair and to the routed bridge.
# UDP "arrived" is the packets per second that reached the receiving
# namespace's UDP layer (what the network delivered); "sent" is what iperf3's
# single sender thread managed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=$ROOT/bench/peers
# shellcheck source=peers/lib.sh
source "$PEERS/lib.sh"

ROUNDS=3
SHORT=0
while (($#)); do
  case $1 in
    --short) SHORT=1; ROUNDS=1; TCP_SECS=2; UDP_SECS=2; shift ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
export TCP_SECS UDP_SECS
SYSTEMS=${SYSTEMS:-openvpc veth bridge bridge-l2 ovs-tap ovs-afpacket}
BUILD=${OPENVPC_BUILD:-$ROOT/build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
OPENVPCD=$BUILD/daemon/openvpcd
OPENVPC=$BUILD/cli/openvpc
need_root
need_tool iperf3
need_tool python3

WORK=$(mktemp -d /tmp/ovbench-e2e.XXXXXX)
chmod 755 "$WORK"
RESULTS=$WORK/results
: > "$RESULTS"
declare -A PEER_PFX=()
OV_PFX="" OV_PID="" OV_DIR=$WORK/openvpcd

# ------------------------------------------------------------ openvpc

ov_pick_prefix() {
  local a=0123456789abcdefghijklmnopqrstuvwxyz n=$$ i s
  for _ in $(seq 200); do
    s="q"; for i in 2 1 0; do s+=${a:$(((n / 36 ** i) % 36)):1}; done
    if ! ls /run/netns 2>/dev/null | grep -q "^$s" &&
       ! ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -q "^$s" &&
       [[ ! -e /sys/fs/bpf/$s ]]; then
      echo "$s"; return 0
    fi
    n=$((n + 7919))
  done
  die "no free data-plane prefix"
}

ov() { HOME=$WORK/home "$OPENVPC" --endpoint "$OV_EP" "$@"; }

ov_wait() { # ov_wait KIND ID STATUS
  local i
  for i in $(seq 400); do
    [[ $(ov "$1" show "$2" --field Status 2>/dev/null) == "$3" ]] && return 0
    sleep 0.05
  done
  die "$1 $2 not $3 after 20 s"
}

ov_setup() {
  [[ -x $OPENVPCD && -x $OPENVPC ]] || die "no openvpcd/openvpc in $BUILD (ninja -C build, or OPENVPC_BUILD=...)"
  OV_PFX=$(ov_pick_prefix)
  mkdir -p "$OV_DIR" "$WORK/home"
  "$OPENVPCD" --data-dir "$OV_DIR" --listen 127.0.0.1:0 --dp-prefix "$OV_PFX" --dataplane on \
    > "$WORK/openvpcd.log" 2>&1 &
  OV_PID=$!
  local i
  for i in $(seq 200); do
    [[ -s $OV_DIR/api.addr ]] && grep -q '^openvpcd: data plane' "$WORK/openvpcd.log" && break
    kill -0 "$OV_PID" 2>/dev/null || { tail "$WORK/openvpcd.log" >&2; die "openvpcd exited at start"; }
    sleep 0.1
  done
  grep -q '^openvpcd: data plane on' "$WORK/openvpcd.log" ||
    { tail "$WORK/openvpcd.log" >&2; die "openvpcd's data plane is not on"; }
  OV_EP=$(cat "$OV_DIR/api.addr")
  ov configure --profile operator --endpoint "$OV_EP" --region cn-hangzhou \
    --from-operator-file "$OV_DIR/operator.json" >/dev/null
  ov --profile operator account create --account-name "bench-$OV_PFX" --save-profile default >/dev/null
  local vpc vsw1 vsw2 sg i1 i2
  vpc=$(ov vpc create --cidr-block 10.0.0.0/16)
  ov_wait vpc "$vpc" Available
  vsw1=$(ov vswitch create --vpc-id "$vpc" --zone-id cn-hangzhou-a --cidr-block 10.0.1.0/24)
  vsw2=$(ov vswitch create --vpc-id "$vpc" --zone-id cn-hangzhou-a --cidr-block 10.0.2.0/24)
  ov_wait vswitch "$vsw1" Available
  ov_wait vswitch "$vsw2" Available
  sg=$(ov sg create --vpc-id "$vpc" --security-group-name bench)
  # members do not reach each other by default: the rules decide every flow
  ov sg policy "$sg" --inner-access-policy Drop
  # rules: what the test needs, plus some it does not match, and a drop that
  # outranks an accept of another port
  ov sg authorize "$sg" --ip-protocol tcp --port-range 5201/5201 --source-cidr-ip 10.0.0.0/16 --priority 10 >/dev/null
  ov sg authorize "$sg" --ip-protocol udp --port-range 5201/5201 --source-cidr-ip 10.0.0.0/16 --priority 10 >/dev/null
  ov sg authorize "$sg" --ip-protocol icmp --port-range -1/-1 --source-cidr-ip 10.0.0.0/16 --priority 10 >/dev/null
  ov sg authorize "$sg" --ip-protocol tcp --port-range 22/22 --source-cidr-ip 192.168.0.0/16 >/dev/null
  ov sg authorize "$sg" --ip-protocol tcp --port-range 8000/8100 --source-cidr-ip 10.0.3.0/24 >/dev/null
  ov sg authorize "$sg" --ip-protocol udp --port-range 53/53 --source-cidr-ip 10.0.1.0/24 >/dev/null
  ov sg authorize "$sg" --ip-protocol tcp --port-range 6000/6000 --source-cidr-ip 10.0.0.0/16 --priority 5 --policy drop >/dev/null
  ov sg authorize "$sg" --ip-protocol tcp --port-range 6000/6000 --source-cidr-ip 10.0.0.0/16 --priority 20 >/dev/null
  i1=$(ov instance run --instance-type ecs.g6.large --vswitch-id "$vsw1" --security-group-id "$sg")
  i2=$(ov instance run --instance-type ecs.g6.large --vswitch-id "$vsw2" --security-group-id "$sg")
  ov_wait instance "$i1" Running
  ov_wait instance "$i2" Running
  OV_NS_A=$OV_PFX$i1 OV_NS_B=$OV_PFX$i2
  for i in $(seq 100); do [[ -e /run/netns/$OV_NS_A && -e /run/netns/$OV_NS_B ]] && break; sleep 0.1; done
  [[ -e /run/netns/$OV_NS_B ]] || die "no namespace for the instances ($OV_NS_A, $OV_NS_B)"
  OV_DST=$(ip -n "$OV_NS_B" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1 | head -1)
  local src; src=$(ip -n "$OV_NS_A" -4 -o addr show dev eth0 | awk '{print $4}' | head -1)
  OV_ENI_A=$(ov --json instance show "$i1" | python3 -c 'import json,sys; i=json.load(sys.stdin)["Instances"]["Instance"][0]; print(i["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"])' 2>/dev/null || true)
  OV_ENI_B=$(ov --json instance show "$i2" | python3 -c 'import json,sys; i=json.load(sys.stdin)["Instances"]["Instance"][0]; print(i["NetworkInterfaces"]["NetworkInterface"][0]["NetworkInterfaceId"])' 2>/dev/null || true)
  OV_SG=$sg
  log "openvpc: prefix $OV_PFX, $i1 ($src, $vsw1) -> $i2 ($OV_DST, $vsw2), group $sg with 8 rules"
  for i in $(seq 50); do ping_check "$OV_NS_A" "$OV_DST" && return 0; sleep 0.2; done
  die "openvpc: no path $OV_NS_A -> $OV_DST"
}

ov_snapshot() { # what openvpc's counters say (kept in the work dir)
  {
    echo "--- $1"
    ov show counters 2>&1 || true
    ov show drops 2>&1 || true
    ov show rules "$OV_SG" 2>&1 || true
  } >> "$WORK/openvpc-counters.txt"
}

ov_teardown() {
  [[ -n $OV_PFX ]] || return 0
  if [[ -n $OV_PID ]] && kill -0 "$OV_PID" 2>/dev/null; then
    kill -TERM "$OV_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$OV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$OV_PID" 2>/dev/null || true
    wait "$OV_PID" 2>/dev/null || true
  fi
  # the data plane outlives openvpcd by design: remove this prefix's
  "$OPENVPCD" --data-dir "$OV_DIR" --dp-prefix "$OV_PFX" --dp-destroy >/dev/null 2>&1 || true
  local ns l
  # a deleted namespace's devices go asynchronously: give them a moment
  for _ in $(seq 50); do
    ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -q "^$OV_PFX" || break
    sleep 0.1
  done
  for ns in $(ls /run/netns 2>/dev/null | grep "^$OV_PFX" || true); do log "leftover namespace $ns"; del_ns "$ns"; done
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$OV_PFX" || true); do
    log "leftover link $l"; ip link del "$l" 2>/dev/null || true
  done
  [[ -e /sys/fs/bpf/$OV_PFX ]] && { log "leftover pins /sys/fs/bpf/$OV_PFX"; rm -rf "/sys/fs/bpf/$OV_PFX"; }
  OV_PFX=""
}

# ------------------------------------------------------------ peers

peer_script() {
  case $1 in
    veth) echo "$PEERS/veth.sh" ;;
    bridge|bridge-l2) echo "$PEERS/bridge.sh" ;;
    ovs-tap|ovs-afpacket) echo "$PEERS/ovs.sh" ;;
    *) die "unknown system $1" ;;
  esac
}

peer_setup() {
  local s=$1 script env=() p
  script=$(peer_script "$s")
  case $s in
    bridge-l2) env=(BRIDGE_L2=1) ;;
    ovs-tap) env=(OVS_PORTS=tap) ;;
    ovs-afpacket) env=(OVS_PORTS=afpacket) ;;
  esac
  p=$(env "${env[@]}" "$script" setup | tail -1) || die "$s: setup failed"
  PEER_PFX[$s]=$p
}

teardown_all() {
  local s
  for s in "${!PEER_PFX[@]}"; do
    "$(peer_script "$s")" teardown --prefix "${PEER_PFX[$s]}" || log "$s: teardown failed"
  done
  PEER_PFX=()
  ov_teardown
}

on_exit() {
  local rc=$?
  teardown_all
  if ((rc)); then log "failed (exit $rc); logs kept in $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ run

log "load before setup: $(cut -d' ' -f1-3 /proc/loadavg); CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs"
for s in $SYSTEMS; do
  if [[ $s == openvpc ]]; then ov_setup; else peer_setup "$s"; fi
  log "$s: set up"
done

read -r -a SYS <<< "$SYSTEMS"
n=${#SYS[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  for ((k = 0; k < n; k++)); do
    s=${SYS[$(((k + r - 1) % n))]}
    if [[ $s == openvpc ]]; then
      line=$(measure "$OV_NS_A" "$OV_NS_B" "$OV_DST")
      ov_snapshot "round $r"
    else
      line=$("$(peer_script "$s")" run --prefix "${PEER_PFX[$s]}")
    fi
    echo "round=$r system=$s load=$(cut -d' ' -f1 /proc/loadavg) $line" | tee -a "$RESULTS" >&2
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$RESULTS" "$SYSTEMS" "$ROUNDS" "$TCP_SECS" "$UDP_SECS" "$LOAD_AFTER" <<'EOF'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in l.split()) for l in open(sys.argv[1]) if l.strip()]
systems = sys.argv[2].split()
names = {
    "openvpc": "openvpc (full pipeline: groups, routing across 2 vSwitches, conntrack, counters)",
    "veth": "plain veth pair (on-link, no router: the floor)",
    "bridge": "Linux bridge x2 + kernel routing",
    "bridge-l2": "Linux bridge, one subnet",
    "ovs-tap": "OVS 3.1 userspace (netdev), TAP ports + userspace TSO, routing flows",
    "ovs-afpacket": "OVS 3.1 userspace (netdev), AF_PACKET ports (tx csum off), routing flows",
}
med = {}
for s in systems:
    rs = [r for r in rows if r["system"] == s]
    if not rs:
        continue
    m = lambda k: statistics.median(float(r[k]) for r in rs)
    med[s] = dict(tcp=m("tcp_gbps"), sent=m("udp_sent_pps"), arr=m("udp_arrived_pps"),
                  app=m("udp_app_pps"), retr=m("tcp_retr"),
                  csum=sum(int(r.get("rx_csum_err", 0)) for r in rs),
                  bl=sum(int(r.get("backlog_drops", 0)) for r in rs),
                  loss=statistics.median(max(0.0, 100.0 * (1 - float(r["udp_arrived_pps"]) / max(1.0, float(r["udp_sent_pps"])))) for r in rs))
def ratio(s, base, k):
    if base not in med or med[base][k] == 0:
        return "-"
    return f"{med[s][k] / med[base][k]:.2f}"
print(f"\nmedians of {sys.argv[3]} interleaved round(s); TCP {sys.argv[4]} s, UDP {sys.argv[5]} s; load after: {sys.argv[6]}\n")
print("| system | TCP Gbit/s | TCP retr | UDP 64 B sent kpps | arrived kpps | lost in net | csum err / backlog drops (all rounds) | TCP / pps vs veth | TCP / pps vs bridge |")
print("|---|---|---|---|---|---|---|---|---|")
for s in systems:
    if s not in med:
        continue
    d = med[s]
    print(f"| {names.get(s, s)} | {d['tcp']:.2f} | {d['retr']:.0f} | {d['sent']/1e3:.0f} | {d['arr']/1e3:.0f} | {d['loss']:.1f}% "
          f"| {d['csum']} / {d['bl']} | {ratio(s, 'veth', 'tcp')} / {ratio(s, 'veth', 'arr')} | {ratio(s, 'bridge', 'tcp')} / {ratio(s, 'bridge', 'arr')} |")
if "openvpc" in med and "veth" in med:
    t = med["openvpc"]["tcp"] / med["veth"]["tcp"] if med["veth"]["tcp"] else 0
    p = med["openvpc"]["arr"] / med["veth"]["arr"] if med["veth"]["arr"] else 0
    print(f"\ngoal (issue 6): openvpc >= 0.95x veth in TCP: {t:.2f}x {'met' if t >= 0.95 else 'NOT met'}; "
          f">= 0.90x in packets/s: {p:.2f}x {'met' if p >= 0.90 else 'NOT met'}")
EOF
if [[ -s $WORK/openvpc-counters.txt ]]; then
  echo; echo "openvpc's counters after the last round:"; awk '/^--- /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$WORK/openvpc-counters.txt"
fi
echo "e2e: $n systems x $ROUNDS round(s) ran"
