#!/usr/bin/env bash
# install-deps: installs what openvpc needs from Debian's packages and npm.
#   scripts/install-deps.sh            build and run the service
#   scripts/install-deps.sh --test     also everything the test suite uses
# Idempotent: packages already present are not reinstalled; apt-get update
# runs only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(gcc clang pkg-config meson ninja-build
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev
  libinih-dev libevent-dev liburcu-dev libbpf-dev bpftool libelf-dev zlib1g-dev)
test_pkgs=(libcriterion-dev libclang-rt-14-dev clang-format iproute2 procps
  python3 python3-pytest bird2 frr gobgpd exabgp
  golang-go golang-github-denverdino-aliyungo-dev ruby-fog-aliyun
  iputils-ping netcat-openbsd arping ndisc6)
# bench/e2e.sh and bench/peers/ (iperf3; Open vSwitch's userspace datapath; ethtool
# for its AF_PACKET ports)
test_pkgs+=(iperf3 openvswitch-switch ethtool)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
  command -v node >/dev/null 2>&1 || want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The routing daemons ship services; openvpc's tests run their own instances,
  # so keep the packages' services from starting on install.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

if [[ "${1:-}" == "--test" ]]; then
  if [[ ! -d node_modules/@alicloud/vpc20160428 ]] || [[ package-lock.json -nt node_modules ]]; then
    echo "install-deps: npm ci (Alibaba Cloud SDKs for the API tests)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
echo "install-deps: ok"
