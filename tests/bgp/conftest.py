"""Fixtures for the BGP interop tests: network namespaces, openvpc-bgpd, and
drivers for the customer routers (BIRD 2, FRR 8 bgpd, GoBGP 3, ExaBGP 4).

Every test gets a fresh topology (see the diagram in each test file):

    ovb<pid>-<n>-c : openvpc-bgpd          ovb<pid>-<n>-p : the peer router
       ovb<pid>c<n>  10.<x>.<y>.1/24  ====  ovb<pid>p<n>  10.<x>.<y>.2/24
                     fd00:<x>:<y>::1/64          fd00:<x>:<y>::2/64

Every namespace, veth and process created here carries the ovb<pid> prefix
or is remembered by PID, and is removed in the fixture finalizer even when
the test fails.  No process is ever killed by name.
"""
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

PID = os.getpid()
PREFIX = f"ovb{PID}"
BUILD = os.environ.get("OPENVPC_BUILD", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
BGPD = os.path.join(BUILD, "bgp", "openvpc-bgpd")
BGPCTL = os.path.join(BUILD, "bgp", "openvpc-bgpctl")
CLOUD_AS = 45104

_counter = [0]


def needs(binary, package):
    """Skips a module when not root, or when a peer's program is missing
    (the reason names the Debian package to install)."""
    if os.geteuid() != 0:
        return pytest.mark.skip(reason="interop tests need root (network namespaces)")
    if binary and not (shutil.which(binary) or os.access(binary, os.X_OK)):
        return pytest.mark.skip(reason=f"{binary} missing: apt-get install {package}")
    return pytest.mark.skipif(False, reason="")


def sh(*args, check=True, ns=None, timeout=30, **kw):
    cmd = list(args)
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout, **kw)


def wait_for(pred, timeout=20.0, interval=0.2, what="condition", last=None):
    """Polls pred() until it returns a truthy value; fails the test after timeout."""
    end = time.monotonic() + timeout
    show = last
    last = None
    while time.monotonic() < end:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # a peer's CLI may not answer yet
            last = e
        time.sleep(interval)
    if show:
        last = show()
    pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Topo:
    """Two namespaces joined by a veth pair."""

    def __init__(self):
        _counter[0] += 1
        n = _counter[0]
        self.n = n
        self.cloud_ns = f"{PREFIX}-{n}-c"
        self.peer_ns = f"{PREFIX}-{n}-p"
        self.cloud_if = f"{PREFIX}c{n}"
        self.peer_if = f"{PREFIX}p{n}"
        x, y = 200 + (PID % 50), n % 250
        self.cloud_ip = f"10.{x}.{y}.1"
        self.peer_ip = f"10.{x}.{y}.2"
        self.cloud_ip6 = f"fd00:{x}:{y}::1"
        self.peer_ip6 = f"fd00:{x}:{y}::2"
        self.dir = tempfile.mkdtemp(prefix=f"{PREFIX}-{n}-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.procs = []

    def up(self):
        for ns in (self.cloud_ns, self.peer_ns):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("ip", "link", "add", self.cloud_if, "type", "veth", "peer", "name", self.peer_if)
        sh("ip", "link", "set", self.cloud_if, "netns", self.cloud_ns)
        sh("ip", "link", "set", self.peer_if, "netns", self.peer_ns)
        for ns, dev, a4, a6 in ((self.cloud_ns, self.cloud_if, self.cloud_ip, self.cloud_ip6),
                                (self.peer_ns, self.peer_if, self.peer_ip, self.peer_ip6)):
            sh("ip", "addr", "add", a4 + "/24", "dev", dev, ns=ns)
            sh("ip", "addr", "add", a6 + "/64", "dev", dev, "nodad", ns=ns)
            sh("ip", "link", "set", dev, "up", ns=ns)

    def spawn(self, ns, args, log, env=None, **kw):
        f = open(os.path.join(self.dir, log), "ab")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + args, stdout=f, stderr=subprocess.STDOUT,
                             env=env, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def down(self):
        for p in self.procs:
            stop_proc(p)
        for ns in (self.cloud_ns, self.peer_ns):
            # Processes that daemonized themselves inside the namespace (FRR) are
            # found by the namespace they live in, never by name.
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "del", ns, check=False)
        if os.environ.get("OVB_KEEP_LOGS"):
            print(f"logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def stop_proc(p, sig=signal.SIGTERM, timeout=5):
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGCONT)
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(5)


