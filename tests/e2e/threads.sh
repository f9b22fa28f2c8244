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
  # a location id no location has, in the last sample: the error names it
  HEAPSCAN_THREADS=$t "$HS" top "$tmp/bad.pb" >>"$o" 2>&1; echo "exit $?" >>"$o"
}
# Damage: the raw fixture with the last sample's last location id byte
# changed. Found with python: the last sample is the last field 2 at top level.
python3 - "$P/heap.3.raw.pb" "$tmp/bad.pb" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
def varint(i):
    v = s = 0
    while True:
        c = b[i]; v |= (c & 0x7f) << s; s += 7; i += 1
        if c < 0x80: return v, i
i = last = 0
while i < len(b):
    k, j = varint(i); f, w = k >> 3, k & 7
    if w == 2:
        n, j = varint(j)
        if f == 2: last = (j, j + n)
        j += n
    elif w == 0: _, j = varint(j)
    elif w == 1: j += 8
    elif w == 5: j += 4
    i = j
# inside the sample: find field 1 (location ids, packed) and set its last byte to 0x7f (id 127..)
i, end = last
while i < end:
    k, j = varint(i); f, w = k >> 3, k & 7
    n, j2 = varint(j) if w == 2 else (0, j)
    if f == 1 and w == 2:
        b[j2 + n - 1] = 0x7f; b[j2 + n - 2] |= 0x80 if n >= 2 else 0
        break
    i = j2 + n if w == 2 else varint(j)[1]
open(sys.argv[2], 'wb').write(b)
PY
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
