#!/usr/bin/env bash
# Fuzz heapscan: build the libFuzzer configuration with clang (HEAPSCAN_FUZZ=ON,
# library instrumented with ASan/UBSan/coverage), seed each target's corpus from
# testdata/ (every fixture plain AND gzip'd) and tests/fuzz/regress/<target>/,
# run each target for FUZZ_SECONDS, and print a FUZZ.md-style table of
# executions per target. Exit 1 on any crash, leak, timeout or OOM; the
# offending inputs are copied to tests/fuzz/regress/<target>/ for replay by
# the unit tests (tests/unit/test_fuzz_regress.c).
#
# Environment: FUZZ_SECONDS (60) per target, FUZZ_SECONDS_<target> for one
# (e.g. FUZZ_SECONDS_fuzz_elfcore=300: cores run ~10-100 exec/s); FUZZ_TARGETS (all built);
# FUZZ_BUILD_DIR (build-fuzz); FUZZ_REPORT (<build>/FUZZ.md); FUZZ_JOBS (2,
# for the build); FUZZ_MAX_LEN (per-target default below); FUZZ_RSS_MB (2048).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
report=${FUZZ_REPORT:-$build/FUZZ.md}
rss=${FUZZ_RSS_MB:-2048}

command -v clang >/dev/null || { echo "fuzz.sh: clang is required" >&2; exit 2; }
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEAPSCAN_FUZZ=ON \
  -DHEAPSCAN_TESTS=OFF >/dev/null
cmake --build "$build" -j"${FUZZ_JOBS:-2}" >/dev/null
build=$(cd "$build" && pwd)
report=$(mkdir -p "$(dirname "$report")" && cd "$(dirname "$report")" && pwd)/$(basename "$report")
targets=${FUZZ_TARGETS:-$(cat "$build/fuzz-targets.txt")}

# Which testdata folders seed which target.
seed_dirs() {
  case $1 in
    fuzz_pprof | fuzz_gotext | fuzz_legacycpu | fuzz_threadz | fuzz_javaprof) echo testdata/profiles ;;
    fuzz_goheapdump) echo testdata/heapdumps ;;
    fuzz_elfcore) echo testdata/cores ;;
    fuzz_gocore) ;; # patch lists, not files: gocore_seeds
    fuzz_godump) echo testdata/goroutines ;;
    *) echo testdata/profiles testdata/heapdumps testdata/cores ;;
  esac
}
# -max_len: at least the format's default, raised to the largest seed but not
# past the format's cap, so executions stay fast. Cores are the exception:
# a 1 MiB prefix of a small program's core already holds its notes, the
# executable and [heap] (PT_LOADs are in address order), and the reader
# treats the cut-off segments as missing.
default_len() {
  case $1 in
    fuzz_source) echo $((64 << 10)) ;;
    fuzz_gocore) echo 512 ;; # up to 32 patches
    fuzz_pprof | fuzz_gotext | fuzz_legacycpu | fuzz_threadz | fuzz_javaprof | fuzz_godump) echo $((256 << 10)) ;;
    *) echo $((1 << 20)) ;;
  esac
}
cap_len() {
  case $1 in
    fuzz_source) echo $((64 << 10)) ;;
    fuzz_pprof | fuzz_gotext | fuzz_legacycpu | fuzz_threadz | fuzz_javaprof) echo $((1 << 20)) ;;
    fuzz_goheapdump) echo $((4 << 20)) ;;
    fuzz_elfcore) echo $((1 << 20)) ;;
    fuzz_gocore) echo 512 ;;
    *) echo $((2 << 20)) ;;
  esac
}

is_gzip() { [ "$(head -c2 "$1" | od -An -tx1 | tr -d ' \n')" = 1f8b ]; }

# Copy a file into a corpus under its content hash (idempotent across runs).
add_seed() { # corpus file
  local h
  h=$(sha1sum "$2" | cut -c1-16)
  cp "$2" "$1/seed-$h"
}

# Seed corpus $1 for target $2; print the largest seed size.
seed_corpus() {
  local corpus=$1 target=$2 max=0 tmp f d sz
  tmp=$(mktemp -d)
  for d in $(seed_dirs "$target"); do
    [ -d "$d" ] || continue
    while IFS= read -r -d '' f; do
      if is_gzip "$f"; then
        gzip -dc "$f" >"$tmp/plain" 2>/dev/null && add_seed "$corpus" "$tmp/plain"
        # A compressed seed that inflates past the target's input cap (a
        # core) would spend each execution inflating ~100 MB under ASan:
        # only its plain form, which libFuzzer cuts to a -max_len prefix.
        [ "$(stat -c %s "$tmp/plain")" -le "$(cap_len "$target")" ] && add_seed "$corpus" "$f"
      else
        add_seed "$corpus" "$f"
        gzip -nc "$f" >"$tmp/packed" && add_seed "$corpus" "$tmp/packed"
        cp "$f" "$tmp/plain"
      fi
      # The source layer's other decoders: each format of a small fixture.
      if [ "$target" = fuzz_source ] && [ "$(stat -c %s "$tmp/plain")" -lt $((256 << 10)) ]; then
        for z in "zstd -q -c" "xz -c" "bzip2 -c" "lz4 -q -c"; do
          $z <"$tmp/plain" >"$tmp/packed" 2>/dev/null && add_seed "$corpus" "$tmp/packed"
        done
      fi
    done < <(find "$d" -type f -print0)
  done
  rm -rf "$tmp"
  for f in "$corpus"/seed-*; do
    [ -f "$f" ] || continue
    sz=$(stat -c %s "$f")
    [ "$sz" -gt "$max" ] && max=$sz
  done
  echo "$max"
}

