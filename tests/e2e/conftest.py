"""Fixtures of the end-to-end data-plane tests: a real openvpcd with its data
plane on, accounts made through the CLI, and helpers that build topologies of
instances through the CLI and run real tools inside them with
`openvpc instance exec`.

    pytest (root)                                     openvpcd (one per session)
      HOME=<tmp>/home: profiles operator, a, b          --data-dir <tmp>/data
      build/cli/openvpc --endpoint E --profile P ...    --listen 127.0.0.1:0 (E)
          |                                             --dp-prefix <P> --dataplane on
          +-- instance exec ID -- CMD  ------------>  /run/netns/<P><instance id>
                                                        eth0, eth1 ... = the ENIs
                                                        host ends <P>xxxxxxxxxx, TC/BPF
                                                        pins /sys/fs/bpf/<P>/

The prefix <P> is "e" and three characters from the test run's PID, chosen so
that nothing on the host already carries it.  Every namespace, device and pin
openvpcd makes for these tests carries it; nothing else is touched.

Lifecycle and leaks.  The `cloud` fixture (session) starts openvpcd and makes
the accounts; the `net` fixture (per test) tracks every resource a test makes
and deletes them through the API in dependency order when the test ends,
pass or fail, after stopping (by PID) the processes it started in instances.
openvpcd must then remove what it made for them: the fixture waits for the
host to be back at the baseline taken after start (no namespace, no link with
the prefix).  Whatever is left is removed by the fixture and recorded in
`cloud.leaks`; test_zz_leaks.py fails on it, then stops openvpcd, runs
`openvpcd --dp-destroy` (the kernel state outlives openvpcd by design) and
checks that nothing with the prefix remains (namespaces, links, BPF pins).
The session's finalizer sweeps once more and errors if it had to remove
anything.  A run killed before its finalizers (kill -9 of pytest) is cleaned
up by the next run: its /tmp directory names its prefix and PID.  No process
is ever killed by name.
"""
import ipaddress
import json
import os
import shutil
import signal
import string
import subprocess
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.path.abspath(os.environ.get("OPENVPC_BUILD", os.path.join(ROOT, "build")))
OPENVPCD = os.path.join(BUILD, "daemon", "openvpcd")
OPENVPC = os.path.join(BUILD, "cli", "openvpc")
PROBE = os.path.join(HERE, "probe.py")
PY = "/usr/bin/python3"
PID = os.getpid()
REGION = "cn-hangzhou"
ZONE_A, ZONE_B = "cn-hangzhou-a", "cn-hangzhou-b"
ITYPE = "ecs.g6.large"  # 3 ENIs, 6 IPs per ENI, IPv6
# OVE2E_HARNESS_ONLY=1 runs openvpcd without its data plane: for checking the
# harness itself (resources made and deleted) against a daemon that has none.
HARNESS_ONLY = os.environ.get("OVE2E_HARNESS_ONLY") == "1"


class CliError(AssertionError):
    pass


def sh(*args, check=True, timeout=30, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, timeout=timeout, **kw)


def wait_for(pred, timeout=10.0, interval=0.1, what="condition"):
    """Polls pred() until it is truthy; fails the test after timeout."""
    end = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - a tool may not answer yet
            last = e
        if time.monotonic() >= end:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def gateway(cidr):
    """The vSwitch gateway: the third address from the end of its CIDR."""
    net = ipaddress.ip_network(cidr)
    return str(net.broadcast_address - 2)


# ------------------------------------------------------------ host state

def netns_names():
    try:
        return sorted(os.listdir("/run/netns"))
    except FileNotFoundError:
        return []


def host_links():
    out = sh("ip", "-o", "link", "show", check=False).stdout
    names = []
    for line in out.splitlines():
        parts = line.split(":", 2)
        if len(parts) >= 2:
            names.append(parts[1].strip().split("@")[0])
    return names


def prefixed_state(prefix):
    """What exists on the host with the prefix: namespaces, links, BPF pins."""
    ns = [n for n in netns_names() if n.startswith(prefix)]
    links = [l for l in host_links() if l.startswith(prefix)]
    pins = []
    base = os.path.join("/sys/fs/bpf", prefix)
    if os.path.exists(base):
        for d, dirs, files in os.walk(base):
            pins += [os.path.join(d, f) for f in files + dirs]
        pins.append(base)
    return {"netns": ns, "links": links, "pins": sorted(pins)}


