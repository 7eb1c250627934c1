"""The classic network and ClassicLink: one flat network per region, groups
across accounts by authorization, no broadcast, and a linked classic instance
reaching a VPC as its ClassicLink rules allow (NET-1, NET-10, NET-13, NET-27).

    classic network of cn-hangzhou (provider addresses, one flat network)
    +----------------------------------------------------------------------+
    |  account a, group ca:  c1, c2       account b, group cb:  d1          |
    +-----------------------------------+----------------------------------+
                                        | ClassicLink (c1 linked to vpc)
    account a: vpc 10.0.0.0/16          v
    +--- vsw 10.0.1.0/24 --------------------------------------------------+
    |  i1 10.0.1.10 [sg v: no rules]   tcp 8080 echo server                 |
    +----------------------------------------------------------------------+
"""
import json

import pytest

from conftest import ITYPE, Instance, wait_for


def classic(t, sg):
    """A classic instance (no vSwitch): its address is its InnerIpAddress."""
    iid = t.field("instance", "run", "--instance-type", ITYPE, "--zone-id", "cn-hangzhou-a",
                  "--security-group-id", sg)
    t.made.append(("instance", iid, None))
    t.wait_status("instance", iid, "Running")
    inst = Instance(t, iid, None)
    assert inst.ip, f"classic instance {iid} has no address"
    return inst


def classic_sg(t):
    sid = t.field("sg", "create")
    t.made.append(("sg", sid, None))
    return sid


@pytest.fixture
def flat(net):
    a, b = net.a, net.b
    ca, cb = classic_sg(a), classic_sg(b)
    c1, c2 = classic(a, ca), classic(a, ca)
    d1 = classic(b, cb)
    return net, a, b, ca, cb, c1, c2, d1


def test_net13_classic_same_group_reachable_other_account_by_authorization(flat, cloud):
    net, a, b, ca, cb, c1, c2, d1 = flat
    assert c1.reaches(c2.ip), "same account, same group: reachable by default"
    assert not c1.reaches(d1.ip, count=2), "another account's classic instance: not without a rule"
    b.cli("sg", "authorize", cb, "--ip-protocol", "icmp", "--port-range", "-1/-1",
          "--source-group-id", ca, "--source-group-owner-id", cloud.accounts["a"]["AccountId"].strip())
    assert wait_for(lambda: c1.reaches(d1.ip), 3, what="authorized across accounts")
    assert not d1.reaches(c1.ip, count=2), "authorization is one way"


def test_net10_classic_carries_no_broadcast(flat):
    net, a, b, ca, cb, c1, c2, d1 = flat
    cap = net.path("c2.jsonl")
    c2.listen(cap)
    c1.exec("ping", "-b", "-c", "2", "-W", "1", "255.255.255.255")
    c1.exec("arping", "-c", "1", "-w", "1", "-I", "eth0", "10.240.254.254")
    assert c1.reaches(c2.ip)
    seen = [json.loads(l) for l in open(cap)]
    flooded = [p for p in seen if p["src"] == c1.ip and p["dst"] != c2.ip]
    assert not flooded, f"c2 received c1's broadcasts: {flooded[:3]}"


def test_net27_classiclink_reaches_the_vpc_as_its_rules_allow(flat):
    net, a, b, ca, cb, c1, c2, d1 = flat
    vpc = a.vpc("10.0.0.0/16")
    vsw = a.vswitch(vpc, "10.0.1.0/24")
    sg = a.sg(vpc)
    i1 = a.instance(vsw, sg, ip="10.0.1.10")
    i1.serve_tcp(8080)
    assert not c1.tcp_ok(i1.ip, 8080), "not linked: the VPC is out of reach"
    a.cli("vpc", "enable-classiclink", vpc)
    a.cli("classiclink", "attach", c1.id, "--vpc-id", vpc)
    a.made.append(("cllink", c1.id, vpc))
    wait_for(lambda: a.json("classiclink", "list", "--vpc-id", vpc)["Links"]["Link"], 10,
             what="the link")
    assert not c1.tcp_ok(i1.ip, 8080), "linked, but no ClassicLink rule yet"
    rule = a.field("classiclink", "add-rule", "--classic-security-group-id", ca, "--vpc-security-group-id",
                   sg, "--direction", "classic=>vpc", "--ip-protocol", "tcp", "--port-range", "8080/8080")
    a.made.append(("clrule", rule, (ca, sg)))
    assert wait_for(lambda: c1.tcp_ok(i1.ip, 8080), 3, what="c1 reaches i1:8080 by the rule")
    assert not c2.tcp_ok(i1.ip, 8080), "c2 is not linked"
    assert not c1.reaches(i1.ip, count=2), "the rule is tcp 8080 only"
    a.cli("classiclink", "detach", c1.id, "--vpc-id", vpc)
    assert wait_for(lambda: not c1.tcp_ok(i1.ip, 8080), 3, what="unlinked: out of reach again")
