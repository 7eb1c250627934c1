"""openvpc-bgpd against BIRD 2 as the customer router (EC-5, ER-2).

    +---------------- ovb<pid>-<n>-c ---------+      +------------ ovb<pid>-<n>-p ----------+
    | openvpc-bgpd  AS 45104                  |      | bird  AS 65001 / 4200000001          |
    |   networks 172.16.0.0/16, fd00:aaaa::/48 |      |   static 192.168.x.0/24, fd00:bbbb:: |
    |   ctl: <tmp>/bgpd.sock                  |      |   ctl: <tmp>/bird.ctl (birdc)        |
    |             ovb<pid>c<n> 10.x.y.1 ======== veth ======== ovb<pid>p<n> 10.x.y.2       |
    |                          fd00:x:y::1    |      |                  fd00:x:y::2          |
    +-----------------------------------------+      +--------------------------------------+

Every check of what the peer learned is made in BIRD's own CLI (birdc).
"""
import os
import signal
import time

from conftest import needs, Bgpd, Bird, bgpctl, openvpc_bgp, prefixes, wait_for

pytestmark = needs("bird", "bird2")

OURS = {"172.16.0.0/16", "fd00:aaaa::/48"}


def test_bird_2byte_asn_routes_both_ways_and_refresh(topo):
    bird = Bird(topo, 65001, routes4=["192.168.10.0/24", "192.168.11.0/24"],
                routes6=["fd00:bbbb::/48"]).start()
    bgpd = Bgpd(topo, 65001).start()
    bgpd.wait_state("Established")
    bird.wait_established()

    # Announcements both ways, seen in each side's own view.
    bgpd.wait_prefixes({"192.168.10.0/24", "192.168.11.0/24", "fd00:bbbb::/48"})
    wait_for(lambda: bird.received() == OURS, what="BIRD learns our networks")
    n = bgpd.neighbor()
    assert n["negotiated"]["four-octet-as"] is True
    assert set(n["negotiated"]["families"]) == {"ipv4-unicast", "ipv6-unicast"}
    assert n["negotiated"]["hold-time"] == 6
    route = [r for r in bgpd.ctl("routes") if r["prefix"] == "fd00:bbbb::/48"][0]
    assert route["next-hop"] == topo.peer_ip6
    assert route["as-path"] == "65001"

    # Withdrawals from the peer.
    bird.set_routes(routes4=["192.168.10.0/24"])
    bgpd.wait_prefixes({"192.168.10.0/24", "fd00:bbbb::/48"})
    # Withdrawal and a new announcement from us, through the C client.
    rc, out = bgpctl(bgpd, "network", "del", "172.16.0.0/16")
    assert rc == 0, out
    wait_for(lambda: bird.received() == {"fd00:aaaa::/48"}, what="BIRD sees our withdrawal")
    assert bgpctl(bgpd, "network", "add", "172.17.0.0/16")[0] == 0
    wait_for(lambda: bird.received() == {"172.17.0.0/16", "fd00:aaaa::/48"}, what="BIRD sees the new network")
    rc, out = bgpctl(bgpd, "routes", "advertised")
    assert rc == 0 and "172.17.0.0/16" in out

    # The same views through `openvpc bgp` (tables; one neighbor: every counter).
    rc, out = openvpc_bgp(bgpd, "neighbors")
    assert rc == 0 and topo.peer_ip in out and "Established" in out, out
    rc, out = openvpc_bgp(bgpd, "routes", "received")
    assert rc == 0 and "192.168.10.0/24" in out and "192.168.11.0/24" not in out, out
    rc, out = openvpc_bgp(bgpd, "routes", "advertised")
    assert rc == 0 and "172.17.0.0/16" in out and "172.16.0.0/16" not in out, out
    rc, out = openvpc_bgp(bgpd, "neighbors", topo.peer_ip)
    assert rc == 0 and "update-in" in out and "notification-out" in out, out
    rc, out = openvpc_bgp(bgpd, "routes", "received", "192.0.2.99")
    assert rc == 1 and "Error: BgpControl" in out, out

    # Route refresh we ask for (BIRD answers with enhanced refresh: BoRR .. EoRR).
    assert bgpctl(bgpd, "refresh", topo.peer_ip)[0] == 0
    wait_for(lambda: bgpd.counter("route-refresh-out") >= 2, what="refresh sent")
    wait_for(lambda: bgpd.counter("route-refresh-in") >= 2, what="BoRR/EoRR received")
    bgpd.wait_prefixes({"192.168.10.0/24", "fd00:bbbb::/48"})
    # Route refresh BIRD asks for.
    before = bgpd.counter("route-refresh-in")
    bird.birdc("reload", "in", "cloud")
    wait_for(lambda: bgpd.counter("route-refresh-in") > before, what="BIRD's refresh request")
    time.sleep(0.5)
    assert bird.received() == {"172.17.0.0/16", "fd00:aaaa::/48"}
    assert bgpd.state() == "Established"


