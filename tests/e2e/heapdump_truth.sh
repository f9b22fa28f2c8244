#!/usr/bin/env bash
# Retained sizes of a real Go heap dump against what is known by construction
# (testdata/gen/heapdump/main.go; numbers from its JSON sidecar and Go's size
# classes, never from heapscan): the global holding the 1023-node tree retains
# exactly 1023*64 = 65472 bytes; two globals sharing one object retain nothing
# alone; the leaf slice retains its 896-byte backing array + 100 32-byte leaves;
# the worker goroutine's frame holds its 20480-byte buffer; the deepest tree
# node is 10 references below main.treeRoot.
# Run on the dump of every Go version (testdata/heapdumps/goVERSION, the
# program rebuilt by that version for --binary and checked to be the one
# that wrote it; else, after toolchain drift, a fresh dump from the rebuilt
# program) and on the older Go 1.19 dump at the top (its executable committed).
# Usage: bash tests/e2e/heapdump_truth.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: heapdump_truth.sh HEAPSCAN}
HS=$(cd "$(dirname "$HS")" && pwd)/$(basename "$HS")
source tests/e2e/lib/go.sh
source testdata/gen/heapdump/build.sh
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT

# check_dump DUMP SIDECAR BINARY LABEL: every check below on one dump.
check_dump() {
local dump=$1 side=$2 tmp=$top/$4
mkdir -p "$tmp"
cp "$3" "$tmp/tree.bin"
echo "== $4: $dump"

run() { # run a heapscan command; its failure fails the test with its stderr
  if ! "$HS" "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL: heapscan $* exited non-zero:" >&2
    cat "$tmp/err" >&2
    exit 1
  fi
}

run top "$dump" --binary "$tmp/tree.bin" --by root -n 0 --format json
cp "$tmp/out" "$tmp/roots.json"
run top "$dump" --binary "$tmp/tree.bin" --by object -n 0 --format json
cp "$tmp/out" "$tmp/objects.json"
run dominators "$dump" --binary "$tmp/tree.bin" --format json
cp "$tmp/out" "$tmp/dom.json"
run leaks "$dump" --format json
cp "$tmp/out" "$tmp/leaks.json"
run info "$dump"
cp "$tmp/out" "$tmp/info.txt"
leaf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tree_leaf"])' "$side")
shared=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["shared"])' "$side")
run paths "$dump" "$leaf" --binary "$tmp/tree.bin" --format json
cp "$tmp/out" "$tmp/leafpath.json"
run paths "$dump" "$shared" --binary "$tmp/tree.bin" --format json
cp "$tmp/out" "$tmp/sharedpath.json"

python3 - "$side" "$tmp" "$4" <<'PY'
import json, sys
side = json.load(open(sys.argv[1]))
tmp = sys.argv[2]
roots = json.load(open(tmp + "/roots.json"))
objs = json.load(open(tmp + "/objects.json"))
fails = []
def check(what, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + f"{what}: got {got}, want {want}")
    if not ok:
        fails.append(what)

check("top --by root: format", roots.get("format"), "go-heapdump")
check("top --by root: by", roots.get("by"), "root")
ms = side["memstats"]
if side["go_version"].startswith("go1.19"):
    check("total count = MemStats.HeapObjects", roots["total"]["count"], ms["HeapObjects"])
    check("total size = MemStats.HeapAlloc", roots["total"]["size"], ms["HeapAlloc"])
else:
    # Go 1.26 and later also write free slots of in-use spans as objects
    # (none reachable): the reachable part is within the runtime's counts,
    # the whole dump beyond them.
    reach = json.load(open(tmp + "/leaks.json"))
    rc = roots["total"]["count"] - reach["total"]["count"]
    rs = roots["total"]["size"] - reach["total"]["size"]
    check("reachable count <= MemStats.HeapObjects <= total count",
          rc <= ms["HeapObjects"] <= roots["total"]["count"], True)
    check("reachable size <= MemStats.HeapAlloc <= total size",
          rs <= ms["HeapAlloc"] <= roots["total"]["size"], True)

byname = {}
for r in roots["rows"]:
    byname[r["name"]] = r
def root(name, key):
    return byname.get(name, {}).get(key)