def remove_prefixed(prefix, what):
    """Removes leftovers with the prefix (namespaces after killing what runs
    in them, links, pins).  Returns what was removed."""
    for ns in what.get("netns", []):
        for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        sh("ip", "netns", "del", ns, check=False)
    for link in what.get("links", []):
        sh("ip", "link", "del", link, check=False)
    base = os.path.join("/sys/fs/bpf", prefix)
    if what.get("pins") and os.path.exists(base):
        for d, dirs, files in os.walk(base, topdown=False):
            for f in files:
                try:
                    os.unlink(os.path.join(d, f))
                except OSError:
                    pass
            for sub in dirs:
                try:
                    os.rmdir(os.path.join(d, sub))
                except OSError:
                    pass
        try:
            os.rmdir(base)
        except OSError:
            pass
    return what


def pick_prefix():
    """ "e" + three base-36 characters from the PID, unused on this host."""
    alphabet = string.digits + string.ascii_lowercase
    n = PID
    for _ in range(200):
        s = "e" + "".join(alphabet[(n // 36 ** i) % 36] for i in (2, 1, 0))
        st = prefixed_state(s)
        if not (st["netns"] or st["links"] or st["pins"]):
            return s
        n += 7919
    raise RuntimeError("no free prefix")


# ------------------------------------------------------------ openvpcd

class Daemon:
    """openvpcd, started and stopped by its PID."""

    def __init__(self, data_dir, prefix):
        self.dir = data_dir
        self.prefix = prefix
        self.proc = None
        self.endpoint = None
        self.port = 0
        self.logpath = os.path.join(os.path.dirname(data_dir), "openvpcd.log")
        self.dp_line = None
        self.starts = 0
        self.exits = []  # exits nobody asked for: (exit status, log tail)

    def start(self, timeout=20):
        try:
            return self._start(timeout)
        except RuntimeError:
            if not self.port:
                raise
            # The old port may still be held (TIME_WAIT): any port will do,
            # every CLI call names the endpoint.
            self.port = 0
            return self._start(timeout)

    def _start(self, timeout):
        addr = os.path.join(self.dir, "api.addr")
        if os.path.exists(addr):
            os.unlink(addr)
        os.makedirs(self.dir, exist_ok=True)
        log = open(self.logpath, "ab")
        log.write(f"--- start {self.starts + 1} at {time.strftime('%H:%M:%S')}\n".encode())
        log.flush()
        pos = log.tell()
        # The same port on a restart (0 the first time), so endpoints stay valid.
        args = [OPENVPCD, "--data-dir", self.dir, "--listen", f"127.0.0.1:{self.port}"]
        if not HARNESS_ONLY:
            args += ["--dp-prefix", self.prefix, "--dataplane", "on"]
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        with open(os.path.join(os.path.dirname(self.dir), "openvpcd.pid"), "w") as f:
            f.write(str(self.proc.pid))
        self.starts += 1
        end = time.monotonic() + timeout
        while not os.path.exists(addr):
            if self.proc.poll() is not None:
                raise RuntimeError(f"openvpcd exited with {self.proc.returncode} at start:\n{self.log_tail()}")
            if time.monotonic() > end:
                raise RuntimeError(f"openvpcd did not write api.addr in {timeout}s:\n{self.log_tail()}")
            time.sleep(0.05)
        with open(addr) as f:
            self.endpoint = f.read().strip()
        self.port = int(self.endpoint.rsplit(":", 1)[1])
        # "openvpcd: data plane on (prefix P, backend netns)" or "... off: <reason>"
        while not HARNESS_ONLY:
            with open(self.logpath, "rb") as f:
                f.seek(pos)
                text = f.read().decode(errors="replace")
            lines = [l for l in text.splitlines() if l.startswith("openvpcd: data plane")]
            if lines:
                self.dp_line = lines[-1]
                break
            if time.monotonic() > end:
                raise RuntimeError("openvpcd did not say whether its data plane is on "
                                   f"(no 'openvpcd: data plane ...' line):\n{self.log_tail()}")
            time.sleep(0.05)
        if not HARNESS_ONLY and not self.dp_line.startswith("openvpcd: data plane on"):
            raise RuntimeError(f"{self.dp_line}\n{self.log_tail()}")
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self):
        """Whether openvpcd runs; an exit nobody asked for is recorded
        (test_zz_leaks.py fails on it) and openvpcd started again."""
        if self.proc is None or self.running():
            return True
        self.exits.append((self.proc.returncode, self.log_tail(30)))
        self.proc = None
        self.start()
        return False

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if not self.running():
            return None
        os.kill(self.proc.pid, sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        rc = self.proc.returncode
        self.proc = None  # stopped on purpose: not an exit to report
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def destroy(self):
        """`openvpcd --dp-destroy`: removes the kernel state of the prefix
        (namespaces, pins), which outlives openvpcd by design."""
        assert not self.running()
        r = subprocess.run([OPENVPCD, "--dp-prefix", self.prefix, "--dp-destroy"], capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr

    def log_tail(self, n=40):
        try:
            with open(self.logpath, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except FileNotFoundError:
            return "(no log)"


def sweep_dead_runs():
    """Removes what an earlier run of this suite left when it was killed
    before its finalizers ran: each run keeps its prefix in the name of its
    /tmp/openvpc-e2e-<prefix>-* directory and its PID in owner.pid there.
    Only such prefixes, of runs whose PID is gone, are touched."""
    swept = []
    for d in sorted(os.listdir("/tmp")):
        if not d.startswith("openvpc-e2e-"):
            continue
        path = os.path.join("/tmp", d)
        try:
            with open(os.path.join(path, "owner.pid")) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
            continue  # still running: not ours to clean
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        prefix = d[len("openvpc-e2e-"):].split("-")[0]
        dpid = os.path.join(path, "openvpcd.pid")
        if os.path.exists(dpid):
            # That run's openvpcd, if it still runs: by its PID, and only if the
            # PID is still that openvpcd (its command line names the prefix).
            try:
                with open(dpid) as f:
                    opid = int(f.read().strip())
                with open(f"/proc/{opid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                if argv[0].endswith(b"openvpcd") and prefix.encode() in argv and path.encode() + b"/data" in argv:
                    os.kill(opid, signal.SIGKILL)
            except (OSError, ValueError):
                pass
        if os.access(OPENVPCD, os.X_OK):
            subprocess.run([OPENVPCD, "--dp-prefix", prefix, "--dp-destroy"], capture_output=True,
                           timeout=60)
        left = prefixed_state(prefix)
        remove_prefixed(prefix, left)
        shutil.rmtree(path, ignore_errors=True)
        swept.append((prefix, left))
    return swept


class Cloud:
    """The session: openvpcd, a HOME for the CLI, the accounts' profiles."""

    def __init__(self):
        self.swept = sweep_dead_runs()
        self.prefix = pick_prefix()
        self.tmp = tempfile.mkdtemp(prefix=f"openvpc-e2e-{self.prefix}-", dir="/tmp")
        os.chmod(self.tmp, 0o755)
        with open(os.path.join(self.tmp, "owner.pid"), "w") as f:
            f.write(str(PID))
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.daemon = Daemon(os.path.join(self.tmp, "data"), self.prefix)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("OPENVPC_", "ALIBABA_CLOUD_"))}
        self.env["HOME"] = self.home
        self.leaks = []  # (when, what) found and removed by the fixtures
        self.baseline = {"netns": [], "links": []}
        self.accounts = {}

    @property
    def endpoint(self):
        return self.daemon.endpoint

    def start(self):
        self.daemon.start()
        return self

    def setup_accounts(self):
        self.cli("configure", "--profile", "operator", "--endpoint", self.endpoint, "--region", REGION,
                 "--from-operator-file", os.path.join(self.daemon.dir, "operator.json"), profile=None)
        for name in ("a", "b"):
            out = self.cli("account", "create", "--account-name", f"{self.prefix}-{name}",
                           "--save-profile", name).stdout
            self.accounts[name] = dict(l.split(":", 1) for l in out.splitlines() if ":" in l)
        self.baseline = self.settled_state()

    def settled_state(self):
        st = prefixed_state(self.prefix)
        return {"netns": st["netns"], "links": st["links"]}

    def cli(self, *args, profile="operator", check=True, timeout=60, input=None):
        cmd = [OPENVPC, "--endpoint", self.endpoint] + (["--profile", profile] if profile else []) + \
            [str(a) for a in args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env, input=input)
        if check and r.returncode != 0:
            raise CliError(f"{' '.join(cmd[3:])}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def json(self, *args, profile="operator"):
        return json.loads(self.cli("--json", *args, profile=profile).stdout)

    def popen(self, args, profile, **kw):
        cmd = [OPENVPC, "--endpoint", self.endpoint, "--profile", profile] + [str(a) for a in args]
        return subprocess.Popen(cmd, env=self.env, start_new_session=True, **kw)

    def sweep(self):
        """Removes everything with the prefix; returns what there was."""
        st = prefixed_state(self.prefix)
        if st["netns"] or st["links"] or st["pins"]:
            remove_prefixed(self.prefix, st)
        return st


# ------------------------------------------------------------ resources

class Instance:
    def __init__(self, tenant, iid, vsw):
        self.t = tenant
        self.id = iid
        self.vsw = vsw
        self.refresh()

    @property
    def netns(self):
        return self.t.cloud.prefix + self.id

    def refresh(self):
        body = self.t.json("instance", "show", self.id)
        inst = body["Instances"]["Instance"][0]
        self.status = inst["Status"]
        ips = []
        for key in ("VpcAttributes.PrivateIpAddress", "InnerIpAddress"):  # VPC, classic
            v = inst
            for k in key.split("."):
                v = v.get(k, {}) if isinstance(v, dict) else {}
            ips += v.get("IpAddress", []) if isinstance(v, dict) else ([v] if v else [])
        self.ip = ips[0] if ips else None
        nics = inst.get("NetworkInterfaces", {}).get("NetworkInterface", [])
        self.nics = nics
        prim = [n for n in nics if n.get("Type") == "Primary"] or nics[:1]
        self.eni = prim[0]["NetworkInterfaceId"] if prim else None
        if not prim and inst.get("InstanceNetworkType") == "classic":
            self.eni = self.id  # a classic instance is its own NIC
        self.mac = prim[0].get("MacAddress") if prim else None
        v6 = []
        for n in prim:
            v6 += [s["Ipv6Address"] for s in n.get("Ipv6Sets", {}).get("Ipv6Set", [])]
        self.ipv6 = v6[0] if v6 else None
        return self

    def exec(self, *cmd, check=False, timeout=20, input=None):
        r = self.t.cloud.cli("instance", "exec", self.id, "--", *cmd, profile=self.t.profile,
                             check=False, timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise CliError(f"in {self.id}: {' '.join(map(str, cmd))}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def sh(self, script, **kw):
        return self.exec("sh", "-c", script, **kw)

    def spawn(self, *cmd, stdout=None):
        """A background process in the instance, stopped (by PID) at teardown."""
        out = stdout if stdout is not None else subprocess.DEVNULL
        p = self.t.cloud.popen(["instance", "exec", self.id, "--"] + list(cmd), self.t.profile,
                               stdout=out, stderr=subprocess.STDOUT)
        self.t.net.procs.append(p)
        return p

    def ping(self, dst, count=1, wait=1, src=None, interval=None):
        args = ["ping", "-n", "-c", count, "-W", wait]
        if ":" in dst:
            args.insert(1, "-6")
        if src:
            args += ["-I", src]
        if interval:
            args += ["-i", interval]
        return self.exec(*args, dst, timeout=count * (interval or 1) + wait + 15)

    def reaches(self, dst, **kw):
        return self.ping(dst, **kw).returncode == 0

    def tcp_ok(self, dst, port, timeout=1):
        return self.exec("nc", "-z", "-w", timeout, dst, port, timeout=timeout + 15).returncode == 0

    def serve_tcp(self, port):
        """An echo server on port (all addresses); waits until it listens."""
        p = self.spawn(PY, PROBE, "echo-server", port)
        wait_for(lambda: f":{port} " in self.exec("ss", "-Htln").stdout, 10,
                 what=f"echo server on {self.id}:{port}")
        return p

    def listen(self, path):
        """probe.py listen into path; waits until it is ready."""
        p = self.spawn(PY, PROBE, "listen", path)
        wait_for(lambda: os.path.exists(path + ".ready"), 10, what=f"listener in {self.id}")
        return p

    def link_of(self, dev="eth0"):
        return self.exec("ip", "-j", "addr", "show", "dev", dev, check=True).stdout

    def addrs(self, dev="eth0"):
        out = json.loads(self.link_of(dev))
        return [f"{a['local']}/{a['prefixlen']}" for a in out[0].get("addr_info", [])]


class Vswitch:
    def __init__(self, vid, vpc, cidr, zone, ipv6):
        self.id, self.vpc, self.cidr, self.zone, self.ipv6 = vid, vpc, cidr, zone, ipv6
        self.gw = gateway(cidr)
        self.plen = ipaddress.ip_network(cidr).prefixlen

    def addr(self, n):
        return str(ipaddress.ip_network(self.cidr).network_address + n)


class Tenant:
    """One account's view, tracking what a test makes for its teardown."""

    def __init__(self, net, profile):
        self.net = net
        self.cloud = net.cloud
        self.profile = profile
        self.made = []  # (kind, id, extra) in creation order

    def cli(self, *args, **kw):
        return self.cloud.cli(*args, profile=self.profile, **kw)

    def json(self, *args):
        return self.cloud.json(*args, profile=self.profile)

    def field(self, *args):
        return self.cli(*args).stdout.strip()

    def wait_status(self, kind, rid, status, timeout=20):
        return wait_for(lambda: self.field(kind, "show", rid, "--field", "Status") == status, timeout,
                        interval=0.05, what=f"{kind} {rid} {status}")

    def vpc(self, cidr="10.0.0.0/16", ipv6=False):
        args = ["vpc", "create", "--cidr-block", cidr, "--name", f"{self.cloud.prefix}-e2e"]
        if ipv6:
            args += ["--enable-ipv6", "true"]
        vid = self.field(*args)
        self.made.append(("vpc", vid, None))
        self.wait_status("vpc", vid, "Available")
        return vid

    def vswitch(self, vpc, cidr, zone=ZONE_A, ipv6=False):
        args = ["vswitch", "create", "--vpc-id", vpc, "--zone-id", zone, "--cidr-block", cidr]
        if ipv6:
            args += ["--ipv6-cidr-block", str(int(ipaddress.ip_network(cidr).network_address.packed[2]))]
        vid = self.field(*args)
        self.made.append(("vswitch", vid, None))
        self.wait_status("vswitch", vid, "Available")
        return Vswitch(vid, vpc, cidr, zone, ipv6)

    def sg(self, vpc, policy=None):
        sid = self.field("sg", "create", "--vpc-id", vpc)
        self.made.append(("sg", sid, None))
        if policy:
            self.cli("sg", "policy", sid, "--inner-access-policy", policy)
        return sid

    def rules(self, sg):
        body = self.json("sg", "show", sg)
        return body.get("Permissions", {}).get("Permission", [])

    def authorize(self, sg, proto="tcp", ports="-1/-1", src=None, policy="accept", priority=1,
                  egress=False, src_group=None, dst=None):
        """Adds one rule; returns its SecurityGroupRuleId."""
        before = {r["SecurityGroupRuleId"] for r in self.rules(sg)}
        if egress:
            args = ["sg", "authorize-egress", sg]
            if dst and ":" in dst:
                args += ["--ipv6-dest-cidr-ip", dst]
            elif dst:
                args += ["--dest-cidr-ip", dst]
        else:
            args = ["sg", "authorize", sg]
            if src_group:
                args += ["--source-group-id", src_group]
            elif src and ":" in src:
                args += ["--ipv6-source-cidr-ip", src]
            elif src:
                args += ["--source-cidr-ip", src]
        self.cli(*args, "--ip-protocol", proto, "--port-range", ports, "--policy", policy,
                 "--priority", priority)
        new = [r["SecurityGroupRuleId"] for r in self.rules(sg) if r["SecurityGroupRuleId"] not in before]
        assert len(new) == 1, f"authorize made {new}"
        return new[0]

    def revoke(self, sg, rule, egress=False):
        self.cli("sg", "revoke-egress" if egress else "revoke", sg, "--security-group-rule-id", rule)

    def instance(self, vsw, sg, ip=None, ipv6=False, extra_sgs=(), wait=True):
        args = ["instance", "run", "--instance-type", ITYPE, "--vswitch-id", vsw.id,
                "--security-group-id", sg]
        if ip:
            args += ["--private-ip-address", ip]
        if ipv6:
            args += ["--ipv6-address-count", "1"]
        iid = self.field(*args)
        self.made.append(("instance", iid, None))
        for extra in extra_sgs:
            self.cli("sg", "join", extra, "--instance-id", iid)
        if wait:
            self.wait_status("instance", iid, "Running")
            inst = Instance(self, iid, vsw)
            if not HARNESS_ONLY:
                wait_for(lambda: os.path.exists(f"/run/netns/{inst.netns}"), 10,
                         what=f"namespace {inst.netns} of a Running instance")
            return inst
        return Instance(self, iid, vsw)

    def eni(self, vsw, sg, ip=None, secondary=0):
        args = ["eni", "create", "--vswitch-id", vsw.id, "--security-group-id", sg]
        if ip:
            args += ["--primary-ip-address", ip]
        if secondary:
            args += ["--secondary-private-ip-address-count", secondary]
        eid = self.field(*args)
        self.made.append(("eni", eid, None))
        self.wait_status("eni", eid, "Available")
        return eid

    def attach(self, eni, inst):
        self.cli("eni", "attach", eni, "--instance-id", inst.id)
        self.wait_status("eni", eni, "InUse")
        inst.refresh()

    def route_table(self, vpc):
        return self.field("route-table", "list", "--vpc-id", vpc, "--route-table-type", "System",
                          "--field", "RouteTableId").splitlines()[0]

    def route(self, vpc, dst, next_hop, hop_type="Instance"):
        rt = self.route_table(vpc)
        rid = self.field("route", "add", "--route-table-id", rt, "--destination-cidr-block", dst,
                         "--next-hop-type", hop_type, "--next-hop-id", next_hop)
        self.made.append(("route", rid, rt))
        wait_for(lambda: self.field("route", "list", rt, "--route-entry-id", rid, "--field", "Status")
                 == "Available", 20, what=f"route {rid} Available")
        return rid

    def cleanup(self):
        """Deletes what this tenant made, dependents first, retrying while the
        cloud says a dependency is still going away.  Returns the errors."""
        errors = []
        order = ["route", "clrule", "cllink", "instance", "eni", "sg", "vswitch", "vpc"]
        for kind in order:
            for k, rid, extra in reversed(self.made):
                if k != kind:
                    continue
                err = self._delete(k, rid, extra)
                if err:
                    errors.append(err)
        self.made = []
        return errors

    def _delete(self, kind, rid, extra):
        if kind == "route":
            cmd = ["route", "delete", rid]
        elif kind == "clrule":
            cmd = ["classiclink", "delete-rule", rid, "--classic-security-group-id", extra[0],
                   "--vpc-security-group-id", extra[1]]
        elif kind == "cllink":
            cmd = ["classiclink", "detach", rid, "--vpc-id", extra]
        elif kind == "instance":
            cmd = ["instance", "delete", rid, "--force", "true"]
        elif kind == "eni":
            st = self.cli("eni", "show", rid, "--field", "Status", check=False)
            if st.returncode != 0:
                return None  # gone with its instance
            if st.stdout.strip() == "InUse":
                self.cli("eni", "detach", rid, "--instance-id",
                         self.field("eni", "show", rid, "--field", "InstanceId"), check=False)
            cmd = ["eni", "delete", rid]
        else:
            cmd = [kind, "delete", rid]
        end = time.monotonic() + 30
        while True:
            r = self.cli(*cmd, check=False)
            gone = ("NotFound" in r.stderr or "not exist" in r.stderr.lower()
                    or (kind == "cllink" and "not linked" in r.stderr))
            if r.returncode == 0 or gone:
                break
            if time.monotonic() > end:
                return f"{' '.join(cmd)}: {r.stderr.strip()}"
            time.sleep(0.2)
        # Gone from the API (instances pass through Deleting)
        if kind in ("instance", "eni", "vswitch", "vpc"):
            end = time.monotonic() + 30
            while self.cli(kind, "show", rid, check=False).returncode == 0:
                if time.monotonic() > end:
                    return f"{kind} {rid} still there after delete"
                time.sleep(0.1)
        return None


class Net:
    """A test's resources in both accounts, and the processes it started."""

    def __init__(self, cloud, name):
        self.cloud = cloud
        self.name = name
        self.a = Tenant(self, "a")
        self.b = Tenant(self, "b")
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="t-", dir=cloud.tmp)
        os.chmod(self.dir, 0o777)

    def path(self, name):
        return os.path.join(self.dir, name)

    def stop_procs(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGTERM)
                    p.wait(3)
                except ProcessLookupError:
                    pass
                except subprocess.TimeoutExpired:
                    os.kill(p.pid, signal.SIGKILL)
                    p.wait(3)
        self.procs = []

    def cleanup(self):
        self.stop_procs()
        errors = []
        if self.cloud.daemon.running():
            for t in (self.b, self.a):
                errors += t.cleanup()
        return errors


# ------------------------------------------------------------ fixtures

_cloud = []


@pytest.fixture(scope="session")
def cloud():
    if os.geteuid() != 0:
        pytest.skip("the e2e tests need root (network namespaces, BPF)")
    for b in (OPENVPCD, OPENVPC):
        if not os.access(b, os.X_OK):
            pytest.fail(f"{b} not built (ninja -C {BUILD})")
    c = Cloud()
    _cloud.append(c)
    failed_leftovers = None
    try:
        c.start()
        c.setup_accounts()
        print(f"\ne2e: openvpcd at {c.endpoint}, prefix {c.prefix}, {c.daemon.dp_line!r}, logs {c.tmp}")
        if c.swept:
            print(f"e2e: removed what killed earlier runs left: {c.swept}")
        yield c
    finally:
        c.daemon.stop()
        if not HARNESS_ONLY:
            c.daemon.destroy()
        left = c.sweep()
        if left["netns"] or left["links"] or left["pins"]:
            failed_leftovers = left
        if os.environ.get("OVE2E_KEEP_LOGS") or failed_leftovers:
            print(f"e2e: logs kept in {c.tmp}")
        else:
            shutil.rmtree(c.tmp, ignore_errors=True)
    if failed_leftovers:
        pytest.fail(f"openvpcd left these behind at the end of the session (removed now): {failed_leftovers}")


@pytest.fixture
def net(cloud, request):
    cloud.daemon.check_alive()
    if not cloud.daemon.running():
        # A test that stopped openvpcd and failed before starting it again.
        cloud.daemon.start()
    n = Net(cloud, request.node.name)
    yield n
    crashed = not cloud.daemon.check_alive()
    if not cloud.daemon.running():
        cloud.daemon.start()
    errors = n.cleanup()
    if crashed:
        errors.append(f"openvpcd exited during the test: {cloud.daemon.exits[-1][1]}")
    # openvpcd removes what it made for deleted resources: back to the baseline.
    base = cloud.baseline
    try:
        wait_for(lambda: cloud.settled_state() == base, 10, what="namespaces and links removed")
    except pytest.fail.Exception:
        now = cloud.settled_state()
        extra = {"netns": [x for x in now["netns"] if x not in base["netns"]],
                 "links": [x for x in now["links"] if x not in base["links"]]}
        remove_prefixed(cloud.prefix, extra)
        cloud.leaks.append((request.node.name, extra))
    if errors:
        pytest.fail("teardown could not delete: " + "; ".join(errors) +
                    f"\nopenvpcd log:\n{cloud.daemon.log_tail(20)}")


def pytest_report_header(config):
    return [f"openvpc e2e: build {BUILD}, pid {PID}"]
