#!/usr/bin/env bash
# test: installs what is missing, builds openvpc (gcc, gcc+ASan/UBSan, clang),
# and runs the whole default suite:
#   unit      C unit tests (Criterion) under ASan+UBSan          meson test --suite unit
#   crash     kill -9 durability tests                          meson test --suite crash
#   api       the official Alibaba Cloud SDKs against openvpcd  node --test tests/api/
#   fuzz      every libFuzzer target for a bounded time         tests/fuzz/run.sh
#   interop   aliyungo and fog-aliyun user stories vs openvpcd tests/interop/run.mjs
#   bgp       BGP speaker interop with BIRD, FRR, GoBGP, ExaBGP tests/bgp/run.sh
#   e2e       the data plane end to end (instances, real tools)  tests/e2e/run.sh
# plus two checks: the tree is clang-formatted, and every requirement ID is
# cited by a test (scripts/spec-coverage.sh).
# Each runner prints its own summary; the last line totals them as
# "N passed, N failed".  Exits non-zero when anything failed.
# Options: --quick skips the clang build, fuzzing, BGP interop and e2e.
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
logdir=$(mktemp -d /tmp/openvpc-test-XXXXXX)
passed=0 failed=0
status=0

note() { printf '\n=== %s ===\n' "$*"; }
add() { passed=$((passed + $1)); failed=$((failed + $2)); ((${2} == 0)) || status=1; }

note "dependencies"
scripts/install-deps.sh --test || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

note "build (gcc), build-asan (gcc, ASan+UBSan)"
[[ -f build/build.ninja ]] || meson setup build -Dtests=enabled >/dev/null || exit 1
[[ -f build-asan/build.ninja ]] || meson setup build-asan -Dtests=enabled \
  -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
if ! ninja -C build >"$logdir/build.log" 2>&1 || ! ninja -C build-asan >>"$logdir/build.log" 2>&1; then
  tail -40 "$logdir/build.log"; echo "0 passed, 1 failed"; exit 1
fi
if ((!quick)); then
  note "build-clang (clang, warnings are errors)"
  [[ -f build-clang/build.ninja ]] || CC=clang meson setup build-clang -Dtests=enabled >/dev/null
  if ! ninja -C build-clang >"$logdir/clang.log" 2>&1; then
    tail -40 "$logdir/clang.log"; add 0 1
  else
    echo "clang build ok"; add 1 0
  fi
fi

