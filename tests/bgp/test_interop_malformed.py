"""Malformed messages from a raw BGP peer: RFC 7606 (treat-as-withdraw,
attribute discard, session reset only where the NLRI cannot be located),
RFC 4271 header errors and RFC 7313 ROUTE-REFRESH errors (EC-5).

    +---------------- ovb<pid>-<n>-c ---------+      +------------ ovb<pid>-<n>-p ----------+
    | openvpc-bgpd  AS 45104                  |      | rawpeer.py  AS 4200000005            |
    |   ctl: <tmp>/bgpd.sock                  |      |   hand-built messages from stdin,    |
    |                                         |      |   received messages to stdout        |
    |             ovb<pid>c<n> 10.x.y.1 ======== veth ======== ovb<pid>p<n> 10.x.y.2       |
    +-----------------------------------------+      +--------------------------------------+

Every malformed UPDATE is sent on a session that already holds good routes,
and the test checks which routes survive.
"""
import os
import queue
import struct
import subprocess
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest import Bgpd, needs, wait_for  # noqa: E402
from rawpeer import attr, msg, pfx, update  # noqa: E402

PEER_AS = 4200000005
pytestmark = needs(None, None)
RAWPEER = os.path.join(os.path.dirname(__file__), "rawpeer.py")


class Raw:
    def __init__(self, topo, families="ipv4,ipv6", local=None, env=None):
        self.topo = topo
        self.q = queue.Queue()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", topo.peer_ns, sys.executable, RAWPEER, local or topo.peer_ip,
             topo.cloud_ip, str(PEER_AS), families], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, start_new_session=True, env=env)
        topo.procs.append(self.proc)
        threading.Thread(target=self._read, daemon=True).start()
        self.closed = False
        self.received = []

    def _read(self):
        for line in self.proc.stdout:
            self.q.put(line.split())

    def drain(self):
        while True:
            try:
                m = self.q.get_nowait()
            except queue.Empty:
                return
            if m[0] == "CLOSED":
                self.closed = True
            elif m[0] == "RECV":
                self.received.append((int(m[1]), bytes.fromhex(m[2]) if len(m) > 2 else b""))

    def send(self, b):
        self.proc.stdin.write("SEND " + b.hex() + "\n")
        self.proc.stdin.flush()

    def notification(self):
        self.drain()
        for t, body in self.received:
            if t == 3:
                return body[0], body[1], body[2:]
        return None


def good_attrs(nh=None):
    return (attr(0x40, 1, b"\x00") + attr(0x40, 2, b"\x02\x01" + struct.pack("!I", PEER_AS))
            + attr(0x40, 3, bytes(map(int, nh.split(".")))) if nh else
            attr(0x40, 1, b"\x00") + attr(0x40, 2, b"\x02\x01" + struct.pack("!I", PEER_AS)))


def mp_reach(nh6, prefixes):
    import socket
    body = struct.pack("!HBB", 2, 1, 16) + socket.inet_pton(socket.AF_INET6, nh6) + b"\x00"
    return attr(0x90, 14, body + b"".join(pfx(p) for p in prefixes))


@pytest.fixture
def session(topo):
    bgpd = Bgpd(topo, PEER_AS, hold=30, max_prefixes=1000).start()
    raw = Raw(topo)
    bgpd.wait_state("Established")
    good = ["192.168.200.0/24", "192.168.201.0/24", "192.168.202.0/24"]
    raw.send(update(attrs=good_attrs(topo.peer_ip), nlri=b"".join(pfx(p) for p in good)))
    raw.send(update(attrs=mp_reach(topo.peer_ip6, ["fd00:ffff::/48"]) + good_attrs()))
    bgpd.wait_prefixes(set(good) | {"fd00:ffff::/48"})
    return bgpd, raw, set(good) | {"fd00:ffff::/48"}


def still_up(bgpd, raw):
    raw.drain()
    assert bgpd.state() == "Established"
    assert raw.notification() is None
    assert not raw.closed


