"""`openvpc trace` agrees with reality: a few hundred random packets over two
VPCs with mixed security-group rules, each traced, then sent for real from
its source instance; trace's verdict must be exactly what arrives
(NET-1, NET-13, NET-25; issue 6 "trace agrees with reality").

    account a: vpc A 10.0.0.0/16
    +--- vsw1 10.0.1.0/24, zone a ------------+   +--- vsw2 10.0.2.0/24, zone b ----+
    |  w1 10.0.1.10 (+10.0.1.50)  [sgW]       |   |  d1 10.0.2.10  [sgD]            |
    |  w2 10.0.1.11               [sgW]       |   |  d2 10.0.2.11  [sgD]            |
    |  x  10.0.1.12               [sgD]       |   |                                 |
    +-----------------------------------------+   +---------------------------------+
    sgW  in:  accept tcp 8000-8004 from 10.0.0.0/16 @10, drop tcp 8003 from 10.0.2.0/24 @10,
              accept udp 9000-9004 from 10.0.1.0/24 @20, accept icmp from 10.0.2.0/24 @30
    sgD  in:  accept tcp 8000-8009 from group sgW @5, drop all from 10.0.1.12/32 @1,
              accept udp 9000-9009 from 10.0.0.0/8 @50;  policy Drop (members isolated)
         out: drop tcp 8005-8009 to 10.0.0.0/16 @1
    account b: vpc B 10.0.0.0/16, vsw 10.0.1.0/24: b1 10.0.1.10, b2 10.0.1.20 [sgB: accept all]
    classic network: k1 (account a, group ka), k2 (account b, group kb: accept tcp 8000-8009
                     from group ka of account a)

    Sources: every instance (10% of packets with a source address not its own).
    Destinations: an address of the source's own network (60%), any address above (20%),
    free ones (10.0.1.20 is free in A, 10.0.1.99, 10.0.2.99, 10.0.3.5 outside any
    vSwitch, 192.168.7.7 outside the VPC).
    Protocols: tcp (mostly SYN, also ACK, FIN+ACK, RST, PSH+ACK outside any flow), udp,
    icmp echo (8% of them with TTL 1: delivered inside a vSwitch, dropped when routed),
    and ARP requests (answered by the network:
    Reply, seen as an ARP reply at the sender; never flooded to another instance).
    Each instance runs probe.py listen; senders use probe.py send (AF_PACKET).
"""
import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import PY, PROBE
from test_classic import classic, classic_sg

N_PACKETS = int(os.environ.get("OVE2E_TRACE_PACKETS", "300"))
FLAG_BITS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10}
NETWORK = {"w1": "A", "w2": "A", "x": "A", "d1": "A", "d2": "A", "b1": "B", "b2": "B", "k1": "classic",
           "k2": "classic"}
SEED = int(os.environ.get("OVE2E_SEED", "20261203"))


@pytest.fixture
def world(net):
    a, b = net.a, net.b
    vpc = a.vpc("10.0.0.0/16")
    vsw1 = a.vswitch(vpc, "10.0.1.0/24", "cn-hangzhou-a")
    vsw2 = a.vswitch(vpc, "10.0.2.0/24", "cn-hangzhou-b")
    sgw, sgd = a.sg(vpc), a.sg(vpc, policy="Drop")
    a.authorize(sgw, "tcp", "8000/8004", src="10.0.0.0/16", priority=10)
    a.authorize(sgw, "tcp", "8003/8003", src="10.0.2.0/24", policy="drop", priority=10)
    a.authorize(sgw, "udp", "9000/9004", src="10.0.1.0/24", priority=20)
    a.authorize(sgw, "icmp", "-1/-1", src="10.0.2.0/24", priority=30)
    a.authorize(sgd, "tcp", "8000/8009", src_group=sgw, priority=5)
    a.authorize(sgd, "all", "-1/-1", src="10.0.1.12/32", policy="drop", priority=1)
    a.authorize(sgd, "udp", "9000/9009", src="10.0.0.0/8", priority=50)
    a.authorize(sgd, "tcp", "8005/8009", dst="10.0.0.0/16", policy="drop", priority=1, egress=True)
    w1 = a.instance(vsw1, sgw, ip="10.0.1.10")
    w2 = a.instance(vsw1, sgw, ip="10.0.1.11")
    x = a.instance(vsw1, sgd, ip="10.0.1.12")
    d1 = a.instance(vsw2, sgd, ip="10.0.2.10")
    d2 = a.instance(vsw2, sgd, ip="10.0.2.11")
    a.cli("eni", "assign-ip", w1.eni, "--private-ip-address", "10.0.1.50")
    vpcb = b.vpc("10.0.0.0/16")
    vswb = b.vswitch(vpcb, "10.0.1.0/24")
    sgb = b.sg(vpcb)
    b.authorize(sgb, "all", "-1/-1", src="0.0.0.0/0")
    b1 = b.instance(vswb, sgb, ip="10.0.1.10")
    b2 = b.instance(vswb, sgb, ip="10.0.1.20")
    # The classic network: k1 (a) may open tcp 8000-8009 on k2 (b) by group authorization.
    ka, kb = classic_sg(a), classic_sg(b)
    b.cli("sg", "authorize", kb, "--ip-protocol", "tcp", "--port-range", "8000/8009",
          "--source-group-id", ka, "--source-group-owner-id", net.cloud.accounts["a"]["AccountId"].strip())
    k1, k2 = classic(a, ka), classic(b, kb)
    for k in (k1, k2):
        k.gw = json.loads(k.exec("ip", "-j", "route", "show", "default", check=True).stdout)[0]["gateway"]
    inst = {"w1": w1, "w2": w2, "x": x, "d1": d1, "d2": d2, "b1": b1, "b2": b2, "k1": k1, "k2": k2}
    addrs = {"w1": ["10.0.1.10", "10.0.1.50"], "w2": ["10.0.1.11"], "x": ["10.0.1.12"],
             "d1": ["10.0.2.10"], "d2": ["10.0.2.11"], "b1": ["10.0.1.10"], "b2": ["10.0.1.20"],
             "k1": [k1.ip], "k2": [k2.ip]}
    for name, i in inst.items():
        if not hasattr(i, "gw"):
            i.gw = i.vsw.gw
    return net, inst, addrs, {"sgw": sgw, "sgd": sgd}