note "format (clang-format, the repository's .clang-format)"
unformatted=$(git ls-files '*.c' '*.h' | while read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [[ -z "$unformatted" ]]; then echo "every C file is formatted"; add 1 0
else echo "not formatted (run clang-format -i):"; echo "$unformatted"; add 0 1; fi

note "spec coverage (every requirement ID of sections 0 and 1 is cited by a test)"
if scripts/spec-coverage.sh >"$logdir/spec.log" 2>&1; then tail -1 "$logdir/spec.log"; add 1 0
else grep -E "MISSING|without" "$logdir/spec.log"; add 0 1; fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_meson_suite() {
  local suite=$1
  note "$suite tests (meson test --suite $suite, ASan+UBSan)"
  meson test -C build-asan --suite "$suite" --print-errorlogs --num-processes 2 >"$logdir/$suite.log" 2>&1
  grep -E '^ *[0-9]+/[0-9]+ ' "$logdir/$suite.log" | tail -60
  sed -n '/^Ok:/,/^Timeout:/p' "$logdir/$suite.log"
  local ok fail to
  ok=$(awk '/^Ok:/{print $2}' "$logdir/$suite.log"); fail=$(awk '/^Fail:/{print $2}' "$logdir/$suite.log")
  to=$(awk '/^Timeout:/{print $2}' "$logdir/$suite.log")
  # Count test cases, not executables: Criterion's own synthesis of each one.
  local cases cfail
  cases=$(grep -h 'Synthesis: Tested:' build-asan/meson-logs/testlog.txt 2>/dev/null |
    awk -F'|' '{split($2,a,":"); s+=a[2]} END{print s+0}')
  cfail=$(grep -h 'Synthesis: Tested:' build-asan/meson-logs/testlog.txt 2>/dev/null |
    awk -F'|' '{split($3,a,":"); split($4,b,":"); s+=a[2]+b[2]} END{print s+0}')
  if [[ "$suite" == unit && "${cases:-0}" -gt 0 ]]; then
    echo "Criterion: ${cases} test cases passed, ${cfail} failed, in ${ok:-0} executables"
    add "$cases" "$(( cfail + ${fail:-1} + ${to:-0} ))"
  else
    add "${ok:-0}" "$(( ${fail:-1} + ${to:-0} ))"
  fi
  if [[ "${fail:-1}" != 0 ]]; then grep -B2 -A30 -E 'FAIL|ERROR|Assertion' "$logdir/$suite.log" | head -80; fi
}
run_meson_suite unit
run_meson_suite crash

note "api tests (node --test, official SDKs against openvpcd built with ASan+UBSan)"
OPENVPC_BUILD=build-asan node --test --test-concurrency=2 --test-reporter=spec tests/api/ \
  >"$logdir/api.log" 2>&1
api_rc=$?
grep -E '^(✔|✖|▶|ℹ)|^  (✔|✖)' "$logdir/api.log" | tail -400
p=$(awk '/^ℹ pass /{print $3}' "$logdir/api.log"); f=$(awk '/^ℹ fail /{print $3}' "$logdir/api.log")
if [[ -z "$p" ]]; then p=0; f=1; tail -40 "$logdir/api.log"; fi
((api_rc == 0)) || [[ "${f:-0}" != 0 ]] || f=1
[[ "${f:-0}" == 0 ]] || grep -A25 '✖' "$logdir/api.log" | head -150
add "$p" "${f:-0}"

note "interop (aliyungo and fog-aliyun against openvpcd, tests/interop/run.mjs)"
# A client that cannot be built or run counts as failed, never skipped.
OPENVPC_BUILD=build-asan timeout 900 node tests/interop/run.mjs >"$logdir/interop.log" 2>&1
interop_rc=$?
grep -E 'FAIL|passed' "$logdir/interop.log" | tail -40
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logdir/interop.log" | tail -1)
ip=$(echo "$line" | awk '{print $1}'); if_=$(echo "$line" | awk '{print $3}')
if [[ -z "$line" ]]; then ip=0; if_=1; tail -20 "$logdir/interop.log"; fi
((interop_rc == 0)) || [[ "${if_:-0}" != 0 ]] || if_=1
add "${ip:-0}" "${if_:-1}"

if ((!quick)) && [[ -x tests/fuzz/run.sh ]]; then
  note "fuzz (${FUZZ_SECONDS}s per target)"
  if tests/fuzz/run.sh "$FUZZ_SECONDS" >"$logdir/fuzz.log" 2>&1; then
    cat "$logdir/fuzz.log" | tail -20
    n=$(grep -c ': ok,' "$logdir/fuzz.log"); add "${n:-0}" 0
  else
    tail -40 "$logdir/fuzz.log"; add 0 1
  fi
fi

if ((!quick)) && [[ -x tests/bgp/run.sh ]]; then
  note "bgp interop (pytest)"
  OPENVPC_BUILD=build tests/bgp/run.sh >"$logdir/bgp.log" 2>&1
  bgp_rc=$?
  tail -30 "$logdir/bgp.log"
  line=$(grep -E '^=+ .*(passed|failed|error).* =+$' "$logdir/bgp.log" | tail -1)
  bp=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); bf=$(echo "$line" | grep -oE '[0-9]+ (failed|errors?)' | awk '{s+=$1} END{print s+0}')
  ((bgp_rc == 0)) || [[ -n "$bf" && "$bf" != 0 ]] || bf=1
  add "${bp:-0}" "${bf:-0}"
fi

if ((!quick)) && [[ -x tests/e2e/run.sh ]]; then
  note "e2e (pytest)"
  OPENVPC_BUILD=build tests/e2e/run.sh >"$logdir/e2e.log" 2>&1
  e2e_rc=$?
  tail -30 "$logdir/e2e.log"
  line=$(grep -E '^=+ .*(passed|failed|error).* =+$|^[0-9]+ (passed|failed|errors?|skipped).* in [0-9.]+s' "$logdir/e2e.log" | tail -1)
  ep=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); ef=$(echo "$line" | grep -oE '[0-9]+ (failed|errors?)' | awk '{s+=$1} END{print s+0}')
  ((e2e_rc == 0)) || [[ -n "$ef" && "$ef" != 0 ]] || ef=1
  add "${ep:-0}" "${ef:-0}"
fi

if ((!quick)); then
  # The benchmarks in a short mode that only checks they run (their figures
  # are docs/benchmarks.md's, from full runs); each counts as one test.
  note "benchmarks (short mode: they run, figures not judged)"
  for b in "bench/e2e.sh --short" "python3 bench/dp_sync.py --instances 20 --changes 3" \
    "build/bench/dp_testrun 10000 2000"; do
    name=$(echo "$b" | awk '{print ($1=="python3") ? $2 : $1}')
    if OPENVPC_BUILD=build $b >"$logdir/bench-$(basename "$name").log" 2>&1; then
      echo "$name: ok"; tail -8 "$logdir/bench-$(basename "$name").log"; add 1 0
    else
      echo "$name: FAILED (log: $logdir/bench-$(basename "$name").log)"
      tail -20 "$logdir/bench-$(basename "$name").log"; add 0 1
    fi
  done
fi

note "summary (logs in $logdir)"
echo "$passed passed, $failed failed"
exit $status