def test_treat_as_withdraw_keeps_other_routes(session, topo):
    bgpd, raw, routes = session
    # Bad ORIGIN value announcing an existing prefix and a new one: both withdrawn.
    bad = attr(0x40, 1, b"\x07") + good_attrs(topo.peer_ip)[4:]
    raw.send(update(attrs=bad, nlri=pfx("192.168.200.0/24") + pfx("192.168.210.0/24")))
    routes.discard("192.168.200.0/24")
    bgpd.wait_prefixes(routes)
    assert bgpd.counter("errors-update-treat-as-withdraw") == 1
    # AS_PATH segment overrun.
    bad = attr(0x40, 1, b"\x00") + attr(0x40, 2, b"\x02\x05\x00\x00\x00\x01") + attr(0x40, 3, bytes([10, 0, 0, 9]))
    raw.send(update(attrs=bad, nlri=pfx("192.168.201.0/24")))
    routes.discard("192.168.201.0/24")
    bgpd.wait_prefixes(routes)
    # An attribute whose length overruns the attribute field.
    bad = good_attrs(topo.peer_ip) + bytes([0xc0, 8, 40, 1, 2, 3, 4])
    raw.send(update(attrs=bad, nlri=pfx("192.168.202.0/24")))
    routes.discard("192.168.202.0/24")
    bgpd.wait_prefixes(routes)
    # Missing NEXT_HOP; COMMUNITIES of length 3; a wrong-length MED.
    raw.send(update(attrs=good_attrs(), nlri=pfx("192.168.220.0/24")))
    raw.send(update(attrs=good_attrs(topo.peer_ip) + attr(0xc0, 8, b"\x01\x02\x03"), nlri=pfx("192.168.221.0/24")))
    raw.send(update(attrs=good_attrs(topo.peer_ip) + attr(0x80, 4, b"\x00\x01"), nlri=pfx("192.168.222.0/24")))
    # Treat-as-withdraw also covers IPv6 NLRI in MP_REACH_NLRI.
    raw.send(update(attrs=mp_reach(topo.peer_ip6, ["fd00:ffff::/48"]) + attr(0x40, 1, b"\x09")
                    + attr(0x40, 2, b"\x02\x01" + struct.pack("!I", PEER_AS))))
    routes.discard("fd00:ffff::/48")
    bgpd.wait_prefixes(routes)
    wait_for(lambda: bgpd.counter("errors-update-treat-as-withdraw") == 7, what="7 treat-as-withdraw")
    # A good route afterwards is still accepted on the same session.
    raw.send(update(attrs=good_attrs(topo.peer_ip), nlri=pfx("192.168.230.0/24")))
    routes.add("192.168.230.0/24")
    bgpd.wait_prefixes(routes)
    still_up(bgpd, raw)


def test_attribute_discard_keeps_the_route(session, topo):
    bgpd, raw, routes = session
    extra = (attr(0x40, 6, b"\x01")                       # ATOMIC_AGGREGATE with data
             + attr(0xc0, 7, b"\x00\x01\x02")             # AGGREGATOR of 3 bytes
             + attr(0x40, 5, b"\x00\x00\x01\x00")         # LOCAL_PREF from an external peer
             + attr(0x40, 1, b"\x02")                     # a second ORIGIN
             + attr(0xe0, 222, b"unknown"))               # unknown optional transitive: kept
    raw.send(update(attrs=good_attrs(topo.peer_ip) + extra, nlri=pfx("192.168.240.0/24")))
    routes.add("192.168.240.0/24")
    bgpd.wait_prefixes(routes)
    r = [x for x in bgpd.ctl("routes") if x["prefix"] == "192.168.240.0/24"][0]
    assert r["origin"] == "igp"          # the first ORIGIN was kept
    assert r["local-pref"] == 100        # not the peer's 256
    assert r["unknown-attributes-bytes"] == 3 + 7
    assert bgpd.counter("errors-attribute-discard") == 4
    still_up(bgpd, raw)