def trace(cloud, inst, p):
    args = ["--json", "trace", "--eni", inst.eni, "--proto", p["proto"], "--dst", p["dst"],
            "--src", p["src"]]
    if p["proto"] != "arp":
        args += ["--sport", p["sport"]]
    if p["proto"] in ("tcp", "udp"):
        args += ["--dport", p["dport"]]
    if p.get("flags"):
        args += ["--flags", p["flags"]]
    if p["proto"] != "arp" and "ttl" in p:
        args += ["--ttl", p["ttl"]]
    r = cloud.cli(*args, profile=inst.t.profile, check=False)
    if r.returncode != 0:
        return {"Verdict": "error", "Error": r.stderr.strip()}
    return json.loads(r.stdout)


def make_probes(rng, inst, addrs, n):
    held = sorted({a for v in addrs.values() for a in v})
    free = ["10.0.1.20", "10.0.1.99", "10.0.2.99", "10.0.3.5", "192.168.7.7"]
    used_sports, used_arp = set(), set()
    probes = []
    names = sorted(inst)
    while len(probes) < n:
        s = rng.choice(names)
        me = addrs[s][0]
        mine = sorted({a for k, v in addrs.items() if NETWORK[k] == NETWORK[s] and k != s for a in v})
        pick = rng.random()
        dst = rng.choice(mine) if pick < 0.6 else rng.choice(held) if pick < 0.8 else rng.choice(free)
        if dst in addrs[s]:
            continue
        proto = rng.choice(["tcp", "tcp", "tcp", "udp", "udp", "icmp", "icmp", "arp"])
        src = me
        if rng.random() < 0.10:
            src = rng.choice(["10.0.1.77", "10.0.2.77", "10.0.1.11" if s != "w2" else "10.0.1.12"])
        if proto == "arp":
            if (s, src, dst) in used_arp:
                continue
            used_arp.add((s, src, dst))
        while True:
            sport = rng.randrange(20000, 60000)
            if sport not in used_sports:
                used_sports.add(sport)
                break
        flags = None
        if proto == "tcp":
            dport = rng.choice([22, 80] + list(range(8000, 8010)))
            flags = rng.choice(["SYN"] * 8 + ["ACK", "FIN,ACK", "RST", "PSH,ACK"])
        elif proto == "udp":
            dport = rng.choice([53] + list(range(9000, 9010)))
        else:
            dport = 0
        ttl = 1 if proto != "arp" and rng.random() < 0.08 else 64  # routed: dropped for TTL
        probes.append({"n": len(probes), "from": s, "src": src, "dst": dst, "proto": proto, "ttl": ttl,
                       "sport": sport, "dport": dport, "dev": "eth0", "arp_src": me,
                       "gw": inst[s].gw, "flags": flags,
                       "tcp_flags": sum(FLAG_BITS[f] for f in flags.split(",")) if flags else 0})
    return probes


def key(proto, src, dst, sport, dport, flags=0):
    return (proto, src, dst, sport, dport if proto != "icmp" else 0, flags if proto == "tcp" else 0)


