"""openvpc-bgpd against ExaBGP 4 as the customer router (EC-5, ER-2).

    +---------------- ovb<pid>-<n>-c ---------+      +------------ ovb<pid>-<n>-p ----------+
    | openvpc-bgpd  AS 45104                  |      | exabgp  AS 65004 / 4200000004        |
    |   networks 172.16.0.0/16, fd00:aaaa::/48 |      |   API process exa_api.py:            |
    |   ctl: <tmp>/bgpd.sock                  |      |   commands <- <tmp>/exa-cmds         |
    |                                         |      |   JSON     -> <tmp>/exa-in.jsonl     |
    |             ovb<pid>c<n> 10.x.y.1 ======== veth ======== ovb<pid>p<n> 10.x.y.2       |
    |                          fd00:x:y::1    |      |                  fd00:x:y::2          |
    +-----------------------------------------+      +--------------------------------------+

What ExaBGP learned is read from the JSON its API process receives.
"""
import os
import signal
import time

from conftest import needs, Bgpd, Exabgp, bgpctl, prefixes, wait_for

pytestmark = needs("exabgp", "exabgp")

OURS = {"172.16.0.0/16", "fd00:aaaa::/48"}


def announce(exa, topo, p):
    nh = topo.peer_ip6 if ":" in p else "self"
    exa.send(f"announce route {p} next-hop {nh}")


def test_exabgp_2byte_asn_routes_both_ways_and_refresh(topo):
    exa = Exabgp(topo, 65004).start()
    bgpd = Bgpd(topo, 65004).start()
    bgpd.wait_state("Established")
    exa.wait_established()
    for p in ("192.168.130.0/24", "192.168.131.0/24", "fd00:eeee::/48"):
        announce(exa, topo, p)
    bgpd.wait_prefixes({"192.168.130.0/24", "192.168.131.0/24", "fd00:eeee::/48"})
    wait_for(lambda: exa.received() == OURS, what="ExaBGP learns our networks")

    exa.send("withdraw route 192.168.131.0/24 next-hop self")
    bgpd.wait_prefixes({"192.168.130.0/24", "fd00:eeee::/48"})
    assert bgpctl(bgpd, "network", "del", "172.16.0.0/16")[0] == 0
    wait_for(lambda: exa.received() == {"fd00:aaaa::/48"}, what="ExaBGP sees our withdrawal")

    # Our refresh request; ExaBGP re-sends from its Adj-RIB-Out.  (ExaBGP
    # 4.2.21 crashes its peer loop on its own "announce route-refresh", so
    # the peer-initiated direction is covered with BIRD, FRR and the raw peer.)
    before = bgpd.counter("update-in")
    assert bgpctl(bgpd, "refresh", topo.peer_ip)[0] == 0
    wait_for(lambda: bgpd.counter("route-refresh-out") >= 2, what="our refresh")
    wait_for(lambda: bgpd.counter("update-in") > before, what="ExaBGP re-sends its routes")
    time.sleep(1)
    assert bgpd.state() == "Established"
    bgpd.wait_prefixes({"192.168.130.0/24", "fd00:eeee::/48"})


def test_exabgp_4byte_asn_with_md5(topo):
    exa = Exabgp(topo, 4200000004, md5="ovb-exa").start()
    bgpd = Bgpd(topo, 4200000004, md5="ovb-exa").start()
    bgpd.wait_state("Established")
    exa.wait_established()
    announce(exa, topo, "192.168.140.0/24")
    route = wait_for(lambda: [r for r in bgpd.ctl("routes") if r["prefix"] == "192.168.140.0/24"],
                     what="route from the 4-byte AS")[0]
    assert route["as-path"] == "4200000004"
    wait_for(lambda: exa.received() == OURS, what="ExaBGP learns our networks")


def test_exabgp_101_routes_keep_first(topo):
    exa = Exabgp(topo, 65004).start()
    bgpd = Bgpd(topo, 65004, max_prefixes=100, action="keep-first").start()
    bgpd.wait_state("Established")
    exa.wait_established()
    for p in prefixes(101, "192.168.0.0"):
        announce(exa, topo, p)
    wait_for(lambda: bgpd.neighbor()["received"] == 100, what="100 routes kept")
    wait_for(lambda: bgpd.counter("prefixes-refused-limit") >= 1, what="the 101st refused")
    time.sleep(1)
    assert bgpd.state() == "Established"


def test_exabgp_101_routes_teardown(topo):
    exa = Exabgp(topo, 65004).start()
    bgpd = Bgpd(topo, 65004, max_prefixes=100, action="teardown").start()
    bgpd.wait_state("Established")
    exa.wait_established()
    for p in prefixes(101, "192.168.0.0"):
        announce(exa, topo, p)
    wait_for(lambda: bgpd.counter("limit-teardowns") >= 1, what="limit teardown")
    n = bgpd.neighbor()
    assert (n["last-notification-sent"]["code"], n["last-notification-sent"]["subcode"]) == (6, 1)
    wait_for(lambda: any(m.get("type") == "notification" for m in exa.messages())
             or "Cease" in open(os.path.join(topo.dir, "exabgp.log")).read(),
             what="ExaBGP saw the Cease")


def test_exabgp_hold_timer_expiry_on_sigstop_and_recovery(topo):
    exa = Exabgp(topo, 65004, hold=4).start()
    bgpd = Bgpd(topo, 65004, hold=4).start()
    bgpd.wait_state("Established")
    exa.wait_established()
    announce(exa, topo, "192.168.150.0/24")
    bgpd.wait_prefixes({"192.168.150.0/24"})
    os.killpg(exa.proc.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: bgpd.counter("hold-timer-expired") == 1, 10, what="hold timer expiry")
        assert bgpd.prefixes() == set()
    finally:
        os.killpg(exa.proc.pid, signal.SIGCONT)
    bgpd.wait_state("Established", 40)


def test_exabgp_restart_reconnects(topo):
    exa = Exabgp(topo, 65004).start()
    bgpd = Bgpd(topo, 65004).start()
    bgpd.wait_state("Established")
    os.killpg(exa.proc.pid, signal.SIGTERM)
    exa.proc.wait(10)
    wait_for(lambda: bgpd.state() != "Established", 10, what="session down")
    os.unlink(os.path.join(topo.dir, "exa-cmds")) if os.path.exists(os.path.join(topo.dir, "exa-cmds")) else None
    exa.start()
    bgpd.wait_state("Established", 40)
    announce(exa, topo, "192.168.160.0/24")
    bgpd.wait_prefixes({"192.168.160.0/24"})