@pytest.fixture
def topo():
    t = Topo()
    try:
        t.up()
        yield t
    finally:
        t.down()


@pytest.fixture(scope="session", autouse=True)
def _sweep_namespaces():
    """Last line of defence: remove any namespace of this run left behind."""
    yield
    out = sh("ip", "netns", "list", check=False).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(PREFIX + "-"):
            sh("ip", "netns", "del", name, check=False)


# ---------------------------------------------------------------- openvpc-bgpd

class Bgpd:
    """openvpc-bgpd in the cloud namespace, driven through its control socket."""

    def __init__(self, topo, peer_as, networks=("172.16.0.0/16", "fd00:aaaa::/48"), md5=None,
                 hold=6, max_prefixes=100, action="keep-first", restart=0, import_="accept",
                 export="networks", extra="", global_extra=""):
        self.topo = topo
        self.sock = os.path.join(topo.dir, "bgpd.sock")
        self.conf = os.path.join(topo.dir, "bgpd.ini")
        self.peer = topo.peer_ip
        lines = ["[global]", f"asn = {CLOUD_AS}", f"router-id = {topo.cloud_ip}",
                 f"listen = {topo.cloud_ip}", f"control-socket = {self.sock}", "log-level = debug"]
        lines += [f"network = {n}" for n in networks]
        if global_extra:
            lines.append(global_extra)
        lines += ["", f"[neighbor {topo.peer_ip}]", f"remote-as = {peer_as}",
                  f"import = {import_}", f"export = {export}", f"hold-time = {hold}",
                  "connect-retry = 2", "idle-hold-time = 1", f"next-hop6 = {topo.cloud_ip6}",
                  f"max-prefixes = {max_prefixes}", f"max-prefixes-action = {action}",
                  f"max-prefixes-restart = {restart}", "stale-time = 30"]
        if md5:
            lines.append(f"md5-password = {md5}")
        lines.append(extra)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None

    def start(self):
        self.proc = self.topo.spawn(self.topo.cloud_ns, [BGPD, "-c", self.conf], "bgpd.log")
        wait_for(lambda: os.path.exists(self.sock), 5, what="bgpd control socket")
        return self

    def ctl(self, *args):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.sock)
        s.sendall((" ".join(args) + "\n").encode())
        buf = b""
        while True:
            d = s.recv(1 << 20)
            if not d:
                break
            buf += d
        s.close()
        return json.loads(buf)

    def neighbor(self):
        return self.ctl("neighbors")[0]

    def state(self):
        return self.neighbor()["state"]

    def wait_state(self, state, timeout=30):
        return wait_for(lambda: self.state() == state, timeout, what=f"bgpd state {state}")

    def prefixes(self, which="best"):
        return {r["prefix"] for r in self.ctl("routes", which)}

    def wait_prefixes(self, want, timeout=20, which="best"):
        want = set(want)
        return wait_for(lambda: self.prefixes(which) == want, timeout,
                        what=f"bgpd {which} routes == {sorted(want)[:5]}...")

    def counter(self, name):
        return self.neighbor()["counters"][name]

    def log(self):
        with open(os.path.join(self.topo.dir, "bgpd.log")) as f:
            return f.read()


