#!/usr/bin/env python3
"""dp_sync: how fast the store becomes forwarding state (a benchmark, not a test).

    bench/dp_sync.py [--instances N] [--changes K] [--build DIR]

Starts its own openvpcd (data-plane prefix "bs" + 2 digits, data in a temporary
directory), creates N instances in one VPC (spread over vSwitches, one
enterprise security group so the group's size is not capped), and measures:

  create     seconds from the first RunInstances to every instance Running
             (the agent makes a namespace, a veth and the map entries of each
             before it settles it);
  first sync after `kill -9` and a restart: the agent's first apply of the
             whole store against the kernel (openvpcd's own timer, reported by
             DescribeDataPlane), and the seconds until the API answers;
  change     K times: a security-group rule is authorized (then revoked) while
             a ping runs every 2 ms from instance A to instance B, which the
             group's rules otherwise deny; the latency is the time from the
             API's answer to the first echo reply (ping -D timestamps), so it
             includes everything: the store's commit, the agent waking up,
             compiling, writing the tables, and the packet itself;
  flows      packets lost by a ping every 10 ms while openvpcd is killed
             with -9 and restarted.

Prints one line per figure.  Everything it creates carries its prefix and is
removed at the end (openvpcd --dp-destroy, then the data directory).
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=200)
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("dp_sync: needs root (the data plane)")
    prefix = "bs%02d" % (os.getpid() % 100)
    tmp = tempfile.mkdtemp(prefix="openvpc-dpsync-")
    daemon = os.path.join(a.build, "daemon", "openvpcd")
    cli = os.path.join(a.build, "cli", "openvpc")
    env = dict(os.environ, HOME=tmp)
    proc = [None]
    data = os.path.join(tmp, "var")
    import socket
    so = socket.socket()
    so.bind(("127.0.0.1", 0))
    port = so.getsockname()[1]
    so.close()

    def start():
        if os.path.exists(os.path.join(data, "api.addr")):
            os.unlink(os.path.join(data, "api.addr"))
        t0 = time.monotonic()
        log = open(os.path.join(tmp, "openvpcd.log"), "a")
        proc[0] = subprocess.Popen([daemon, "--data-dir", data, "--listen", "127.0.0.1:%d" % port,
                                    "--dp-prefix", prefix, "--dataplane", "on"],
                                   stdout=log, stderr=log)
        while not os.path.exists(os.path.join(data, "api.addr")):
            if proc[0].poll() is not None:
                sys.exit("dp_sync: openvpcd exited; see %s/openvpcd.log" % tmp)
            time.sleep(0.02)
        return time.monotonic() - t0

    def ov(*args, profile="b", check=True):
        r = subprocess.run([cli, "--profile", profile] + list(args), env=env,
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("openvpc %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout.strip()

    def dp_call():
        # The CLI's data-plane commands call DescribeDataPlane; ask it raw.
        out = ov("--json", "show", "dataplane", check=False)
        try:
            return json.loads(out)
        except ValueError:
            return {}

    def wait_running(ids, timeout=600):
        end = time.monotonic() + timeout
        left = set(ids)
        while left and time.monotonic() < end:
            out = json.loads(ov("--json", "instance", "status"))
            st = {s["InstanceId"]: s["Status"]
                  for s in out.get("InstanceStatuses", {}).get("InstanceStatus", [])}
            left = {i for i in left if st.get(i) != "Running"}
            if left:
                time.sleep(0.2)
        if left:
            raise RuntimeError("%d instances not Running" % len(left))

    def netns(i):
        return prefix + i

    try:
        start()
        ep = open(os.path.join(data, "api.addr")).read().strip()
        subprocess.run([cli, "configure", "--profile", "operator", "--endpoint", ep, "--region",
                        "cn-hangzhou", "--from-operator-file", os.path.join(data, "operator.json")],
                       env=env, check=True, capture_output=True)
        acct = ov("account", "create", "--account-name", "bench", "--save-profile", "b",
                  profile="operator")
        acct_id = [l.split()[-1] for l in acct.splitlines() if l.startswith("AccountId")][0]
        for q in ("instance", "eni"):
            ov("quota", "set", acct_id, "--quota-name", q, "--value", str(a.instances + 100),
               profile="operator")
        vpc = ov("vpc", "create", "--cidr-block", "10.0.0.0/8")
        while ov("vpc", "show", vpc, "--field", "Status") != "Available":
            time.sleep(0.1)
        per = 4000
        vsws = []
        for k in range((a.instances + per - 1) // per + 1):
            vsws.append(ov("vswitch", "create", "--vpc-id", vpc, "--zone-id", "cn-hangzhou-a",
                           "--cidr-block", "10.%d.0.0/16" % (k + 1)))
        sg = ov("sg", "create", "--vpc-id", vpc, "--security-group-name", "b",
                "--security-group-type", "enterprise")
        ids = []
        t0 = time.monotonic()
        n = a.instances
        k = 0
        while n > 0:
            amount = min(20, n)  # RunInstances is O(account size) per instance today (issue 12)
            out = ov("instance", "run", "--instance-type", "ecs.g6.large", "--vswitch-id",
                     vsws[len(ids) // per], "--security-group-id", sg, "--amount", str(amount))
            ids += out.split()
            n -= amount
            k += 1
        wait_running(ids)
        t_create = time.monotonic() - t0
        print("create: %d instances Running in %.1f s (%.2f ms each, API and agent)"
              % (len(ids), t_create, 1000 * t_create / len(ids)))

        # A and B: B's group denies A by default (enterprise: no inner accept).
        A, B = ids[0], ids[1]
        ipb = ov("instance", "show", B, "--field", "VpcAttributes.PrivateIpAddress.IpAddress")
        lat = []
        for c in range(a.changes):
            ping = subprocess.Popen(["ip", "netns", "exec", netns(A), "ping", "-D", "-n", "-i",
                                     "0.002", "-W", "1", ipb], stdout=subprocess.PIPE, text=True)
            time.sleep(0.3)
            ov("sg", "authorize", sg, "--ip-protocol", "icmp", "--port-range", "-1/-1",
               "--source-cidr-ip", "10.0.0.0/8")
            t_ans = time.time()
            first = None
            end = time.monotonic() + 5
            while time.monotonic() < end and first is None:
                line = ping.stdout.readline()
                if "bytes from" in line and line.startswith("["):
                    ts = float(line[1:line.index("]")])
                    if ts >= t_ans - 0.001:
                        first = ts
            ping.send_signal(signal.SIGINT)
            ping.wait()
            ov("sg", "revoke", sg, "--ip-protocol", "icmp", "--port-range", "-1/-1",
               "--source-cidr-ip", "10.0.0.0/8")
            if first is not None:
                lat.append(max(0.0, first - t_ans) * 1000)
            time.sleep(0.2)
        lat.sort()
        if lat:
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            print("change: rule authorized -> first packet forwarded, %d changes with %d "
                  "instances: p50 %.1f ms, p99 %.1f ms, max %.1f ms (ping every 2 ms: "
                  "resolution 2 ms)" % (len(lat), len(ids), statistics.median(lat), p99, lat[-1]))

        # Flows across kill -9 and restart.
        ov("sg", "authorize", sg, "--ip-protocol", "icmp", "--port-range", "-1/-1",
           "--source-cidr-ip", "10.0.0.0/8")
        time.sleep(0.3)
        ping = subprocess.Popen(["ip", "netns", "exec", netns(A), "ping", "-q", "-n", "-i", "0.01",
                                 "-w", "20", ipb], stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        proc[0].send_signal(signal.SIGKILL)
        proc[0].wait()
        t_up = start()
        out = ""
        st = {}
        end = time.monotonic() + 120
        while time.monotonic() < end:
            st = dp_call()
            if st.get("FirstSyncMicroseconds"):
                break
            time.sleep(0.2)
        out, _ = ping.communicate()
        summary = [l for l in out.splitlines() if "packets transmitted" in l]
        print("restart: API answering %.2f s after start; first sync of %s NICs: %.1f ms"
              % (t_up, st.get("FirstSyncNetworkInterfaces"),
                 st.get("FirstSyncMicroseconds", 0) / 1000.0))
        print("flows: a 100/s ping across kill -9 and restart: %s" % (summary[0] if summary else "?"))
        if st:
            print("applies: %s, p50 %s us, p99 %s us, max %s us (agent's own timer)"
                  % (st.get("Applies"), st.get("ApplyP50Microseconds"),
                     st.get("ApplyP99Microseconds"), st.get("ApplyMaxMicroseconds")))
        for line in open(os.path.join(tmp, "openvpcd.log")):
            if "first sync" in line:
                print("openvpcd: " + line.strip())
    finally:
        if proc[0] and proc[0].poll() is None:
            proc[0].send_signal(signal.SIGTERM)
            try:
                proc[0].wait(10)
            except subprocess.TimeoutExpired:
                proc[0].kill()
        subprocess.run([daemon, "--dp-destroy", "--dp-prefix", prefix], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