def test_net1_net25_trace_agrees_with_reality_on_random_packets(world, cloud, capsys):
    net, inst, addrs, _ = world
    rng = random.Random(SEED)
    print(f"\ntrace vs reality: seed {SEED} (OVE2E_SEED), {N_PACKETS} packets")
    probes = make_probes(rng, inst, addrs, N_PACKETS)
    eni_owner = {}
    for name, i in inst.items():
        i.refresh()
        eni_owner[i.eni] = name
        for nic in i.nics:
            eni_owner[nic["NetworkInterfaceId"]] = name
    caps = {}
    for name, i in inst.items():
        caps[name] = net.path(f"cap-{name}.jsonl")
        i.listen(caps[name])
    # Trace every packet first (trace writes no state), then send them all.
    # Ports and ICMP ids are unique and source ports never equal a destination
    # port, so no packet's conntrack entry can decide another packet.
    with ThreadPoolExecutor(4) as ex:
        traces = list(ex.map(lambda p: trace(cloud, inst[p["from"]], p), probes))
    errors = [(p, t) for p, t in zip(probes, traces) if t["Verdict"] == "error"]
    assert not errors, f"trace failed for {len(errors)} packets, e.g. {errors[:3]}"
    senders = []
    for name in inst:
        mine = [p for p in probes if p["from"] == name]
        if not mine:
            continue
        path = net.path(f"send-{name}.json")
        with open(path, "w") as f:
            json.dump(mine, f)
        senders.append((name, inst[name].spawn(PY, PROBE, "send", path, stdout=open(path + ".out", "w"))))
    for name, s in senders:
        assert s.wait(60) == 0, f"sender in {name} failed: {open(net.path(f'send-{name}.json.out')).read()}"
    time.sleep(1.0)
    net.stop_procs()
    arrived = {}
    arp_replies = {}  # (instance, src, dst) of ARP replies each instance got
    for name, path in caps.items():
        for line in open(path):
            r = json.loads(line)
            if r["proto"] == "arp":
                if r["icmp_type"] == 2:
                    arp_replies.setdefault((name, r["src"], r["dst"]), 0)
                    arp_replies[(name, r["src"], r["dst"])] += 1
                    continue
                r["sport"] = r["dport"] = 0
            if r["proto"] == "icmp" and r["icmp_type"] != 8:
                continue
            # (Replies of the receivers' stacks, SYN-ACK, RST, never match a probe:
            # their source port is a probe's destination port, below 20000.)
            arrived.setdefault(key(r["proto"], r["src"], r["dst"], r["sport"], r["dport"],
                                   r.get("tcp_flags", 0)), set()).add(name)
    mismatches = []
    verdicts = {}
    reasons = {}
    for p, t in zip(probes, traces):
        v = t["Verdict"]
        verdicts[v] = verdicts.get(v, 0) + 1
        if v == "Drop":
            reasons[t.get("DropReason")] = reasons.get(t.get("DropReason"), 0) + 1
        got = arrived.get(key(p["proto"], p["src"], p["dst"], p["sport"], p["dport"], p["tcp_flags"]),
                          set())
        if p["proto"] == "arp":
            # Answered by the network (Reply) or dropped; never flooded to anyone.
            answered = arp_replies.get((p["from"], p["dst"], p["src"]), 0) > 0
            if got or answered != (v == "Reply"):
                mismatches.append((p, v, t.get("DropReason"), t.get("DeliverTo"),
                                   sorted(got) + (["answered"] if answered else [])))
            continue
        if v == "Forward":
            want = {eni_owner.get(t.get("DeliverTo"), f"?{t.get('DeliverTo')}")}
        else:
            want = set()
        if got != want:
            mismatches.append((p, v, t.get("DropReason"), t.get("DeliverTo"), sorted(got)))
    print(f"trace verdicts {verdicts}, drop reasons {reasons}")
    detail = "\n".join(f"  #{p['n']} {p['from']}: {p['proto']} {p['src']}:{p['sport']} -> "
                       f"{p['dst']}:{p['dport']} {p['flags'] or ''} ttl {p['ttl']}  trace {v} {r or ''} "
                       f"{d or ''}  "
                       f"arrived at {g}"
                       for p, v, r, d, g in mismatches[:20])
    assert not mismatches, (f"seed {SEED}: {len(mismatches)} of {len(probes)} packets disagree with "
                            f"trace:\n{detail}")
    # The sample must exercise every outcome and the main reasons.
    assert verdicts.get("Forward", 0) >= N_PACKETS // 10, verdicts
    assert verdicts.get("Drop", 0) >= N_PACKETS // 10, verdicts
    assert verdicts.get("Reply", 0) >= 1, verdicts
    for reason in ("SPOOF_IP", "SG_INGRESS"):
        assert reasons.get(reason), f"no {reason} in the sample: {reasons}"


