"""`openvpc instance exec` itself: the command runs in the instance's
namespace with its exit status passed through, only for the caller's own
instances, and not without root (issue 6: "openvpc instance exec ID -- CMD").

    +--- account a: vpc 10.0.0.0/16, vsw 10.0.1.0/24 ---+
    |  i 10.0.1.10   <- openvpc --profile a instance exec i -- CMD  (root: runs)
    +---------------------------------------------------+   <- --profile b: NotFound
                                                             <- uid 65534 with a's keys: 126
"""
import json
import os
import subprocess

import pytest

from conftest import OPENVPC


@pytest.fixture
def one(net):
    a = net.a
    vpc = a.vpc("10.0.0.0/16")
    vsw = a.vswitch(vpc, "10.0.1.0/24")
    sg = a.sg(vpc)
    return net, a, a.instance(vsw, sg, ip="10.0.1.10")


def test_exec_runs_in_the_namespace_with_the_commands_status(one, cloud):
    net, a, i = one
    r = i.exec("sh", "-c", "cat /sys/class/net/eth0/address; exit 7")
    assert r.returncode == 7, r.stdout + r.stderr
    assert r.stdout.strip() == i.mac.lower(), "the namespace's own /sys"
    r = i.exec("ip", "-j", "-4", "addr", "show", "dev", "eth0", check=True)
    assert json.loads(r.stdout)[0]["addr_info"][0]["local"] == "10.0.1.10"
    # the command's own flags after --
    r = i.exec("ping", "-c", "1", "-W", "1", "-q", "127.0.0.1")
    assert r.returncode == 0, r.stdout + r.stderr
    r = i.exec("/nonexistent/tool")
    assert r.returncode == 127 and "cannot run /nonexistent/tool" in r.stderr, r.stderr


def test_exec_only_for_the_callers_instances(one, cloud):
    net, a, i = one
    r = cloud.cli("instance", "exec", i.id, "--", "true", profile="b", check=False)
    assert r.returncode == 1 and "InvalidInstanceId.NotFound" in r.stderr, r.stderr
    r = cloud.cli("instance", "exec", "i-doesnotexist0000000", "--", "true", profile="a", check=False)
    assert r.returncode == 1 and "InvalidInstanceId.NotFound" in r.stderr, r.stderr
    r = cloud.cli("instance", "exec", i.id, profile="a", check=False)
    assert r.returncode == 2 and "needs a command" in r.stderr, r.stderr


def test_exec_needs_root(one, cloud):
    net, a, i = one
    keys = cloud.accounts["a"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
           "OPENVPC_ENDPOINT": cloud.endpoint, "OPENVPC_ACCESS_KEY_ID": keys["AccessKeyId"].strip(),
           "OPENVPC_ACCESS_KEY_SECRET": keys["AccessKeySecret"].strip()}
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", OPENVPC,
                        "instance", "exec", i.id, "--", "true"], env=env, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 126 and "needs root" in r.stderr, (r.returncode, r.stderr)
