#!/usr/bin/env bash
# gperftools heap profiles: heapscan against `go tool pprof` on the same
# synthetic files, in one run. A C program of FUNCS functions (bench/gperftools/
# gen.py src) is built with -O1 -g; gen.py profile writes heap profiles of N
# records whose stacks (5-30 frames) are addresses inside those functions,
# with the memory map a PIE process would have. Each file is timed with
# bench/timeit.c (median of REPS runs; pprof PPROF_REPS; pprof's named top
# only up to PPROF_MAX records: it names addresses with addr2line, slowly) for
#   top:            heapscan top            / pprof -top PROGRAM FILE (names from the program)
#   top --by address: heapscan --by address / pprof -top -addresses -symbolize=none
# and pprof's function values are compared with heapscan's (all entries).
# Prints a Markdown table. Not part of the test suite.
#   usage: bench/gperftools/run.sh      (env: RECORDS="300 1000 10000 100000",
#          FUNCS=5000, REPS=3, PPROF_REPS=1, PPROF_MAX=1000)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/bench/out/gperftools
mkdir -p "$out"
RECORDS=${RECORDS:-"300 1000 10000 100000"}
FUNCS=${FUNCS:-5000}
REPS=${REPS:-3}
PPROF_REPS=${PPROF_REPS:-1}
PPROF_MAX=${PPROF_MAX:-1000}
log() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
source "$root/tests/e2e/lib/go.sh"
pprof=$(go_pprof newest) || die "Go $GO_NEWEST is required (the peer is its go tool pprof)"
[ -x "$pprof" ] || die "no pprof at $pprof"

log "building heapscan (Release), timeit and the program of $FUNCS functions"
cmake -S "$root" -B "$out/build" -DCMAKE_BUILD_TYPE=Release -DHEAPSCAN_TESTS=OFF >/dev/null || die "cmake"
cmake --build "$out/build" -j2 >/dev/null 2>"$out/build.log" || die "heapscan build failed"
hs=$out/build/heapscan
cc -std=c11 -O2 -o "$out/timeit" "$root/bench/timeit.c" || die "timeit"
if [ ! -x "$out/funcs.$FUNCS" ]; then
  python3 "$root/bench/gperftools/gen.py" src "$FUNCS" "$out/funcs.c" || die "gen.py src"
  cc -O1 -g -o "$out/funcs.$FUNCS" "$out/funcs.c" || die "building the program"
fi
bin=$out/funcs.$FUNCS

# measure REPS CMD...: T (median wall s), M (median peak RSS KiB), RC (last status)
measure() {
  local reps=$1 i t u s m ts=() ms=()
  shift
  for ((i = 0; i < reps; i++)); do
    "$out/timeit" "$out/time.txt" "$@" >"$out/last.out" 2>"$out/last.err"
    RC=$?
    read -r t u s m <"$out/time.txt"
    ts+=("$t") ms+=("$m")
  done
  T=$(printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}')
  M=$(printf '%s\n' "${ms[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 1024}')
  log "  $(basename "$1") rc=$RC wall=[${ts[*]}] rss_kib=[${ms[*]}]"
}

echo "| records | frames | file | heapscan \`top\` | pprof \`-top\` (with the program) | ratio | heapscan \`--by address\` | pprof \`-addresses\` | ratio | values |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $RECORDS; do
  f=$out/heap.$n.heap
  [ -s "$f" ] || python3 "$root/bench/gperftools/gen.py" profile "$bin" "$n" 1 "$f" || die "gen.py profile"
  frames=$(awk '/@ 0x/ {n += NF - 6} END {print n}' "$f")
  size=$(du -k "$f" | awk '{printf "%.1f MiB", $1 / 1024}')
  log "$n records: heapscan"
  measure "$REPS" "$hs" top -n 0 --format csv "$f"
  cp "$out/last.out" "$out/hs.csv"
  hs_top="$T s, $M MiB" hs_t=$T
  measure "$REPS" "$hs" top -n 0 --by address "$f"
  hs_addr="$T s, $M MiB" hs_at=$T
  p_top=- p_addr=- r_top=- r_addr=- agree=-
  if [ "$n" -le "$PPROF_MAX" ]; then
    log "$n records: pprof"
    export PPROF_BINARY_PATH=/nonexistent PPROF_TMPDIR=$out
    measure "$PPROF_REPS" "$pprof" -top -trim=false -unit=B "$bin" "$f"
    cp "$out/last.out" "$out/pprof.txt"
    p_top="$T s, $M MiB"
    r_top=$(awk -v a="$T" -v b="$hs_t" 'BEGIN {printf "%.0fx", a / b}')
    agree=$(python3 - "$out/hs.csv" "$out/pprof.txt" <<'PY'
import csv, re, sys
hs = {r[0]: (int(r[1]), int(r[2])) for r in list(csv.reader(open(sys.argv[1])))[1:]}
pp = {}
for line in open(sys.argv[2]):
    m = re.match(r"^\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s+(.*?)\s*$", line)
    if m:
        pp[m.group(3)] = (int(m.group(1)), int(m.group(2)))
diff = [k for k in pp if hs.get(k) != pp[k]]
print("%d/%d equal" % (len(pp) - len(diff), len(pp)))
PY
)
  fi
  log "$n records: pprof -addresses"
  PPROF_BINARY_PATH=/nonexistent PPROF_TMPDIR=$out \
    measure "$PPROF_REPS" "$pprof" -top -trim=false -addresses -symbolize=none -unit=B "$f"
  p_addr="$T s, $M MiB"
  r_addr=$(awk -v a="$T" -v b="$hs_at" 'BEGIN {printf "%.0fx", a / b}')
  echo "| $n | $frames | $size | $hs_top | $p_top | $r_top | $hs_addr | $p_addr | $r_addr | $agree |"
done
