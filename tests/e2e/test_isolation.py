"""Two VPCs of two accounts with the same CIDR stay apart (NET-1, NET-13).

    account a: vpc A 10.0.0.0/16                 account b: vpc B 10.0.0.0/16
    +--- vswA 10.0.1.0/24 --------------+        +--- vswB 10.0.1.0/24 --------------+
    |  a1 10.0.1.10    a2 10.0.1.11     |        |  b1 10.0.1.10    b2 10.0.1.11     |
    |                                   |        |  b3 10.0.1.12 (only in B)         |
    +-----------------------------------+        +-----------------------------------+
    every group allows all IPv4 from 0.0.0.0/0, so only the VPC boundary can stop a packet
"""
import json

import pytest


@pytest.fixture
def two_vpcs(net):
    out = {}
    for t, name in ((net.a, "a"), (net.b, "b")):
        vpc = t.vpc("10.0.0.0/16")
        vsw = t.vswitch(vpc, "10.0.1.0/24")
        sg = t.sg(vpc)
        t.authorize(sg, proto="all", ports="-1/-1", src="0.0.0.0/0")
        ips = ["10.0.1.10", "10.0.1.11"] + (["10.0.1.12"] if name == "b" else [])
        out[name] = [t.instance(vsw, sg, ip=ip) for ip in ips]
    return net, out


def test_net1_same_cidr_two_accounts_kept_apart(two_vpcs):
    net, vm = two_vpcs
    a1, a2 = vm["a"]
    b1, b2, b3 = vm["b"]
    cap_b2 = net.path("b2.jsonl")
    cap_a2 = net.path("a2.jsonl")
    b2.listen(cap_b2)
    a2.listen(cap_a2)
    # The same address answers in each VPC, from that VPC's own instance.
    assert a1.reaches("10.0.1.11") and b1.reaches("10.0.1.11")
    a_seen = [json.loads(l) for l in open(cap_a2)]
    b_seen = [json.loads(l) for l in open(cap_b2)]
    assert any(p["src"] == "10.0.1.10" and p["proto"] == "icmp" for p in a_seen)
    assert any(p["src"] == "10.0.1.10" and p["proto"] == "icmp" for p in b_seen)
    # An address that exists only in B is not reachable from A.
    assert b1.reaches(b3.ip)
    assert not a1.reaches("10.0.1.12", count=2)
    assert a1.exec("nc", "-z", "-w", "1", "10.0.1.12", "22").returncode != 0
    # With a2 stopped, 10.0.1.11 is gone from A: nothing leaks to b2.
    net.a.cli("instance", "stop", a2.id)
    net.a.wait_status("instance", a2.id, "Stopped")
    before = sum(1 for _ in open(cap_b2))
    assert not a1.reaches("10.0.1.11", count=2)
    after = [json.loads(l) for l in open(cap_b2)][before:]
    leaked = [p for p in after if p["proto"] in ("icmp", "arp") and p["src"] == "10.0.1.10"
              and p.get("icmp_type") in (8, 1)]
    # b1 is 10.0.1.10 too: only packets b2 could get from a1 count, and b1 sent none now.
    assert not leaked, f"a1's packets reached account b's 10.0.1.11: {leaked[:3]}"


def test_net13_other_vpc_not_reachable_even_by_trace(two_vpcs, cloud):
    net, vm = two_vpcs
    a1 = vm["a"][0]
    b3 = vm["b"][2]
    body = json.loads(cloud.cli("--json", "trace", "--eni", a1.eni, "--proto", "icmp", "--dst", b3.ip,
                                profile="a").stdout)
    assert body["Verdict"] == "Drop", body
    # and account a cannot look at account b's ENI
    r = cloud.cli("show", "counters", "--eni", b3.eni, profile="a", check=False)
    assert r.returncode != 0 or b3.eni not in r.stdout, r.stdout
