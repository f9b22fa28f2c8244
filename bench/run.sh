#!/usr/bin/env bash
# Benchmark heapscan against gzip -dc and go tool pprof on the same synthetic files,
# in one run, and print Markdown tables (also written to bench/out/results.md;
# every single measurement goes to bench/out/raw.tsv).
# Builds heapscan (Release, bench/out/build) and the generators, generates pprof
# heap profiles (before/after pairs) and Go heap dumps into bench/out/, then times
# each command REPS times with bench/timeit.c (wall seconds from fork to wait4,
# CPU and peak RSS from wait4's rusage) and reports the medians. Heap-dump rows are skipped with a note when `heapscan top DUMP`
# fails (the reader is not there yet). Not part of the test suite.
#
# Environment: SIZES (default "50000 200000 1000000" samples), DUMP_SIZES
# ("1000000 10000000" objects), REPS (3), PPROF_REPS (REPS), PPROF_TIMEOUT (900 s),
# NO_PPROF=1 (skip go tool pprof), NO_PROFILES=1 / NO_DUMPS=1 (skip that part), FUNCS (5000).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
mkdir -p "$out"
SIZES=${SIZES:-"50000 200000 1000000"}
[ "${NO_PROFILES:-0}" = 1 ] && SIZES=
DUMP_SIZES=${DUMP_SIZES:-"1000000 10000000"}
REPS=${REPS:-3}
PPROF_REPS=${PPROF_REPS:-$REPS}
PPROF_TIMEOUT=${PPROF_TIMEOUT:-900}
FUNCS=${FUNCS:-5000}
results=$out/results.md

log() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# ---- tools ----
pprof=
if [ "${NO_PPROF:-0}" != 1 ]; then
  # The newest standalone pprof (github.com/google/pprof, tests/e2e/lib/go.sh),
  # else the newest Go's `go tool pprof` binary, called directly to leave out
  # the go command's startup.
  source "$root/tests/e2e/lib/go.sh"
  pprof_what="github.com/google/pprof@$PPROF_LATEST_VERSION"
  pprof=$(pprof_latest) || { pprof=$(go_pprof newest) && pprof_what="go$GO_NEWEST \`go tool pprof\`"; } || pprof=
  [ -x "$pprof" ] || pprof=
fi

log "building heapscan (Release) and the generators"
# -O3 makes gcc warn maybe-uninitialized on hs_cursor_le64 (a false positive); keep it a warning.
cmake -S "$root" -B "$out/build" -DCMAKE_BUILD_TYPE=Release -DHEAPSCAN_TESTS=OFF \
  -DCMAKE_C_FLAGS="-Wno-error=maybe-uninitialized" >/dev/null \
  || die "cmake configure failed"
cmake --build "$out/build" -j2 >/dev/null 2>"$out/build.log" || die "heapscan build failed"
hs=$out/build/heapscan
cc=${CC:-cc}
$cc -std=c11 -O2 -Wall -Wextra -o "$out/gen_pprof" "$root/bench/gen_pprof.c" -lz -lm || die "gen_pprof"
$cc -std=c11 -O2 -Wall -Wextra -o "$out/gen_heapdump" "$root/bench/gen_heapdump.c" || die "gen_heapdump"
$cc -std=c11 -O2 -Wall -Wextra -o "$out/timeit" "$root/bench/timeit.c" || die "timeit"

