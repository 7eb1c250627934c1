"""openvpc-bgpd against GoBGP 3 as the customer router (EC-5, ER-2).

    +---------------- ovb<pid>-<n>-c ---------+      +------------ ovb<pid>-<n>-p ----------+
    | openvpc-bgpd  AS 45104                  |      | gobgpd  AS 65003 / 4200000003        |
    |   networks 172.16.0.0/16, fd00:aaaa::/48 |      |   api: unix://<tmp>/gobgp.sock       |
    |   ctl: <tmp>/bgpd.sock                  |      |   routes added with `gobgp global    |
    |                                         |      |   rib add`                           |
    |             ovb<pid>c<n> 10.x.y.1 ======== veth ======== ovb<pid>p<n> 10.x.y.2       |
    |                          fd00:x:y::1    |      |                  fd00:x:y::2          |
    +-----------------------------------------+      +--------------------------------------+

What GoBGP learned is read with `gobgp neighbor 10.x.y.1 adj-in -j`.
"""
import os
import signal
import time

from conftest import needs, Bgpd, Gobgp, bgpctl, prefixes, wait_for

pytestmark = needs("gobgpd", "gobgpd")

OURS = {"172.16.0.0/16", "fd00:aaaa::/48"}


def test_gobgp_2byte_asn_routes_both_ways_and_refresh(topo):
    gob = Gobgp(topo, 65003).start()
    for p in ("192.168.90.0/24", "192.168.91.0/24", "fd00:dddd::/48"):
        gob.add(p)
    bgpd = Bgpd(topo, 65003).start()
    bgpd.wait_state("Established")
    gob.wait_established()
    bgpd.wait_prefixes({"192.168.90.0/24", "192.168.91.0/24", "fd00:dddd::/48"})
    wait_for(lambda: gob.received() == OURS, what="GoBGP learns our networks")

    gob.delete("192.168.91.0/24")
    gob.delete("fd00:dddd::/48")
    bgpd.wait_prefixes({"192.168.90.0/24"})
    assert bgpctl(bgpd, "network", "del", "172.16.0.0/16")[0] == 0
    wait_for(lambda: gob.received() == {"fd00:aaaa::/48"}, what="GoBGP sees our withdrawal")

    # GoBGP keeps its own Adj-RIB-In (softresetin sends nothing), so only our
    # request is exercised: GoBGP answers by sending its routes again.
    before = bgpd.counter("update-in")
    assert bgpctl(bgpd, "refresh", topo.peer_ip)[0] == 0
    wait_for(lambda: bgpd.counter("route-refresh-out") >= 2, what="our refresh")
    wait_for(lambda: bgpd.counter("update-in") > before, what="GoBGP re-sends its routes")
    time.sleep(1)
    bgpd.wait_prefixes({"192.168.90.0/24"})
    assert gob.received() == {"fd00:aaaa::/48"}


def test_gobgp_4byte_asn_with_md5(topo):
    gob = Gobgp(topo, 4200000003, md5="ovb-gobgp").start()
    gob.add("192.168.100.0/24")
    bgpd = Bgpd(topo, 4200000003, md5="ovb-gobgp").start()
    bgpd.wait_state("Established")
    gob.wait_established()
    route = wait_for(lambda: [r for r in bgpd.ctl("routes") if r["prefix"] == "192.168.100.0/24"],
                     what="route from the 4-byte AS")[0]
    assert route["as-path"] == "4200000003"
    wait_for(lambda: gob.received() == OURS, what="GoBGP learns our networks")


def test_gobgp_101_routes_keep_first(topo):
    gob = Gobgp(topo, 65003).start()
    for p in prefixes(101, "192.168.0.0"):
        gob.add(p)
    bgpd = Bgpd(topo, 65003, max_prefixes=100, action="keep-first").start()
    bgpd.wait_state("Established")
    wait_for(lambda: bgpd.neighbor()["received"] == 100, what="100 routes kept")
    assert bgpd.counter("prefixes-refused-limit") >= 1
    time.sleep(1)
    assert bgpd.state() == "Established"


def test_gobgp_101_routes_teardown(topo):
    gob = Gobgp(topo, 65003).start()
    for p in prefixes(101, "192.168.0.0"):
        gob.add(p)
    bgpd = Bgpd(topo, 65003, max_prefixes=100, action="teardown").start()
    wait_for(lambda: bgpd.counter("limit-teardowns") >= 1, what="limit teardown")
    n = bgpd.neighbor()
    assert n["state"] == "Idle"
    assert (n["last-notification-sent"]["code"], n["last-notification-sent"]["subcode"]) == (6, 1)
    wait_for(lambda: gob.state() not in (6, "established", "ESTABLISHED"), what="GoBGP session down")


def test_gobgp_hold_timer_expiry_on_sigstop_and_recovery(topo):
    gob = Gobgp(topo, 65003).start()
    gob.add("192.168.110.0/24")
    bgpd = Bgpd(topo, 65003, hold=4).start()
    bgpd.wait_state("Established")
    bgpd.wait_prefixes({"192.168.110.0/24"})
    os.killpg(gob.proc.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: bgpd.counter("hold-timer-expired") == 1, 10, what="hold timer expiry")
        assert bgpd.prefixes() == set()
    finally:
        os.killpg(gob.proc.pid, signal.SIGCONT)
    bgpd.wait_state("Established", 40)
    bgpd.wait_prefixes({"192.168.110.0/24"})


def test_gobgp_restart_reconnects(topo):
    gob = Gobgp(topo, 65003).start()
    gob.add("192.168.120.0/24")
    bgpd = Bgpd(topo, 65003).start()
    bgpd.wait_state("Established")
    bgpd.wait_prefixes({"192.168.120.0/24"})
    os.killpg(gob.proc.pid, signal.SIGTERM)
    gob.proc.wait(10)
    wait_for(lambda: bgpd.state() != "Established", 10, what="session down")
    if os.path.exists(gob.api):
        os.unlink(gob.api)
    gob.start()
    gob.add("192.168.121.0/24")
    bgpd.wait_state("Established", 40)
    bgpd.wait_prefixes({"192.168.121.0/24"})
    wait_for(lambda: gob.received() == OURS, what="GoBGP learns our networks again")
