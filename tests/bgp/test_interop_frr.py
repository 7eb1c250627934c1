"""openvpc-bgpd against FRR 8 bgpd as the customer router (EC-5, ER-2).

    +---------------- ovb<pid>-<n>-c ---------+      +------------ ovb<pid>-<n>-p ----------+
    | openvpc-bgpd  AS 45104                  |      | FRR bgpd -Z -l 10.x.y.2              |
    |   networks 172.16.0.0/16, fd00:aaaa::/48 |      |   AS 65002 / 4200000002              |
    |   ctl: <tmp>/bgpd.sock                  |      |   vty: <tmp>/frrvty (vtysh)          |
    |             ovb<pid>c<n> 10.x.y.1 ======== veth ======== ovb<pid>p<n> 10.x.y.2       |
    |                          fd00:x:y::1    |      |                  fd00:x:y::2          |
    +-----------------------------------------+      +--------------------------------------+

FRR runs without zebra (-Z) and without kernel routes; what it learned is
read with vtysh ("show bgp ipv4|ipv6 unicast json").
"""
import json
import os
import signal
import time

from conftest import needs, Bgpd, Frr, bgpctl, prefixes, wait_for

pytestmark = needs("/usr/lib/frr/bgpd", "frr")

OURS = {"172.16.0.0/16", "fd00:aaaa::/48"}


def test_frr_2byte_asn_routes_both_ways_and_refresh(topo):
    frr = Frr(topo, 65002, routes4=["192.168.50.0/24", "192.168.51.0/24"],
              routes6=["fd00:cccc::/48"]).start()
    bgpd = Bgpd(topo, 65002).start()
    bgpd.wait_state("Established")
    frr.wait_established()
    bgpd.wait_prefixes({"192.168.50.0/24", "192.168.51.0/24", "fd00:cccc::/48"})
    wait_for(lambda: frr.received() == OURS, what="FRR learns our networks")

    frr.set_networks(remove=["192.168.51.0/24"])
    bgpd.wait_prefixes({"192.168.50.0/24", "fd00:cccc::/48"})
    frr.set_networks(add=["192.168.52.0/24"])
    bgpd.wait_prefixes({"192.168.50.0/24", "192.168.52.0/24", "fd00:cccc::/48"})
    assert bgpctl(bgpd, "network", "del", "fd00:aaaa::/48")[0] == 0
    wait_for(lambda: frr.received() == {"172.16.0.0/16"}, what="FRR sees our IPv6 withdrawal")
    assert bgpctl(bgpd, "network", "add", "fd00:aaab::/48")[0] == 0
    wait_for(lambda: frr.received() == {"172.16.0.0/16", "fd00:aaab::/48"}, what="FRR sees the new network")

    # FRR asks us for a refresh ("soft in"), then we ask FRR.
    before = bgpd.counter("route-refresh-in")
    frr.vtysh(f"clear bgp ipv4 unicast {topo.cloud_ip} soft in")
    wait_for(lambda: bgpd.counter("route-refresh-in") > before, what="FRR's refresh request")
    assert bgpctl(bgpd, "refresh", topo.peer_ip)[0] == 0
    wait_for(lambda: bgpd.counter("route-refresh-out") >= 2, what="our refresh")
    time.sleep(1)
    bgpd.wait_prefixes({"192.168.50.0/24", "192.168.52.0/24", "fd00:cccc::/48"})
    assert frr.received() == {"172.16.0.0/16", "fd00:aaab::/48"}
    assert frr.state() == "Established"


def test_frr_4byte_asn_with_md5(topo):
    frr = Frr(topo, 4200000002, routes4=["192.168.60.0/24"], md5="ovb-frr").start()
    bgpd = Bgpd(topo, 4200000002, md5="ovb-frr").start()
    bgpd.wait_state("Established")
    frr.wait_established()
    route = wait_for(lambda: [r for r in bgpd.ctl("routes") if r["prefix"] == "192.168.60.0/24"],
                     what="route from the 4-byte AS")[0]
    assert route["as-path"] == "4200000002"
    wait_for(lambda: frr.received() == OURS, what="FRR learns our networks")
    assert frr.summary()["remoteAs"] == 45104


def test_frr_101_routes_keep_first(topo):
    frr = Frr(topo, 65002, routes4=prefixes(101, "192.168.0.0")).start()
    bgpd = Bgpd(topo, 65002, max_prefixes=100, action="keep-first").start()
    bgpd.wait_state("Established")
    wait_for(lambda: bgpd.neighbor()["received"] == 100, what="100 routes kept")
    wait_for(lambda: bgpd.counter("prefixes-refused-limit") >= 1, what="the 101st refused")
    time.sleep(1)
    assert bgpd.state() == "Established"
    assert frr.state() == "Established"


def test_frr_101_routes_teardown_with_restart(topo):
    frr = Frr(topo, 65002, routes4=prefixes(101, "192.168.0.0")).start()
    bgpd = Bgpd(topo, 65002, max_prefixes=100, action="teardown", restart=2).start()
    wait_for(lambda: bgpd.counter("limit-teardowns") >= 1, what="limit teardown")
    n = bgpd.neighbor()
    assert (n["last-notification-sent"]["code"], n["last-notification-sent"]["subcode"]) == (6, 1)
    wait_for(lambda: "Maximum Number of Prefixes Reached" in json.dumps(frr.summary())
             or "maximum number of prefixes" in json.dumps(frr.summary()).lower(),
             what="FRR saw Cease/1", last=frr.summary)
    # restart = 2 s: the session comes back by itself (and is torn down again).
    wait_for(lambda: bgpd.counter("limit-teardowns") >= 2, 20, what="second teardown after restart")
    assert bgpd.counter("established-transitions") >= 2


def test_frr_hold_timer_expiry_on_sigstop_and_recovery(topo):
    frr = Frr(topo, 65002, routes4=["192.168.70.0/24"]).start()
    bgpd = Bgpd(topo, 65002, hold=4).start()
    bgpd.wait_state("Established")
    bgpd.wait_prefixes({"192.168.70.0/24"})
    os.killpg(frr.proc.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: bgpd.counter("hold-timer-expired") == 1, 10, what="hold timer expiry")
        assert bgpd.prefixes() == set()
    finally:
        os.killpg(frr.proc.pid, signal.SIGCONT)
    bgpd.wait_state("Established", 40)
    bgpd.wait_prefixes({"192.168.70.0/24"})


def test_frr_restart_reconnects(topo):
    frr = Frr(topo, 65002, routes4=["192.168.80.0/24"]).start()
    bgpd = Bgpd(topo, 65002).start()
    bgpd.wait_state("Established")
    bgpd.wait_prefixes({"192.168.80.0/24"})
    os.killpg(frr.proc.pid, signal.SIGTERM)
    frr.proc.wait(10)
    wait_for(lambda: bgpd.state() != "Established", 10, what="session down")
    frr.start()
    bgpd.wait_state("Established", 40)
    bgpd.wait_prefixes({"192.168.80.0/24"})
    wait_for(lambda: frr.received() == OURS, what="FRR learns our networks again")
