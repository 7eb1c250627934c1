"""Instances as namespaces, switching inside a vSwitch, routing between
vSwitches and zones, ARP answered by the network, stop and start
(NET-1, NET-3, NET-10, NET-13, NET-18, G-6).

    account a: vpc 10.0.0.0/16, one security group sg (InnerAccessPolicy Accept)

    +------ vsw1 10.0.1.0/24, zone a ------+      +------ vsw2 10.0.2.0/24, zone b ------+
    |  gw 10.0.1.253 (answered by openvpc) |      |  gw 10.0.2.253                       |
    |  i1 eth0 10.0.1.10   i2 eth0 10.0.1.11|      |  i3 eth0 10.0.2.10                   |
    +-----------------+--------------------+      +------------------+-------------------+
                      +-------- VRouter: system route table ----------+
    i1..i3: namespaces <prefix><instance id>, made by openvpcd
"""
import json
import os

import pytest

from conftest import PY, wait_for


@pytest.fixture
def topo(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw1 = a.vswitch(vpc, "10.0.1.0/24", "cn-hangzhou-a")
    vsw2 = a.vswitch(vpc, "10.0.2.0/24", "cn-hangzhou-b")
    sg = a.sg(vpc)
    i1 = a.instance(vsw1, sg, ip="10.0.1.10")
    i2 = a.instance(vsw1, sg, ip="10.0.1.11")
    i3 = a.instance(vsw2, sg, ip="10.0.2.10")
    return net, a, (vpc, vsw1, vsw2, sg), (i1, i2, i3)


def test_g6_data_plane_is_on_with_the_prefix(cloud):
    body = json.loads(cloud.cli("call", "2026-01-01", "DescribeDataPlane").stdout)
    assert body["Enabled"] is True, body
    assert body["Prefix"] == cloud.prefix, body
    assert body["Backend"] == "netns", body
    assert cloud.daemon.dp_line.startswith(f"openvpcd: data plane on (prefix {cloud.prefix}, backend netns"), \
        cloud.daemon.dp_line
    assert os.path.isdir(f"/sys/fs/bpf/{cloud.prefix}"), "no BPF pins under the prefix"
    # An account sees the same answer; `openvpc show dataplane` is its text form.
    assert json.loads(cloud.cli("call", "2026-01-01", "DescribeDataPlane", profile="a").stdout)["Enabled"]
    assert cloud.cli("show", "dataplane", "--field", "Prefix", profile="a").stdout == cloud.prefix + "\n"
    out = cloud.cli("show", "dataplane").stdout
    assert "Enabled:" in out and "true" in out and "Backend:" in out, out


def test_net3_net18_instance_namespace_is_the_model(topo):
    net, a, (vpc, vsw1, _, _), (i1, _, _) = topo
    assert os.path.exists(f"/run/netns/{i1.netns}")
    link = json.loads(i1.link_of("eth0"))[0]
    assert link["address"] == i1.mac.lower(), link
    assert "UP" in link["flags"], link
    assert i1.addrs("eth0") == ["10.0.1.10/24"] or "10.0.1.10/24" in i1.addrs("eth0"), i1.addrs("eth0")
    routes = i1.exec("ip", "-j", "route", "show", "default", check=True).stdout
    assert json.loads(routes)[0]["gateway"] == "10.0.1.253", routes
    # Only the instance's own devices: lo and eth0.
    names = {l["ifname"] for l in json.loads(i1.exec("ip", "-j", "link", check=True).stdout)}
    assert names == {"lo", "eth0"}, names


def test_net13_same_vswitch_ping_and_tcp(topo):
    net, a, _, (i1, i2, _) = topo
    r = i1.ping(i2.ip, count=3, interval=0.2)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ttl=64" in r.stdout, "switched inside a vSwitch: TTL untouched\n" + r.stdout
    i2.serve_tcp(8080)
    assert i1.tcp_ok(i2.ip, 8080)
    # nc to nc: bytes arrive as sent
    got = net.path("nc.out")
    i2.spawn("sh", "-c", f"exec nc -l -p 8082 > {got}")
    wait_for(lambda: ":8082 " in i2.exec("ss", "-Htln").stdout, 5, what="nc listening")
    i1.exec("sh", "-c", f"echo hello-from-{i1.id} | nc -N -w 2 {i2.ip} 8082", check=True)
    wait_for(lambda: open(got).read() == f"hello-from-{i1.id}\n", 5, what="nc payload at i2")
    # curl from a web server in the other instance
    with open(net.path("index.html"), "w") as f:
        f.write("served by i2\n")
    i2.spawn(PY, "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", net.dir)
    wait_for(lambda: ":8000 " in i2.exec("ss", "-Htln").stdout, 5, what="http server")
    r = i1.exec("curl", "-sS", "--max-time", "3", f"http://{i2.ip}:8000/index.html")
    assert r.returncode == 0 and r.stdout == "served by i2\n", r.stdout + r.stderr
    # and the other way round
    assert i2.reaches(i1.ip)


def test_net1_across_vswitches_and_zones(topo):
    net, a, _, (i1, _, i3) = topo
    r = i1.ping(i3.ip, count=3, interval=0.2)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ttl=63" in r.stdout, "routed between vSwitches: TTL decremented once\n" + r.stdout
    i3.serve_tcp(8081)
    assert i1.tcp_ok(i3.ip, 8081)
    assert i3.reaches(i1.ip)


def test_net10_arp_answered_for_gateway_and_neighbours_only(topo, cloud):
    net, a, _, (i1, i2, i3) = topo
    r = i1.exec("arping", "-c", "1", "-w", "2", "-I", "eth0", "10.0.1.253")
    assert r.returncode == 0, "the gateway is answered\n" + r.stdout + r.stderr
    r = i1.exec("arping", "-c", "1", "-w", "2", "-I", "eth0", i2.ip)
    assert r.returncode == 0, "a neighbour is answered\n" + r.stdout + r.stderr
    r = i1.exec("arping", "-c", "1", "-w", "1", "-I", "eth0", "10.0.1.77")
    assert r.returncode != 0, "a free address gets no answer\n" + r.stdout
    # No flood: i2 never sees i1's ARP requests (the network answers them).
    cap = net.path("i2.jsonl")
    i2.listen(cap)
    i1.exec("arping", "-c", "1", "-w", "1", "-I", "eth0", "10.0.1.78")
    i1.exec("arping", "-c", "1", "-w", "1", "-I", "eth0", "10.0.1.253")
    seen = [json.loads(l) for l in open(cap)]
    flooded = [p for p in seen if p["proto"] == "arp" and p["src"] == i1.ip]
    assert not flooded, f"i1's ARP requests reached i2: {flooded[:3]}"
    counters = cloud.json("show", "counters", "--eni", i1.eni, profile="a")["Counters"]["Counter"]
    assert counters and counters[0]["ArpPackets"] >= 3, counters
    drops = {d["Reason"]: d for d in cloud.json("show", "drops", "--eni", i1.eni, profile="a")["Drops"]["Drop"]}
    assert "ARP_UNKNOWN" in drops, drops


def test_g6_stopped_instance_unreachable_started_reachable(topo):
    net, a, _, (i1, i2, _) = topo
    assert i1.reaches(i2.ip)
    a.cli("instance", "stop", i2.id)
    a.wait_status("instance", i2.id, "Stopped")
    assert not i1.reaches(i2.ip, count=2), "a stopped instance answers"
    link = json.loads(i2.link_of("eth0"))[0]
    assert "UP" not in link["flags"], f"a stopped instance's eth0 is up: {link['flags']}"
    a.cli("instance", "start", i2.id)
    a.wait_status("instance", i2.id, "Running")
    assert wait_for(lambda: i1.reaches(i2.ip), 5, what="reachable after start")


def test_net24_eni_device_has_the_types_queue_count(topo):
    net, a, _, (i1, _, _) = topo
    queues = a.json("eni", "show", i1.eni)["QueueNumber"]
    assert queues >= 1
    got = i1.exec("ls", "/sys/class/net/eth0/queues", check=True).stdout.split()
    rx = [q for q in got if q.startswith("rx-")]
    tx = [q for q in got if q.startswith("tx-")]
    assert len(rx) == queues and len(tx) == queues, f"QueueNumber {queues}, device has {got}"