# ---- measurement ----
# measure REPS CMD...: sets T (median wall s), C (median CPU s), M (median peak RSS KiB), RC (last
# exit status; "timeout" on timeout). Output goes to /dev/null, stderr to $out/last.err.
measure() {
  local reps=$1; shift
  local ts=() cs=() ms=() i
  RC=0
  for ((i = 0; i < reps; i++)); do
    "$out/timeit" "$out/time.txt" "$@" >/dev/null 2>"$out/last.err"
    RC=$?
    [ "$RC" = 124 ] && RC=timeout
    local t u sy m
    read -r t u sy m <"$out/time.txt"
    t=$(awk -v t="$t" 'BEGIN {printf "%.3f", t}')
    ts+=("$t"); ms+=("$m"); cs+=("$(awk -v u="$u" -v s="$sy" 'BEGIN {printf "%.2f", u + s}')")
    [ "$RC" = 0 ] || [ "$RC" = 1 ] || break
  done
  T=$(printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  M=$(printf '%s\n' "${ms[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  C=$(printf '%s\n' "${cs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$*" "$RC" "${ts[*]}" "${cs[*]}" "${ms[*]}" "$T/$C/$M" >>"$out/raw.tsv"
  log "  -> rc=$RC wall=[${ts[*]}] cpu=[${cs[*]}] rss_kib=[${ms[*]}]"
}
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b <= 0) b = 0.005; printf "%.1f", a / b}'; }
cell() { # exit status, wall s, KiB, cpu s: "wall s (cpu s), MiB", or the failure
  if [ "$1" = 0 ] || [ "$1" = 1 ]; then echo "$2 s (cpu $4), $(mib "$3") MiB"; else echo "failed ($1)"; fi
}
emit() { echo "$*" | tee -a "$results"; }

: >"$results"
printf 'command\trc\twall_s\tcpu_s\trss_kib\tmedians\n' >"$out/raw.tsv"
emit "## heapscan benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
emit ""
emit "- command: \`bench/run.sh\` (SIZES=\"$SIZES\" DUMP_SIZES=\"$DUMP_SIZES\" REPS=$REPS PPROF_REPS=$PPROF_REPS)"
emit "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
emit "- heapscan: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') ($(git -C "$root" log -1 --format=%s 2>/dev/null | cut -c1-60)), Release build"
if [ -n "$pprof" ]; then emit "- pprof: $pprof_what ($pprof, run directly)"
else emit "- pprof: not available (go missing or NO_PPROF=1)"; fi
emit "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared; CPU times are steadier than wall times)"
emit "- each cell: median of $REPS runs (pprof: $PPROF_REPS) of wall time, CPU time (user+sys) and peak RSS (bench/timeit.c: fork to wait4, rusage); ratios use wall time"
emit ""

# ---- pprof profiles ----
top_rows=() diff_rows=()
for n in $SIZES; do
  a=$out/heap_${n}_a.pb.gz b=$out/heap_${n}_b.pb.gz
  if [ ! -s "$a" ] || [ ! -s "$b" ] || [ "$out/gen_pprof" -nt "$a" ]; then
    log "generating $n-sample profiles"
    "$out/gen_pprof" -n "$n" -f "$FUNCS" -s 1 -o "$a" || die "gen_pprof failed"
    "$out/gen_pprof" -n "$n" -f "$FUNCS" -s 1 -a 2 -o "$b" || die "gen_pprof failed"
  fi
  gz_kib=$(( $(stat -c %s "$a") / 1024 ))
  raw_mib=$(gzip -dc "$a" | wc -c | awk '{printf "%.1f", $1/1048576}')

  log "$n: gzip -dc"
  measure "$REPS" gzip -dc "$a"; gz_t=$T gz_c=$C
  log "$n: heapscan top"
  measure "$REPS" "$hs" top "$a"; hs_t=$T hs_m=$M hs_c=$C hs_rc=$RC
  [ "$hs_rc" = 0 ] || log "heapscan top failed: $(head -c 200 "$out/last.err")"
  pp_t=- pp_m=- pp_c=- pp_rc=skipped
  if [ -n "$pprof" ]; then
    log "$n: pprof -top"
    measure "$PPROF_REPS" timeout "$PPROF_TIMEOUT" "$pprof" -top "$a"; pp_t=$T pp_m=$M pp_c=$C pp_rc=$RC
  fi
  row="| $n | $gz_kib KiB ($raw_mib MiB raw) | $gz_t s (cpu $gz_c) | $(cell "$hs_rc" "$hs_t" "$hs_m" "$hs_c") | $(cell "$pp_rc" "$pp_t" "$pp_m" "$pp_c")"
  if [ "$hs_rc" = 0 ] && [ "$pp_rc" = 0 ]; then
    row+=" | $(ratio "$pp_t" "$hs_t")× (cpu $(ratio "$pp_c" "$hs_c")×) | $(ratio "$pp_m" "$hs_m")×"
  else row+=" | – | –"; fi
  if [ "$hs_rc" = 0 ]; then
    row+=" | $(ratio "$hs_t" "$gz_t")× (cpu $(ratio "$hs_c" "$gz_c")×) | $(awk -v t="$hs_t" -v n="$n" 'BEGIN {printf "%.2f", t * 1e6 / n}') |"
  else row+=" | – | – |"; fi
  top_rows+=("$row")

  log "$n: heapscan diff"
  measure "$REPS" "$hs" diff "$a" "$b"; hd_t=$T hd_m=$M hd_c=$C hd_rc=$RC
  [ "$hd_rc" = 0 ] || [ "$hd_rc" = 1 ] || log "heapscan diff failed: $(head -c 200 "$out/last.err")"
  pd_t=- pd_m=- pd_c=- pd_rc=skipped
  if [ -n "$pprof" ]; then
    log "$n: pprof -top -diff_base"
    measure "$PPROF_REPS" timeout "$PPROF_TIMEOUT" "$pprof" -top -diff_base "$a" "$b"
    pd_t=$T pd_m=$M pd_c=$C pd_rc=$RC
  fi
  row="| $n | $(cell "$hd_rc" "$hd_t" "$hd_m" "$hd_c") | $(cell "$pd_rc" "$pd_t" "$pd_m" "$pd_c")"
  if { [ "$hd_rc" = 0 ] || [ "$hd_rc" = 1 ]; } && [ "$pd_rc" = 0 ]; then
    row+=" | $(ratio "$pd_t" "$hd_t")× (cpu $(ratio "$pd_c" "$hd_c")×) | $(ratio "$pd_m" "$hd_m")× |"
  else row+=" | – | – |"; fi
  diff_rows+=("$row")
done

if [ -n "$SIZES" ]; then
emit "### pprof heap profiles: \`top\` ($FUNCS functions, stacks 5–30 deep, 4 sample types)"
emit ""
emit "| samples | file | gzip -dc | heapscan top | pprof -top | time pprof/heapscan | mem pprof/heapscan | heapscan/gzip | heapscan µs/sample |"
emit "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${top_rows[@]}"; do emit "$r"; done
emit ""
emit "### pprof heap profiles: \`diff\` (before = seed 1, after = seed 1 perturbed by seed 2)"
emit ""
emit "| samples | heapscan diff A B | pprof -top -diff_base A B | time pprof/heapscan | mem pprof/heapscan |"
emit "|---:|---:|---:|---:|---:|"
for r in "${diff_rows[@]}"; do emit "$r"; done
emit ""
fi

# ---- do the numbers agree with pprof's? (smallest size, every function) ----
truth=$root/testdata/gen/pprof-truth.sh
if [ -n "$SIZES" ] && [ -n "$pprof" ] && [ -f "$truth" ] && command -v python3 >/dev/null; then
  n=${SIZES%% *} a=$out/heap_${n}_a.pb.gz b=$out/heap_${n}_b.pb.gz
  log "checking heapscan's values against pprof on the $n-sample files"
  emit "Values checked against pprof ($n samples, inuse_space, every function, via testdata/gen/pprof-truth.sh):"
  emit ""
  for mode in top diff; do
    if [ $mode = top ]; then
      bash "$truth" "$a" inuse_space function >"$out/truth.tsv" 2>"$out/last.err" \
        && "$hs" top -n 0 --format json "$a" >"$out/hs.json" 2>>"$out/last.err"
    else
      bash "$truth" "$b" inuse_space function "$a" >"$out/truth.tsv" 2>"$out/last.err" \
        && "$hs" diff -n 0 --format json "$a" "$b" >"$out/hs.json" 2>>"$out/last.err"
    fi
    if [ $? = 0 ]; then emit "- $(python3 "$root/bench/compare_pprof.py" $mode "$out/truth.tsv" "$out/hs.json")"
    else emit "- $mode: could not compare: $(head -n 1 "$out/last.err" | cut -c1-160)"; fi
  done
  emit ""
fi

# ---- Go heap dumps ----
if [ "${NO_DUMPS:-0}" != 1 ]; then
  emit "### Go heap dumps (\`go1.7 heap dump\` format, ~3 references per object)"
  emit ""
  dump_rows=() notes=()
  for n in $DUMP_SIZES; do
    d=$out/heap_${n}.dump
    if [ ! -s "$d" ] || [ ! -s "$d.stats" ] || [ "$out/gen_heapdump" -nt "$d" ]; then
      log "generating $n-object heap dump"
      "$out/gen_heapdump" -n "$n" -s 1 -o "$d" 2>"$d.stats" || die "gen_heapdump failed"
    fi
    size_mib=$(stat -c %s "$d" | awk '{printf "%.0f", $1/1048576}')
    log "$n objects: heapscan top"
    measure 1 "$hs" top "$d"
    if [ "$RC" != 0 ]; then
      notes+=("- $n objects: skipped, \`heapscan top DUMP\` failed: $(head -n 1 "$out/last.err" | cut -c1-160)")
      continue
    fi
    measure "$REPS" "$hs" top "$d"; t_t=$T t_m=$M t_c=$C t_rc=$RC
    dom="not available"
    if "$hs" help dominators >/dev/null 2>&1; then
      log "$n objects: heapscan dominators"
      measure "$REPS" "$hs" dominators "$d"; dom=$(cell "$RC" "$T" "$M" "$C")
      [ "$RC" = 0 ] || notes+=("- $n objects: \`heapscan dominators\` failed: $(head -n 1 "$out/last.err" | cut -c1-160)")
    fi
    # Plain files are mmapped, so peak RSS includes the file's pages: show both.
    bpo=$(awk -v m="$t_m" -v n="$n" -v f="$(stat -c %s "$d")" \
      'BEGIN {printf "%.0f (%.0f without the file)", m * 1024 / n, (m * 1024 - f) / n}')
    dump_rows+=("| $n | $size_mib MiB | $(cell "$t_rc" "$t_t" "$t_m" "$t_c") | $dom | $bpo |")
    notes+=("- $n objects, generator's own counts: $(cat "$d.stats")")
    notes+=("  heapscan's own line: $("$hs" top -n 1 "$d" 2>&1 | grep -m1 '^Objects:')")
  done
  emit "| objects | file | heapscan top | heapscan dominators | peak RSS bytes/object (top) |"
  emit "|---:|---:|---:|---:|---:|"
  for r in "${dump_rows[@]}"; do emit "$r"; done
  emit ""
  for r in "${notes[@]}"; do emit "$r"; done
  emit ""
fi
emit "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
log "results in $results"
