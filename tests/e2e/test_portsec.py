"""Port security (an ENI sends only from its MAC and its assigned addresses),
secondary private IPs and secondary ENIs (NET-18, NET-19, NET-20, NET-22).

    account a: vpc 10.0.0.0/16, one group (Accept among members)
    +--- vsw1 10.0.1.0/24 ---------------------------+   +--- vsw2 10.0.2.0/24 ----+
    |  x 10.0.1.10 eth0            y 10.0.1.20 eth0   |   |                         |
    |    spoofs its MAC, then an unassigned IP;       |   |  x eth1 10.0.2.50       |
    |    gets 10.0.1.99 assigned as secondary;        |   |  (a secondary ENI,      |
    |    gets a secondary ENI in vsw2 ------------------------ attached to x)       |
    +-------------------------------------------------+   |  z 10.0.2.10            |
                                                          +-------------------------+
"""
import json

import pytest

from conftest import wait_for


@pytest.fixture
def xy(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw1 = a.vswitch(vpc, "10.0.1.0/24")
    vsw2 = a.vswitch(vpc, "10.0.2.0/24")
    sg = a.sg(vpc)
    x = a.instance(vsw1, sg, ip="10.0.1.10")
    y = a.instance(vsw1, sg, ip="10.0.1.20")
    return net, a, vpc, vsw1, vsw2, sg, x, y


def drops(cloud, eni):
    body = cloud.json("show", "drops", "--eni", eni, profile="a")
    return {d["Reason"]: d["Packets"] for d in body["Drops"]["Drop"]}


def test_net18_portsec_spoofed_mac_dropped_and_counted(xy, cloud):
    net, a, vpc, vsw1, vsw2, sg, x, y = xy
    assert x.reaches(y.ip)
    before = drops(cloud, x.eni).get("SPOOF_MAC", 0)
    x.sh("ip link set eth0 down && ip link set eth0 address 02:00:5e:00:00:99 && ip link set eth0 up"
         " && ip route replace default via 10.0.1.253", check=True)
    assert not x.reaches(y.ip, count=3, interval=0.2), "a spoofed source MAC got through"
    after = drops(cloud, x.eni).get("SPOOF_MAC", 0)
    assert after >= before + 1, f"SPOOF_MAC not counted: {drops(cloud, x.eni)}"
    out = cloud.cli("show", "drops", "--eni", x.eni, profile="a").stdout
    assert "SPOOF_MAC" in out and x.eni in out, out
    x.sh(f"ip link set eth0 down && ip link set eth0 address {x.mac} && ip link set eth0 up"
         " && ip route replace default via 10.0.1.253", check=True)
    assert wait_for(lambda: x.reaches(y.ip), 5, what="reachable with its own MAC again")


def test_net18_portsec_spoofed_ip_dropped_then_net22_assigned_secondary_ip_works(xy, cloud):
    net, a, vpc, vsw1, vsw2, sg, x, y = xy
    cap = net.path("y.jsonl")
    y.listen(cap)
    # Resolve y first, so the spoofed packets are sent at all (an ARP request
    # from the unassigned address would be dropped before: ARP_OTHER).
    assert x.reaches(y.ip)
    x.exec("ip", "addr", "add", "10.0.1.99/24", "dev", "eth0", check=True)
    before = drops(cloud, x.eni).get("SPOOF_IP", 0)
    assert not x.reaches(y.ip, src="10.0.1.99", count=3, interval=0.2), "an unassigned source got through"
    seen = [json.loads(l) for l in open(cap)]
    assert not [p for p in seen if p["src"] == "10.0.1.99"], "y received packets from 10.0.1.99"
    assert drops(cloud, x.eni).get("SPOOF_IP", 0) >= before + 3, drops(cloud, x.eni)
    # From its own address it still works.
    assert x.reaches(y.ip, src="10.0.1.10")
    x.exec("ip", "addr", "del", "10.0.1.99/24", "dev", "eth0", check=True)
    # Assigned through the API: the agent configures it, and it may send from it.
    out = a.field("eni", "assign-ip", x.eni, "--private-ip-address", "10.0.1.99")
    assert "10.0.1.99" in out
    wait_for(lambda: "10.0.1.99/24" in x.addrs("eth0"), 5, what="secondary IP configured in x")
    assert x.reaches(y.ip, src="10.0.1.99")
    assert y.reaches("10.0.1.99"), "the secondary IP is reachable"
    # Unassigned again: gone from the namespace and from the network.
    a.cli("eni", "unassign-ip", x.eni, "--private-ip-address", "10.0.1.99")
    wait_for(lambda: "10.0.1.99/24" not in x.addrs("eth0"), 5, what="secondary IP removed from x")
    assert not y.reaches("10.0.1.99", count=2)


def test_net20_secondary_eni_in_another_vswitch(xy, cloud):
    net, a, vpc, vsw1, vsw2, sg, x, y = xy
    z = a.instance(vsw2, sg, ip="10.0.2.10")
    eni = a.eni(vsw2, sg, ip="10.0.2.50", secondary=1)
    a.attach(eni, x)
    body = a.json("eni", "show", eni)
    mac = body["MacAddress"].lower()
    second = [s["PrivateIpAddress"] for s in body["PrivateIpSets"]["PrivateIpSet"] if not s["Primary"]]
    assert len(second) == 1
    link = wait_for(lambda: x.exec("ip", "-j", "addr", "show", "dev", "eth1").returncode == 0
                    and json.loads(x.link_of("eth1"))[0], 5, what="eth1 in x")
    assert link["address"] == mac, link
    assert "10.0.2.50/24" in x.addrs("eth1") and f"{second[0]}/24" in x.addrs("eth1"), x.addrs("eth1")
    # z reaches x on both addresses of its secondary ENI, switched inside vsw2.
    r = z.ping("10.0.2.50", count=2, interval=0.2)
    assert r.returncode == 0 and "ttl=64" in r.stdout, r.stdout
    assert z.reaches(second[0])
    # and x sends from eth1
    assert x.reaches(z.ip, src="10.0.2.50")
    # Detached: the device leaves the namespace.
    a.cli("eni", "detach", eni, "--instance-id", x.id)
    a.wait_status("eni", eni, "Available")
    wait_for(lambda: x.exec("ip", "link", "show", "eth1").returncode != 0, 5, what="eth1 gone from x")
    assert not z.reaches("10.0.2.50", count=2)
