#!/bin/sh
# store_crash.sh: runs the store crash test (store_crash.c) in a fresh
# temporary directory and removes it afterwards, whether the test passes,
# fails or is interrupted.
#
#   store_crash.sh PATH-TO-store_crash [ROUNDS [SEED]]
set -eu
bin=$1
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/store-crash-XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
"$bin" "$dir" "$@"
