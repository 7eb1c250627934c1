# bench/peers/lib.sh: shared by the data-plane peer benchmarks (veth.sh,
# bridge.sh, ovs.sh) and bench/e2e.sh.  Sourced, not run.
#
# The topology every script builds (two "instances", two subnets):
#
#     netns <P>a                                     netns <P>b
#     eth0 10.0.1.1/24  --- the system under test --- eth0 10.0.2.1/24
#     (route to 10.0.2.0/24)                        (route to 10.0.1.0/24)
#
# The system in the middle is what changes: a bare veth pair (on-link routes,
# no router at all: the floor), a Linux bridge with kernel routing between
# two bridges, Open vSwitch's userspace datapath with routing flows, or
# openvpc's own pipeline (bench/e2e.sh).  Traffic never leaves namespaces the
# script created (openvpc's host ends sit in the root namespace, by design).
#
# State lives in a directory per prefix (/tmp/ovbench-state/<P>): the file
# `env` (NS_A, NS_B, DST, ...) and a file `pids` of the processes started,
# each stopped by its PID at teardown.

set -euo pipefail

BENCH_STATE_ROOT=${BENCH_STATE_ROOT:-/tmp/ovbench-state}
TCP_SECS=${TCP_SECS:-10}
UDP_SECS=${UDP_SECS:-5}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
log() { echo "[$(basename "$0" .sh)] $*" >&2; }

# default prefix: "b" + system letter + 4 base-36 characters of the PID;
# short enough for device names (15 chars) with a suffix.
default_prefix() {
  local letter=$1 n=$$ a=0123456789abcdefghijklmnopqrstuvwxyz s="" i
  for i in 1 2 3 4; do s="${a:$((n % 36)):1}$s"; n=$((n / 36)); done
  echo "b${letter}${s}"
}

state_dir() { echo "$BENCH_STATE_ROOT/$PFX"; }

# prefix_in_use P: anything on the host carrying prefix P?
prefix_in_use() {
  local p=$1
  ls /run/netns 2>/dev/null | grep -q "^$p" && return 0
  ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -q "^$p" && return 0
  [[ -e "$BENCH_STATE_ROOT/$p" ]] && return 0
  return 1
}

need_root() { [[ $(id -u) == 0 ]] || die "must run as root (namespaces)"; }
need_tool() { command -v "$1" >/dev/null 2>&1 || die "$1 not found (Debian package ${2:-$1}; scripts/install-deps.sh --test)"; }

save_env() { # save_env KEY VALUE: appended to the state's env file
  printf '%s=%q\n' "$1" "$2" >> "$(state_dir)/env"
}
load_env() {
  [[ -f "$(state_dir)/env" ]] || die "no state for prefix $PFX (run setup first)"
  # shellcheck disable=SC1090
  source "$(state_dir)/env"
}
add_pid() { echo "$1" >> "$(state_dir)/pids"; }

# stop_pids: TERM then KILL, each PID this prefix started (and only those).
stop_pids() {
  local f; f="$(state_dir)/pids"
  [[ -f $f ]] || return 0
  local pid
  for pid in $(tac "$f"); do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $(tac "$f"); do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$f"
}

# del_ns NS: stops what runs there (started by us: the namespaces are ours), deletes it
del_ns() {
  local ns=$1
  [[ -e /run/netns/$ns ]] || return 0
  local pid
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
}

# make_instance NS ADDR/LEN: a namespace with lo up; eth0 is added by the caller
make_ns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# udp_in NS: packets that reached the namespace's UDP layer (delivered to a
# socket, or dropped there for a full buffer / no port): what the network
# handed over, whatever the receiving application managed to read.
udp_in() {
  ip netns exec "$1" awk '/^Udp: [0-9]/ {print $2 + $3 + $4}' /proc/net/snmp
}

