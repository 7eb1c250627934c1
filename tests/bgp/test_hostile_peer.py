"""Hostile peers that must not stall the speaker (issue 7, "The BGP speaker"):
a ROUTE-REFRESH flood while BIRD keeps a 3-second hold time, a peer that
stops reading, and a connection burst that exhausts the speaker's file
descriptors.

    +------------- ovb<pid>-<n>-c ------------+      +------------- ovb<pid>-<n>-p -------------+
    | openvpc-bgpd  AS 45104, 1,000 networks   |      | bird            AS 65001   10.x.y.2      |
    |   ctl: <tmp>/bgpd.sock                   |      | rawpeer.py      AS 4200000005 10.x.y.3   |
    |                                          |      |   (flooder / non-reader / conn burst)    |
    |          ovb<pid>c<n> 10.x.y.1 ========= veth ========= ovb<pid>p<n> 10.x.y.2, .3          |
    +------------------------------------------+      +------------------------------------------+

Every namespace, address and process is created here (conftest.Topo) with the
ovb<pid> prefix and removed even when a test fails; processes are stopped by
PID only.
"""
import os
import resource
import signal
import struct
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest import Bgpd, Bird, needs, sh, wait_for  # noqa: E402
from rawpeer import msg  # noqa: E402
from test_interop_malformed import PEER_AS, Raw  # noqa: E402

pytestmark = needs("bird", "bird2")
NETWORKS = [f"10.{100 + i // 256}.{i % 256}.0/24" for i in range(1000)]
REFRESH_V4 = msg(5, struct.pack("!HBB", 1, 0, 1))


def third_ip(topo):
    return topo.peer_ip.rsplit(".", 1)[0] + ".3"


def add_third(topo):
    sh("ip", "addr", "add", third_ip(topo) + "/24", "dev", topo.peer_if, ns=topo.peer_ns)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bgpd_pid(bgpd):
    with open(f"/proc/{bgpd.proc.pid}/comm") as f:  # `ip netns exec` execs in place
        assert f.read().strip() == "openvpc-bgpd"
    return bgpd.proc.pid


def ctl_latency(bgpd):
    t = time.monotonic()
    bgpd.ctl("summary")
    return time.monotonic() - t


def second_neighbor(addr, extra=""):
    return (f"\n[neighbor {addr}]\nremote-as = {PEER_AS}\nimport = accept\nexport = networks\n"
            f"hold-time = 30\nconnect-retry = 2\nidle-hold-time = 1\npassive = yes\n{extra}")


def by_addr(bgpd, addr):
    return [n for n in bgpd.ctl("neighbors") if n["address"] == addr][0]


def test_refresh_flood_does_not_stall_other_sessions(topo):
    add_third(topo)
    flooder = third_ip(topo)
    bird = Bird(topo, 65001, routes4=["192.168.50.0/24"], hold=3).start()
    bgpd = Bgpd(topo, 65001, hold=3, networks=NETWORKS, extra=second_neighbor(flooder)).start()
    raw = Raw(topo, local=flooder)
    wait_for(lambda: [n["state"] for n in bgpd.ctl("neighbors")] == ["Established"] * 2, 30,
             what="BIRD and the flooder up")
    bird.wait_established()
    pid = bgpd_pid(bgpd)
    n = 200000
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    raw.proc.stdin.write(f"FLOOD {n} {REFRESH_V4.hex()}\n")
    raw.proc.stdin.flush()
    worst = 0.0
    while by_addr(bgpd, flooder)["counters"]["route-refresh-in"] < n:
        worst = max(worst, ctl_latency(bgpd))
        assert bird.state() == "Established"
        assert time.monotonic() - t0 < 60, "200,000 refreshes not handled in 60 s"
        time.sleep(0.2)
    wall, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
    f = by_addr(bgpd, flooder)
    b = by_addr(bgpd, topo.peer_ip)
    print(f"\n{n} refreshes in {wall:.2f}s, bgpd CPU {cpu:.2f}s, control socket worst {worst*1000:.0f} ms, "
          f"re-advertised {f['counters']['prefixes-announced-out']} prefixes, "
          f"deferred {f['counters']['route-refresh-deferred']}, yields {f['counters']['input-yields']}")
    assert worst < 1.0, f"control socket answered after {worst:.2f}s"
    assert b["state"] == "Established" and b["counters"]["hold-timer-expired"] == 0
    assert f["state"] == "Established"
    # Rate limit: a burst of 4, then 2/s; the rest is coalesced.
    assert f["counters"]["prefixes-announced-out"] <= len(NETWORKS) * (1 + 4 + 2 * wall + 2)
    assert f["counters"]["route-refresh-deferred"] >= n - 4 - 2 * wall - 2
    assert f["counters"]["input-yields"] > 0
    assert "Hold timer expired" not in open(os.path.join(topo.dir, "bird.log")).read()
    # SIGTERM in the middle of a flood: served between two batches.
    raw.proc.stdin.write(f"FLOOD {n} {REFRESH_V4.hex()}\n")
    raw.proc.stdin.flush()
    wait_for(lambda: by_addr(bgpd, flooder)["counters"]["route-refresh-in"] > n + 1000, 20,
             interval=0.05, what="the second flood under way")
    t = time.monotonic()
    bgpd.proc.send_signal(signal.SIGTERM)
    bgpd.proc.wait(10)
    print(f"SIGTERM to exit during a flood: {(time.monotonic() - t) * 1000:.0f} ms")
    assert time.monotonic() - t < 2.0


