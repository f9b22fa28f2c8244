#!/usr/bin/env bash
# Go cores against the same process's own heap dump and against construction
# (testdata/gen/gocore/main.go). For every Go version the program is built,
# run until it has written its heap dump, and dumped by gdb's gcore (cores of
# Go processes are hundreds of MB of mostly reserved address space: made
# here, never committed). Truth from outside heapscan's core reader:
#   - every object of the heap dump is an object of the core at the same
#     address and size, except the dump's phantom slots past a span's
#     nelems (Go 1.22+ WriteHeapDump walks npages*8192/elemsize slots: they
#     overlap the heap bits and inline mark bits, the last 256 bytes of a
#     page); the core has at most 1% more (allocated after the dump);
#   - object count within 1% of MemStats.HeapObjects, bytes within 1% of
#     MemStats.HeapAlloc (the runtime's own counters, carried by the dump);
#   - references and reachable objects within 1% of the heap dump's (the
#     runtime's own pointer maps and roots; the dump's phantom slots are
#     unreachable there); of the objects in both, exactly the dump's are
#     unreachable in the core (stacks read by their pointer maps; main
#     keeps the dump's file live, so its frame reaches what it reached);
#   - main.deadKeep retains its 1.5 MiB buffer (1572864 B) as in the heap
#     dump, and deadFrame's goroutine nothing: the buffer's pointer is still
#     in a slot of deadFrame's frame, dead at the call it blocks in;
#   - main.treeRoot, main.spare and the worker goroutine retain what they
#     retain in the heap dump (main.sessions within 1%);
#   - main.treeRoot retains exactly the 1023-node tree, 65472 B, main.spare
#     its 4096-byte array and 500 nodes, 36096 B; the worker goroutine its
#     200000-byte buffer (25 pages, 204800 B);
#   - sharedA and sharedB each retain nothing of the 1 MiB buffer they share;
#   - main.keeper retains its 3072-byte array although main.keeperAddr, a
#     uintptr, holds its address: globals are read by the module's GC masks;
#   - finalizer roots as in the heap dump (same names; the dump also has
#     its own file's, closed before the core), main.finHolder's keeping what its
#     object points at: main.finHolder retains its 16-byte object only, in
#     the heap dump and in the core;
#   - the shortest path to the 200000-byte buffer starts at the worker
#     goroutine's stack; the 1 MiB and 200 KiB large objects are present;
#   - the Ms' g0 and gsignal objects are runtime.g, none "size-class 480 B";
#   - types: exactly 1523 main.node and 100 main.session objects (DWARF
#     types of globals followed along pointers, slices and map groups), 37
#     main.link held only by a goroutine's local variable (the variable's
#     DWARF type at its frame's pc; that goroutine retains them, 888 B), the
#     500-pointer array named by its element type *main.node (Go 1.22+: from
#     its malloc header) and, Go 1.24+, one map.group[string]*main.session;
#   - diff of two cores (the second with 50 more sessions): exactly +50
#     main.session, +5600 B, and --fail-if gates tripping or not;
#   - honest failure: the core without its executable asks for --binary
#     (exit 2) and works with it; another program's --binary is refused
#     (exit 2); a core of a program built without DWARF
#     says the layout is missing (exit 2), never "0 objects"; a damaged or
#     cut core is analysed as far as it goes (exit 0) or refused in one line
#     (exit 2), never a crash;
#   - the info line on the Ms' system stacks: not roots, the main thread's
#     stack being m0's g0 stack (cgo: the threads' own stacks are scanned);
#   - cgo (newest Go): both heaps walked, main.cbuf retains its 4016-byte
#     malloc chunk, main.spare and the worker exactly, the tree >= 95%.
# Usage: bash tests/e2e/go_core.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: go_core.sh HEAPSCAN}
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

# take_core EXE DUMP CORE: EXE writes its heap dump DUMP, then gcore.
take_core() { gocore_take "$3" "$tmp/ready" "$1" "$2" || fail "no core of $1"; }

