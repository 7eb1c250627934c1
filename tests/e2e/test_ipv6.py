"""IPv6 inside a VPC: addresses and the fe80::1 gateway in the namespace,
ping6 and TCP between instances, neighbour discovery answered by the network,
and IPv4 and IPv6 rules independent (NET-15, NET-25).

    account a: vpc 10.0.0.0/16 + an IPv6 /56 (EnableIpv6)
    +--- vsw1 10.0.1.0/24, IPv6 /64 #1 ---------+   +--- vsw2 10.0.2.0/24, IPv6 /64 #2 --+
    |  v1 10.0.1.10 + IPv6   v2 10.0.1.11 + IPv6 |   |  v3 10.0.2.10 + IPv6 [other group]|
    |  [sg]                  [sg]                |   |  [sg3: rules set by the test]     |
    +--------------------------------------------+   +-----------------------------------+
    default routes: via 10.0.x.253 and via fe80::1
"""
import json

import pytest

from conftest import wait_for


@pytest.fixture
def v6(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16", ipv6=True)
    vsw1 = a.vswitch(vpc, "10.0.1.0/24", ipv6=True)
    vsw2 = a.vswitch(vpc, "10.0.2.0/24", "cn-hangzhou-b", ipv6=True)
    sg, sg3 = a.sg(vpc), a.sg(vpc)
    v1 = a.instance(vsw1, sg, ip="10.0.1.10", ipv6=True)
    v2 = a.instance(vsw1, sg, ip="10.0.1.11", ipv6=True)
    v3 = a.instance(vsw2, sg3, ip="10.0.2.10", ipv6=True)
    for v in (v1, v2, v3):
        assert v.ipv6, f"{v.id} got no IPv6 address"
    return net, a, sg3, v1, v2, v3


def ping6_ok(src, dst, count=1):
    return src.ping(dst, count=count, wait=1).returncode == 0


def test_net15_ipv6_address_and_gateway_in_the_namespace(v6):
    net, a, sg3, v1, v2, v3 = v6
    assert f"{v1.ipv6}/64" in v1.addrs("eth0"), v1.addrs("eth0")
    routes = json.loads(v1.exec("ip", "-6", "-j", "route", "show", "default", check=True).stdout)
    assert routes and routes[0].get("gateway") == "fe80::1", routes


def test_net15_ping6_and_tcp_between_instances(v6):
    net, a, sg3, v1, v2, v3 = v6
    # DAD may hold a fresh address for a moment: allow it to settle.
    wait_for(lambda: ping6_ok(v1, v2.ipv6), 5, what="ping6 v1 -> v2")
    r = v1.ping(v2.ipv6, count=3, wait=1)
    assert r.returncode == 0, r.stdout + r.stderr
    v2.serve_tcp(8080)
    assert v1.exec("nc", "-6", "-z", "-w", "1", v2.ipv6, "8080").returncode == 0


def test_net15_neighbour_discovery_answered(v6):
    net, a, sg3, v1, v2, v3 = v6
    r = v1.exec("ndisc6", "-1", "-r", "2", "-w", "500", "fe80::1", "eth0")
    assert r.returncode == 0, "the gateway fe80::1 is answered\n" + r.stdout + r.stderr
    r = v1.exec("ndisc6", "-1", "-r", "2", "-w", "500", v2.ipv6, "eth0")
    assert r.returncode == 0, "a neighbour's address is answered\n" + r.stdout + r.stderr
    free = v2.ipv6.rsplit(":", 1)[0] + ":beef"
    r = v1.exec("ndisc6", "-1", "-r", "1", "-w", "500", free, "eth0")
    assert r.returncode != 0, "a free address gets no answer\n" + r.stdout


def test_net15_net25_ipv4_and_ipv6_rules_are_independent(v6):
    net, a, sg3, v1, v2, v3 = v6
    v3.serve_tcp(8080)
    assert not v1.tcp_ok(v3.ip, 8080)
    a.authorize(sg3, "tcp", "8080/8080", src="10.0.0.0/16")
    assert v1.tcp_ok(v3.ip, 8080), "IPv4 rule opens IPv4"
    assert v1.exec("nc", "-6", "-z", "-w", "1", v3.ipv6, "8080").returncode != 0, \
        "an IPv4 rule does not open IPv6"
    a.authorize(sg3, "tcp", "8080/8080", src="::/0")
    assert v1.exec("nc", "-6", "-z", "-w", "1", v3.ipv6, "8080").returncode == 0, "::/0 opens IPv6"
    r = v1.ping(v3.ipv6, count=2, wait=1)
    assert r.returncode != 0, "no icmpv6 rule: echo denied"
    a.authorize(sg3, "icmpv6", "-1/-1", src="::/0")
    r = v1.ping(v3.ipv6, count=2, wait=1)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ttl=63" in r.stdout or "hlim=63" in r.stdout, "routed: hop limit decremented\n" + r.stdout
