#!/usr/bin/env bash
# Inputs without an end: a character device (/dev/zero) and an endless pipe
# (`yes`) must stop at the memory cap with exit 2 and one line naming the
# input and what happened, within seconds, for every command. The default
# cap is half the RAM (MemTotal/2 from /proc/meminfo, the ground truth),
# applied as the process's data limit: read from /proc/PID/limits of a
# heapscan that waits on a pipe (not in a sanitized build, which sets no
# data limit; the source layer caps streams there too). HEAPSCAN_MAX_INFLATE
# takes a size.
set -u
HS=${1:?usage: endless_input.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name expected-pattern: exit 2, one line, matches
  local name=$1 pat=$2 rc=$3
  if [ "$rc" != 2 ] || [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -Eq "$pat" "$tmp/err"; then
    echo "FAIL: $name: exit $rc: $(head -c 300 "$tmp/err")"; fail=1
  fi
}
for cmd in info top leaks; do
  HEAPSCAN_MAX_MEMORY=64MiB timeout 30 "$HS" $cmd /dev/zero >/dev/null 2>"$tmp/err"
  check "$cmd /dev/zero" '^heapscan: /dev/zero: offset [0-9]+: stopped reading a character device: .*HEAPSCAN_MAX_MEMORY' $?
  yes | HEAPSCAN_MAX_MEMORY=64MiB timeout 30 "$HS" $cmd - >/dev/null 2>"$tmp/err"
  check "$cmd - (yes)" '^heapscan: <stdin>: offset [0-9]+: stopped reading a pipe: .*HEAPSCAN_MAX_MEMORY' $?
done
# A finite pipe under the cap still loads, as the file does.
cat testdata/profiles/heap.3.pb.gz | HEAPSCAN_MAX_MEMORY=64MiB "$HS" top --format json - |
  sed 's/"file":"[^"]*"//' >"$tmp/pipe.json" || { echo "FAIL: a finite pipe under the cap"; fail=1; }
"$HS" top --format json testdata/profiles/heap.3.pb.gz | sed 's/"file":"[^"]*"//' >"$tmp/file.json"
grep -q '"total":10318160' "$tmp/file.json" && cmp -s "$tmp/pipe.json" "$tmp/file.json" || { echo "FAIL: pipe and file differ"; fail=1; }
# HEAPSCAN_MAX_INFLATE: a size with a unit, or one line.
HEAPSCAN_MAX_INFLATE=1KiB "$HS" info testdata/cores/cheap-c.core.gz >/dev/null 2>"$tmp/err"
check "MAX_INFLATE=1KiB" '^heapscan: testdata/cores/cheap-c.core.gz: decompressed data exceeds the limit of 1024 bytes \(HEAPSCAN_MAX_INFLATE\)$' $?
HEAPSCAN_MAX_INFLATE=lots "$HS" info testdata/cores/cheap-c.core.gz >/dev/null 2>"$tmp/err"
check "MAX_INFLATE=lots" "^heapscan: HEAPSCAN_MAX_INFLATE: 'lots' is not a positive size" $?
# The default cap, as the kernel sees it.
if [ "${HEAPSCAN_SANITIZED:-0}" != 1 ]; then
  mkfifo "$tmp/fifo"
  "$HS" info "$tmp/fifo" >/dev/null 2>&1 &
  pid=$!
  exec 3>"$tmp/fifo" # heapscan is now blocked reading the pipe
  sleep 0.2
  got=$(awk '/^Max data size/ {print $4}' "/proc/$pid/limits")
  exec 3>&-
  wait $pid
  want=$(awk '/^MemTotal/ {print $2}' /proc/meminfo) # KiB
  python3 -c "import sys; g, w = int(sys.argv[1]), int(sys.argv[2]) * 512; sys.exit(0 if w <= g <= w * 1.05 else 1)" \
    "$got" "$want" || { echo "FAIL: default data limit $got, want about MemTotal/2 = $((want / 2)) KiB"; fail=1; }
fi
[ $fail = 0 ] && echo "endless_input: ok"
exit $fail
