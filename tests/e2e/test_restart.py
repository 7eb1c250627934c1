"""Forwarding goes on while openvpcd restarts (SIGTERM) or is killed with -9,
and on start it reconciles the host with the store: stale namespaces of its
prefix removed, missing devices made again, changes made meanwhile applied
(G-6; issue 6: "no loss", "state reconciled on start").

    account a: vpc 10.0.0.0/16, vsw 10.0.1.0/24, one group allowing 10.0.0.0/16
    +----------------------------------------------------------------+
    |  p 10.0.1.10  ping -i 0.02 ------------------>  q 10.0.1.20    |
    |               probe.py flow (TCP) ----------->  echo :8080     |
    |                                                 w 10.0.1.30    |
    +----------------------------------------------------------------+
            openvpcd stopped or killed, then started on the same data dir
"""
import json
import os
import re
import time

import pytest

from conftest import PY, PROBE, sh, wait_for


@pytest.fixture
def pq(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw = a.vswitch(vpc, "10.0.1.0/24")
    sg = a.sg(vpc)
    a.authorize(sg, "all", "-1/-1", src="10.0.0.0/16")
    p = a.instance(vsw, sg, ip="10.0.1.10")
    q = a.instance(vsw, sg, ip="10.0.1.20")
    q.serve_tcp(8080)
    return net, a, vpc, vsw, sg, p, q


def start_traffic(net, p, q, seconds):
    ping_out = open(net.path("ping.txt"), "w")
    flow_out = open(net.path("flow.json"), "w")
    count = int(seconds / 0.02)
    pinger = p.spawn("ping", "-n", "-i", "0.02", "-c", str(count), "-W", "1", q.ip, stdout=ping_out)
    flow = p.spawn(PY, PROBE, "flow", q.ip, "8080", str(seconds), "0.02", stdout=flow_out)
    return pinger, flow, ping_out, flow_out


def check_no_loss(net, pinger, flow, ping_out, flow_out, seconds):
    pinger.wait(seconds + 20)
    flow.wait(seconds + 20)
    ping_out.close()
    flow_out.close()
    text = open(net.path("ping.txt")).read()
    m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    assert m, text
    sent, got = int(m.group(1)), int(m.group(2))
    assert sent > 0 and got == sent, f"ping lost {sent - got} of {sent}\n{text[-400:]}"
    res = json.loads(open(net.path("flow.json")).read().strip().splitlines()[-1])
    assert res["error"] is None, res
    assert res["echoed"] >= res["sent"] - 2 and res["max_gap"] < 1.0, res


@pytest.mark.parametrize("how", ["sigterm", "kill9"])
def test_g6_forwarding_survives_openvpcd_restart(pq, cloud, how):
    net, a, vpc, vsw, sg, p, q = pq
    assert p.reaches(q.ip)
    seconds = 6.0
    traffic = start_traffic(net, p, q, seconds)
    time.sleep(1.5)
    if how == "kill9":
        cloud.daemon.kill9()
    else:
        cloud.daemon.stop()
    time.sleep(1.0)  # forwarding with no openvpcd at all
    cloud.daemon.start()
    check_no_loss(net, *traffic, seconds)
    # After the restart the data plane still follows the store.
    w = a.instance(vsw, sg, ip="10.0.1.30")
    assert w.reaches(p.ip) and p.reaches(w.ip)


def test_g6_changes_while_down_and_stale_state_reconciled_on_start(pq, cloud):
    net, a, vpc, vsw, sg, p, q = pq
    prefix = cloud.prefix
    # Something missing: the veth of q's eth0 removed from the host behind openvpcd's back.
    peer = json.loads(q.exec("ip", "-j", "link", "show", "eth0", check=True).stdout)[0]
    host_ifindex = peer.get("link_index")
    assert host_ifindex, peer
    host = [l for l in json.loads(sh("ip", "-j", "link").stdout) if l["ifindex"] == host_ifindex]
    assert host and host[0]["ifname"].startswith(prefix), host
    cloud.daemon.kill9()
    sh("ip", "link", "del", host[0]["ifname"])
    # Something stale: a namespace with the prefix that no instance has.
    stale = f"{prefix}i-stale0000000000000"
    sh("ip", "netns", "add", stale)
    cloud.daemon.start()
    try:
        wait_for(lambda: not os.path.exists(f"/run/netns/{stale}"), 10, what="stale namespace removed")
    finally:
        sh("ip", "netns", "del", stale, check=False)
    wait_for(lambda: q.exec("ip", "link", "show", "eth0").returncode == 0, 10, what="q's eth0 made again")
    assert wait_for(lambda: p.reaches(q.ip), 5, what="p reaches q again")
    # No change can be made while openvpcd is down (it is the API), so: the
    # first changes after the start are applied at once.
    sg2 = a.sg(vpc)
    w = a.instance(vsw, sg2, ip="10.0.1.30")
    w.serve_tcp(9000)
    assert not p.tcp_ok(w.ip, 9000), "sg2 has no rule"
    rule = a.authorize(sg2, "tcp", "9000/9000", src="10.0.0.0/16")
    assert p.tcp_ok(w.ip, 9000)
    a.revoke(sg2, rule)
    assert not p.tcp_ok(w.ip, 9000)
