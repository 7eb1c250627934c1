#!/bin/sh
# Runs the BGP message fuzzer for SECONDS (default 60) on the kept corpus.
# Builds the libFuzzer target with clang into a temporary directory (or
# uses $OPENVPC_BUILD/tests/fuzz/bgp_fuzz_msg when that exists).  New
# crashing inputs are written to tests/fuzz/corpus/bgp_msg/ as crash-*:
# keep them there (CONVENTIONS: the corpus keeps every input that ever
# crashed the parser) after fixing the bug.
#
#   tests/bgp/fuzz.sh [SECONDS]
set -eu
secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$root/tests/fuzz/corpus/bgp_msg
work=$(mktemp -d /tmp/ovbgpfuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
bin=${OPENVPC_BUILD:-$root/build}/tests/fuzz/bgp_fuzz_msg
if [ ! -x "$bin" ]; then
	bin=$work/bgp_fuzz_msg
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I"$root" \
		"$root/tests/fuzz/bgp_fuzz_msg.c" "$root/bgp/codec.c" "$root/bgp/update.c" \
		"$root/bgp/attr.c" "$root/bgp/rib.c" "$root/bgp/decision.c" -o "$bin"
fi
mkdir -p "$work/new"
# New interesting inputs go to a scratch dir; the kept corpus is read-only input.
"$bin" -max_total_time="$secs" -max_len=4200 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$corpus/" -print_final_stats=1 "$work/new" "$corpus"
echo "bgp fuzz: ran ${secs}s, no crash"
