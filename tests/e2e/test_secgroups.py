"""Stateful security groups: priorities, drop beating accept at equal
priority, replies of allowed connections, rule changes on the next
connection, a revoked accept cutting a live flow, group peers, and the
inner-access policy (NET-13, NET-25).

    account a: vpc 10.0.0.0/16, vsw 10.0.1.0/24
    +------------------------------------------------------------------+
    |  client c 10.0.1.10 [sg-c: no ingress rules]                     |
    |      |  tcp 8080/8081, icmp                                      |
    |      v                                                           |
    |  server s 10.0.1.20 [sg-s: rules set by each test]  echo servers |
    |                                                                  |
    |  m1 10.0.1.30, m2 10.0.1.31 [sg-m: members, policy per test]     |
    +------------------------------------------------------------------+
"""
import json
import time

import pytest

from conftest import PY, PROBE, wait_for


def why(c, s, port):
    """What trace says now about c's next SYN to s:port, for failure messages."""
    r = c.t.cloud.cli("trace", "--eni", c.eni, "--proto", "tcp", "--dst", s.ip, "--dport", port,
                      profile=c.t.profile, check=False)
    return f"\ntrace now:\n{r.stdout}{r.stderr}"


@pytest.fixture
def cs(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw = a.vswitch(vpc, "10.0.1.0/24")
    sg_c, sg_s = a.sg(vpc), a.sg(vpc)
    c = a.instance(vsw, sg_c, ip="10.0.1.10")
    s = a.instance(vsw, sg_s, ip="10.0.1.20")
    s.serve_tcp(8080)
    s.serve_tcp(8081)
    return net, a, sg_c, sg_s, c, s


def test_net25_default_ingress_denied_egress_allowed(cs):
    net, a, sg_c, sg_s, c, s = cs
    assert not c.tcp_ok(s.ip, 8080), "no rule: ingress from another group is denied"
    assert not c.reaches(s.ip)
    a.authorize(sg_s, "tcp", "8080/8080", src="10.0.1.0/24")
    assert c.tcp_ok(s.ip, 8080), "the accept rule opens 8080"
    assert not c.tcp_ok(s.ip, 8081), "and nothing else"
    assert not c.reaches(s.ip)


def test_net25_priorities_and_drop_wins_at_equal_priority(cs):
    net, a, sg_c, sg_s, c, s = cs
    accept = a.authorize(sg_s, "tcp", "8080/8080", src="10.0.1.0/24", priority=10)
    assert c.tcp_ok(s.ip, 8080), why(c, s, 8080)
    # A drop of lower priority (higher number) does not matter.
    low = a.authorize(sg_s, "tcp", "8080/8080", src=f"{c.ip}/32", policy="drop", priority=20)
    assert c.tcp_ok(s.ip, 8080), "accept at 10 beats drop at 20" + why(c, s, 8080)
    # Drop at the same priority wins, on the very next connection.
    same = a.authorize(sg_s, "tcp", "8080/8080", src="10.0.1.0/25", policy="drop", priority=10)
    assert not c.tcp_ok(s.ip, 8080), "drop wins at equal priority (10)" + why(c, s, 8080)
    a.revoke(sg_s, same)
    assert c.tcp_ok(s.ip, 8080), "revoking the drop reopens at once" + why(c, s, 8080)
    # A drop of higher priority (lower number) wins.
    high = a.authorize(sg_s, "tcp", "8080/8080", src="10.0.0.0/8", policy="drop", priority=1)
    assert not c.tcp_ok(s.ip, 8080), "drop at 1 beats accept at 10" + why(c, s, 8080)
    # ... and an accept of even higher priority for 8081 only is independent.
    a.authorize(sg_s, "tcp", "8081/8081", src="10.0.1.0/24", priority=1)
    assert c.tcp_ok(s.ip, 8081), why(c, s, 8081)
    a.revoke(sg_s, high)
    a.revoke(sg_s, low)
    assert c.tcp_ok(s.ip, 8080), why(c, s, 8080)
    a.revoke(sg_s, accept)
    assert not c.tcp_ok(s.ip, 8080), "revoked accept: the next connection is refused" + why(c, s, 8080)


def test_net25_stateful_replies_come_back(cs):
    net, a, sg_c, sg_s, c, s = cs
    # c's group has no ingress rule at all, yet c's own connections get their replies.
    a.authorize(sg_s, "tcp", "8080/8080", src=f"{c.ip}/32")
    a.authorize(sg_s, "icmp", "-1/-1", src=f"{c.ip}/32")
    assert c.reaches(s.ip), "echo replies pass c's ingress: they belong to c's flow"
    r = c.exec(PY, PROBE, "flow", s.ip, 8080, 1.0, 0.05, check=True)
    res = json.loads(r.stdout)
    assert res["error"] is None and res["echoed"] >= res["sent"] - 1 > 5, res
    # The other way round is a new connection into c: denied.
    c.serve_tcp(9090)
    assert not s.tcp_ok(c.ip, 9090)
    assert not s.reaches(c.ip)


def test_net25_revoked_accept_cuts_an_existing_flow(cs):
    net, a, sg_c, sg_s, c, s = cs
    rule = a.authorize(sg_s, "tcp", "8080/8080", src="10.0.1.0/24")
    out = open(net.path("flow.json"), "w")
    flow = c.spawn(PY, PROBE, "flow", s.ip, 8080, 4.0, 0.02, stdout=out)
    time.sleep(1.5)
    flows = a.json("show", "flows", "--eni", s.eni)["Flows"]["Flow"]
    assert any(f["Protocol"] == "tcp" and 8080 in (f["DestinationPort"], f["SourcePort"])
               and f["State"] == "ESTABLISHED" for f in flows), flows
    t_revoke = time.time()
    a.revoke(sg_s, rule)
    flow.wait(15)
    out.close()
    res = json.loads(open(net.path("flow.json")).read().strip().splitlines()[-1])
    assert res["first_echo"] and res["first_echo"] < t_revoke, res
    assert res["last_echo"] < t_revoke + 0.5, \
        f"echoes kept coming {res['last_echo'] - t_revoke:.2f}s after the accept was revoked: {res}"


def test_net25_rule_with_a_group_peer(cs):
    net, a, sg_c, sg_s, c, s = cs
    a.authorize(sg_s, "tcp", "8080/8080", src_group=sg_c)
    assert c.tcp_ok(s.ip, 8080), "members of sg-c are let in"
    other = a.instance(c.vsw, sg_s, ip="10.0.1.11")
    assert other.tcp_ok(s.ip, 8081), "same group: inner accept"
    third_sg = a.sg(c.vsw.vpc)
    third = a.instance(c.vsw, third_sg, ip="10.0.1.12")
    assert not third.tcp_ok(s.ip, 8080), "not a member of sg-c"
    # Joining sg-c lets it in (the peer group's membership is live).
    a.cli("sg", "join", sg_c, "--instance-id", third.id)
    assert wait_for(lambda: third.tcp_ok(s.ip, 8080), 3, what="member of sg-c after join")


def test_net13_inner_access_policy(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw = a.vswitch(vpc, "10.0.1.0/24")
    sg = a.sg(vpc)
    m1 = a.instance(vsw, sg, ip="10.0.1.30")
    m2 = a.instance(vsw, sg, ip="10.0.1.31")
    m2.serve_tcp(8080)
    assert m1.reaches(m2.ip) and m1.tcp_ok(m2.ip, 8080), "same group: Accept by default"
    a.cli("sg", "policy", sg, "--inner-access-policy", "Drop")
    assert not m1.reaches(m2.ip), "Drop: members isolated"
    assert not m1.tcp_ok(m2.ip, 8080)
    # Isolated members still talk where a rule allows it.
    a.authorize(sg, "tcp", "8080/8080", src=f"{m1.ip}/32")
    assert m1.tcp_ok(m2.ip, 8080)
    assert not m1.reaches(m2.ip)
    a.cli("sg", "policy", sg, "--inner-access-policy", "Accept")
    assert m1.reaches(m2.ip), "Accept again"