def test_unparseable_nlri_resets_the_session(session, topo):
    bgpd, raw, routes = session
    raw.send(update(attrs=good_attrs(topo.peer_ip), nlri=bytes([33, 1, 2, 3, 4, 5])))
    n = wait_for(raw.notification, 10, what="NOTIFICATION")
    assert n[:2] == (3, 10)  # UPDATE Message Error / Invalid Network Field
    wait_for(lambda: bgpd.prefixes() == set(), what="routes released")
    assert bgpd.counter("errors-update-session-reset") == 1


def test_repeated_mp_reach_resets_the_session(session, topo):
    bgpd, raw, routes = session
    mp = mp_reach(topo.peer_ip6, ["fd00:1::/48"])
    raw.send(update(attrs=mp + mp + good_attrs()))
    n = wait_for(raw.notification, 10, what="NOTIFICATION")
    assert n[:2] == (3, 1)  # Malformed Attribute List


def test_header_errors(session, topo):
    bgpd, raw, routes = session
    raw.send(msg(4, b"", length=5000))
    n = wait_for(raw.notification, 10, what="NOTIFICATION")
    assert n[:2] == (1, 2)
    assert n[2] == struct.pack("!H", 5000)  # the bad length is the data
    wait_for(lambda: bgpd.prefixes() == set(), what="routes released")


def test_route_refresh_bad_length(session, topo):
    bgpd, raw, routes = session
    bad = msg(5, b"\x00\x01\x00\x01" + bytes(range(256)) * 2)  # 535 bytes
    raw.send(bad)
    n = wait_for(raw.notification, 10, what="NOTIFICATION")
    assert n[:2] == (7, 1)  # RFC 7313: ROUTE-REFRESH Message Error / Invalid Message Length
    assert n[2] == bad      # RFC 7313 5: the data is the complete message, header included
    sent = bgpd.neighbor()["last-notification-sent"]
    assert sent["data"] == bad.hex()


def mp_reach_nh(nh_bytes, prefixes):
    body = struct.pack("!HBB", 2, 1, len(nh_bytes)) + nh_bytes + b"\x00"
    return attr(0x90, 14, body + b"".join(pfx(p) for p in prefixes))


def test_ipv6_next_hops_checked(session, topo):
    """RFC 4760 / RFC 2545 / RFC 4271 6.3: an MP_REACH next hop that is
    unspecified, loopback, multicast, link-local alone or the speaker's own
    address withdraws the routes (RFC 7606 treat-as-withdraw), the session stays."""
    import socket
    bgpd, raw, routes = session
    a6 = lambda t: socket.inet_pton(socket.AF_INET6, t)  # noqa: E731
    bad = ["::", "ff02::1", "::1", "fe80::1", topo.cloud_ip6, "::ffff:127.0.0.1"]
    taw0 = bgpd.counter("errors-update-treat-as-withdraw")
    for i, nh in enumerate(bad):
        raw.send(update(attrs=mp_reach_nh(a6(nh), [f"fd00:bad:{i}::/48"]) + good_attrs()))
    # The speaker's own address as the global half of a 32-byte next hop, too.
    raw.send(update(attrs=mp_reach_nh(a6(topo.cloud_ip6) + a6("fe80::2"), ["fd00:bad:99::/48"])
                    + good_attrs()))
    # Valid: global alone, and global + link-local (RFC 2545).
    raw.send(update(attrs=mp_reach_nh(a6(topo.peer_ip6), ["fd00:900d:1::/48"]) + good_attrs()))
    raw.send(update(attrs=mp_reach_nh(a6(topo.peer_ip6) + a6("fe80::2"), ["fd00:900d:2::/48"])
                    + good_attrs()))
    routes |= {"fd00:900d:1::/48", "fd00:900d:2::/48"}
    bgpd.wait_prefixes(routes)
    wait_for(lambda: bgpd.counter("errors-update-treat-as-withdraw") == taw0 + len(bad) + 1,
             what="every bad next hop treated as withdraw")
    assert not {r["prefix"] for r in bgpd.ctl("routes", "received")} & {
        f"fd00:bad:{i}::/48" for i in list(range(len(bad))) + [99]}
    ll = [r for r in bgpd.ctl("routes") if r["prefix"] == "fd00:900d:2::/48"][0]
    assert ll["next-hop-link-local"] == "fe80::2"
    still_up(bgpd, raw)


