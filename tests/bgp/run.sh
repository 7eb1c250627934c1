#!/bin/sh
# Runs the BGP interop tests (pytest, network namespaces; needs root and the
# peers: bird2 frr gobgpd exabgp python3-pytest).  Builds nothing: the
# binaries come from $OPENVPC_BUILD (default: build/ at the top of the tree).
#
#   OPENVPC_BUILD=build tests/bgp/run.sh [pytest args...]
#
# Prints pytest's summary line; exit status is pytest's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${OPENVPC_BUILD:=$root/build}"
case $OPENVPC_BUILD in /*) ;; *) OPENVPC_BUILD=$root/$OPENVPC_BUILD ;; esac
export OPENVPC_BUILD
if [ ! -x "$OPENVPC_BUILD/bgp/openvpc-bgpd" ]; then
	echo "run.sh: $OPENVPC_BUILD/bgp/openvpc-bgpd not built" >&2
	exit 2
fi
cd "$here" && exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" .
