#!/usr/bin/python3
"""BGP ingest benchmark: openvpc-bgpd, BIRD 2 and FRR 8 bgpd learning the
same IPv4 feed from one peer, then processing its withdrawal.  Not a test.

    +------- ovbb<pid>-r (receiver) -------+        +------ ovbb<pid>-s (sender) ------+
    | openvpc-bgpd | bird | bgpd (FRR -Z)   |        | bgp_feed (pre-encoded UPDATEs)   |
    |   AS 45104, connects to 10.254.0.2   |========|   AS 65001, listens 10.254.0.2   |
    |               10.254.0.1/24           |  veth  |                                  |
    +--------------------------------------+        +----------------------------------+

For each receiver and each size: a fresh pair of namespaces; the sender
encodes the whole feed first, the receiver connects, and the clock runs
from Established (printed by the sender) until the receiver's own count of
routes from the peer reaches N (its CLI/control socket polled every 50 ms),
then from the start of the withdrawal until the count is 0.  CPU is the
receiver's user+system time over each phase (/proc/PID/stat); RSS is VmRSS
before the session, after the load, and VmHWM (peak) at the end.

    sudo bench/peers/bgp_ingest.py [--sizes 500000,1000000] [--receivers openvpc,bird,frr]

The openvpc-bgpd binary comes from $OPENVPC_BUILD (default build/).
Prints a table and writes JSON to bench/peers/bgp_ingest.json (or --out).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("OPENVPC_BUILD", os.path.join(ROOT, "build"))
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
PFX = f"ovbb{os.getpid()}"
RIP, SIP = "10.254.0.1", "10.254.0.2"
CLK = os.sysconf("SC_CLK_TCK")


def sh(*a, ns=None, check=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(a)
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def mem(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def build_feed(work):
    exe = os.path.join(BUILD, "bench", "peers", "bgp_feed")
    if os.path.exists(exe):
        return exe
    exe = os.path.join(work, "bgp_feed")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(HERE, "bgp_feed.c")], check=True)
    return exe


class Receiver:
    def __init__(self, work):
        self.work = work
        self.proc = None

    def pid(self):
        return self.proc.pid


class Openvpc(Receiver):
    name = "openvpc-bgpd"

    def start(self, ns):
        self.sock = os.path.join(self.work, "bgpd.sock")
        conf = os.path.join(self.work, "bgpd.ini")
        with open(conf, "w") as f:
            f.write(f"[global]\nasn = 45104\nrouter-id = {RIP}\nlisten = none\ncontrol-socket = {self.sock}\n"
                    f"log-level = warn\n[neighbor {SIP}]\nremote-as = 65001\nimport = accept\nexport = none\n"
                    "max-prefixes = 0\nconnect-retry = 1\nidle-hold-time = 1\nhold-time = 240\n")
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, os.path.join(BUILD, "bgp", "openvpc-bgpd"),
                                      "-c", conf], stderr=open(os.path.join(self.work, "bgpd.log"), "w"))
        for _ in range(100):
            if os.path.exists(self.sock):
                break
            time.sleep(0.05)

    def count(self):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.sock)
        s.sendall(b"summary\n")
        buf = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        s.close()
        return json.loads(buf)["ipv4-prefixes"]


class Bird(Receiver):
    name = "BIRD 2"

    def start(self, ns):
        self.sock = os.path.join(self.work, "bird.ctl")
        conf = os.path.join(self.work, "bird.conf")
        with open(conf, "w") as f:
            f.write(f"router id {RIP};\nprotocol device {{ }}\nprotocol bgp feed {{\n  local {RIP} as 45104;\n"
                    f"  neighbor {SIP} as 65001;\n  connect delay time 1;\n  connect retry time 1;\n"
                    "  ipv4 { import all; export none; };\n}\n")
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, "bird", "-f", "-c", conf, "-s", self.sock],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(self.sock):
                break
            time.sleep(0.05)

    def count(self):
        out = sh("birdc", "-s", self.sock, "show", "route", "protocol", "feed", "count").stdout
        for line in out.splitlines():
            if "routes" in line and "of" in line:
                return int(line.split()[0])
        return 0


class Frr(Receiver):
    name = "FRR 8 bgpd"

    def start(self, ns):
        self.vty = os.path.join(self.work, "vty")
        os.makedirs(self.vty, exist_ok=True)
        conf = os.path.join(self.work, "frr.conf")
        with open(conf, "w") as f:
            f.write(f"router bgp 45104\n bgp router-id {RIP}\n no bgp ebgp-requires-policy\n"
                    f" neighbor {SIP} remote-as 65001\n neighbor {SIP} timers connect 1\n"
                    " address-family ipv4 unicast\n  neighbor {0} activate\n exit-address-family\n".format(SIP))
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, "/usr/lib/frr/bgpd", "-f", conf, "--vty_socket", self.vty, "-l", RIP,
             "-p", "0", "-Z", "-S", "-u", "root", "-g", "root", "-i", os.path.join(self.work, "frr.pid")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(os.path.join(self.vty, "bgpd.vty")):
                break
            time.sleep(0.05)

    def count(self):
        out = sh("vtysh", "--vty_socket", self.vty, "-d", "bgpd", "-c",
                 "show bgp ipv4 unicast summary json").stdout
        j = json.loads(out)
        return j.get("peers", {}).get(SIP, {}).get("pfxRcd", 0)


def wait_count(r, target, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if r.count() == target:
                return time.time()
        except Exception:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{r.name}: count did not reach {target} in {timeout}s")


def run_one(cls, n, feed_exe):
    work = tempfile.mkdtemp(prefix=PFX + "-")
    rns, sns = PFX + "-r", PFX + "-s"
    sender = None
    r = cls(work)
    try:
        for ns in (rns, sns):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("ip", "link", "add", PFX + "r", "type", "veth", "peer", "name", PFX + "s")
        sh("ip", "link", "set", PFX + "r", "netns", rns)
        sh("ip", "link", "set", PFX + "s", "netns", sns)
        sh("ip", "addr", "add", RIP + "/24", "dev", PFX + "r", ns=rns)
        sh("ip", "addr", "add", SIP + "/24", "dev", PFX + "s", ns=sns)
        sh("ip", "link", "set", PFX + "r", "up", ns=rns)
        sh("ip", "link", "set", PFX + "s", "up", ns=sns)
        sender = subprocess.Popen(["ip", "netns", "exec", sns, feed_exe, SIP, SIP, str(n)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  stderr=open(os.path.join(work, "feed.log"), "w"))
        assert sender.stdout.readline().strip() == "LISTENING"
        r.start(rns)
        time.sleep(2)  # the receiver is up and its connection waits in the sender's backlog
        rss0 = mem(r.pid(), "VmRSS")
        cpu0 = cpu(r.pid())
        sender.stdin.write("go\n")
        sender.stdin.flush()
        line = sender.stdout.readline().split()
        assert line[0] == "ESTABLISHED", line
        t_est = float(line[1])
        t_full = wait_count(r, n, 600)
        cpu1 = cpu(r.pid())
        rss1 = mem(r.pid(), "VmRSS")
        sender.stdin.write("withdraw\n")
        sender.stdin.flush()
        line = sender.stdout.readline().split()
        t_wd = float(line[1])
        t_empty = wait_count(r, 0, 600)
        cpu2 = cpu(r.pid())
        hwm = mem(r.pid(), "VmHWM")
        return {"receiver": r.name, "prefixes": n,
                "learn_wall_s": round(t_full - t_est, 3), "learn_cpu_s": round(cpu1 - cpu0, 3),
                "withdraw_wall_s": round(t_empty - t_wd, 3), "withdraw_cpu_s": round(cpu2 - cpu1, 3),
                "rss_idle_mb": round(rss0 / 2**20, 1), "rss_loaded_mb": round(rss1 / 2**20, 1),
                "max_rss_mb": round(hwm / 2**20, 1),
                "bytes_per_prefix": round((rss1 - rss0) / n, 1),
                "max_rss_bytes_per_prefix": round(hwm / n, 1)}
    finally:
        for p in (sender, r.proc):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        for ns in (rns, sns):
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="500000,1000000")
    ap.add_argument("--receivers", default="openvpc,bird,frr")
    ap.add_argument("--out", default=os.path.join(HERE, "bgp_ingest.json"))
    a = ap.parse_args()
    classes = {"openvpc": Openvpc, "bird": Bird, "frr": Frr}
    work = tempfile.mkdtemp(prefix=PFX + "-feed-")
    try:
        feed = build_feed(work)
        rows = []
        for n in [int(x) for x in a.sizes.split(",")]:
            for name in a.receivers.split(","):
                row = run_one(classes[name], n, feed)
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    hdr = ("receiver", "prefixes", "learn s", "learn CPU s", "withdraw s", "withdraw CPU s",
           "RSS idle MB", "RSS loaded MB", "max RSS MB", "B/prefix", "maxRSS B/prefix")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for r in rows:
        print(f"| {r['receiver']} | {r['prefixes']:,} | {r['learn_wall_s']} | {r['learn_cpu_s']} | "
              f"{r['withdraw_wall_s']} | {r['withdraw_cpu_s']} | {r['rss_idle_mb']} | {r['rss_loaded_mb']} | "
              f"{r['max_rss_mb']} | {r['bytes_per_prefix']} | {r['max_rss_bytes_per_prefix']} |")
    with open(a.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M:%S"), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("needs root (network namespaces)")
    main()
