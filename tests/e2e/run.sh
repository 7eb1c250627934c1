#!/bin/sh
# Runs the end-to-end data-plane tests (pytest; instances are network
# namespaces made by a real openvpcd; needs root, BPF, and the tools used
# inside instances: iputils-ping netcat-openbsd arping ndisc6 iproute2
# python3-pytest).  Builds nothing: the binaries come from $OPENVPC_BUILD
# (default: build/ at the top of the tree).
#
#   OPENVPC_BUILD=build tests/e2e/run.sh [pytest args...]
#
# OVE2E_SEED=N fixes the trace test's random packets (it prints the seed it
# used); OVE2E_KEEP_LOGS=1 keeps openvpcd's log and data directory.
# Prints pytest's summary line; exit status is pytest's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${OPENVPC_BUILD:=$root/build}"
case $OPENVPC_BUILD in /*) ;; *) OPENVPC_BUILD=$root/$OPENVPC_BUILD ;; esac
export OPENVPC_BUILD
for b in daemon/openvpcd cli/openvpc; do
	if [ ! -x "$OPENVPC_BUILD/$b" ]; then
		echo "run.sh: $OPENVPC_BUILD/$b not built" >&2
		exit 2
	fi
done
# Test files or ids given: run those; otherwise the whole directory.
for a in "$@"; do
	case $a in *.py | *.py::*) cd "$here" && exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" ;; esac
done
cd "$here" && exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" .
