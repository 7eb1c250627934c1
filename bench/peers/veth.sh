#!/usr/bin/env bash
# bench/peers/veth.sh: the floor. Two namespaces joined by one bare veth pair,
# two subnets with on-link routes (no router, no bridge, nothing in between).
#
#     <P>a: eth0 10.0.1.1/24 =====veth===== <P>b: eth0 10.0.2.1/24
#           10.0.2.0/24 dev eth0                  10.0.1.0/24 dev eth0
#
#   bench/peers/veth.sh [all]                 setup, measure, teardown (trap)
#   bench/peers/veth.sh setup [--prefix P]    prints the prefix
#   bench/peers/veth.sh run --prefix P [--short]
#   bench/peers/veth.sh teardown --prefix P
# Measurement (bench/peers/lib.sh): iperf3 TCP single stream, 10 s; UDP
# 64-byte frames, iperf3 -u -l 18 -b 0, 5 s.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
LETTER=v

do_setup() {
  need_tool iperf3
  local a=${PFX}a b=${PFX}b
  save_env NS_A "$a"; save_env NS_B "$b"; save_env DST 10.0.2.1
  make_ns "$a"; make_ns "$b"
  ip -n "$a" link add eth0 type veth peer name eth0 netns "$b"
  ip -n "$a" addr add 10.0.1.1/24 dev eth0
  ip -n "$b" addr add 10.0.2.1/24 dev eth0
  ip -n "$a" link set eth0 up
  ip -n "$b" link set eth0 up
  ip -n "$a" route add 10.0.2.0/24 dev eth0
  ip -n "$b" route add 10.0.1.0/24 dev eth0
}

do_teardown() {
  stop_pids
  del_ns "${PFX}a"; del_ns "${PFX}b"
}

main_dispatch "$@"
