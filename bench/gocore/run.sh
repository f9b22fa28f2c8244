#!/usr/bin/env bash
# Go core benchmark (issue 11): bench/gocore/main.go with 10^6 and 10^7 live
# heap objects (tree nodes, their []byte payloads and name strings, a map of
# sessions), each dumped by gcore into a temporary directory under /tmp
# (deleted at the end), then `heapscan top --by type` on each core beside
# `viewcore CORE --exe BIN histogram` when viewcore is installed (it is not
# served here: see bench/core/RESULTS.md). Times with bench/timeit.c (wall,
# CPU, peak RSS; median of RUNS). heapscan is a Release build of its own in
# bench/out/build-gocore, never a test build's binary.
#   usage: bench/gocore/run.sh [N...]      (default: 1000000 10000000)
#   env: RUNS=3, GO=go (the Go that builds the program), VIEWCORE=viewcore
# Needs cmake, a C compiler, Go, gdb (gcore), ptrace.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
runs=${RUNS:-3}
go=${GO:-go}
out=$root/bench/out
mkdir -p "$out"
tmp=$(mktemp -d /tmp/gocorebench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)

cmake -S . -B "$out/build-gocore" -DCMAKE_BUILD_TYPE=Release -DHEAPSCAN_TESTS=OFF >/dev/null
cmake --build "$out/build-gocore" -j2 >/dev/null
hs=$out/build-gocore/heapscan
${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$out/timeit" bench/timeit.c
(cd bench/gocore && CGO_ENABLED=0 "$go" build -buildvcs=false -o "$tmp/gocorebench" .)
viewcore=$(command -v "${VIEWCORE:-viewcore}" || true)

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# measure NAME CMD...: prints "NAME wall cpu peak_kib" (medians of RUNS)
measure() {
  local name=$1 i t u s m
  shift
  : >"$tmp/runs"
  for ((i = 0; i < runs; i++)); do
    "$out/timeit" "$tmp/time.txt" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
      { echo "run.sh: $name failed: $(head -3 "$tmp/$name.err")" >&2; return 1; }
    read -r t u s m <"$tmp/time.txt"
    echo "$t $(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}') $m" >>"$tmp/runs"
  done
  echo "$name $(cut -d' ' -f1 "$tmp/runs" | median) $(cut -d' ' -f2 "$tmp/runs" | median)" \
    "$(cut -d' ' -f3 "$tmp/runs" | median)"
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), $("$go" version)"
printf '%-10s %-22s %10s %10s %10s %12s %10s\n' objects tool "core MiB" "wall s" "CPU s" "peak MiB" "peak/core"
for n in "${sizes[@]}"; do
  rm -f "$tmp/ready"
  "$tmp/gocorebench" "$tmp/ready" "$n" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1200); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
  [ -s "$tmp/ready" ] || { echo "run.sh: gocorebench $n did not get ready" >&2; exit 1; }
  gcore -o "$tmp/core" "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  mv "$tmp/core.$pid" "$tmp/core"
  pid=
  core_bytes=$(stat -c %s "$tmp/core")
  echo "program ($n): $(cat "$tmp/ready" | tr -d '\n'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
  cat "$tmp/core" >/dev/null # page cache warm for every tool
  rows=("$(measure heapscan "$hs" top --by type -n 20 "$tmp/core")")
  [ -n "$viewcore" ] && rows+=("$(measure viewcore "$viewcore" "$tmp/core" --exe "$tmp/gocorebench" histogram)")
  for r in "${rows[@]}"; do
    read -r name wall cpu kib <<<"$r"
    awk -v n="$n" -v t="$name" -v w="$wall" -v c="$cpu" -v k="$kib" -v core="$core_bytes" \
      'BEGIN {printf "%-10s %-22s %10.0f %10.2f %10.2f %12.1f %10.3f\n", n, t, core / 1048576, w, c, k / 1024, k * 1024 / core}'
  done
  echo "heapscan's own count: $(grep -m1 -iE '^(objects|total)' "$tmp/heapscan.out" || head -1 "$tmp/heapscan.out")"
  rm -f "$tmp/core"
done
