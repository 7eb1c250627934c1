#!/usr/bin/env bash
# bench/peers/bridge.sh: the Linux bridge. By default the same two subnets as
# openvpc's benchmark, routed by the kernel between two bridges (one per
# "vSwitch") in a switch namespace; with BRIDGE_L2=1, one subnet on one bridge.
#
#   routed (default)                        BRIDGE_L2=1
#   <P>a eth0 10.0.1.1/24 gw .254            <P>a eth0 10.0.1.1/24
#     | veth                                    | veth
#   <P>r: br1 10.0.1.254/24 -ip_forward-      <P>r: br0 (no address)
#         br2 10.0.2.254/24                     | veth
#     | veth                                  <P>b eth0 10.0.1.2/24
#   <P>b eth0 10.0.2.1/24 gw .254
#
#   bench/peers/bridge.sh [all] | setup [--prefix P] | run --prefix P [--short] | teardown --prefix P
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
LETTER=b

do_setup() {
  need_tool iperf3
  local a=${PFX}a b=${PFX}b r=${PFX}r
  save_env NS_A "$a"; save_env NS_B "$b"; save_env NS_R "$r"
  make_ns "$a"; make_ns "$b"; make_ns "$r"
  ip -n "$a" link add eth0 type veth peer name pa netns "$r"
  ip -n "$b" link add eth0 type veth peer name pb netns "$r"
  if [[ ${BRIDGE_L2:-0} == 1 ]]; then
    save_env DST 10.0.1.2
    ip -n "$r" link add br0 type bridge
    ip -n "$r" link set pa master br0
    ip -n "$r" link set pb master br0
    ip -n "$r" link set br0 up
    ip -n "$a" addr add 10.0.1.1/24 dev eth0
    ip -n "$b" addr add 10.0.1.2/24 dev eth0
  else
    save_env DST 10.0.2.1
    ip -n "$r" link add br1 type bridge
    ip -n "$r" link add br2 type bridge
    ip -n "$r" link set pa master br1
    ip -n "$r" link set pb master br2
    ip -n "$r" addr add 10.0.1.254/24 dev br1
    ip -n "$r" addr add 10.0.2.254/24 dev br2
    ip -n "$r" link set br1 up
    ip -n "$r" link set br2 up
    ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$a" addr add 10.0.1.1/24 dev eth0
    ip -n "$b" addr add 10.0.2.1/24 dev eth0
  fi
  ip -n "$r" link set pa up
  ip -n "$r" link set pb up
  ip -n "$a" link set eth0 up
  ip -n "$b" link set eth0 up
  if [[ ${BRIDGE_L2:-0} != 1 ]]; then
    ip -n "$a" route add default via 10.0.1.254
    ip -n "$b" route add default via 10.0.2.254
  fi
}

do_teardown() {
  stop_pids
  del_ns "${PFX}a"; del_ns "${PFX}b"; del_ns "${PFX}r"
}

main_dispatch "$@"