json() { # FILE EXPR: print a value of a JSON file (python expression on j)
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

for v in "${GO_VERSIONS[@]}"; do
  echo "== Go $v"
  exe=$tmp/gocore-$v
  CGO_ENABLED=0 gocore_build "$v" testdata/gen/gocore "$exe" || fail "build"
  take_core "$exe" "$tmp/$v.dump" "$tmp/$v.core"
  "$HS" info --format json "$tmp/$v.dump" >"$tmp/dump.json"
  "$HS" info --format json "$tmp/$v.core" >"$tmp/core.json"
  "$HS" top --by root -n 0 --format json "$tmp/$v.core" >"$tmp/roots.json"
  "$HS" top --by type -n 0 --format json "$tmp/$v.core" >"$tmp/types.json"
  "$HS" top --by object -n 0 --format json "$tmp/$v.core" >"$tmp/cobj.json"
  "$HS" top --by object -n 0 --format json "$tmp/$v.dump" >"$tmp/dobj.json"
  "$HS" top --by root -n 0 --format json --binary "$exe" "$tmp/$v.dump" >"$tmp/droots.json"
  "$HS" leaks --by object -n 0 --format json "$tmp/$v.core" >"$tmp/cleaks.json"
  "$HS" leaks --by object -n 0 --format json "$tmp/$v.dump" >"$tmp/dleaks.json"
  python3 - "$v" "$tmp" <<'PY'
import json, sys
v, tmp = sys.argv[1], sys.argv[2]
dump = json.load(open(f"{tmp}/dump.json")); core = json.load(open(f"{tmp}/core.json"))
roots = {r["name"]: r for r in json.load(open(f"{tmp}/roots.json"))["rows"]}
types = {r["name"]: r for r in json.load(open(f"{tmp}/types.json"))["rows"]}
bad = []
def near(what, got, want, tol=0.01):
    ok = abs(got - want) <= tol * want
    print(f"  {what}: core {got}, truth {want} ({'ok' if ok else 'FAIL'})")
    if not ok: bad.append(what)
n, b = core["objects"]["count"], core["objects"]["size"]
near("objects vs MemStats.HeapObjects", n, int(dump["info"]["HeapObjects"]))
near("bytes vs MemStats.HeapAlloc", b, int(dump["info"]["HeapAlloc"]))
d = {int(r["address"], 16): r["size"] for r in json.load(open(f"{tmp}/dobj.json"))["rows"]}
c = {int(r["address"], 16): r["size"] for r in json.load(open(f"{tmp}/cobj.json"))["rows"]}
only_d = [a for a in d if c.get(a) != d[a]]
phantom = [a for a in only_d if a % 8192 + d[a] > 8192 - 256]
only_c = [a for a in c if a not in d]
print(f"  heap dump objects {len(d)}: {len(d) - len(only_d)} in the core, {len(phantom)} phantom slots, "
      f"{len(only_d) - len(phantom)} missing; core only: {len(only_c)}")
if len(phantom) != len(only_d): bad.append("dump objects missing from the core")
if len(only_c) > 0.01 * len(d): bad.append("core objects not in the dump")
sysst = core["info"].get("go system stacks", "")
print(f"  go system stacks: {sysst}")
if " Ms: g0 and gsignal stacks not roots" not in sysst or "main thread" not in sysst:
    bad.append("go system stacks info")
near("references vs heap dump", core["references"], dump["references"])
near("reachable objects vs heap dump", core["reachable"]["count"], dump["reachable"]["count"])
# Precise stacks: of the objects in both, exactly the dump's are unreachable.
common = {a for a in d if c.get(a) == d[a]}
def unreachable(f):
    return {int(r["address"], 16) for r in json.load(open(f"{tmp}/{f}"))["rows"]} & common
uc, ud = unreachable("cleaks.json"), unreachable("dleaks.json")
print(f"  of {len(common)} objects in both: unreachable in the core {len(uc)}, in the heap dump {len(ud)}; "
      f"differing {sorted(hex(a) for a in uc ^ ud)}")
if uc != ud: bad.append("reachable objects differ from the heap dump's")
for name, want in (("main.treeRoot", 1023 * 64), ("main.spare", 4096 + 500 * 64)):
    got = roots.get(name, {}).get("retained", 0)
    print(f"  {name} retains {got}, construction {want}")
    if got != want: bad.append(name)
droots = {r["name"]: r for r in json.load(open(f"{tmp}/droots.json"))["rows"]}
def worker_of(rs):
    return [r for k, r in rs.items() if k.startswith("goroutine ") and k.endswith(" main.worker")]
for name in ("main.treeRoot", "main.spare", "worker", "main.deadKeep"):
    got = (worker_of(roots) if name == "worker" else [roots.get(name, {})])[0].get("retained")
    want = (worker_of(droots) if name == "worker" else [droots.get(name, {})])[0].get("retained")
    print(f"  {name} retains {got}, in the heap dump {want}")
    if got != want: bad.append(f"{name} vs heap dump")
near("main.sessions retained vs heap dump", roots.get("main.sessions", {}).get("retained", 0),
     droots.get("main.sessions", {}).get("retained", 1))
worker = worker_of(roots)
got = worker[0]["retained"] if len(worker) == 1 else -1
print(f"  worker goroutine retains {got}, construction 204800")
if got != 204800: bad.append("worker goroutine")
got = roots.get("main.deadKeep", {}).get("retained", -1)
print(f"  main.deadKeep retains {got}, construction 1572864 (dead in deadFrame's frame)")
if got != 1572864: bad.append("main.deadKeep (a dead stack slot kept it)")
dead = [r for k, r in roots.items() if k.startswith("goroutine ") and k.endswith(" main.deadFrame")]
print(f"  deadFrame goroutine retains {[r['retained'] for r in dead]}, construction nothing")
if any(r["retained"] for r in dead): bad.append("deadFrame goroutine")
for name in ("main.sharedA", "main.sharedB"):
    got = roots.get(name, {}).get("retained", -1)
    print(f"  {name} retains {got} (shares the 1 MiB buffer: < 1 MiB)")
    if not (0 <= got < 1 << 20): bad.append(name)
fins = sorted(k for k in roots if k.startswith("finalizer "))
dfins = sorted(k for k in droots if k.startswith("finalizer "))
got, dgot = roots.get("main.finHolder", {}).get("retained", -1), droots.get("main.finHolder", {}).get("retained", -1)
print(f"  finalizer roots {fins} (heap dump {dfins}); main.finHolder retains {got} (dump {dgot}), construction 16")
# The heap dump's own file still had its finalizer when it was written.
mine = [k for k in fins if k.startswith("finalizer main.main.func")]
# What finHolder's finalizer holds directly: the 5000-byte array (a
# 5376-byte slot), not the 16-byte object. finHolder itself retains
# exactly its 16 bytes: neither the Ms' g0 stacks, where SetFinalizer ran,
# nor the registers of threads parked on them are roots (as for the
# runtime's collector; the runtime's heap dump has neither). Before that,
# 6 of 60 runs on Go 1.26 had 0: an M parked in a futex on its g0 stack
# (mPark, notesleep) with the object's address + 1 in R13.
fsize = roots.get(mine[0], {}).get("size") if len(mine) == 1 else None
dsize = droots.get(mine[0], {}).get("size") if len(mine) == 1 else None
print(f"  {mine} holds {fsize} B directly (dump {dsize}), construction 5376")
if (len(mine) != 1 or not set(fins) <= set(dfins) or got != 16 or dgot != 16
        or fsize != 5376 or dsize != 5376):
    bad.append("finalizer")
got = roots.get("main.keeper", {}).get("retained", -1)
print(f"  main.keeper retains {got}, construction 3072; main.keeperAddr (uintptr) a root: {'main.keeperAddr' in roots}")
if got != 3072 or "main.keeperAddr" in roots: bad.append("main.keeper / main.keeperAddr")
for name in ("[1048576]uint8", "large 204800 B (no pointers)"):
    if types.get(name, {}).get("count") != 1: bad.append(name); print(f"  FAIL: no {name}")
# The Ms' g0 and gsignal are runtime.g (Go 1.27 reaches them only through
# runtime.mPadded, a type its DWARF lacks); the program has no other
# object of the g's 480-byte size class.
if "size-class 480 B" in types or "runtime.g" not in types:
    bad.append("the Ms' g0 and gsignal named by size class")
# main.link: 37 objects of 24 bytes no malloc header types, held only by
# stackChain's local variable: named by its DWARF type at the frame's pc.
want = {"main.node": 1523, "main.session": 100, "*main.node": 1, "main.link": 37}
if v != "1.19": want["map.group[string]*main.session"] = 1
chain = [r for k, r in roots.items() if k.endswith(" main.stackChain")]
print(f"  stackChain goroutine retains {[r.get('retained') for r in chain]}, construction 37 x 24 = 888")
if len(chain) != 1 or chain[0].get("retained") != 888: bad.append("stackChain's list")
for name, n in want.items():
    got = types.get(name, {}).get("count", 0)
    print(f"  type {name}: {got} objects, construction {n}")
    if got != n: bad.append(name)
if bad: sys.exit(f"FAIL (Go {v}): " + ", ".join(bad))
PY
  "$HS" paths --format json "$tmp/$v.core" 'large 204800 B (no pointers)' >"$tmp/path.json"
  first=$(json "$tmp/path.json" 'j["hops"][0]["name"]')
  [[ $first == goroutine\ *\ main.worker ]] || fail "Go $v: worker buffer's path starts at '$first'"
  echo "  worker buffer: shortest path from '$first'"
  if [ "$v" = "$GO_NEWEST" ]; then
    # Without the executable: one line asking for it, exit 2; with --binary: works.
    mv "$exe" "$exe.moved"
    rc=0; "$HS" top "$tmp/$v.core" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" = 2 ] && grep -q "go1\..*--binary" "$tmp/err" || fail "no-binary: rc $rc, $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "no-binary: more than one line: $(cat "$tmp/err")"
    echo "  without its executable: $(cat "$tmp/err")"
    "$HS" info --format json --binary "$exe.moved" "$tmp/$v.core" >"$tmp/core2.json"
    [ "$(json "$tmp/core2.json" 'j["objects"]["count"]')" = "$(json "$tmp/core.json" 'j["objects"]["count"]')" ] ||
      fail "--binary: other object count"
    # Another program as --binary (the same source built by Go 1.19, or
    # goleak when the run leaves 1.19 out): one line, exit 2.
    other=$tmp/gocore-1.19
    [ -e "$other" ] || { other=$tmp/goleak; gocore_build "$v" testdata/gen/goleak "$other" || fail "build"; }
    rc=0; "$HS" info --binary "$other" "$tmp/$v.core" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "another program" "$tmp/err" ||
      fail "wrong --binary: rc $rc, $(cat "$tmp/err")"
    echo "  wrong --binary: $(cat "$tmp/err")"
    # Two cores of the program, the second with 150 sessions instead of 100:
    # diff --by type says +50 main.session (112-byte slots: +5600 B); a gate
    # on any type's growth trips (exit 1), one on the total does not.
    gocore_take "$tmp/more.core" "$tmp/ready2" env GOCORE_SESSIONS=150 "$exe.moved" "$tmp/more.dump" ||
      fail "no second core"
    rc=0; "$HS" diff --by type --format json --binary "$exe.moved" --fail-if 'any>+4KiB' \
      "$tmp/$v.core" "$tmp/more.core" >"$tmp/diff.json" || rc=$?
    [ "$rc" = 1 ] || fail "diff of two cores: --fail-if 'any>+4KiB' gave exit $rc (want 1)"
    got=$(json "$tmp/diff.json" '[(r["count"]["delta"], r["size"]["delta"]) for r in j["rows"] if r["name"] == "main.session"]')
    [ "$got" = "[(50, 5600)]" ] || fail "diff of two cores: main.session $got, construction [(50, 5600)]"
    rc=0; "$HS" diff --by type --binary "$exe.moved" --fail-if 'total>+50%' \
      "$tmp/$v.core" "$tmp/more.core" >/dev/null || rc=$?
    [ "$rc" = 0 ] || fail "diff of two cores: --fail-if 'total>+50%' gave exit $rc (want 0)"
    echo "  diff of two cores: main.session (count, size) delta $got; gates exit 1 and 0"
    rm -f "$tmp/more.core"
    # Damaged (bytes of the writable mappings overwritten, more each round;
    # then cut): exit 0 with what is left, or 2 with one line; never a crash.
    for round in 1 2 3 4 5 6; do
      if [ "$round" -le 4 ]; then
        python3 - "$tmp/$v.core" "$round" <<'PY'
import random, struct, sys
path, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
with open(path, "r+b") as f:
    h = f.read(64); phoff, = struct.unpack_from("<Q", h, 32); phnum, = struct.unpack_from("<H", h, 56)
    f.seek(phoff); ph = f.read(56 * phnum)
    for i in range(phnum):
        t, fl, off, va, pa, fs, ms, al = struct.unpack_from("<IIQQQQQQ", ph, 56 * i)
        if t != 1 or not fl & 2 or fs == 0 or fs > 64 << 20: continue
        for _ in range(max(1, fs * seed // 1000)):
            f.seek(off + rnd.randrange(fs)); f.write(bytes([rnd.randrange(256)]))
PY
      else
        truncate -s $(( $(stat -c %s "$tmp/$v.core") / 2 )) "$tmp/$v.core"
      fi
      rc=0; "$HS" info --binary "$exe.moved" "$tmp/$v.core" >"$tmp/out" 2>"$tmp/err" || rc=$?
      case $rc in
        0) echo "  damaged ($round): $(grep -E '^Objects|Go heap' "$tmp/out" | tr -s ' ' | tr '\n' ' ')" ;;
        2) [ "$(wc -l <"$tmp/err")" = 1 ] || fail "damaged ($round): $(cat "$tmp/err")"
           echo "  damaged ($round): exit 2: $(cat "$tmp/err")" ;;
        *) fail "damaged ($round): exit $rc: $(cat "$tmp/err")" ;;
      esac
    done
    rm -f "$tmp/$v.core"
    # Built without DWARF: the layout is missing, said in one line.
    CGO_ENABLED=0 gocore_build "$v" testdata/gen/gocore "$exe-nodwarf" -ldflags=-w || fail "build"
    take_core "$exe-nodwarf" "$tmp/nodwarf.dump" "$tmp/nodwarf.core"
    rc=0; "$HS" top "$tmp/nodwarf.core" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" = 2 ] && grep -q "heap layout not supported: .*DWARF" "$tmp/err" || fail "no DWARF: rc $rc, $(cat "$tmp/err")"
    echo "  without DWARF: $(cat "$tmp/err")"
    rm -f "$tmp/nodwarf.core"
    # cgo: both heaps; main.cbuf holds a 4000-byte malloc block (a 4016-byte
    # chunk). Not exact: runtime memory that shares mappings with C's is
    # scanned, so stray words reach into the tree.
    CGO_ENABLED=1 gocore_build "$v" testdata/gen/gocore "$exe-cgo" || fail "build"
    take_core "$exe-cgo" "$tmp/cgo.dump" "$tmp/cgo.core"
    "$HS" info --format json "$tmp/cgo.core" >"$tmp/cgo.json"
    "$HS" top --by root -n 0 --format json "$tmp/cgo.core" >"$tmp/roots.json"
    python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
