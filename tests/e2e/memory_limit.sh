#!/usr/bin/env bash
# HEAPSCAN_MAX_MEMORY: under a memory cap every fixture either loads or fails
# with exit 2 and one "out of memory ... HEAPSCAN_MAX_MEMORY" line; never a
# crash. The cap is RLIMIT_DATA, which sanitizer runtimes' own reservations
# would trip, so a sanitized build only checks the bad-value message.
set -u
HS=${1:?usage: memory_limit.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 runs=0 ooms=0
HEAPSCAN_MAX_MEMORY=lots "$HS" info testdata/profiles/heap.1.pb.gz >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "HEAPSCAN_MAX_MEMORY" "$tmp/err" || { echo "FAIL: bad limit value: exit $rc"; fail=1; }
if [ "${HEAPSCAN_SANITIZED:-0}" = 1 ]; then
  echo "memory_limit: sanitized build, limits not exercised"; exit $fail
fi
files=(testdata/profiles/heap.3.pb.gz testdata/heapdumps/tree.dump.gz testdata/cores/cheap-c.core.gz
       testdata/cores/cheap-cxx.core.gz)
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "FAIL: missing $f"; fail=1; continue; }
  for lim in 1MiB 2MiB 4MiB 8MiB 16MiB 32MiB 64MiB 128MiB 256MiB; do
    for cmd in top dominators; do
      [ $cmd = dominators ] && [[ $f == *profiles* ]] && continue
      runs=$((runs + 1))
      HEAPSCAN_MAX_MEMORY=$lim timeout 60 "$HS" $cmd "$f" >/dev/null 2>"$tmp/err"
      rc=$?
      if [ $rc = 0 ]; then continue; fi
      if [ $rc != 2 ] || [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -q "^heapscan: .*out of memory.*HEAPSCAN_MAX_MEMORY=$lim" "$tmp/err"; then
        echo "FAIL: $cmd $f under $lim: exit $rc: $(head -c 300 "$tmp/err")"; fail=1
      else
        ooms=$((ooms + 1))
      fi
    done
  done
done
# The largest cap is ample for every fixture: it must succeed.
HEAPSCAN_MAX_MEMORY=1GiB "$HS" top testdata/cores/cheap-c.core.gz >/dev/null || { echo "FAIL: 1GiB cap"; fail=1; }
echo "memory_limit: $runs runs, $ooms clean out-of-memory failures"
[ $ooms -gt 0 ] || { echo "FAIL: no cap was ever hit"; fail=1; }
exit $fail