def bgpctl(bgpd, *args):
    """Runs the C client (exercises openvpc-bgpctl itself)."""
    r = subprocess.run([BGPCTL, "-s", bgpd.sock] + list(args), capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout


OPENVPC = os.path.join(BUILD, "cli", "openvpc")


def openvpc_bgp(bgpd, *args):
    """Runs `openvpc bgp --socket SOCK ARGS` (the CLI's view of the speaker)."""
    r = subprocess.run([OPENVPC, "bgp", "--socket", bgpd.sock] + list(args),
                       capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout + r.stderr


def prefixes(n, base="192.168.0.0", plen=24):
    """n consecutive prefixes of length plen from base."""
    net = ipaddress.ip_network(f"{base}/{plen}")
    size = net.num_addresses
    return [str(ipaddress.ip_network((int(net.network_address) + i * size, plen))) for i in range(n)]


# ---------------------------------------------------------------- BIRD 2

class Bird:
    def __init__(self, topo, local_as, routes4=(), routes6=(), md5=None, hold=6, gr=True):
        self.topo = topo
        self.local_as = local_as
        self.sock = os.path.join(topo.dir, "bird.ctl")
        self.conf = os.path.join(topo.dir, "bird.conf")
        self.md5, self.hold, self.gr = md5, hold, gr
        self.routes4, self.routes6 = list(routes4), list(routes6)
        self.proc = None
        self.write()

    def write(self):
        t = self.topo
        st4 = "".join(f"  route {r} blackhole;\n" for r in self.routes4)
        st6 = "".join(f"  route {r} blackhole;\n" for r in self.routes6)
        pw = f'  password "{self.md5}";\n' if self.md5 else ""
        gr = "  graceful restart on;\n" if self.gr else "  graceful restart off;\n"
        conf = f"""router id {t.peer_ip};
log "{t.dir}/bird.log" all;
protocol device {{ }}
protocol static st4 {{ ipv4;
{st4}}}
protocol static st6 {{ ipv6;
{st6}}}
protocol bgp cloud {{
  local {t.peer_ip} as {self.local_as};
  neighbor {t.cloud_ip} as {CLOUD_AS};
  hold time {self.hold};
  keepalive time {max(1, self.hold // 3)};
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 4;
  enable route refresh on;
{pw}{gr}  ipv4 {{ import all; export where source = RTS_STATIC; }};
  ipv6 {{ import all; export where source = RTS_STATIC; next hop address {t.peer_ip6}; }};
}}
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        self.proc = self.topo.spawn(self.topo.peer_ns, ["bird", "-f", "-c", self.conf, "-s", self.sock],
                                    "bird.out")
        wait_for(lambda: os.path.exists(self.sock), 5, what="bird socket")
        return self

    def birdc(self, *args):
        return sh("birdc", "-s", self.sock, *args).stdout

    def state(self):
        out = self.birdc("show", "protocols", "cloud")
        return "Established" if "Established" in out else out.splitlines()[-1]

    def wait_established(self, timeout=30):
        return wait_for(lambda: self.state() == "Established", timeout, what="BIRD Established")

    def received(self):
        out = self.birdc("show", "route", "protocol", "cloud")
        return {line.split()[0] for line in out.splitlines()
                if line and not line[0].isspace() and "/" in line.split()[0]}

    def info(self):
        return self.birdc("show", "protocols", "all", "cloud")

    def log(self):
        with open(os.path.join(self.topo.dir, "bird.log")) as f:
            return f.read()

    def set_routes(self, routes4=None, routes6=None):
        if routes4 is not None:
            self.routes4 = list(routes4)
        if routes6 is not None:
            self.routes6 = list(routes6)
        self.write()
        self.birdc("configure")


# ---------------------------------------------------------------- FRR 8 bgpd

class Frr:
    BGPD = "/usr/lib/frr/bgpd"

    def __init__(self, topo, local_as, routes4=(), routes6=(), md5=None, hold=6):
        self.topo = topo
        self.local_as = local_as
        self.routes4, self.routes6 = list(routes4), list(routes6)
        self.conf = os.path.join(topo.dir, "frr.conf")
        self.vty = os.path.join(topo.dir, "frrvty")
        os.makedirs(self.vty, exist_ok=True)
        t = topo
        nets4 = "".join(f"  network {r}\n" for r in self.routes4)
        nets6 = "".join(f"  network {r}\n" for r in self.routes6)
        pw = f" neighbor {t.cloud_ip} password {md5}\n" if md5 else ""
        conf = f"""hostname peer
log file {t.dir}/frr.log
!
route-map NH6 permit 10
 set ipv6 next-hop global {t.peer_ip6}
!
router bgp {local_as}
 bgp router-id {t.peer_ip}
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor {t.cloud_ip} remote-as {CLOUD_AS}
 neighbor {t.cloud_ip} timers {max(1, hold // 3)} {hold}
 neighbor {t.cloud_ip} timers connect 2
{pw} !
 address-family ipv4 unicast
  neighbor {t.cloud_ip} activate
{nets4} exit-address-family
 !
 address-family ipv6 unicast
  neighbor {t.cloud_ip} activate
  neighbor {t.cloud_ip} route-map NH6 out
{nets6} exit-address-family
!
"""
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = None

    def start(self):
        self.proc = self.topo.spawn(
            self.topo.peer_ns,
            [self.BGPD, "-f", self.conf, "-i", os.path.join(self.topo.dir, "bgpd.pid"),
             "--vty_socket", self.vty, "-l", self.topo.peer_ip, "-p", "179", "-Z", "-S",
             "-u", "root", "-g", "root"], "frr.out")
        wait_for(lambda: os.path.exists(os.path.join(self.vty, "bgpd.vty")), 10, what="FRR vty")
        return self

    def vtysh(self, *cmds):
        args = ["vtysh", "--vty_socket", self.vty, "-d", "bgpd"]
        for c in cmds:
            args += ["-c", c]
        return sh(*args).stdout

    def summary(self):
        return json.loads(self.vtysh("show bgp neighbors json"))[self.topo.cloud_ip]

    def state(self):
        return self.summary()["bgpState"]

    def wait_established(self, timeout=30):
        return wait_for(lambda: self.state() == "Established", timeout, what="FRR Established")

    def received(self):
        got = set()
        for afi in ("ipv4", "ipv6"):
            out = json.loads(self.vtysh(f"show bgp {afi} unicast json"))
            for pfx, paths in out.get("routes", {}).items():
                for p in paths:
                    if p.get("peerId") == self.topo.cloud_ip:
                        got.add(pfx)
        return got

    def set_networks(self, add=(), remove=(), afi="ipv4"):
        cmds = ["configure terminal", f"router bgp {self.local_as}", f"address-family {afi} unicast"]
        cmds += [f"network {r}" for r in add] + [f"no network {r}" for r in remove]
        self.vtysh(*cmds)


# ---------------------------------------------------------------- GoBGP 3

class Gobgp:
    def __init__(self, topo, local_as, md5=None, hold=6):
        self.topo = topo
        self.local_as = local_as
        self.api = os.path.join(topo.dir, "gobgp.sock")
        self.conf = os.path.join(topo.dir, "gobgp.toml")
        t = topo
        pw = f'    auth-password = "{md5}"\n' if md5 else ""
        conf = f"""[global.config]
  as = {local_as}
  router-id = "{t.peer_ip}"
  port = 179
  local-address-list = ["{t.peer_ip}"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "{t.cloud_ip}"
    peer-as = {CLOUD_AS}
{pw}  [neighbors.timers.config]
    hold-time = {hold}
    keepalive-interval = {max(1, hold // 3)}
    connect-retry = 2
  [neighbors.transport.config]
    local-address = "{t.peer_ip}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
"""
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = None

    def start(self):
        self.proc = self.topo.spawn(self.topo.peer_ns,
                                    ["gobgpd", "-f", self.conf, "-p", "--api-hosts", "unix://" + self.api,
                                     "--pprof-disable"], "gobgp.log")
        wait_for(lambda: os.path.exists(self.api), 10, what="gobgp api socket")
        return self

    def gobgp(self, *args):
        return sh("gobgp", "--target", "unix://" + self.api, *args).stdout

    def state(self):
        n = json.loads(self.gobgp("neighbor", self.topo.cloud_ip, "-j"))
        return n["state"]["session_state"]

    def wait_established(self, timeout=30):
        return wait_for(lambda: self.state() in (6, "established", "ESTABLISHED"), timeout,
                        what="GoBGP Established")

    def received(self):
        got = set()
        for afi in ("ipv4", "ipv6"):
            out = self.gobgp("neighbor", self.topo.cloud_ip, "adj-in", "-a", afi, "-j").strip()
            if out and out != "null":
                got |= set(json.loads(out).keys())
        return got

    def add(self, prefix):
        if ":" in prefix:
            self.gobgp("global", "rib", "add", prefix, "nexthop", self.topo.peer_ip6, "-a", "ipv6")
        else:
            self.gobgp("global", "rib", "add", prefix, "-a", "ipv4")

    def delete(self, prefix):
        self.gobgp("global", "rib", "del", prefix, "-a", "ipv6" if ":" in prefix else "ipv4")


# ---------------------------------------------------------------- ExaBGP 4

EXA_API = r'''
import json, os, sys, threading, time
d = sys.argv[1]
def reader():
    with open(os.path.join(d, "exa-in.jsonl"), "a") as out:
        for line in sys.stdin:
            out.write(line)
            out.flush()
threading.Thread(target=reader, daemon=True).start()
cmds = os.path.join(d, "exa-cmds")
pos = 0
while True:
    try:
        with open(cmds) as f:
            f.seek(pos)
            for line in f:
                sys.stdout.write(line)
                sys.stdout.flush()
            pos = f.tell()
    except FileNotFoundError:
        pass
    time.sleep(0.1)
'''


class Exabgp:
    def __init__(self, topo, local_as, md5=None, hold=6):
        self.topo = topo
        self.local_as = local_as
        t = topo
        self.conf = os.path.join(t.dir, "exabgp.conf")
        with open(os.path.join(t.dir, "exa_api.py"), "w") as f:
            f.write(EXA_API)
        pw = f"  md5-password {md5};\n" if md5 else ""
        conf = f"""process api {{
  run /usr/bin/python3 {t.dir}/exa_api.py {t.dir};
  encoder json;
}}
neighbor {t.cloud_ip} {{
  router-id {t.peer_ip};
  local-address {t.peer_ip};
  local-as {local_as};
  peer-as {CLOUD_AS};
  hold-time {hold};
{pw}  family {{ ipv4 unicast; ipv6 unicast; }}
  capability {{ route-refresh; }}
  api {{ processes [ api ]; neighbor-changes; receive {{ parsed; update; notification; refresh; }} }}
}}
"""
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.update({"exabgp_daemon_user": "root", "exabgp_daemon_daemonize": "false",
                    "exabgp_log_destination": "stdout", "exabgp_api_cli": "false",
                    "exabgp_tcp_bind": "", "exabgp_log_level": os.environ.get("OVB_EXA_LOG", "INFO")})
        self.proc = self.topo.spawn(self.topo.peer_ns, ["exabgp", self.conf], "exabgp.log", env=env)
        return self

    def send(self, cmd):
        with open(os.path.join(self.topo.dir, "exa-cmds"), "a") as f:
            f.write(cmd + "\n")

    def messages(self):
        try:
            with open(os.path.join(self.topo.dir, "exa-in.jsonl")) as f:
                lines = [l for l in f if l.startswith("{")]
        except FileNotFoundError:
            return []
        # Lines that are not JSON are the API's acknowledgements ("done");
        # ExaBGP 4.2 writes invalid JSON for ROUTE-REFRESH ("afi": ""ipv6""),
        # kept as raw text.
        out = []
        for l in lines:
            try:
                out.append(json.loads(l))
            except ValueError:
                out.append({"type": "unparsed", "raw": l})
        return out

    def state(self):
        st = "down"
        for m in self.messages():
            if m.get("type") == "state":
                st = m["neighbor"]["state"]
            elif m.get("type") in ("update", "keepalive", "open") and st == "connected":
                st = "up"
        return st

    def wait_established(self, timeout=30):
        return wait_for(lambda: self.state() == "up", timeout, what="ExaBGP up")

    def received(self):
        routes = set()
        for m in self.messages():
            if m.get("type") == "state" and m["neighbor"]["state"] in ("down", "connected"):
                routes = set()
            if m.get("type") != "update":
                continue
            msg = m["neighbor"]["message"].get("update", {})
            for fam, byhop in msg.get("announce", {}).items():
                for _nh, lst in byhop.items():
                    for r in lst:
                        routes.add(r["nlri"] if isinstance(r, dict) else r)
            for fam, lst in msg.get("withdraw", {}).items():
                for r in lst:
                    routes.discard(r["nlri"] if isinstance(r, dict) else r)
        return routes
