#!/usr/bin/env bash
# spec-coverage: which tests cite each requirement ID of section 0 and 1 of the
# specification (G-1..G-6, NET-1..NET-30).  Tests cite IDs as "NET-12",
# "net12_" or "G-4" in names or comments.  Exits non-zero when an ID has none.
cd "$(dirname "$0")/.."
missing=0
for id in G-{1..6} NET-{1..30}; do
  n=${id#*-}; p=${id%-*}; lower=$(echo "$p" | tr 'A-Z' 'a-z')
  files=$(grep -rlE "(\b${id}\b|\b${lower}${n}_)" tests/unit tests/api tests/crash 2>/dev/null | sort -u | tr '\n' ' ')
  if [[ -z "$files" ]]; then
    printf '%-7s MISSING\n' "$id"; missing=$((missing + 1))
  else
    printf '%-7s %s\n' "$id" "$files"
  fi
done
echo "$missing requirement(s) without a test"
exit $((missing > 0))
