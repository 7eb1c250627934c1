"""The data plane's counters through the CLI: `openvpc show counters`,
`show drops`, `show rules`, `show flows`, as tables, --json and --field, and
who may see them (an account its own ENIs, the operator all) (NET-25).

    account a: vpc 10.0.0.0/16, vsw 10.0.1.0/24
    +-----------------------------------------------------------+
    |  c 10.0.1.10 [sg-c]  --- ping, tcp 8080 --->  s 10.0.1.20 [sg-s: accept tcp 8080, icmp]
    +-----------------------------------------------------------+
    account b: nothing (looks, sees nothing of a's)
"""
import pytest

from conftest import PY, PROBE, wait_for


@pytest.fixture
def cs(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw = a.vswitch(vpc, "10.0.1.0/24")
    sg_c, sg_s = a.sg(vpc), a.sg(vpc)
    r_tcp = a.authorize(sg_s, "tcp", "8080/8080", src="10.0.1.0/24", priority=10)
    r_icmp = a.authorize(sg_s, "icmp", "-1/-1", src="10.0.1.0/24", priority=20)
    c = a.instance(vsw, sg_c, ip="10.0.1.10")
    s = a.instance(vsw, sg_s, ip="10.0.1.20")
    s.serve_tcp(8080)
    return net, a, sg_s, r_tcp, r_icmp, c, s


def counter(cloud, eni, profile="a"):
    rows = cloud.json("show", "counters", "--eni", eni, profile=profile)["Counters"]["Counter"]
    assert len(rows) == 1 and rows[0]["NetworkInterfaceId"] == eni, rows
    return rows[0]


def test_show_counters_follow_traffic(cs, cloud):
    net, a, sg_s, r_tcp, r_icmp, c, s = cs
    c0, s0 = counter(cloud, c.eni), counter(cloud, s.eni)
    assert c0["InstanceId"] == c.id
    assert c.ping(s.ip, count=5, interval=0.1).returncode == 0
    c1, s1 = counter(cloud, c.eni), counter(cloud, s.eni)
    assert c1["TxPackets"] >= c0["TxPackets"] + 5 and c1["TxBytes"] >= c0["TxBytes"] + 5 * 84, (c0, c1)
    assert s1["RxPackets"] >= s0["RxPackets"] + 5, (s0, s1)
    assert s1["TxPackets"] >= s0["TxPackets"] + 5 and c1["RxPackets"] >= c0["RxPackets"] + 5, "replies"
    # The table and --field forms.
    out = cloud.cli("show", "counters", "--eni", c.eni, profile="a").stdout
    assert out.splitlines()[0].split()[:3] == ["ENI", "INSTANCE", "TX-PKTS"], out
    assert c.eni in out and c.id in out
    assert cloud.cli("show", "counters", c.eni, "--field", "TxPackets", profile="a").stdout.strip() == \
        str(counter(cloud, c.eni)["TxPackets"])
    # Every ENI of the account without --eni; the operator sees them too; b sees none of them.
    mine = {r["NetworkInterfaceId"] for r in cloud.json("show", "counters", profile="a")["Counters"]["Counter"]}
    assert {c.eni, s.eni} <= mine
    ops = {r["NetworkInterfaceId"] for r in cloud.json("show", "counters")["Counters"]["Counter"]}
    assert {c.eni, s.eni} <= ops, f"the operator sees every account's ENIs, but not these: {ops}"
    theirs = {r["NetworkInterfaceId"] for r in cloud.json("show", "counters", profile="b")["Counters"]["Counter"]}
    assert not theirs & {c.eni, s.eni}, theirs


def test_show_rules_count_the_deciding_rule(cs, cloud):
    net, a, sg_s, r_tcp, r_icmp, c, s = cs

    def hits():
        rows = cloud.json("show", "rules", "--sg", sg_s, profile="a")["Rules"]["Rule"]
        return {r["SecurityGroupRuleId"]: r["Packets"] for r in rows if r["SecurityGroupId"] == sg_s}

    h0 = hits()
    assert set(h0) >= {r_tcp, r_icmp}, h0
    assert c.ping(s.ip, count=3, interval=0.1).returncode == 0
    h1 = hits()
    assert h1[r_icmp] >= h0[r_icmp] + 1 and h1[r_tcp] == h0[r_tcp], (h0, h1)
    assert c.tcp_ok(s.ip, 8080)
    h2 = hits()
    assert h2[r_tcp] >= h1[r_tcp] + 1, (h1, h2)
    out = cloud.cli("show", "rules", sg_s, profile="a").stdout
    assert "SECURITY-GROUP" in out and r_tcp in out, out


def test_show_flows_lists_both_directions(cs, cloud):
    net, a, sg_s, r_tcp, r_icmp, c, s = cs
    out = open(net.path("flow.json"), "w")
    c.spawn(PY, PROBE, "flow", s.ip, 8080, 3.0, 0.05, stdout=out)

    def est():
        flows = cloud.json("show", "flows", "--eni", c.eni, profile="a")["Flows"]["Flow"]
        return [f for f in flows if f["Protocol"] == "tcp" and f["State"] == "ESTABLISHED"
                and 8080 in (f["DestinationPort"], f["SourcePort"])]

    flows = wait_for(est, 3, what="an ESTABLISHED tcp flow of c")
    # c opened it: c's entries are the original direction, c -> s:8080.
    orig = [f for f in flows if f["Direction"] == "original"]
    assert orig, f"no original direction among c's flows: {flows}"
    orig = orig[0]
    assert (orig["SourceIp"], orig["DestinationIp"], orig["DestinationPort"]) == (c.ip, s.ip, 8080), orig
    assert orig["PeerNetworkInterfaceId"] == s.eni and orig["Packets"] > 0, orig
    # s sees the same connection, as the reply direction s:8080 -> c.
    sflows = cloud.json("show", "flows", "--eni", s.eni, profile="a")["Flows"]["Flow"]
    rep = [f for f in sflows if f["Protocol"] == "tcp" and f["Direction"] == "reply"
           and (f["SourceIp"], f["SourcePort"], f["DestinationIp"]) == (s.ip, 8080, c.ip)]
    assert rep and rep[0]["PeerNetworkInterfaceId"] == c.eni, sflows
    text = cloud.cli("show", "flows", c.eni, profile="a").stdout
    assert "ESTABLISHED" in text and "PROTO" in text.splitlines()[0], text


def test_show_drops_by_reason(cs, cloud):
    net, a, sg_s, r_tcp, r_icmp, c, s = cs
    assert not c.tcp_ok(s.ip, 8081)  # no rule for 8081: SG_INGRESS
    # Counted on the sender's ENI (the packet is decided where it enters the
    # data plane); accept the receiver's too, but it must be one of them.
    rows = {}
    for eni in (c.eni, s.eni):
        rows[eni] = cloud.json("show", "drops", "--eni", eni, profile="a")["Drops"]["Drop"]
        assert all(r["Packets"] > 0 for r in rows[eni]), "only reasons that dropped something"
        assert all(r["NetworkInterfaceId"] == eni for r in rows[eni]), rows[eni]
    hit = [r for eni in rows for r in rows[eni] if r["Reason"] == "SG_INGRESS"]
    assert hit and hit[0]["Packets"] >= 1 and hit[0]["Description"], rows
    eni = hit[0]["NetworkInterfaceId"]
    text = cloud.cli("show", "drops", eni, profile="a").stdout
    assert "SG_INGRESS" in text and "REASON" in text, text
    # Every ENI's drops without --eni (the operator's view included).
    ops = cloud.json("show", "drops")["Drops"]["Drop"]
    assert any(r["Reason"] == "SG_INGRESS" and r["NetworkInterfaceId"] == eni for r in ops), \
        f"the operator sees every account's drops, but not {eni}'s: {ops}"
