#!/usr/bin/env bash
# Large profiles are decoded and aggregated in parts on threads. Forcing
# 1, 2, 3 and 7 parts (HEAPSCAN_THREADS; fixtures are small, so the
# automatic choice would not split them) must give byte-identical output for
# every profile command and output format, and the same error for a damaged
# file.
set -u
HS=${1:?usage: threads.sh HEAPSCAN}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
P=testdata/profiles
fail=0 n=0
run_all() { # $1 = parts; writes $tmp/out.$1
  local t=$1 o=$tmp/out.$1
  : >"$o"
  for f in $P/heap.3.pb.gz $P/allocs.2.pb.gz $P/goroutine.3.pb.gz; do
    for fmt in text json csv; do
      HEAPSCAN_THREADS=$t "$HS" top -n 0 --format $fmt "$f" >>"$o" 2>&1
      HEAPSCAN_THREADS=$t "$HS" top --by line --sort cum --format $fmt "$f" >>"$o" 2>&1
    done
    HEAPSCAN_THREADS=$t "$HS" top --focus main --ignore runtime "$f" >>"$o" 2>&1
    HEAPSCAN_THREADS=$t "$HS" info "$f" >>"$o" 2>&1
    HEAPSCAN_THREADS=$t "$HS" graph "$f" >>"$o" 2>&1
  done
  HEAPSCAN_THREADS=$t "$HS" diff -n 0 $P/heap.1.pb.gz $P/heap.3.pb.gz >>"$o" 2>&1
  HEAPSCAN_THREADS=$t "$HS" diff --format json $P/allocs.1.pb.gz $P/allocs.3.pb.gz >>"$o" 2>&1
  HEAPSCAN_THREADS=$t "$HS" graph --base $P/heap.1.pb.gz $P/heap.3.pb.gz >>"$o" 2>&1
  HEAPSCAN_THREADS=$t "$HS" trend -n 0 --format json $P/heap.1.pb.gz $P/heap.2.pb.gz $P/heap.3.pb.gz >>"$o" 2>&1
  HEAPSCAN_THREADS=$t "$HS" trend --cum --by line --format csv $P/allocs.1.pb.gz $P/allocs.2.pb.gz $P/allocs.3.pb.gz >>"$o" 2>&1
  # a location id no location has, in the last sample: the error names it
  HEAPSCAN_THREADS=$t "$HS" top "$tmp/bad.pb" >>"$o" 2>&1; echo "exit $?" >>"$o"
}
# Damage late in the file (the last sample names a missing location), so it
# falls in the last part: tests/e2e/lib/mkbad.py makes it.
mkdir "$tmp/bad"
python3 tests/e2e/lib/mkbad.py $P/heap.3.raw.pb $P/heap.3.pb.gz "$tmp/bad" >/dev/null || { echo "mkbad.py failed"; exit 1; }
cp "$tmp/bad/lastloc.pb" "$tmp/bad.pb"
run_all 1
grep -q "^heapscan: .*bad.pb: offset [0-9]*: sample [0-9]*: sample names missing location id" "$tmp/out.1" ||
  { echo "the damaged profile did not give the expected error:"; grep bad.pb "$tmp/out.1"; fail=1; }
for t in 2 3 7; do
  run_all $t
  n=$((n + 1))
  cmp -s "$tmp/out.1" "$tmp/out.$t" || { echo "HEAPSCAN_THREADS=$t differs:"; diff "$tmp/out.1" "$tmp/out.$t" | head; fail=1; }
done
[ $fail = 0 ] && echo "threads: output identical with 1, 2, 3 and 7 parts ($(wc -l <"$tmp/out.1") lines each)"
exit $fail
