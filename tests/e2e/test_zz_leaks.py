"""Nothing is left behind: after every test's resources were deleted through
the API, openvpcd removed their namespaces and devices; once openvpcd is
stopped, only its pins remain (kernel state outlives it by design), and
`openvpcd --dp-destroy` leaves nothing carrying the prefix on the host
(namespaces, links, BPF pins).  This file runs last (its name sorts last).

    +--------------------------- host ----------------------------+
    |  /run/netns/<prefix>*        none once resources are deleted |
    |  ip link <prefix>*           none once resources are deleted |
    |  /sys/fs/bpf/<prefix>/       until openvpcd --dp-destroy     |
    +--------------------------------------------------------------+
    what the fixtures had to remove along the way fails the first test here
"""
import pytest

from conftest import prefixed_state, remove_prefixed, wait_for


def test_g6_openvpcd_never_exited_unasked(cloud):
    cloud.daemon.check_alive()
    assert not cloud.daemon.exits, f"openvpcd exited without being asked: {cloud.daemon.exits}"


def test_g6_deleted_resources_left_nothing_behind(cloud):
    assert not cloud.leaks, ("openvpcd left these after the tests' resources were deleted "
                             f"(the fixtures removed them): {cloud.leaks}")


def test_g6_nothing_with_the_prefix_after_openvpcd_stops(cloud):
    assert cloud.daemon.running(), "openvpcd is not running at the end of the suite"
    # Everything the tests made is gone, so only the baseline may remain while it runs.
    wait_for(lambda: cloud.settled_state() == cloud.baseline, 10, what="host back at the baseline")
    rc = cloud.daemon.stop()
    assert rc == 0, f"openvpcd exited with {rc} on SIGTERM\n{cloud.daemon.log_tail()}"
    # The kernel state outlives openvpcd (forwarding goes on while it is
    # down): with no resource left that is its pins only, until
    # `openvpcd --dp-destroy` removes them.
    left = prefixed_state(cloud.prefix)
    assert not left["netns"] and not left["links"], f"no resource is left, yet: {left}"
    rc, out = cloud.daemon.destroy()
    assert rc == 0, out
    try:
        wait_for(lambda: not any(prefixed_state(cloud.prefix).values()), 5,
                 what=f"nothing with the prefix {cloud.prefix} left")
    except pytest.fail.Exception:
        left = prefixed_state(cloud.prefix)
        remove_prefixed(cloud.prefix, left)
        pytest.fail(f"left on the host after openvpcd stopped (removed now): {left}")
