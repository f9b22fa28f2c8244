#!/usr/bin/env bash
# Goroutines of Go heap dumps (runtime/debug.WriteHeapDump) against the same
# moment's debug=2 dump and against construction, for every Go version:
# `goleak -heapdump DIR` (testdata/gen/goleak) leaks 20 goroutines in a
# receive, 15 in a send, 10 in a select and 12 more in a receive that each
# keep a 64 KiB []byte alive from their stack only, beside 8 pool workers;
# it writes the debug=2 dump, then the heap dump, and truth.json. Truth from
# outside heapscan's heap dump reader:
#  - every group of the debug=2 dump but main's (writing that dump; in the
#    heap dump it writes the heap dump) is a group of the heap dump with the
#    same count, state, creator and stack, frame for frame: function, file
#    and line (a heap dump's frames are physical pcs; --binary's DWARF splits
#    them into inlined calls with files and lines);
#  - without --binary: the same groups by count and state, named by the
#    dump's physical frames (a go statement's closure inlined into its
#    wrapper shows as pkg.f.gowrapN), no file, line or creator;
#  - counts equal truth.json's and runtime.NumGoroutine();
#  - the holding group retains exactly its 12 buffers, 12 x 65536 B (the
#    heap dump's stack frames carry the runtime's own pointer maps);
#  - a truncated heap dump: one line naming the file, exit 2.
# Usage: bash tests/e2e/heapdump_goroutines.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: heapdump_goroutines.sh HEAPSCAN}
HS=$(cd "$(dirname "$HS")" && pwd)/$(basename "$HS")
source tests/e2e/lib/go.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$tmp/check.py" <<'PY'
import json, re, sys
sys.path.insert(0, "tests/e2e/lib")
from checks import Checks, goleak_truth
d = sys.argv[1]
dump, heap = json.load(open(f"{d}/dump.json")), json.load(open(f"{d}/heap.json"))
bare = json.load(open(f"{d}/bare.json"))
truth, hold, hold_bytes = goleak_truth(d)
c = Checks()
want = c.want
def same_function(dump_fn, heap_fn):
    if dump_fn == heap_fn: return True
    m = re.match(r"(.*)\.gowrap\d+$", heap_fn or "")
    return bool(m) and (dump_fn or "").startswith(m.group(1) + ".func")
main_fn = "main.heapDumpMoment"
def others(j):
    return [g for g in j["groups"] if g["function"] not in ("main.write", main_fn)]
want(heap["totals"] == [truth["total"]] and truth["total"] == truth["num_goroutine"],
     f"total {heap['totals']} = truth {truth['total']} = NumGoroutine {truth['num_goroutine']}")
frames = lambda g: [(f["function"], f["file"], f["line"]) for f in g["stack"]]
for g in others(dump):
    m = [h for h in others(heap) if h["state"] == g["state"] and h["created_by"] == g["created_by"]
         and h["function"] == g["function"]]
    want(len(m) == 1 and m[0]["counts"] == g["counts"] and frames(m[0]) == frames(g),
         f"{g['function']} [{g['state']}] x{g['counts'][0]} created by {g['created_by']}, "
         f"stack {frames(g)}: {[(h['function'], h['counts'], frames(h)) for h in m]}")
want(len(others(heap)) == len(others(dump)), f"{len(others(heap))} groups besides main's, "
     f"the dump {len(others(dump))}")
by_state = {}
for g in heap["groups"]:
    by_state[g["state"]] = by_state.get(g["state"], 0) + g["counts"][0]
want(by_state.get("chan receive") == truth["leak_recv"] + hold + truth["pool"]
     and by_state.get("chan send") == truth["leak_send"]
     and by_state.get("select") == truth["leak_select"], f"by state {by_state}")
holders = [g for g in heap["groups"] if g["function"] == "main.leakHold.func1"]
want(len(holders) == 1 and holders[0]["counts"] == [hold] and
     holders[0]["retained"] == [hold * hold_bytes],
     f"holders retain {[g['retained'] for g in holders]}, construction {hold} x {hold_bytes}")
want(all(fr["file"] == "" and fr["line"] == 0 for g in bare["groups"] for fr in g["stack"]),
     "without --binary: frames have no file or line (a heap dump has none)")
for g in others(dump):
    m = [h for h in others(bare) if h["state"] == g["state"] and h["counts"] == g["counts"]
         and same_function(g["function"], h["function"]) and h["created_by"] is None]
    want(len(m) == 1, f"without --binary: {g['function']} [{g['state']}] x{g['counts'][0]}: "
         f"{[(h['function'], h['counts']) for h in m]}")
want(len(others(bare)) == len(others(dump)), "without --binary: as many groups")
c.exit()
PY

for v in "${GO_VERSIONS[@]}"; do
  echo "== Go $v"
  exe=$tmp/goleak-$v d=$tmp/$v
  mkdir -p "$d"
  (cd testdata/gen/goleak && go_cmd "$v" build -buildvcs=false -trimpath -o "$exe" .)
  "$exe" -heapdump "$d" >"$d/out" 2>&1 || fail "goleak -heapdump: $(cat "$d/out")"
  "$HS" goroutines --format json "$d/goroutine.dump.txt" >"$d/dump.json"
  "$HS" goroutines --format json --binary "$exe" "$d/heap.dump" >"$d/heap.json"
  "$HS" goroutines --format json "$d/heap.dump" >"$d/bare.json"
  python3 "$tmp/check.py" "$d" || fail "Go $v: heap dump goroutines differ from the dump or construction"
  head -c 300000 "$d/heap.dump" >"$d/cut.dump"
  rc=0; "$HS" goroutines "$d/cut.dump" >"$d/cut.out" 2>"$d/cut.err" || rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l <"$d/cut.err")" = 1 ] && grep -q "cut.dump" "$d/cut.err" ||
    fail "Go $v: truncated heap dump: rc $rc, $(cat "$d/cut.err")"
done
echo "heapdump_goroutines: ok"
