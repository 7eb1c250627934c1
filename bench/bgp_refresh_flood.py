#!/usr/bin/python3
"""Speaker CPU and keepalive jitter under a ROUTE-REFRESH flood (issue 7).

    +------------ ovbrf<pid>-c ------------+      +------------- ovbrf<pid>-p --------------+
    | openvpc-bgpd AS 45104, 1,000 networks |      | bystander rawpeer AS 65001  10.250.0.2  |
    |   log-level info                      |      |   hold 3 s: our keepalive every 0.75-1 s|
    |                                       |      | flooder   rawpeer AS 65002  10.250.0.3  |
    |        ovbrf<pid>c 10.250.0.1 ======= veth ======= ovbrf<pid>p                       |
    +---------------------------------------+      +-----------------------------------------+

Phases: IDLE seconds with both sessions up, then FLOOD seconds during which
the flooder writes IPv4 ROUTE-REFRESH requests as fast as the speaker takes
them.  Figures, per phase:
  - speaker CPU: user+system time of openvpc-bgpd from /proc over the phase;
  - refreshes handled (the flooder's route-refresh-in counter) and per second;
  - keepalive intervals seen by the bystander (KEEPALIVE arrival times,
    rawpeer RAWPEER_TIMES=1): min / median / max; the speaker jitters its
    keepalive timer to 0.75-1.0 x 1 s (RFC 4271 10), so anything above 1.0 s
    is lateness caused by the speaker;
  - control socket round trip (`summary`), worst of one query every 200 ms.
Then a third phase: a peer that stops reading (SO_RCVBUF 4 KiB) sends
200,000 ROUTE-REFRESH requests; the speaker's RSS is sampled for --mute
seconds (growth, whether the session was reset with Cease/8).

Usage (root; namespaces and processes are named ovbrf<pid>*, removed on exit):
    sudo bench/bgp_refresh_flood.py [--bgpd build/bgp/openvpc-bgpd] [--idle 10] [--flood 20]
Prints one table and a JSON line.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RAWPEER = os.path.join(ROOT, "tests", "bgp", "rawpeer.py")
P = f"ovbrf{os.getpid()}"
CNS, PNS, CIF, PIF = f"{P}-c", f"{P}-p", f"{P}c", f"{P}p"
CLOUD, BYST, FLOOD, MUTE = "10.250.0.1", "10.250.0.2", "10.250.0.3", "10.250.0.4"
REFRESH = b"\xff" * 16 + struct.pack("!HB", 23, 5) + struct.pack("!HBB", 1, 0, 1)


def sh(*a, ns=None, check=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(a)
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        x = f.read().rsplit(")", 1)[1].split()
    return (int(x[11]) + int(x[12])) / os.sysconf("SC_CLK_TCK")


def ctl(sock, line):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sock)
    s.sendall((line + "\n").encode())
    b = b""
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        b += d
    s.close()
    return json.loads(b)


def neighbor(sock, addr):
    try:
        for n in ctl(sock, "neighbors"):
            if n["address"] == addr:
                return n
    except OSError:  # a stalled speaker: no answer within the timeout
        pass
    return None


class Peer:
    def __init__(self, local, asn, times=False, rcvbuf=0):
        env = dict(os.environ, RAWPEER_TIMES="1" if times else "0", RAWPEER_RCVBUF=str(rcvbuf))
        self.proc = subprocess.Popen(["ip", "netns", "exec", PNS, sys.executable, RAWPEER, local, CLOUD,
                                      str(asn)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env, start_new_session=True)
        self.keepalives = []
        self.floods = 0
        self.flooded = threading.Semaphore(0)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stdout:
            if line.startswith("TIME 4 "):
                self.keepalives.append(float(line.split()[2]))
            elif line.startswith("FLOODED"):
                self.floods += 1
                self.flooded.release()

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def intervals(ts, t0, t1):
    """Gaps between the keepalives of the phase, counting the last one
    before it, and the time from the last one to the end of the phase (a
    stalled speaker sends none at all)."""
    before = [t for t in ts if t < t0]
    ts = before[-1:] + [t for t in ts if t0 <= t <= t1]
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    if ts and t1 - ts[-1] > max(gaps, default=0):
        gaps.append(t1 - ts[-1])
    return gaps


def phase(name, sock, pid, byst, t0, t1, cpu0, cpu1, rr0, rr1, worst):
    iv = intervals(byst.keepalives, t0, t1)
    wall = t1 - t0
    return {
        "phase": name, "seconds": round(wall, 2), "cpu_s": round(cpu1 - cpu0, 2),
        "cpu_pct": round(100 * (cpu1 - cpu0) / wall, 1),
        "refreshes": rr1 - rr0 if rr1 >= 0 <= rr0 else None,
        "refreshes_per_s": round((rr1 - rr0) / wall) if rr1 >= 0 <= rr0 else None,
        "cpu_us_per_refresh": round(1e6 * (cpu1 - cpu0) / (rr1 - rr0), 3) if rr1 > rr0 >= 0 else None,
        "keepalives": len([t for t in byst.keepalives if t0 <= t <= t1]),
        "ka_min_s": round(min(iv), 3) if iv else None,
        "ka_median_s": round(statistics.median(iv), 3) if iv else None,
        "ka_max_s": round(max(iv), 3) if iv else None,
        "ka_late_s": round(max(0.0, max(iv) - 1.0), 3) if iv else None,
        "ctl_worst_ms": round(worst * 1000, 1),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bgpd", default=os.path.join(ROOT, "build", "bgp", "openvpc-bgpd"))
    ap.add_argument("--idle", type=float, default=10)
    ap.add_argument("--flood", type=float, default=20)
    ap.add_argument("--networks", type=int, default=1000)
    ap.add_argument("--mute", type=float, default=15, help="seconds of the non-reading phase (0: skip)")
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix=P + "-")
    sock, conf = os.path.join(d, "bgpd.sock"), os.path.join(d, "bgpd.ini")
    procs = []
    try:
        for ns in (CNS, PNS):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("ip", "link", "add", CIF, "type", "veth", "peer", "name", PIF)
        sh("ip", "link", "set", CIF, "netns", CNS)
        sh("ip", "link", "set", PIF, "netns", PNS)
        sh("ip", "addr", "add", CLOUD + "/24", "dev", CIF, ns=CNS)
        for a in (BYST, FLOOD, MUTE):
            sh("ip", "addr", "add", a + "/24", "dev", PIF, ns=PNS)
        sh("ip", "link", "set", CIF, "up", ns=CNS)
        sh("ip", "link", "set", PIF, "up", ns=PNS)
        lines = ["[global]", "asn = 45104", f"router-id = {CLOUD}", f"listen = {CLOUD}",
                 f"control-socket = {sock}", "log-level = info"]
        lines += [f"network = 10.{100 + i // 256}.{i % 256}.0/24" for i in range(args.networks)]
        for addr, asn, hold in ((BYST, 65001, 3), (FLOOD, 65002, 30), (MUTE, 65003, 90)):
            lines += ["", f"[neighbor {addr}]", f"remote-as = {asn}", "import = accept",
                      "export = networks", f"hold-time = {hold}", "passive = yes"]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        log = open(os.path.join(d, "bgpd.log"), "wb")
        bgpd = subprocess.Popen(["ip", "netns", "exec", CNS, args.bgpd, "-c", conf], stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(bgpd)
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        byst, flood = Peer(BYST, 65001, times=True), Peer(FLOOD, 65002)
        procs += [byst, flood]
        end = time.monotonic() + 30
        while time.monotonic() < end:
            st = [n["state"] for n in ctl(sock, "neighbors")]
            if st[:2] == ["Established", "Established"]:
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"sessions did not come up: {st}")
        pid = bgpd.pid
        time.sleep(1.5)

        def rr_in():
            n = neighbor(sock, FLOOD)
            return n["counters"]["route-refresh-in"] if n else -1

        def run(name, seconds, flooding):
            t0, c0, r0, worst = time.monotonic(), cpu(pid), rr_in(), 0.0
            stop = threading.Event()

            def pump():  # keeps the flooder's socket full
                while not stop.is_set():
                    flood.cmd(f"FLOOD 20000 {REFRESH.hex()}")
                    flood.flooded.acquire(timeout=60)
            th = None
            if flooding:
                th = threading.Thread(target=pump, daemon=True)
                th.start()
            while time.monotonic() - t0 < seconds:
                q = time.monotonic()
                try:
                    ctl(sock, "summary")
                except OSError:
                    pass  # counted as the time waited (the 30 s timeout)
                worst = max(worst, time.monotonic() - q)
                time.sleep(0.2)
            t1, c1 = time.monotonic(), cpu(pid)
            stop.set()
            r1 = rr_in()
            return phase(name, sock, pid, byst, t0, t1, c0, c1, r0, r1, worst)

        rows = [run("idle", args.idle, False)]
        if args.flood > 0:
            rows.append(run("flood", args.flood, True))
        b = neighbor(sock, BYST) or {"state": None, "counters": {}}
        f = neighbor(sock, FLOOD)
        mute = {}
        if args.mute > 0:
            flood.stop()
            m = Peer(MUTE, 65003, rcvbuf=4096)
            procs.append(m)
            end = time.monotonic() + 30
            while time.monotonic() < end and (neighbor(sock, MUTE) or {}).get("state") != "Established":
                time.sleep(0.2)
            time.sleep(1)
            m.cmd("NOREAD")
            rss0 = peak = rss_kb(pid)
            m.cmd(f"FLOOD 200000 {REFRESH.hex()}")
            t0 = time.monotonic()
            while time.monotonic() - t0 < args.mute:
                peak = max(peak, rss_kb(pid))
                time.sleep(0.2)
            n = neighbor(sock, MUTE) or {"counters": {}}
            mute = {"mute_rss_before_kb": rss0, "mute_rss_peak_kb": peak,
                    "mute_rss_growth_kb": peak - rss0, "mute_seconds": args.mute,
                    "mute_refreshes_in": n["counters"].get("route-refresh-in"),
                    "mute_output_queue_resets": n["counters"].get("output-queue-resets"),
                    "mute_last_notification": n.get("last-notification-sent", {}).get("subtext")}
        extra = {"bystander_state": b["state"],
                 "bystander_hold_expired": b["counters"].get("hold-timer-expired"),
                 "flooder_state": f["state"] if f else None,
                 "deferred": (f or {}).get("counters", {}).get("route-refresh-deferred"),
                 "input_yields": (f or {}).get("counters", {}).get("input-yields"),
                 "floods_written": flood.floods,
                 "bgpd": args.bgpd, "networks": args.networks, **mute}
        hdr = ["phase", "seconds", "cpu_s", "cpu_pct", "refreshes", "refreshes_per_s", "cpu_us_per_refresh",
               "keepalives", "ka_min_s", "ka_median_s", "ka_max_s", "ka_late_s", "ctl_worst_ms"]
        print("| " + " | ".join(hdr) + " |")
        print("|" + "---|" * len(hdr))
        for r in rows:
            print("| " + " | ".join(str(r[h]) for h in hdr) + " |")
        if mute:
            print(f"non-reading peer, 200,000 refreshes, {args.mute:.0f} s: RSS {mute['mute_rss_before_kb']} kB "
                  f"-> peak {mute['mute_rss_peak_kb']} kB (+{mute['mute_rss_growth_kb']} kB), "
                  f"refreshes handled {mute['mute_refreshes_in']}, "
                  f"output-queue resets {mute['mute_output_queue_resets']}")
        print(json.dumps({"rows": rows, **extra}))
    finally:
        for p in reversed(procs):
            if isinstance(p, Peer):
                p.stop()
            elif p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait(5)
        for ns in (CNS, PNS):
            for q in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(q), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
