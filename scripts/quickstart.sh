#!/usr/bin/env bash
# quickstart: installs what is missing, builds openvpc, starts openvpcd on its
# embedded default (SQLite under ./var, API on 127.0.0.1:8080), creates a
# demo account and a CLI profile for it, and prints what to try next.
# Run it again at any time: it rebuilds and restarts the daemon, keeping ./var.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/install-deps.sh
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "quickstart: built build/daemon/openvpcd and build/cli/openvpc"

mkdir -p var
if [[ -f var/openvpcd.pid ]] && kill -0 "$(cat var/openvpcd.pid)" 2>/dev/null; then
  echo "quickstart: restarting openvpcd (pid $(cat var/openvpcd.pid))"
  kill "$(cat var/openvpcd.pid)"
  for _ in $(seq 50); do kill -0 "$(cat var/openvpcd.pid)" 2>/dev/null || break; sleep 0.1; done
fi
rm -f var/api.addr
nohup build/daemon/openvpcd --data-dir var --listen 127.0.0.1:8080 >var/openvpcd.log 2>&1 &
echo $! > var/openvpcd.pid
for _ in $(seq 100); do [[ -f var/api.addr ]] && break; sleep 0.1; done
if [[ ! -f var/api.addr ]]; then
  echo "quickstart: openvpcd did not start; see var/openvpcd.log" >&2
  tail -5 var/openvpcd.log >&2
  exit 1
fi
echo "quickstart: openvpcd is running (pid $(cat var/openvpcd.pid), log var/openvpcd.log)"

cli="$top/build/cli/openvpc"
"$cli" configure --profile operator --endpoint 127.0.0.1:8080 --region cn-hangzhou \
  --from-operator-file var/operator.json >/dev/null
if ! "$cli" --profile default region list >/dev/null 2>&1; then
  "$cli" --profile operator account create --account-name demo --save-profile default >/dev/null
fi
cat <<MSG

openvpc is up. The CLI uses profile "default" (the demo account) from ~/.openvpc/config.
Try:
  $cli vpc create --cidr-block 10.0.0.0/16 --vpc-name demo
  $cli vpc list
  $cli vswitch create --vpc-id <vpc-id> --zone-id cn-hangzhou-a --cidr-block 10.0.1.0/24
  $cli --json vpc list
The walk-through in README.md goes on from here. Stop the daemon with: kill \$(cat var/openvpcd.pid)
MSG
