#!/usr/bin/env bash
# Benchmark `heapscan trend` over N profiles against reading them once.
# Builds heapscan (Release, bench/out/build, as bench/run.sh does) and
# bench/gen_pprof, writes N profiles of SAMPLES samples each (one "before"
# profile, seed 1, and N-1 "after" profiles of the same stacks with values
# perturbed by seeds 2..N, so names align across snapshots as in a real
# series), then times with bench/timeit.c, REPS times each, medians:
#   read once   `heapscan info F` for every file (load + totals), one process per file
#   top once    `heapscan top -n 1 F` for every file (load + aggregate)
#   trend       `heapscan trend -n 20 F1 ... FN` (one process)
# The target (issue 13): trend <= 2x read once. Not part of the test suite.
# Environment: N (100), SAMPLES (50000), REPS (3), FUNCS (5000).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
mkdir -p "$out/trend"
N=${N:-100} SAMPLES=${SAMPLES:-50000} REPS=${REPS:-3} FUNCS=${FUNCS:-5000}
die() { echo "bench: $*" >&2; exit 1; }
cmake -S "$root" -B "$out/build" -DCMAKE_BUILD_TYPE=Release -DHEAPSCAN_TESTS=OFF \
  -DCMAKE_C_FLAGS="-Wno-error=maybe-uninitialized" >/dev/null || die "cmake configure failed"
cmake --build "$out/build" -j2 >/dev/null 2>"$out/build.log" || die "heapscan build failed"
hs=$out/build/heapscan
cc=${CC:-cc}
$cc -std=c11 -O2 -Wall -Wextra -o "$out/gen_pprof" "$root/bench/gen_pprof.c" -lz -lm || die "gen_pprof"
$cc -std=c11 -O2 -Wall -Wextra -o "$out/timeit" "$root/bench/timeit.c" || die "timeit"
files=()
for ((k = 1; k <= N; k++)); do
  f=$out/trend/p$SAMPLES.$(printf %03d $k).pb.gz
  if [ ! -s "$f" ]; then
    if [ $k = 1 ]; then "$out/gen_pprof" -n "$SAMPLES" -f "$FUNCS" -s 1 -o "$f" || die "gen_pprof"
    else "$out/gen_pprof" -n "$SAMPLES" -f "$FUNCS" -s 1 -a "$k" -o "$f" || die "gen_pprof"; fi
  fi
  files+=("$f")
done
printf '%s\n' "${files[@]}" >"$out/trend/list"
# measure NAME CMD...: median wall, CPU (user+sys) and peak RSS of REPS runs.
measure() {
  local name=$1 i; shift
  local ws=() cs=() ms=()
  for ((i = 0; i < REPS; i++)); do
    "$out/timeit" "$out/trend/time.txt" "$@" >/dev/null 2>"$out/trend/last.err" || die "$name failed: $(head -c 300 "$out/trend/last.err")"
    read -r w u s m <"$out/trend/time.txt"
    ws+=("$w"); cs+=("$(echo "$u + $s" | bc -l)"); ms+=("$m")
  done
  med() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
  printf '| %s | %.3f s | %.3f s | %.1f MiB |\n' "$name" "$(med "${ws[@]}")" "$(med "${cs[@]}")" "$(echo "$(med "${ms[@]}") / 1024" | bc -l)"
  eval "W_${name// /_}=$(med "${ws[@]}")"
}
echo "trend over $N profiles of $SAMPLES samples ($(du -ch "${files[@]}" | tail -1 | cut -f1) gzip'd); $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | wall (median of $REPS) | CPU | peak RSS |"
echo "|---|---|---|---|"
measure "read once" bash -c 'while read -r f; do "$0" info "$f" >/dev/null || exit 1; done <"$1"' "$hs" "$out/trend/list"
measure "top once" bash -c 'while read -r f; do "$0" top -n 1 "$f" >/dev/null || exit 1; done <"$1"' "$hs" "$out/trend/list"
measure "trend" "$hs" trend -n 20 "${files[@]}"
echo
printf 'trend / read once = %.2f; trend / top once = %.2f; load after: %s\n' \
  "$(echo "$W_trend / $W_read_once" | bc -l)" "$(echo "$W_trend / $W_top_once" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