def test_ipv4_next_hop_equal_to_our_address(session, topo):
    """RFC 4271 6.3 a: a NEXT_HOP that is the receiving speaker's own address."""
    bgpd, raw, routes = session
    raw.send(update(attrs=good_attrs(topo.cloud_ip), nlri=pfx("192.168.200.0/24")))
    routes.discard("192.168.200.0/24")
    bgpd.wait_prefixes(routes)
    assert "192.168.200.0/24" not in {r["prefix"] for r in bgpd.ctl("routes", "received")}
    still_up(bgpd, raw)


def test_long_as_path_shown_whole(session, topo):
    """The control socket shows an AS path of 1,000 ASes (10,999 characters) whole."""
    bgpd, raw, routes = session
    segs = b""
    left = 1000
    first = True
    while left:
        k = min(left, 250)
        ases = [PEER_AS] + [4294967295] * (k - 1) if first else [4294967295] * k
        segs += bytes([2, k]) + b"".join(struct.pack("!I", a) for a in ases)
        left -= k
        first = False
    attrs = attr(0x40, 1, b"\x00") + attr(0x50, 2, segs) + attr(0x40, 3, bytes(map(int, topo.peer_ip.split("."))))
    raw.send(update(attrs=attrs, nlri=pfx("192.168.250.0/24")))
    routes.add("192.168.250.0/24")
    bgpd.wait_prefixes(routes)
    r = [x for x in bgpd.ctl("routes") if x["prefix"] == "192.168.250.0/24"][0]
    assert r["as-path"] == " ".join([str(PEER_AS)] + ["4294967295"] * 999)
    assert len(r["as-path"]) == 10999


def test_classic_nlri_from_a_peer_without_ipv4_unicast(topo):
    """A peer whose OPEN lists only IPv6 unicast: its classic IPv4 NLRI are
    ignored and counted (errors-ignored-afi-safi), the session stays, its
    IPv6 routes count (docs/bgp.md, "Protocol coverage")."""
    bgpd = Bgpd(topo, PEER_AS, hold=30).start()
    raw = Raw(topo, families="ipv6")
    bgpd.wait_state("Established")
    assert bgpd.neighbor()["negotiated"]["families"] == ["ipv6-unicast"]
    raw.send(update(attrs=good_attrs(topo.peer_ip), nlri=pfx("192.168.77.0/24")))
    raw.send(update(attrs=mp_reach(topo.peer_ip6, ["fd00:77::/48"]) + good_attrs()))
    bgpd.wait_prefixes({"fd00:77::/48"}, which="received")
    assert bgpd.counter("errors-ignored-afi-safi") == 1
    still_up(bgpd, raw)


def test_peer_route_refresh_and_unknown_afi(session, topo):
    bgpd, raw, routes = session
    raw.drain()
    before = len([1 for t, _ in raw.received if t == 2])
    raw.send(msg(5, b"\x00\x01\x00\x01"))            # refresh IPv4 unicast
    raw.send(msg(5, b"\x00\x19\x00\x46"))            # AFI 25 / SAFI 70: ignored
    def updates():
        raw.drain()
        return len([1 for t, _ in raw.received if t == 2]) > before
    wait_for(updates, 10, what="our routes re-sent")
    wait_for(lambda: bgpd.counter("errors-ignored-afi-safi") == 1, what="unknown AFI ignored")
    still_up(bgpd, raw)
