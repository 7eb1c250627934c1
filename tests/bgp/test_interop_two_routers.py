"""Two customer routers, two sessions (ER-3: redundant BGP sessions; EC-2
ECMP): BIRD and FRR announce the same prefix; openvpc-bgpd picks the best
path, marks both equal-cost with multipath on, and fails over when one
withdraws or dies.

              +------------- ovb<pid>-<n>-p : bird AS 65001 (10.x.y.2)
              |  veth ovb<pid>c<n> / ovb<pid>p<n>
    +---------+---------- ovb<pid>-<n>-c ---------+
    | openvpc-bgpd AS 45104, multipath = yes      |
    |   10.x.y.1 (to BIRD), 10.x.z.1 (to FRR)     |
    +---------+-----------------------------------+
              |  veth ovb<pid>d<n> / ovb<pid>q<n>
              +------------- ovb<pid>-<n>-q : FRR bgpd AS 65002 (10.x.z.2)
"""
import os
import signal

import pytest

from conftest import needs, Bgpd, Bird, Frr, PREFIX, sh, wait_for

pytestmark = [needs("bird", "bird2"), needs("/usr/lib/frr/bgpd", "frr")]

PFX = "192.168.99.0/24"


@pytest.fixture
def topo2(topo):
    """Adds a second peer namespace to topo, on its own veth and subnet."""
    n = topo.n
    ns = f"{PREFIX}-{n}-q"
    cif, pif = f"{PREFIX}d{n}", f"{PREFIX}q{n}"
    x, y = topo.cloud_ip.split(".")[1], (int(topo.cloud_ip.split(".")[2]) + 128) % 256
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("ip", "link", "add", cif, "type", "veth", "peer", "name", pif)
        sh("ip", "link", "set", cif, "netns", topo.cloud_ns)
        sh("ip", "link", "set", pif, "netns", ns)
        sh("ip", "addr", "add", f"10.{x}.{y}.1/24", "dev", cif, ns=topo.cloud_ns)
        sh("ip", "addr", "add", f"10.{x}.{y}.2/24", "dev", pif, ns=ns)
        sh("ip", "addr", "add", f"fd00:{x}:{y}::2/64", "dev", pif, "nodad", ns=ns)
        sh("ip", "link", "set", cif, "up", ns=topo.cloud_ns)
        sh("ip", "link", "set", pif, "up", ns=ns)
        yield topo, ns, f"10.{x}.{y}.1", f"10.{x}.{y}.2", f"fd00:{x}:{y}::2"
    finally:
        for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        sh("ip", "netns", "del", ns, check=False)


class View:
    """A second-peer view of the topology for the FRR driver."""

    def __init__(self, topo, ns, cloud_ip, peer_ip, peer_ip6):
        self.dir, self.procs, self.spawn = topo.dir, topo.procs, topo.spawn
        self.peer_ns, self.cloud_ip, self.peer_ip, self.peer_ip6 = ns, cloud_ip, peer_ip, peer_ip6


def test_two_sessions_best_path_multipath_and_failover(topo2):
    topo, ns2, cloud2, peer2, peer2_6 = topo2
    frr_dir = os.path.join(topo.dir, "frr2")
    os.makedirs(frr_dir)
    view = View(topo, ns2, cloud2, peer2, peer2_6)
    view.dir = frr_dir
    bird = Bird(topo, 65001, routes4=[PFX]).start()
    frr = Frr(view, 65002, routes4=[PFX]).start()
    second = (f"\n[neighbor {peer2}]\nremote-as = 65002\nimport = accept\nexport = networks\n"
              f"hold-time = 6\nconnect-retry = 2\nidle-hold-time = 1\n")
    bgpd = Bgpd(topo, 65001, global_extra="multipath = yes", extra=second).start()
    wait_for(lambda: [n["state"] for n in bgpd.ctl("neighbors")] == ["Established"] * 2, 30,
             what="both sessions up")
    paths = wait_for(lambda: [r for r in bgpd.ctl("routes", "received") if r["prefix"] == PFX]
                     if len([r for r in bgpd.ctl("routes", "received") if r["prefix"] == PFX]) == 2 else None,
                     what="two paths")
    assert all("multipath" in p["flags"] for p in paths)
    best = [p for p in paths if "best" in p["flags"]]
    assert len(best) == 1
    # Equal up to the tie-breakers: the lower router id wins.
    winner = min((topo.peer_ip, peer2), key=lambda a: tuple(map(int, a.split("."))))
    assert best[0]["neighbor"] == winner
    # Both customer routers learned our networks over their own session.
    wait_for(lambda: bird.received() == {"172.16.0.0/16", "fd00:aaaa::/48"}, what="BIRD learns ours")
    wait_for(lambda: "172.16.0.0/16" in frr.received(), what="FRR learns ours")

    # Failover: the winner withdraws; the other path becomes best at once.
    loser = peer2 if winner == topo.peer_ip else topo.peer_ip
    if winner == topo.peer_ip:
        bird.set_routes(routes4=[])
    else:
        frr.set_networks(remove=[PFX])
    wait_for(lambda: [(r["neighbor"], r["flags"]) for r in bgpd.ctl("routes") if r["prefix"] == PFX]
             == [(loser, ["accepted", "best"])], what="failover to the other session")