def test_peer_that_stops_reading_is_reset(topo):
    add_third(topo)
    peer = third_ip(topo)
    bgpd = Bgpd(topo, 65001, hold=30, networks=NETWORKS,
                extra="passive = yes\n" + second_neighbor(peer, "max-output-queue = 65536\n")).start()
    raw = Raw(topo, local=peer, env=dict(os.environ, RAWPEER_RCVBUF="4096"))
    wait_for(lambda: by_addr(bgpd, peer)["state"] == "Established", 30, what="raw peer up")
    raw.proc.stdin.write("NOREAD\n")
    raw.proc.stdin.flush()
    burst = (REFRESH_V4 * 10 + msg(4, b"")).hex()
    highest = 0
    t0 = time.monotonic()
    while by_addr(bgpd, peer)["counters"]["output-queue-resets"] == 0:
        highest = max(highest, by_addr(bgpd, peer)["output-queue-bytes"])
        assert time.monotonic() - t0 < 90, f"no reset after 90 s (queue {highest} bytes)"
        raw.proc.stdin.write(f"SEND {burst}\n")
        raw.proc.stdin.flush()
        time.sleep(0.25)
    n = by_addr(bgpd, peer)
    print(f"\nreset after {time.monotonic() - t0:.1f}s, highest queue {highest} bytes")
    assert highest <= 65536
    assert n["last-notification-sent"]["code"] == 6 and n["last-notification-sent"]["subcode"] == 8
    assert "over max-output-queue 65536; session reset (Cease/8)" in bgpd.log()


BURST = r'''
import socket, sys, time
src, dst, count, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
socks = []
for _ in range(count):
    s = socket.socket()
    s.setblocking(False)
    s.bind((src, 0))
    try:
        s.connect((dst, 179))
    except BlockingIOError:
        pass
    socks.append(s)
print("OPEN", flush=True)
time.sleep(hold)
'''


def test_connection_burst_out_of_descriptors(topo):
    """accept() failing with EMFILE pauses the listener (no spin, a
    rate-limited log line), lingering sockets per address are capped, and
    the speaker accepts again once descriptors are back."""
    add_third(topo)
    peer = third_ip(topo)
    bgpd = Bgpd(topo, 65001, hold=30, extra="passive = yes\n" + second_neighbor(peer)).start()
    pid = bgpd_pid(bgpd)
    time.sleep(0.5)
    spare = len(os.listdir(f"/proc/{pid}/fd")) + 3
    old = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (spare, old[1]))
    try:
        script = os.path.join(topo.dir, "burst.py")
        with open(script, "w") as f:
            f.write(BURST)
        bursts = [topo.spawn(topo.peer_ns, [sys.executable, script, src, topo.cloud_ip, "300", "6"],
                             f"burst-{src}.log") for src in (topo.peer_ip, peer)]
        time.sleep(1.0)
        # Local clients of the control socket while descriptors are out: its
        # listener must pause too (libevent alone would retry at full speed).
        import socket
        ctl_clients = []
        for _ in range(3):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(bgpd.sock)
            except (BlockingIOError, InterruptedError):
                pass
            ctl_clients.append(c)
        cpu0 = cpu_seconds(pid)
        time.sleep(3.0)
        cpu = cpu_seconds(pid) - cpu0
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        for c in ctl_clients:
            c.close()
        for p in bursts:
            p.wait(10)
        s = bgpd.ctl("summary")
        print(f"\nCPU {cpu:.2f}s in 3 s, accept pauses {s['accept-pauses']}, "
              f"lingering {s['lingering-sockets']}, fds {fds}/{spare}")
        assert cpu < 0.3, f"{cpu:.2f} CPU seconds in 3 s: accept() spins"
        assert s["accept-pauses"] >= 1
        assert s["lingering-sockets"] <= 8  # 4 per address
        log = bgpd.log()
        # One line per pause at most (1 s), and at most 10 per 10 s per listener.
        assert log.count("error: accept: Too many open files") <= 10
        assert log.count("error: control socket: accept: Too many open files") <= 10
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, old)
    # Descriptors are back.  Once the connections still queued from the burst
    # are taken and closed (each would replace a new session's connection),
    # a real session comes up.
    def settled():
        before = bgpd.ctl("summary")["accept-pauses"]
        time.sleep(1.5)
        return bgpd.ctl("summary")["accept-pauses"] == before and len(os.listdir(f"/proc/{pid}/fd")) < spare - 1
    wait_for(settled, 30, what="the burst drained")
    Raw(topo, local=peer)
    wait_for(lambda: by_addr(bgpd, peer)["state"] == "Established", 30, what="session after the burst")
