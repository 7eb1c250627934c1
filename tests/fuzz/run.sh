#!/bin/sh
# Builds the libFuzzer targets in build-fuzz (clang, -Dfuzz=true) and runs
# each for SECONDS on a scratch copy of its seed corpus, so the kept corpus
# under tests/fuzz/corpus/<target>/ changes only when someone adds to it.
# Prints one line per target; exits non-zero when any target crashed, with
# the crashing input left in build-fuzz/artifacts/ (add it to the corpus
# once fixed).
#
#   tests/fuzz/run.sh SECONDS
#
# FUZZ_SRC overrides the meson source tree (default: the repository root).
set -eu

secs=${1:?usage: tests/fuzz/run.sh SECONDS}
root=$(cd "$(dirname "$0")/../.." && pwd)
src=${FUZZ_SRC:-$root}
build=$src/build-fuzz
targets="fuzz_params fuzz_sign fuzz_netaddr bgp_fuzz_msg fuzz_dp"
# The kept corpus of a target: tests/fuzz/corpus/<dir>.
corpus_of() {
	case $1 in
	bgp_fuzz_msg) echo bgp_msg ;;
	*) echo "$1" ;;
	esac
}

if [ ! -d "$build" ]; then
	setup_log=$(mktemp)
	if ! CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=disabled >"$setup_log" 2>&1; then
		cat "$setup_log" >&2
		rm -rf "$build" "$setup_log"
		exit 2
	fi
	rm -f "$setup_log"
fi
# A build directory made before a target was added knows nothing of it
# until meson regenerates: do that first (its errors show in the compile).
ninja -C "$build" build.ninja >/dev/null 2>&1 || true
# $targets is split into words on purpose: one argument per target.
# shellcheck disable=SC2086
if ! meson compile -C "$build" $targets >"$build/compile.log" 2>&1; then
	cat "$build/compile.log" >&2
	exit 2
fi

mkdir -p "$build/artifacts"
status=0
for t in $targets; do
	work=$(mktemp -d)
	cp "$root/tests/fuzz/corpus/$(corpus_of "$t")/"* "$work/"
	log=$build/$t.log
	if "$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t-" "$work" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		echo "$t: ok, ${runs:-?} runs in ${secs}s, $cov, corpus $(ls "$work" | wc -l) inputs"
	else
		echo "$t: CRASH (log $log, input $(ls "$build/artifacts/$t-"* 2>/dev/null | head -n 1))"
		status=1
	fi
	rm -rf "$work"
done
exit $status