check("main.treeRoot retained", root("main.treeRoot", "retained"), side["tree_retained"])
check("main.treeRoot dominated objects", root("main.treeRoot", "count"), side["tree_nodes"])
check("main.sharedA retained (shared object not retained alone)", root("main.sharedA", "retained"), 0)
check("main.sharedB retained (shared object not retained alone)", root("main.sharedB", "retained"), 0)
# Go 1.19 size classes: 800 bytes of pointers -> 896, a 32-byte leaf -> 32.
check("main.leafSlice retained", root("main.leafSlice", "retained"),
      896 + side["leaf_count"] * side["leaf_size"])
# finHolder is 32 bytes; its child is also reachable through the global, so
# the finalizer root alone retains nothing.
check("main.finObj retained", root("main.finObj", "retained"), 32)
fin = "finalizer main.main.func1 for " + side["fin_obj"]
check("registered finalizer root retained", root(fin, "retained"), 0)
worker = "goroutine %d main.worker" % side["worker"]["goid"]
check("worker frame retains at least its buffer", (root(worker, "retained") or 0) >= 20480, True)

byaddr = {int(r["address"], 16): r for r in objs["rows"]}
def obj(addr, key):
    return byaddr.get(int(addr, 16), {}).get(key)
check("top --by object: by", objs.get("by"), "object")
check("tree root object retained", obj(side["tree_root"], "retained"), side["tree_retained"])
check("tree root object size", obj(side["tree_root"], "size"), side["node_size"])
check("shared object retained (only itself)", obj(side["shared"], "retained"), side["shared_size"])
check("worker buffer retained (20000 B -> 20480 size class)", obj(side["worker"]["buf_addr"], "retained"), 20480)
nodes64 = sum(1 for r in objs["rows"] if r["size"] == 64)
check("at least the 1023 tree nodes have size 64", nodes64 >= side["tree_nodes"], True)

# dominators: some node names main.treeRoot and carries 65472 retained bytes.
def walk(x):
    if isinstance(x, dict):
        yield x
        for v in x.values():
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)
dom = json.load(open(tmp + "/dom.json"))
hit = any("main.treeRoot" in json.dumps([v for v in d.values() if isinstance(v, str)])
          and side["tree_retained"] in [v for v in d.values() if isinstance(v, int)]
          for d in walk(dom))
check("dominators JSON has main.treeRoot retaining 65472", hit, True)

# paths: the deepest leftmost node hangs 10 references below main.treeRoot.
lp = json.load(open(tmp + "/leafpath.json"))
hops = lp.get("hops", [])
check("paths to the deepest tree node: first hop", hops[0].get("name") if hops else None, "main.treeRoot")
check("paths to the deepest tree node: objects on the path", len(hops) - 1, side["tree_depth"])
check("paths to the deepest tree node: roots reaching", lp.get("roots_reaching"), 1)
sp = json.load(open(tmp + "/sharedpath.json"))
check("paths to the shared object: roots reaching (sharedA, sharedB)", sp.get("roots_reaching"), 2)

info = open(tmp + "/info.txt").read()
check("info shows HeapObjects from memstats", str(ms["HeapObjects"]) in info, True)
check("info shows the Go version", side["go_version"] in info, True)
sys.exit(1 if fails else 0)
PY
}

gzip -dc testdata/heapdumps/tree.bin.gz >"$top/tree-1.19-top.bin"
rc=0
check_dump testdata/heapdumps/tree.dump.gz testdata/heapdumps/tree.json "$top/tree-1.19-top.bin" go1.19-top || rc=1
for v in "${GO_VERSIONS[@]}"; do
  d=testdata/heapdumps/go$v
  go_root "$v" >/dev/null || { rc=1; continue; }
  go_build_heapdump "$v" "$top/tree-$v.bin" || { echo "FAIL: building testdata/gen/heapdump with Go $v"; rc=1; continue; }
  if [ "$(sha256sum <"$top/tree-$v.bin" | cut -d' ' -f1)" = "$(cat "$d/tree.bin.sha256")" ]; then
    check_dump "$d/tree.dump.gz" "$d/tree.json" "$top/tree-$v.bin" "go$v" || rc=1
  else
    echo "(Go $v builds another executable than the one that wrote $d: checking a fresh dump)"
    mkdir -p "$top/fresh-$v"
    "$top/tree-$v.bin" "$top/fresh-$v/tree.dump" "$top/fresh-$v/tree.json" || { rc=1; continue; }
    check_dump "$top/fresh-$v/tree.dump" "$top/fresh-$v/tree.json" "$top/tree-$v.bin" "go$v-fresh" || rc=1
  fi
done
exit $rc
