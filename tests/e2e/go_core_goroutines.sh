#!/usr/bin/env bash
# Goroutines of Go cores against the same process's own debug=2 dump, taken
# at the same moment, and against construction, for every Go version:
# `goleak -core DIR` (testdata/gen/goleak) leaks 20 goroutines in a
# receive, 15 in a send, 10 in a select and 12 more in a receive that each
# keep a 64 KiB []byte alive from their stack only, beside 8 pool workers
# and os/signal's goroutine (in a system call: Go 1.19 saves no frame
# pointer there, so its stack is found through its thread's registers);
# it writes its dump and truth.json, says "ready" and sleeps; gdb's gcore
# then dumps it and the process is killed. Truth from outside heapscan:
#  - every group of the dump but main's (running while it writes the dump;
#    sleeping in the core) is a group of the core with the same count,
#    state, function, creator and frames (function and line);
#  - counts equal truth.json, and the core's total runtime.NumGoroutine();
#    main sleeps (time.Sleep in main.coreMoment);
#  - `info` counts by state: chan receive 20+12+8, chan send 15, select 10,
#    sleep 1, syscall 1;
#  - the holding group retains its 12 buffers, 12 x 65536 B, and nothing
#    more (the buffers' slice headers live on the stacks, which are scanned
#    by the runtime's stack pointer maps: no stale word in a frame; the
#    Ms' g0 stacks are not roots, as for the runtime's collector; a
#    runtime.p, whose pointer mask Go 1.27 builds only on first use, is
#    read by the mask heapscan builds, so its pcache.base, a uintptr, is no
#    reference). Before both, a shared buffer belonged to no group in about
#    one run in three (10 or 11 x 65536); since, 12 in every run measured
#    (Go 1.19, 1.26, 1.27);
#  - a dump has no "retained"; a dump and a core side by side: the same
#    holding group in both, retained null for the dump;
#  - damage (newest Go): allgs' pointers overwritten -> a warning line,
#    exit 0; allgs emptied -> `goroutines` exit 2 with one line; never a
#    crash.
# Under ASan (HEAPSCAN_SANITIZED=1) only the newest Go. Cores are deleted.
# Usage: bash tests/e2e/go_core_goroutines.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: go_core_goroutines.sh HEAPSCAN}
HS=$(cd "$(dirname "$HS")" && pwd)/$(basename "$HS")
source tests/e2e/lib/go.sh
source tests/e2e/lib/gocore.sh
tmp=$(mktemp -d)
cleanup() {
  gocore_kill
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
versions=("${GO_VERSIONS[@]}")
[ "${HEAPSCAN_SANITIZED:-0}" = 1 ] && versions=("$GO_NEWEST")

cat >"$tmp/check.py" <<'PY'
import json, sys
v, d = sys.argv[1], sys.argv[2]
dump, core = json.load(open(f"{d}/dump.json")), json.load(open(f"{d}/core.json"))
info = json.load(open(f"{d}/info.json"))["info"]
t = json.load(open(f"{d}/truth.json"))
truth, hold, hold_bytes = t["truth"], t["hold"], t["hold_bytes"]
bad = []
def want(ok, msg):
    print(f"  {'ok  ' if ok else 'FAIL'} {msg}")
    if not ok: bad.append(msg)
def key(g):  # Go 1.19's dumps print no labels: compared on 1.26+ only
    return (g["function"], g["state"], g["created_by"], g["labels"] if v != "1.19" else None,
            tuple((f["function"], f["line"]) for f in g["stack"]))
def is_main(g):
    return any(f["function"] == "main.main" for f in g["stack"])
dg = {key(g): g["counts"][0] for g in dump["groups"] if not is_main(g)}
cg = {key(g): g["counts"][0] for g in core["groups"] if not is_main(g)}
want(dg == cg, f"groups but main's: core {len(cg)} = dump {len(dg)}, same keys and counts"
     + ("" if dg == cg else f"; dump only {set(dg) - set(cg)}; core only {set(cg) - set(dg)}"))
by_fn = {g["function"]: g for g in core["groups"]}
for fn, n in (("main.leakRecv.func1", truth["leak_recv"]), ("main.leakSend.func1", truth["leak_send"]),
              ("main.leakSelect.func1", truth["leak_select"]), ("main.(*pool).worker", truth["pool"]),
              ("main.leakHold.func1", hold)):
    want(by_fn.get(fn, {}).get("counts") == [n], f"{fn}: {by_fn.get(fn, {}).get('counts')} = truth {n}")
# The pool runs under pprof.Do(Labels("pool", "workers")): Go 1.22+ keeps
# labels as a list, 1.19 as a map[string]string; the core reader reads both
# (1.19's dumps print no labels: construction is the truth there).
lab = by_fn.get("main.(*pool).worker", {}).get("labels")
want(lab == "pool=workers", f"pool labels {lab!r}, construction 'pool=workers'")
unlabelled = [g["function"] for g in core["groups"] if g["labels"] and g["function"] != "main.(*pool).worker"]
want(not unlabelled, f"no other group has labels: {unlabelled}")
want(core["totals"] == [truth["total"]] == [truth["num_goroutine"]],
     f"total {core['totals']} = truth {truth['total']} = NumGoroutine {truth['num_goroutine']}")
mains = [g for g in core["groups"] if is_main(g)]
want(len(mains) == 1 and mains[0]["state"] == "sleep" and mains[0]["function"] == "time.Sleep"
     and any(f["function"] == "main.coreMoment" for f in mains[0]["stack"]), "main sleeps in main.coreMoment")
states = {"chan receive": truth["leak_recv"] + hold + truth["pool"], "chan send": truth["leak_send"],
          "select": truth["leak_select"], "sleep": 1, "syscall": truth["signal"]}
sig = [g for g in core["groups"] if g["function"] == "os/signal.signal_recv"]
want(len(sig) == 1 and sig[0]["state"] == "syscall" and len(sig[0]["stack"]) >= 2,
     "os/signal's goroutine in a system call, unwound past its first frame")
for s, n in states.items():
    want(info.get(f"goroutines {s}") == str(n), f"info: goroutines {s} {info.get(f'goroutines {s}')} = {n}")
want(info.get("goroutines", "").startswith(f"{truth['total']} "), f"info: goroutines {info.get('goroutines')}")
r = by_fn.get("main.leakHold.func1", {}).get("retained", [0])[0]
want(r == hold * hold_bytes, f"holding group retains {r} B: construction {hold} x {hold_bytes} = "
     f"{hold * hold_bytes}")
want(all("retained" not in g for g in dump["groups"]), "a dump has no retained")
sys.exit(1 if bad else 0)
PY

# Overwrites len bytes at the core's virtual address va (python: PT_LOADs).
cat >"$tmp/patch.py" <<'PY'
import struct, sys
path, va, data = sys.argv[1], int(sys.argv[2], 16), bytes.fromhex(sys.argv[3])
f = open(path, "r+b"); h = f.read(64)
phoff, phentsize, phnum = struct.unpack_from("<Q", h, 32)[0], *struct.unpack_from("<HH", h, 54)
for i in range(phnum):
    f.seek(phoff + i * phentsize)
    typ, flags, off, vaddr, paddr, filesz = struct.unpack("<IIQQQQ", f.read(40))
    if typ == 1 and vaddr <= va < vaddr + filesz:
        f.seek(off + va - vaddr); f.write(data); sys.exit(0)
sys.exit("address not in the core")
PY

for v in "${versions[@]}"; do
  echo "== Go $v"
  exe=$tmp/goleak-$v d=$tmp/$v
  start=$SECONDS
  gocore_build "$v" testdata/gen/goleak "$exe" -trimpath || fail "build"
  mkdir -p "$d"
  # The dump prints the pool's labels as the core holds them (Go 1.26+;
  # 1.27's default only for a module that says go 1.27).
  gocore_take "$d/core" "$d/ready" env GODEBUG=tracebacklabels=1 "$exe" -core "$d" || fail "no core of goleak"
  "$HS" goroutines --format json -n 0 "$d/goroutine.dump.txt" >"$d/dump.json"
  "$HS" goroutines --format json -n 0 "$d/core" >"$d/core.json"
  "$HS" info --format json "$d/core" >"$d/info.json"
  python3 "$tmp/check.py" "$v" "$d" || fail "Go $v: core goroutines differ from the truth"
  "$HS" goroutines "$d/goroutine.dump.txt" "$d/core" >"$d/both.txt" || fail "dump and core side by side"
  grep -q "retained" "$d/both.txt" || fail "no retained column with a core"
  "$HS" goroutines --format json -n 0 "$d/goroutine.dump.txt" "$d/core" >"$d/both.json"
  python3 - "$d/both.json" <<'PY' || fail "dump and core side by side: retained"
import json, sys
g = {x["function"]: x for x in json.load(open(sys.argv[1]))["groups"]}["main.leakHold.func1"]
assert g["counts"] == [12, 12] and g["retained"] == [None, 12 * 65536], g
print("  ok   dump then core: the holding group", g["counts"], "retained", g["retained"])
PY
  if [ "$v" = "$GO_NEWEST" ]; then
    allgs=$(go_cmd "$v" tool nm "$exe" | awk '$3 == "runtime.allgs" {print $1}')
    arr=$(python3 - "$d/core" "$allgs" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb"); h = f.read(64); va = int(sys.argv[2], 16)
phoff, phentsize, phnum = struct.unpack_from("<Q", h, 32)[0], *struct.unpack_from("<HH", h, 54)
for i in range(phnum):
    f.seek(phoff + i * phentsize)
    typ, flags, off, vaddr, paddr, filesz = struct.unpack("<IIQQQQ", f.read(40))
    if typ == 1 and vaddr <= va < vaddr + filesz:
        f.seek(off + va - vaddr); print("%x" % struct.unpack("<Q", f.read(8))[0])
PY
)
    # bad g pointers: the first 64 entries of allgs point into nowhere or at text
    python3 "$tmp/patch.py" "$d/core" "$arr" "$(printf '0100000000000000%.0s' $(seq 32))$(printf '0010400000000000%.0s' $(seq 32))"
    set +e
    "$HS" info "$d/core" >"$d/bad.txt" 2>&1; rc=$?
    set -e
    [ $rc = 0 ] || fail "bad g pointers: exit $rc: $(tail -3 "$d/bad.txt")"
    grep -q "warning: goroutines: .* unreadable" "$d/bad.txt" || fail "bad g pointers: no warning ($(grep gorout "$d/bad.txt"))"
    echo "  ok   bad g pointers: exit 0, $(grep "warning: goroutines" "$d/bad.txt")"
    python3 "$tmp/patch.py" "$d/core" "$allgs" "$(printf '00%.0s' $(seq 24))" # allgs = nil slice
    set +e
    "$HS" goroutines "$d/core" >"$d/bad.txt" 2>&1; rc=$?
    set -e
    [ $rc = 2 ] && [ "$(wc -l <"$d/bad.txt")" = 1 ] || fail "allgs zeroed: exit $rc: $(cat "$d/bad.txt")"
    echo "  ok   allgs zeroed: exit 2: $(cat "$d/bad.txt")"
  fi
  rm -f "$d/core"
  echo "  Go $v: $((SECONDS - start)) s"
done
echo "PASS go_core_goroutines"
