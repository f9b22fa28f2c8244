#!/usr/bin/env bash
# Benchmark `heapscan goroutines` against panicparse's `pp` on the same
# synthetic goroutine dump, in one run, and print a Markdown table (also
# written to bench/out/goroutines/results.md).
# Builds heapscan (Release, bench/out/build, as bench/run.sh does) and
# bench/timeit.c, writes a debug=2 dump of N goroutines with
# bench/goroutines/gen_dump.py (cached), checks that both tools find the
# generator's number of groups, then times each REPS times (pp: PP_REPS)
# with timeit (wall from fork to wait4, CPU and peak RSS from rusage) and
# reports medians. Not part of the test suite.
# Environment: N (default 100000 goroutines), STACKS (400 distinct stacks; not GROUPS, which bash owns), REPS (3),
# PP_REPS (1), PP_TIMEOUT (1800 s), NO_PP=1 (skip pp).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/bench/out/goroutines
mkdir -p "$out"
N=${N:-100000}
STACKS=${STACKS:-400}
REPS=${REPS:-3}
PP_REPS=${PP_REPS:-1}
PP_TIMEOUT=${PP_TIMEOUT:-1800}
results=$out/results.md
log() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

pp=
if [ "${NO_PP:-0}" != 1 ]; then
  source "$root/tests/e2e/lib/go.sh"
  pp=$(go_panicparse) || pp=
fi
log "building heapscan (Release) and timeit"
cmake -S "$root" -B "$root/bench/out/build" -DCMAKE_BUILD_TYPE=Release -DHEAPSCAN_TESTS=OFF \
  -DCMAKE_C_FLAGS="-Wno-error=maybe-uninitialized" >/dev/null || die "cmake configure failed"
cmake --build "$root/bench/out/build" -j2 >/dev/null 2>"$out/build.log" || die "heapscan build failed"
hs=$root/bench/out/build/heapscan
${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$out/timeit" "$root/bench/timeit.c" || die "timeit"

dump=$out/dump_${N}_${STACKS}.txt
if [ ! -s "$dump" ] || [ "$root/bench/goroutines/gen_dump.py" -nt "$dump" ]; then
  log "generating a dump of $N goroutines"
  python3 "$root/bench/goroutines/gen_dump.py" "$N" "$STACKS" 1 >"$dump" 2>"$out/gen.txt" || die "gen_dump.py failed"
fi
gen=$(cat "$out/gen.txt")
want_groups=$(sed -n 's/.*groups=\([0-9]*\).*/\1/p' "$out/gen.txt")

# measure REPS CMD...: T (median wall s), C (median CPU s), M (median peak RSS KiB), RC.
measure() {
  local reps=$1 i t u s m ts=() cs=() ms=()
  shift
  for ((i = 0; i < reps; i++)); do
    timeout "$PP_TIMEOUT" "$out/timeit" "$out/time.txt" "$@" >"$out/last.out" 2>"$out/last.err"
    RC=$?
    [ "$RC" = 124 ] && { RC=timeout; break; }
    read -r t u s m <"$out/time.txt"
    ts+=("$t") ms+=("$m") cs+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')")
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  T=$(med "${ts[@]:-0}" | awk '{printf "%.2f", $1}') C=$(med "${cs[@]:-0}") M=$(med "${ms[@]:-0}")
  log "  -> rc=$RC wall=[${ts[*]:-}] cpu=[${cs[*]:-}] rss_kib=[${ms[*]:-}]"
}
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

size=$(stat -c %s "$dump")
size_kib=$((size / 1024))
log "heapscan goroutines"
measure "$REPS" "$hs" goroutines -n 0 --format json "$dump"
hs_t=$T hs_c=$C hs_m=$M hs_rc=$RC
hs_groups=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["groups"]))' "$out/last.out")
pp_cell="not run (NO_PP=1 or pp not installed)" pp_groups=- ratio=- pp_mem=-
if [ -n "$pp" ]; then
  log "pp -aggressive"
  measure "$PP_REPS" "$pp" -aggressive -no-color "$dump"
  if [ "$RC" = 0 ]; then
    pp_groups=$(grep -c '^[0-9]*: ' "$out/last.out")
    pp_cell="$T s (cpu $C), $(mib "$M") MiB"
    ratio="$(awk -v a="$T" -v b="$hs_t" 'BEGIN {printf "%.1f", a / b}')× (cpu $(awk -v a="$C" -v b="$hs_c" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 0.01)}')×)"
    pp_mem="$(awk -v a="$M" -v b="$hs_m" 'BEGIN {printf "%.1f", a / b}')×"
  else
    pp_cell="failed ($RC)"
  fi
fi

{
  echo "## goroutines: heapscan vs panicparse — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- command: \`bench/goroutines/run.sh\` (N=$N STACKS=$STACKS REPS=$REPS PP_REPS=$PP_REPS)"
  echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM; load average at start $(cut -d' ' -f1-3 /proc/loadavg) (shared: CPU times are steadier than wall times)"
  echo "- heapscan: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), Release; pp: ${pp:-none} (-aggressive: arguments ignored, as heapscan does)"
  echo "- input: $(mib "$size_kib") MiB debug=2 dump ($gen)"
  echo "- groups found: heapscan $hs_groups, pp $pp_groups, generator $want_groups"
  echo
  echo "| | wall (cpu), peak RSS | RSS / file |"
  echo "|---|---:|---:|"
  echo "| heapscan goroutines --format json | $hs_t s (cpu $hs_c), $(mib "$hs_m") MiB | $(awk -v a="$hs_m" -v b="$size_kib" 'BEGIN {printf "%.2f", a / b}') |"
  echo "| pp -aggressive | $pp_cell | $( [ "$pp_mem" = - ] && echo - || awk -v a="$M" -v b="$size_kib" 'BEGIN {printf "%.2f", a / b}') |"
  echo "| pp / heapscan | $ratio; memory $pp_mem | |"
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$results"
[ "$hs_rc" = 0 ] && [ "$hs_groups" = "$want_groups" ] || die "heapscan found $hs_groups groups, want $want_groups (rc $hs_rc)"