# fuzz_gocore patches one real Go core (tests/fuzz/fuzz_gocore.c): made
# once from testdata/gen/gocore built by Go 1.26 (named, not the first on
# PATH) and kept in the build dir (about 1.2 GB, mostly arena space the
# walker never reads).
gocore_base() {
  local dir=$build/gocore pid
  [ -s "$dir/core" ] && [ -x "$dir/gocore" ] && return 0
  command -v gcore >/dev/null || { echo "fuzz.sh: fuzz_gocore needs gdb's gcore" >&2; return 1; }
  mkdir -p "$dir"
  (source tests/e2e/lib/go.sh && cd testdata/gen/gocore &&
     CGO_ENABLED=0 go_cmd 1.26 build -buildvcs=false -o "$dir/gocore" .)
  rm -f "$dir/ready" "$dir/core"*
  "$dir/gocore" "$dir/heap.dump" >"$dir/ready" 2>&1 &
  pid=$!
  for _ in $(seq 200); do grep -q ready "$dir/ready" && break; sleep 0.1; done
  gcore -o "$dir/core" "$pid" >/dev/null 2>&1 || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  mv "$dir/core.$pid" "$dir/core" 2>/dev/null
  [ -s "$dir/core" ] || { echo "fuzz.sh: no base Go core for fuzz_gocore" >&2; return 1; }
}
# Its seeds: patch lists (op, region u16, offset, argument) setting the
# first regions read (mheap_, allspans, the first spans) to boundary values,
# to pointers at other regions, and to bytes.
gocore_seeds() {
  python3 - "$1" <<'PY'
import os, struct, sys
out = sys.argv[1]
for r in range(0, 48):
    for k, (op, arg) in enumerate(((1, r % 16), (2, struct.pack("<Hb", (r * 7) % 48, r % 5 - 2)),
                                   (0, bytes([7]) + bytes(8 * [0xff])), (3, bytes([0xf8 + r % 8])))):
        off = (r * 8) % 64
        arg = bytes([arg]) if isinstance(arg, int) else arg
        with open(os.path.join(out, f"seed-gocore-{r}-{k}"), "wb") as f:
            f.write(bytes([op]) + struct.pack("<HB", r, off) + arg)
PY
}

status=0
rows=()
for t in $targets; do
  bin=$build/tests/fuzz/$t
  [ -x "$bin" ] || { echo "fuzz.sh: no target $t" >&2; status=1; continue; }
  corpus=$build/corpus/$t
  art=$build/artifacts/$t
  regress=$root/tests/fuzz/regress/$t
  log=$build/$t.log
  mkdir -p "$corpus" "$art"
  rm -f "$art"/*
  if [ "$t" = fuzz_gocore ]; then
    gocore_base || { status=1; rows+=("| $t | 0 | 0 | - | - | - | - | FAILED (no base core) |"); continue; }
    export HEAPSCAN_FUZZ_GOCORE=$build/gocore/core HEAPSCAN_FUZZ_BINARY=$build/gocore/gocore
    regress=$root/tests/fuzz/regress-gocore
    gocore_seeds "$corpus"
  fi
  # Patch lists: longer inputs (more patches) from the start.
  extra=()
  [ "$t" = fuzz_gocore ] && extra=(-len_control=0)
  biggest=$(seed_corpus "$corpus" "$t")
  len=${FUZZ_MAX_LEN:-$(default_len "$t")}
  if [ -z "${FUZZ_MAX_LEN:-}" ] && [ "$biggest" -gt "$len" ]; then
    cap=$(cap_len "$t")
    len=$((biggest < cap ? biggest : cap))
  fi
  dirs=("$corpus")
  [ -d "$regress" ] && dirs+=("$regress")
  tsecs_var=FUZZ_SECONDS_$t
  tsecs=${!tsecs_var:-$secs}
  echo "== $t: ${tsecs}s, -max_len=$len, $(ls "$corpus" | wc -l) corpus files" >&2
  rc=0
  t0=$SECONDS
  (cd "$art" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
     UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
     timeout $((tsecs + 300)) "$bin" -seed="${FUZZ_SEED:-1}" -max_total_time="$tsecs" -max_len="$len" -timeout=10 \
       -rss_limit_mb="$rss" -print_final_stats=1 -artifact_prefix="$art/" "${extra[@]}" \
       "${dirs[@]}") >"$log" 2>&1 || rc=$?
  elapsed=$((SECONDS - t0))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  cov=$(grep -aE '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1\/\2/p' || true)
  ncorp=$(ls "$corpus" | wc -l)
  result=ok
  if [ "$rc" -ne 0 ]; then
    status=1
    mkdir -p "$regress"
    found=0
    for a in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
      [ -f "$a" ] || continue
      cp "$a" "$regress/" && found=$((found + 1))
      echo "fuzz.sh: $t: $(basename "$a") saved to tests/fuzz/regress/$t/" >&2
    done
    result="FAILED (exit $rc, $found input(s) saved; log $log)"
    grep -aE 'ERROR: |SUMMARY: |fuzz invariant broken|runtime error' "$log" | head -5 >&2 || true
  fi
  rows+=("| $t | $elapsed | ${execs:-?} | ${rate:-?} | ${cov:-?} | $ncorp | ${peak:-?} MB | $result |")
done

{
  echo "## Fuzzing: $(date -u +%Y-%m-%d) $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(clang --version | head -1)"
  echo
  echo "Each target ran up to ${secs} s (libFuzzer, ASan + UBSan + LeakSanitizer, -timeout=10 -rss_limit_mb=$rss), seeded from testdata/ and tests/fuzz/regress/."
  echo
  echo "| target | seconds | executions | exec/s | cov/features | corpus files | peak RSS | result |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$report"
exit "$status"
