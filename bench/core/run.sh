#!/usr/bin/env bash
# Core benchmark: build bench/core/manychunks.c, run it until it has built its
# heap (> 5 million live chunks), dump it with gcore into bench/out/, build
# heapscan Release into bench/out/build-core, and time `heapscan top`,
# `heapscan leaks` and `heapscan dominators` on the core with
# /usr/bin/time -f '%e %M' (3 runs each, median of wall seconds and of peak
# RSS). Prints the core size and peak RSS / core size.
#   usage: bench/core/run.sh [SCALE]      (env: RUNS=3, KEEP_CORE=1 reuses
#                                          bench/out/manychunks.core)
# Needs gcc, gdb (gcore), cmake, GNU time (apt-get install time), ptrace.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-1}
runs=${RUNS:-3}
out=bench/out
core=$out/manychunks.core
mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

if [ "${KEEP_CORE:-0}" != 1 ] || [ ! -s "$core" ]; then
  gcc -O2 -g -pthread bench/core/manychunks.c -o "$out/manychunks"
  rm -f "$out/ready.json" "$core"
  "$out/manychunks" "$out/ready.json" "$scale" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 600); do [ -s "$out/ready.json" ] && break; sleep 0.1; done
  [ -s "$out/ready.json" ] || { kill "$pid"; echo "run.sh: manychunks did not get ready" >&2; exit 1; }
  gcore -o "$out/manychunks.core" "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  mv "$out/manychunks.core.$pid" "$core"
fi
echo "program: $(cat "$out/ready.json")"

cmake -S . -B "$out/build-core" -DCMAKE_BUILD_TYPE=Release -DHEAPSCAN_TESTS=OFF >/dev/null
cmake --build "$out/build-core" -j2 >/dev/null
hs=$out/build-core/heapscan

core_bytes=$(stat -L -c %s "$core")
echo "core: $core $core_bytes bytes ($((core_bytes / 1048576)) MiB)"
# Warm the page cache once, so every run reads the core from memory.
cat "$core" >/dev/null

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf '%-12s %10s %12s %10s\n' command "wall s" "peak MiB" "peak/core"
for cmd in top leaks dominators; do
  : >"$out/times.$cmd"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$out/time.one" "$hs" "$cmd" "$core" >"$out/$cmd.txt" 2>"$out/$cmd.err" ||
      { echo "run.sh: heapscan $cmd failed:" >&2; cat "$out/$cmd.err" >&2; exit 1; }
    tail -n 1 "$out/time.one" >>"$out/times.$cmd"
  done
  wall=$(cut -d' ' -f1 "$out/times.$cmd" | median)
  kib=$(cut -d' ' -f2 "$out/times.$cmd" | median)
  awk -v c="$cmd" -v w="$wall" -v k="$kib" -v core="$core_bytes" \
    'BEGIN {printf "%-12s %10.2f %12.1f %10.3f\n", c, w, k / 1024, k * 1024 / core}'
done