info = json.load(open(f"{tmp}/cgo.json"))["info"]
roots = {r["name"]: r["retained"] for r in json.load(open(f"{tmp}/roots.json"))["rows"]}
worker = [r for k, r in roots.items() if k.startswith("goroutine ") and k.endswith(" main.worker")]
print(f"  cgo: go system stacks: {info.get('go system stacks')}")
print(f"  cgo: allocators {[v for k, v in info.items() if k.startswith('allocator')]}; main.cbuf {roots.get('main.cbuf')}, "
      f"main.spare {roots.get('main.spare')}, worker {worker}, main.treeRoot {roots.get('main.treeRoot')}")
ok = (roots.get("main.cbuf") == 4016 and roots.get("main.spare") == 36096 and worker == [204800]
      and 0.95 * 65472 <= roots.get("main.treeRoot", 0) <= 65472
      and "thread's own stack (cgo), scanned as thread stacks" in info.get("go system stacks", "")
      and any("glibc" in v for k, v in info.items() if k.startswith("allocator"))
      and any("Go runtime" in v for k, v in info.items() if k.startswith("allocator")))
sys.exit(0 if ok else "FAIL: cgo core")
PY
    rm -f "$tmp/cgo.core"
  fi
  rm -f "$tmp/$v.core"
done
echo "PASS"