def test_bird_4byte_asn_with_md5(topo):
    bird = Bird(topo, 4200000001, routes4=["192.168.20.0/24"], md5="ovb-secret").start()
    bgpd = Bgpd(topo, 4200000001, md5="ovb-secret").start()
    bgpd.wait_state("Established")
    bird.wait_established()
    assert bgpd.neighbor()["md5"] is True
    route = wait_for(lambda: [r for r in bgpd.ctl("routes") if r["prefix"] == "192.168.20.0/24"],
                     what="route from the 4-byte AS")[0]
    assert route["as-path"] == "4200000001"
    wait_for(lambda: bird.received() == OURS, what="BIRD learns our networks")
    assert "Neighbor AS:      45104" in bird.info()


def test_bird_md5_mismatch_never_establishes(topo):
    bird = Bird(topo, 65001, md5="right").start()
    bgpd = Bgpd(topo, 65001, md5="wrong").start()
    time.sleep(6)
    assert bgpd.state() != "Established"
    assert bird.state() != "Established"


def test_bird_101_routes_keep_first(topo):
    bird = Bird(topo, 65001, routes4=prefixes(101)).start()
    bgpd = Bgpd(topo, 65001, max_prefixes=100, action="keep-first").start()
    bgpd.wait_state("Established")
    wait_for(lambda: bgpd.neighbor()["received"] == 100, what="100 routes kept")
    wait_for(lambda: bgpd.counter("prefixes-refused-limit") >= 1, what="the 101st refused")
    time.sleep(1)
    assert bgpd.state() == "Established"
    assert len(bgpd.prefixes()) == 100
    assert "maximum of 100 prefixes reached" in bgpd.log()
    bird.wait_established()


def test_bird_101_routes_teardown_then_reset(topo):
    bird = Bird(topo, 65001, routes4=prefixes(101)).start()
    bgpd = Bgpd(topo, 65001, max_prefixes=100, action="teardown").start()
    wait_for(lambda: bgpd.counter("limit-teardowns") >= 1, what="limit teardown")
    n = bgpd.neighbor()
    assert n["state"] == "Idle" and n["admin-down"] is True
    assert (n["last-notification-sent"]["code"], n["last-notification-sent"]["subcode"]) == (6, 1)
    # RFC 4486: AFI 1, SAFI 1, limit 100.
    assert n["last-notification-sent"]["data"] == "00010100000064"
    wait_for(lambda: "aximum number of prefixes" in bird.log(), what="BIRD saw Cease/1", last=bird.info)
    assert bgpd.prefixes() == set()
    time.sleep(3)
    assert bgpd.state() == "Idle"  # restart = 0: stays down until reset
    # The customer fixes its side; an operator reset brings the session back.
    bird.set_routes(routes4=prefixes(100))
    assert bgpctl(bgpd, "reset", topo.peer_ip)[0] == 0
    bgpd.wait_state("Established")
    wait_for(lambda: bgpd.neighbor()["received"] == 100, what="100 routes after reset")


def test_bird_hold_timer_expiry_on_sigstop_and_recovery(topo):
    bird = Bird(topo, 65001, routes4=["192.168.30.0/24"]).start()
    bgpd = Bgpd(topo, 65001, hold=4).start()
    bgpd.wait_state("Established")
    bgpd.wait_prefixes({"192.168.30.0/24"})
    os.killpg(bird.proc.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: bgpd.counter("hold-timer-expired") == 1, 10, what="hold timer expiry")
        assert bgpd.state() != "Established"
        assert bgpd.prefixes() == set()
        n = bgpd.neighbor()
        assert n["last-notification-sent"]["code"] == 4
    finally:
        os.killpg(bird.proc.pid, signal.SIGCONT)
    bgpd.wait_state("Established", 30)
    bgpd.wait_prefixes({"192.168.30.0/24"})
    bird.wait_established()


def test_bird_restart_graceful_and_plain(topo):
    bird = Bird(topo, 65001, routes4=["192.168.40.0/24"], gr=True).start()
    bgpd = Bgpd(topo, 65001).start()
    bgpd.wait_state("Established")
    bgpd.wait_prefixes({"192.168.40.0/24"})
    assert bgpd.neighbor()["negotiated"]["peer-graceful-restart"] is True

    # A crash (no NOTIFICATION): RFC 4724 helper keeps the routes, stale.
    os.killpg(bird.proc.pid, signal.SIGKILL)
    bird.proc.wait(5)
    wait_for(lambda: bgpd.state() != "Established", 10, what="session down after SIGKILL")
    routes = bgpd.ctl("routes", "received")
    assert [r["prefix"] for r in routes] == ["192.168.40.0/24"]
    assert "stale" in routes[0]["flags"]
    assert bgpd.counter("gr-stale-marked") == 1
    bird.start()
    bgpd.wait_state("Established", 30)
    wait_for(lambda: all("stale" not in r["flags"] for r in bgpd.ctl("routes", "received")),
             what="stale flag cleared")
    bgpd.wait_prefixes({"192.168.40.0/24"})

    # A clean stop (Cease): routes go at once; the session returns with BIRD.
    bird_pid = bird.proc.pid
    os.killpg(bird_pid, signal.SIGTERM)
    bird.proc.wait(5)
    wait_for(lambda: bgpd.prefixes() == set(), 10, what="routes flushed after Cease")
    bird.start()
    bgpd.wait_state("Established", 30)
    bgpd.wait_prefixes({"192.168.40.0/24"})
    wait_for(lambda: bird.received() == OURS, what="BIRD learns our networks again")
