#!/usr/bin/env bash
# Runs every native Go fuzz target (func FuzzXxx(f *testing.F) in a
# *_test.go file) for FUZZTIME each (default 30s), one after the other,
# with PARALLEL workers (default 2), and prints a table: target, package,
# executions, new interesting inputs, result (pass, or the failing input
# the fuzzer wrote under the package's testdata/fuzz/).
#
#   FUZZTIME=20s PARALLEL=1 bench/fuzz.sh
#   ONLY='^FuzzYuanyi' bench/fuzz.sh        # the targets whose name matches
#
# The first run builds every package with the fuzzer's instrumentation:
# minutes on a busy machine (the build is not counted in FUZZTIME). New
# interesting inputs go to $(go env GOCACHE)/fuzz, not the repository;
# copy the ones worth keeping to testdata/fuzz/<target>/.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-30s}
PARALLEL=${PARALLEL:-2}
ONLY=${ONLY:-.}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# target<TAB>package, sorted by package then target.
grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' internal cmd |
  sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+).*#\2\t./\1#' |
  awk -F'\t' -v re="$ONLY" '$1 ~ re' | sort -t$'\t' -k2,2 -k1,1 >"$work/targets"
n=$(wc -l <"$work/targets")
echo "# $n fuzz targets, $FUZZTIME each, -parallel $PARALLEL, $(date -u '+%Y-%m-%d %H:%M UTC'), $(go version | cut -d' ' -f3)"
failed=0
printf '%s\n' "| target | package | executions | new interesting | result |" "|---|---|---:|---:|---|" >"$work/table"
while IFS=$'\t' read -r target pkg; do
  log="$work/$target.log"
  start=$(date +%s)
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -parallel "$PARALLEL" "$pkg" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  last=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -1)
  execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
  news=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
  if [ $rc -eq 0 ]; then
    result=pass
  else
    failed=$((failed + 1))
    input=$(sed -nE 's/.*Failing input written to (testdata\/fuzz\/[^ ]+).*/\1/p' "$log" | head -1)
    if [ -n "$input" ]; then
      result="FAIL ${pkg#./}/$input"
    else
      result="FAIL (exit $rc, see below)"
    fi
    echo "--- $target ($pkg): exit $rc" >&2
    grep -vE '^fuzz: elapsed' "$log" | head -40 >&2
  fi
  printf '| %s | %s | %s | %s | %s |\n' "$target" "${pkg#./}" "${execs:-0}" "${news:-0}" "$result" >>"$work/table"
  echo "$target ${pkg#./}: ${execs:-0} execs, ${news:-0} new, $result (${secs}s with the build)" >&2
done <"$work/targets"
cat "$work/table"
[ $failed -eq 0 ]