# drops NS: "csum_errors backlog_drops": TCP segments with a bad checksum seen
# by the namespace's stack (Tcp InCsumErrors) and packets the kernel dropped
# for a full per-CPU backlog (host-wide: softnet_stat's second column).
drops() {
  local csum bl
  csum=$(ip netns exec "$1" awk '/^Tcp: [0-9]/ {print $NF}' /proc/net/snmp)
  bl=0
  local _a x _r
  while read -r _a x _r; do bl=$((bl + 16#$x)); done < /proc/net/softnet_stat
  echo "$csum $bl"
}

# measure NS_CLIENT NS_SERVER DST_IP: prints one line
#   tcp_gbps=X udp_sent_pps=Y udp_arrived_pps=Z udp_app_pps=W
# TCP: iperf3 single stream TCP_SECS s (receiver's figure).  UDP: iperf3
# -u -l 18 -b 0 (18-byte payload: 64-byte frames with the FCS) for UDP_SECS s;
# arrived = packets that reached the server namespace's UDP layer per second
# (the data plane's delivery), app = what iperf3's server read.
measure() {
  local nc=$1 ns=$2 dst=$3 port=${BENCH_PORT:-5201}
  local tmp; tmp=$(mktemp -d /tmp/ovbench-m.XXXXXX)
  local spid rc=0
  local d0 d1
  d0=$(drops "$ns")
  # TCP
  ip netns exec "$ns" iperf3 -s -1 -B "$dst" -p "$port" >"$tmp/s1.log" 2>&1 &
  spid=$!
  wait_port "$ns" "$port" || { kill "$spid" 2>/dev/null; rm -rf "$tmp"; die "iperf3 server did not start in $ns"; }
  ip netns exec "$nc" timeout $((TCP_SECS + 20)) iperf3 -c "$dst" -p "$port" -t "$TCP_SECS" -J >"$tmp/tcp.json" 2>"$tmp/tcp.err" || rc=$?
  ((rc == 0)) || kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  [[ $rc == 0 ]] || { tail -c 600 "$tmp/tcp.json" >&2; cat "$tmp/tcp.err" >&2; rm -rf "$tmp"; die "TCP test failed ($nc -> $dst)"; }
  # UDP
  ip netns exec "$ns" iperf3 -s -1 -B "$dst" -p "$port" >"$tmp/s2.log" 2>&1 &
  spid=$!
  wait_port "$ns" "$port" || { kill "$spid" 2>/dev/null; rm -rf "$tmp"; die "iperf3 server did not start in $ns"; }
  local in0 in1
  in0=$(udp_in "$ns")
  ip netns exec "$nc" timeout $((UDP_SECS + 20)) iperf3 -c "$dst" -p "$port" -u -l 18 -b 0 -t "$UDP_SECS" -J >"$tmp/udp.json" 2>"$tmp/udp.err" || rc=$?
  ((rc == 0)) || kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  in1=$(udp_in "$ns")
  d1=$(drops "$ns")
  [[ $rc == 0 ]] || { tail -c 600 "$tmp/udp.json" >&2; cat "$tmp/udp.err" >&2; rm -rf "$tmp"; die "UDP test failed ($nc -> $dst)"; }
  python3 - "$tmp/tcp.json" "$tmp/udp.json" "$in0" "$in1" $d0 $d1 <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["end"]
u = json.load(open(sys.argv[2]))["end"]
tcp = t["sum_received"]["bits_per_second"] / 1e9
retr = t["sum_sent"].get("retransmits", 0)
sent = u["sum_sent"]["packets"]
secs = u["sum_sent"]["seconds"] or 1
app = u["sum_received"]["packets"] - u["sum_received"]["lost_packets"]
arrived = int(sys.argv[4]) - int(sys.argv[3])
print(f"tcp_gbps={tcp:.2f} tcp_retr={retr} udp_sent_pps={sent/secs:.0f} "
      f"udp_arrived_pps={arrived/secs:.0f} udp_app_pps={app/secs:.0f} "
      f"udp_lost_in_net={max(0, sent - arrived)} "
      f"rx_csum_err={int(sys.argv[7]) - int(sys.argv[5])} backlog_drops={int(sys.argv[8]) - int(sys.argv[6])}")
EOF
  rm -rf "$tmp"
}

# wait_port NS PORT: until something listens on TCP PORT in NS (5 s)
wait_port() {
  local i
  for i in $(seq 100); do
    ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0
    sleep 0.05
  done
  return 1
}

# ping_check NS DST: the path works before anything is measured
ping_check() {
  ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2" >/dev/null 2>&1 || {
    ip netns exec "$1" ping -c 1 -W 2 "$2" >&2 || true
    return 1
  }
}

# main_dispatch: the common command line of the peer scripts.
#   SCRIPT setup|run|teardown|all  [--prefix P]
# `all` (the default) runs setup, run and teardown, tearing down on any exit.
# setup tears down what it made if it fails.
main_dispatch() {
  local cmd=${1:-all}; shift || true
  while (($#)); do
    case $1 in
      --prefix) PFX=$2; shift 2 ;;
      --short) TCP_SECS=2; UDP_SECS=2; shift ;;
      *) die "unknown argument $1" ;;
    esac
  done
  need_root
  case $cmd in
    setup)
      [[ -n ${PFX:-} ]] || PFX=$(default_prefix "$LETTER")
      prefix_in_use "$PFX" && die "prefix $PFX already in use on this host"
      mkdir -p "$(state_dir)"
      trap 'rc=$?; if ((rc)); then log "setup failed: tearing down"; do_teardown; rm -rf "$(state_dir)"; fi' EXIT
      do_setup
      load_env
      ping_check "$NS_A" "$DST" || die "no path $NS_A -> $DST after setup"
      trap - EXIT
      echo "$PFX"
      ;;
    run)
      [[ -n ${PFX:-} ]] || die "run needs --prefix"
      load_env
      measure "$NS_A" "$NS_B" "$DST"
      ;;
    teardown)
      [[ -n ${PFX:-} ]] || die "teardown needs --prefix"
      [[ -d "$(state_dir)" ]] || return 0
      do_teardown
      rm -rf "$(state_dir)"
      ;;
    all)
      [[ -n ${PFX:-} ]] || PFX=$(default_prefix "$LETTER")
      prefix_in_use "$PFX" && die "prefix $PFX already in use on this host"
      mkdir -p "$(state_dir)"
      trap 'do_teardown; rm -rf "$(state_dir)"' EXIT
      trap 'exit 130' INT TERM
      do_setup
      load_env
      ping_check "$NS_A" "$DST" || die "no path $NS_A -> $DST after setup"
      measure "$NS_A" "$NS_B" "$DST"
      ;;
    *) die "usage: $(basename "$0") setup|run|teardown|all [--prefix P] [--short]" ;;
  esac
}
