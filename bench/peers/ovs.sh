#!/usr/bin/env bash
# bench/peers/ovs.sh: Open vSwitch's userspace datapath (Debian's
# openvswitch-switch; datapath_type=netdev), ovsdb-server and ovs-vswitchd
# started by hand with --pidfile in the prefix's state directory, inside a
# switch namespace of their own, stopped by PID at teardown.  The same two
# subnets as openvpc's benchmark, routed by OpenFlow rules (rewrite MACs,
# dec_ttl, output: what a logical router in OVN compiles to); the instances
# hold a static neighbour entry for their gateway.
#
#   <P>a eth0 10.0.1.1/24 gw 10.0.1.254 (static neighbour: the router MAC)
#     | veth (OVS_PORTS=afpacket, default) or a TAP moved into <P>a (OVS_PORTS=tap)
#   <P>s: ovs-vswitchd, bridge br0 (netdev), flows route 10.0.1/24 <-> 10.0.2/24
#     |
#   <P>b eth0 10.0.2.1/24 gw 10.0.2.254
#
#   OVS_PORTS=afpacket|tap   port kind (tap: TAP ports with userspace TSO on)
#   bench/peers/ovs.sh [all] | setup [--prefix P] | run --prefix P [--short] | teardown --prefix P
# If Open vSwitch is not installed or will not run here it says so and exits
# non-zero.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
LETTER=o
GWMAC=02:00:00:00:fe:01

ovs_env() {
  local d; d="$(state_dir)/ovs"
  export OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d
  VSCTL=(ovs-vsctl --db="unix:$d/db.sock" --timeout=10)
  OFCTL=(ovs-ofctl)
}

do_setup() {
  need_tool iperf3
  for t in ovsdb-server ovs-vswitchd ovs-vsctl ovsdb-tool ovs-ofctl; do
    command -v $t >/dev/null 2>&1 || die "Open vSwitch is not installed ($t missing): apt-get install openvswitch-switch (scripts/install-deps.sh --test)"
  done
  local schema=/usr/share/openvswitch/vswitch.ovsschema
  [[ -r $schema ]] || die "Open vSwitch schema $schema missing"
  [[ -c /dev/net/tun ]] || die "/dev/net/tun missing: the netdev datapath cannot make its bridge port"
  local ports=${OVS_PORTS:-afpacket}
  [[ $ports == afpacket || $ports == tap ]] || die "OVS_PORTS must be afpacket or tap"
  local a=${PFX}a b=${PFX}b s=${PFX}s d
  d="$(state_dir)/ovs"; mkdir -p "$d"
  save_env NS_A "$a"; save_env NS_B "$b"; save_env NS_S "$s"; save_env DST 10.0.2.1
  save_env OVS_PORTS "$ports"
  ovs_env
  make_ns "$a"; make_ns "$b"; make_ns "$s"

  ovsdb-tool create "$d/conf.db" "$schema"
  ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --unixctl="$d/ovsdb-server.ctl" \
    -vconsole:off --pidfile="$d/ovsdb-server.pid" --log-file="$d/ovsdb-server.log" --detach --no-chdir \
    || die "ovsdb-server would not start (log: $d/ovsdb-server.log)"
  add_pid "$(cat "$d/ovsdb-server.pid")"
  "${VSCTL[@]}" --no-wait init
  if [[ $ports == tap ]]; then
    "${VSCTL[@]}" --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true
  fi
  ip netns exec "$s" ovs-vswitchd "unix:$d/db.sock" --unixctl="$d/ovs-vswitchd.ctl" \
    -vconsole:off --pidfile="$d/ovs-vswitchd.pid" --log-file="$d/ovs-vswitchd.log" --detach --no-chdir \
    || die "ovs-vswitchd would not start (log: $d/ovs-vswitchd.log)"
  add_pid "$(cat "$d/ovs-vswitchd.pid")"
  "${VSCTL[@]}" add-br br0 -- set bridge br0 datapath_type=netdev fail-mode=secure \
    || die "ovs-vswitchd would not make a netdev bridge (log: $d/ovs-vswitchd.log)"

  if [[ $ports == afpacket ]]; then
    ip -n "$a" link add eth0 type veth peer name pa netns "$s"
    ip -n "$b" link add eth0 type veth peer name pb netns "$s"
    ip -n "$s" link set pa up
    ip -n "$s" link set pb up
    "${VSCTL[@]}" add-port br0 pa -- set interface pa ofport_request=1
    "${VSCTL[@]}" add-port br0 pb -- set interface pb ofport_request=2
  else
    # OVS makes the TAPs (in its namespace) and keeps their fds; the devices
    # then move into the instances and become eth0 there.
    "${VSCTL[@]}" add-port br0 "${PFX}ta" -- set interface "${PFX}ta" type=tap ofport_request=1
    "${VSCTL[@]}" add-port br0 "${PFX}tb" -- set interface "${PFX}tb" type=tap ofport_request=2
    local i
    for i in $(seq 50); do ip -n "$s" link show "${PFX}tb" >/dev/null 2>&1 && break; sleep 0.1; done
    ip -n "$s" link set "${PFX}ta" netns "$a"
    ip -n "$s" link set "${PFX}tb" netns "$b"
    ip -n "$a" link set "${PFX}ta" name eth0
    ip -n "$b" link set "${PFX}tb" name eth0
  fi
  "${VSCTL[@]}" list interface pa pb "${PFX}ta" "${PFX}tb" 2>/dev/null | grep -E '^(name|ofport|error) ' >&2 || true
  if [[ $ports == afpacket ]]; then
    # AF_PACKET ports hand OVS the sender's partial checksums and OVS sends
    # them on as they are: the receiver drops such TCP segments.  TX checksum
    # offload off on the instances (which turns TSO off too), as OVS's own
    # userspace tests do.
    need_tool ethtool
    ip netns exec "$a" ethtool -K eth0 tx off >/dev/null
    ip netns exec "$b" ethtool -K eth0 tx off >/dev/null
  fi
  ip -n "$a" addr add 10.0.1.1/24 dev eth0
  ip -n "$b" addr add 10.0.2.1/24 dev eth0
  ip -n "$a" link set eth0 up
  ip -n "$b" link set eth0 up
  ip -n "$a" route add default via 10.0.1.254
  ip -n "$b" route add default via 10.0.2.254
  ip -n "$a" neigh replace 10.0.1.254 lladdr $GWMAC dev eth0 nud permanent
  ip -n "$b" neigh replace 10.0.2.254 lladdr $GWMAC dev eth0 nud permanent
  local maca macb
  maca=$(ip -n "$a" -br link show eth0 | awk '{print $3}')
  macb=$(ip -n "$b" -br link show eth0 | awk '{print $3}')
  local mgmt="unix:$d/br0.mgmt"
  "${OFCTL[@]}" add-flow "$mgmt" "priority=100,ip,nw_dst=10.0.2.0/24,actions=mod_dl_src:$GWMAC,mod_dl_dst:$macb,dec_ttl,output:2" \
    || die "ovs-ofctl could not add flows (log: $d/ovs-vswitchd.log)"
  "${OFCTL[@]}" add-flow "$mgmt" "priority=100,ip,nw_dst=10.0.1.0/24,actions=mod_dl_src:$GWMAC,mod_dl_dst:$maca,dec_ttl,output:1"
  "${OFCTL[@]}" add-flow "$mgmt" "priority=0,actions=drop"
}

do_teardown() {
  local d; d="$(state_dir)/ovs"
  stop_pids
  del_ns "${PFX}a"; del_ns "${PFX}b"; del_ns "${PFX}s"
}

main_dispatch "$@"