def test_net25_trace_explains_known_cases(world, cloud):
    net, inst, addrs, sgs = world
    w1, x, d1 = inst["w1"], inst["x"], inst["d1"]

    def t(src_inst, **kw):
        p = {"src": addrs[[k for k, v in inst.items() if v is src_inst][0]][0], "sport": 40000,
             "dport": 0}
        p.update(kw)
        return trace(cloud, src_inst, p)

    def tx(i):
        return cloud.json("show", "counters", "--eni", i.eni, profile="a")["Counters"]["Counter"][0]["TxPackets"]

    tx_before = {i.id: tx(i) for i in (w1, x, d1)}
    r = t(w1, proto="tcp", dst="10.0.2.10", dport=8000)
    assert r["Verdict"] == "Forward" and r["DeliverTo"] == d1.eni, r
    stages = [s["Stage"] for s in r["Steps"]["Step"]]
    assert stages, r
    r = t(x, proto="tcp", dst="10.0.2.10", dport=8000)
    assert (r["Verdict"], r["DropReason"]) == ("Drop", "SG_INGRESS"), "drop all from x at priority 1: " + str(r)
    r = t(d1, proto="tcp", dst="10.0.1.10", dport=8005)
    assert (r["Verdict"], r["DropReason"]) == ("Drop", "SG_EGRESS"), r
    r = t(d1, proto="tcp", dst="10.0.1.10", dport=8003)
    assert (r["Verdict"], r["DropReason"]) == ("Drop", "SG_INGRESS"), "drop wins at equal priority: " + str(r)
    r = t(d1, proto="tcp", dst="10.0.1.10", dport=8002)
    assert r["Verdict"] == "Forward" and r["DeliverTo"] == w1.eni, r
    r = t(w1, proto="icmp", dst="10.0.1.11")
    assert r["Verdict"] == "Forward", "same group, Accept: " + str(r)
    r = t(inst["d2"], proto="icmp", dst="10.0.2.10")
    assert (r["Verdict"], r["DropReason"]) == ("Drop", "SG_INGRESS"), "policy Drop: " + str(r)
    r = t(w1, proto="udp", dst="10.0.1.11", dport=9000, src="10.0.1.77")
    assert (r["Verdict"], r["DropReason"]) == ("Drop", "SPOOF_IP"), r
    r = t(w1, proto="tcp", dst="192.168.7.7", dport=80)
    assert (r["Verdict"], r["DropReason"]) == ("Drop", "NO_ROUTE"), r
    r = t(w1, proto="tcp", dst="10.0.1.99", dport=80)
    assert r["Verdict"] == "Drop" and r["DropReason"] in ("NO_HOST", "NO_ROUTE"), r
    r = t(w1, proto="arp", dst="10.0.1.11")
    assert r["Verdict"] == "Reply", "ARP for a neighbour is answered: " + str(r)
    k1, k2 = inst["k1"], inst["k2"]
    r = trace(cloud, k1, {"proto": "tcp", "src": k1.ip, "dst": k2.ip, "sport": 40000, "dport": 8001})
    assert r["Verdict"] == "Forward" and r["DeliverTo"] == k2.eni, "classic, authorized group: " + str(r)
    r = trace(cloud, k2, {"proto": "tcp", "src": k2.ip, "dst": k1.ip, "sport": 40000, "dport": 8001})
    assert (r["Verdict"], r["DropReason"]) == ("Drop", "SG_INGRESS"), "the other way: " + str(r)
    r = trace(cloud, k1, {"proto": "tcp", "src": k1.ip, "dst": "10.0.1.10", "sport": 40000, "dport": 8001})
    assert r["Verdict"] == "Drop", "classic does not reach a VPC unlinked: " + str(r)
    # The text form: the verdict, then the steps as a table.
    out = cloud.cli("trace", "--eni", x.eni, "--proto", "tcp", "--dst", "10.0.2.10", "--dport", "8000",
                    profile="a").stdout
    assert "Verdict:" in out and "SG_INGRESS" in out and "Steps:" in out and "STAGE" in out, out
    assert cloud.cli("trace", "--eni", w1.eni, "--proto", "tcp", "--dst", "10.0.2.10", "--dport", "8000",
                     "--field", "Verdict", profile="a").stdout == "Forward\n"
    # trace wrote no state: no flow, no counter from all of the above.
    for i in (w1, x, d1):
        assert cloud.json("show", "flows", "--eni", i.eni, profile="a")["Flows"]["Flow"] == [], i.id
        assert tx(i) == tx_before[i.id], f"trace counted packets of {i.id}"
