#!/usr/bin/env bash
# Ground truth from `go tool pprof` itself: print one TSV line
#   NAME<TAB>FLAT<TAB>CUM
# per entry of `go tool pprof -top` on FILE for SAMPLE_INDEX at granularity BY
# (function|file|line|address), preceded by one line "#total<TAB>TOTAL".
# With BASE, the numbers are pprof's -diff_base deltas (AFTER=FILE minus BASE),
# and #total is BASE's total (pprof's percentage base).
# A second line "#shown<TAB>SUM" is the sum of what is listed (pprof's
# "Showing nodes accounting for SUM"): with filters, the filtered total.
# Extra pprof flags (e.g. -tagfocus=worker=leaky, -focus=RE, -ignore=RE) may
# be given in the environment as PPROF_TRUTH_ARGS (split on spaces), the
# program to name addresses with as PPROF_TRUTH_BINARY, where pprof looks
# for the other mapped files as PPROF_TRUTH_BINARY_PATH (its
# PPROF_BINARY_PATH; default none: only the program), and the Go version
# whose `go tool pprof` answers as PPROF_TRUTH_GO (1.19, 1.26, 1.27; default
# the newest, tests/e2e/lib/go.sh; "latest" for the newest standalone
# github.com/google/pprof, which names C and C++ programs with binutils
# where Go's own pprof names Go programs only).
#
#   usage: pprof-truth.sh FILE SAMPLE_INDEX BY [BASE]
#
# -trim=false turns off pprof's node/edge fraction and node-count pruning so
# every entry is listed; -unit=B keeps byte values as exact integers (counts
# are printed as integers anyway), -unit=ns nanoseconds). pprof's " (inline)" / " (partial-inline)"
# decoration is removed from names: it marks how a node was reached, it is
# not part of the entry's key. Entries pprof does not list have flat = cum = 0.
set -euo pipefail
if (($# < 3 || $# > 4)); then
  echo "usage: pprof-truth.sh FILE SAMPLE_INDEX BY [BASE]" >&2
  exit 2
fi
file=$1 index=$2 by=$3 base=${4:-}
case $by in
  function) gran=-functions ;;
  file) gran=-files ;;
  line) gran=-lines ;;
  address) gran=-addresses ;;
  *) echo "pprof-truth.sh: BY must be function, file, line or address, not '$by'" >&2; exit 2 ;;
esac
# PPROF_TRUTH_CACHE=DIR: answers kept by what decides them (the Go version
# whose pprof answers, the arguments, the contents of FILE, BASE and the
# program), so that a second run of the suite in one CI job (the sanitized
# build) asks pprof nothing it was asked before. scripts/test.sh empties it
# at the start of each run.
cache_key=
if [ -n "${PPROF_TRUTH_CACHE:-}" ]; then
  mkdir -p "$PPROF_TRUTH_CACHE"
  cache_key=$PPROF_TRUTH_CACHE/$({
    printf '%s\n' "${PPROF_TRUTH_GO:-newest}" "$index" "$by" "${PPROF_TRUTH_ARGS:-}" \
      "${PPROF_TRUTH_BINARY_PATH:-}"
    for f in "$file" $base ${PPROF_TRUTH_BINARY:-}; do md5sum <"$f"; done
  } | md5sum | cut -c1-32)
  if [ -f "$cache_key" ]; then
    cat "$cache_key"
    exit 0
  fi
fi
source "$(dirname "$0")/../../tests/e2e/lib/go.sh"
if [ "${PPROF_TRUTH_GO:-}" = latest ]; then
  pprof=$(pprof_latest) || exit 2
else
  pprof=$(go_pprof "${PPROF_TRUTH_GO:-newest}") || exit 2
fi

# PPROF_TRUTH_BINARY=PROGRAM: pprof names the program's addresses from it
# (symbolize=local; other mapped files are looked for where the profile says).
bin=${PPROF_TRUTH_BINARY:-}
# Without one, -symbolize=local still names nothing new (no mapped file is
# found under PPROF_BINARY_PATH), but pprof tidies names as it does for its
# users: C++-looking names lose parameters and template arguments
# (Go's "sync.OnceValue[go.shape.func(...)]" shows as "sync.OnceValue[go.shape.func]").
args=(-top -trim=false "$gran" -sample_index="$index" -symbolize=local)
[ -z "$base" ] || args+=(-diff_base "$base")
# shellcheck disable=SC2206
[ -z "${PPROF_TRUTH_ARGS:-}" ] || args+=(${PPROF_TRUTH_ARGS})
# Byte- and time-valued sample types print with a unit; ask for plain bytes
# and for times in the profile's own unit (CPU and contention profiles' cpu
# and delay: nanoseconds, or Java's microseconds), as the file holds them.
case $index in
  *space | *bytes) args+=(-unit=B) ;;
  cpu | delay)
    unit=$("$pprof" -raw "$file" 2>/dev/null | sed -n '/^Samples:/{n;p;q}' | tr ' ' '\n' | sed -n "s|^$index/||p")
    case $unit in microseconds) args+=(-unit=us) ;; *) args+=(-unit=ns) ;; esac ;;
esac

tmp_out=$(mktemp)
trap 'rm -f "$tmp_out"' EXIT
out=$(PPROF_BINARY_PATH=${PPROF_TRUTH_BINARY_PATH:-/nonexistent} PPROF_TMPDIR=${TMPDIR:-/tmp} "$pprof" "${args[@]}" $bin "$file" 2>&1) || {
  echo "pprof-truth.sh: $pprof failed on $file:" >&2
  echo "$out" >&2
  exit 2
}
python3 -c '
import re, sys
text = sys.stdin.read()
m = re.search(r"^Showing nodes accounting for (-?\d+)(?:B|ns|us)?, .* of (-?\d+)(?:B|ns|us)? total$", text, re.M)
if not m:
    sys.exit("pprof-truth.sh: no total line in pprof output:\n" + text)
print("#total\t" + m.group(2))
print("#shown\t" + m.group(1))
rows = text.split("\n")
try:
    start = next(i for i, l in enumerate(rows) if re.match(r"^\s*flat\s+flat%\s+sum%\s+cum\s+cum%\s*$", l)) + 1
except StopIteration:
    sys.exit("pprof-truth.sh: no column header in pprof output:\n" + text)
num = r"(-?\d+)(?:B|ns|us)?"
pct = r"-?[\d.e+-]+%"
row = re.compile(r"^\s*" + num + r"\s+" + pct + r"\s+" + pct + r"\s+" + num + r"\s+" + pct + r"\s+(.*?)\s*$")
for l in rows[start:]:
    if not l.strip():
        continue
    m = row.match(l)
    if not m:
        sys.exit("pprof-truth.sh: cannot parse pprof row (not an exact integer?): " + repr(l))
    name = re.sub(r" \((partial-)?inline\)$", "", m.group(3))
    print("%s\t%s\t%s" % (name, m.group(1), m.group(2)))
' <<<"$out" >"$tmp_out"
if [ -n "$cache_key" ]; then
  cp "$tmp_out" "$cache_key.$$" && mv "$cache_key.$$" "$cache_key"
fi
cat "$tmp_out"
