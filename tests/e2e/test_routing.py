"""A custom route whose next hop is an instance acting as a router, and
longest-prefix match over the VPC's route table (NET-1).

    account a: vpc 10.0.0.0/16, one group allowing all of 10.0.0.0/8 and 192.168.0.0/16
    +--- vsw1 10.0.1.0/24 ---+      route table (system):      +--- vsw2 10.0.2.0/24 ------+
    |  c 10.0.1.10           |        10.0.1.0/24  local       |  r 10.0.2.10 eth0         |
    |                        |        10.0.2.0/24  local       |    lo 192.168.50.1/32     |
    +------------------------+        192.168.50.0/24 -> r     |    (ip_forward on)        |
                                      192.168.50.128/25 -> r2  |  r2 10.0.2.20             |
                                                               +---------------------------+
"""
import json

import pytest


@pytest.fixture
def routed(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw1 = a.vswitch(vpc, "10.0.1.0/24")
    vsw2 = a.vswitch(vpc, "10.0.2.0/24", "cn-hangzhou-b")
    sg = a.sg(vpc)
    a.authorize(sg, "all", "-1/-1", src="10.0.0.0/8")
    a.authorize(sg, "all", "-1/-1", src="192.168.0.0/16")
    c = a.instance(vsw1, sg, ip="10.0.1.10")
    r = a.instance(vsw2, sg, ip="10.0.2.10")
    # arp_announce=2: ARP from eth0's own address even for replies sent from
    # 192.168.50.1 (the network answers ARP from an ENI's own address only).
    r.sh("ip addr add 192.168.50.1/32 dev lo && sysctl -qw net.ipv4.ip_forward=1"
         " net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_announce=2", check=True)
    return net, a, vpc, c, r, sg, vsw2


def test_net1_no_route_before_the_custom_route(routed, cloud):
    net, a, vpc, c, r, sg, vsw2 = routed
    assert not c.reaches("192.168.50.1", count=2)
    body = json.loads(cloud.cli("--json", "trace", "--eni", c.eni, "--proto", "icmp", "--dst",
                                "192.168.50.1", profile="a").stdout)
    assert body["Verdict"] == "Drop" and body["DropReason"] == "NO_ROUTE", body


def test_net1_custom_route_delivers_to_the_router_instance(routed):
    net, a, vpc, c, r, sg, vsw2 = routed
    cap = net.path("r.jsonl")
    r.listen(cap)
    a.route(vpc, "192.168.50.0/24", r.id)
    c.ping("192.168.50.1", count=2, interval=0.2)
    seen = [json.loads(l) for l in open(cap)]
    got = [p for p in seen if p["proto"] == "icmp" and p["dst"] == "192.168.50.1" and p["src"] == c.ip]
    assert got, f"the router got no packet for 192.168.50.1: {seen[:5]}"
    assert got[0]["dev"] == "eth0"


def test_net1_router_instance_answers_for_its_routed_prefix(routed):
    net, a, vpc, c, r, sg, vsw2 = routed
    a.route(vpc, "192.168.50.0/24", r.id)
    # The reply comes from 192.168.50.1, an address of the route's destination,
    # not one assigned to r's ENI: a next hop of a route must be allowed to send it.
    res = c.ping("192.168.50.1", count=3, interval=0.2)
    if res.returncode != 0:
        why = r.t.cloud.cli("show", "drops", "--eni", r.eni, profile="a").stdout
        pytest.fail(f"no answer from 192.168.50.1 behind r:\n{res.stdout}\nr's drops:\n{why}")
    r.serve_tcp(8080)
    assert c.tcp_ok("192.168.50.1", 8080), "a TCP connection to the routed prefix"


def test_net1_longest_prefix_wins(routed):
    net, a, vpc, c, r, sg, vsw2 = routed
    r2 = a.instance(vsw2, sg, ip="10.0.2.20")
    cap1, cap2 = net.path("r.jsonl"), net.path("r2.jsonl")
    r.listen(cap1)
    r2.listen(cap2)
    a.route(vpc, "192.168.50.0/24", r.id)
    a.route(vpc, "192.168.50.128/25", r2.id)
    c.ping("192.168.50.1", count=1)
    c.ping("192.168.50.200", count=1)
    s1 = {p["dst"] for p in map(json.loads, open(cap1)) if p["proto"] == "icmp" and p["src"] == c.ip}
    s2 = {p["dst"] for p in map(json.loads, open(cap2)) if p["proto"] == "icmp" and p["src"] == c.ip}
    assert s1 == {"192.168.50.1"}, s1
    assert s2 == {"192.168.50.200"}, s2
