#!/usr/bin/env bash
# Heap commands on the small C++ core of testdata/gen/cheap (numbers from its
# JSON sidecar and glibc's chunk rule, never from heapscan): `leaks` finds
# exactly the N_LEAK blocks, each a leak root of one 80-byte chunk
# ((72 + 8 + 15) & ~15), in the exact JSON schema of issue 4; `top --by type`
# counts the Button and Label objects; in `dominators` one list node retains
# the LIST_LEN-node list as a chain, and `paths` to its tail passes LIST_LEN
# objects; `graph` renders with dot.
# Gates of a heap diff on a core diffed with itself (every delta is 0 by
# construction): signed gates compare the delta, unsigned ones the AFTER value.
# Usage: bash tests/e2e/heap_core_commands.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: heap_core_commands.sh HEAPSCAN}
core=testdata/cores/cheap-cxx.core.gz
side=testdata/cores/cheap-cxx.json
[ -f "$core" ] || { echo "FAIL: missing fixture $core" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc testdata/cores/cheap-cxx.bin.gz >"$tmp/cheap.bin"
B=(--binary "$tmp/cheap.bin")

run() { # NAME heapscan-args...: stdout to $tmp/NAME; failure fails the test
  local name=$1; shift
  if ! "$HS" "$@" >"$tmp/$name" 2>"$tmp/err"; then
    echo "FAIL: heapscan $* exited non-zero:" >&2
    cat "$tmp/err" >&2
    exit 1
  fi
}
run leaks.json leaks "$core" "${B[@]}" -n 0 --format json
run roots.json top "$core" "${B[@]}" --by root -n 0 --format json
run types.json top "$core" "${B[@]}" --by type -n 0 --format json
run dom.json dominators "$core" "${B[@]}" --min-retained 0 --depth 50 --format json
run leaks.txt leaks "$core" "${B[@]}"
run graph.dot graph "$core" "${B[@]}"
dot -Tsvg "$tmp/graph.dot" -o /dev/null

python3 - "$side" "$tmp" "$HS" "$core" "$tmp/cheap.bin" <<'PY'
import json, subprocess, sys
side, tmp, hs, core, binary = sys.argv[1:6]
side = json.load(open(side))
fails = []
def check(what, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + f"{what}: got {got}, want {want}")
    if not ok:
        fails.append(what)

chunk = (side["leak_size"] + 8 + 15) & ~15
lk = json.load(open(tmp + "/leaks.json"))
check("leaks: top-level keys", sorted(lk), sorted(["file", "format", "by", "total", "rows", "leak_roots"]))
check("leaks: format", lk["format"], "elf-core")
check("leaks: total count", lk["total"]["count"], side["leaked"])
check("leaks: total size", lk["total"]["size"], side["leaked"] * chunk)
check("leaks: row keys", all(sorted(r) == ["count", "name", "retained", "size"] for r in lk["rows"]), True)
check("leaks: rows", [(r["name"], r["count"], r["size"]) for r in lk["rows"]],
      [("unknown %dB" % chunk, side["leaked"], side["leaked"] * chunk)])
check("leaks: leak roots", len(lk["leak_roots"]), side["leaked"])
check("leaks: each leak root retains its chunk", {r["retained"] for r in lk["leak_roots"]}, {chunk})

node = (32 + 8 + 15) & ~15  # struct Node {Node *next; long value[3];} in a glibc chunk
roots = {r["name"]: r for r in json.load(open(tmp + "/roots.json"))["rows"]}
check("g_list points at one list node", roots.get("g_list", {}).get("size"), node)
types = {r["name"]: r for r in json.load(open(tmp + "/types.json"))["rows"]}
check("Button objects", types.get("Button", {}).get("count"), side["buttons"])
check("Label objects", types.get("Label", {}).get("count"), side["labels"])

dom = json.load(open(tmp + "/dom.json"))
nodes = dom["nodes"]
check("dominators: first node is the super-root", nodes[0]["kind"], "super-root")
# The list head retains the whole list (a stale stack slot may also point at
# it, so g_list itself need not dominate it): LIST_LEN chunks as a chain.
heads = [i for i, n in enumerate(nodes)
         if n.get("kind") == "object" and n.get("size") == node and n["retained"] == side["list"] * node]
check("dominators: one object retains the whole list", len(heads), 1)
chain = []
if heads:
    d = nodes[heads[0]]["depth"]
    for n in nodes[heads[0] + 1:]:
        if n["depth"] <= d:
            break
        chain.append(n)
check("dominators: list nodes below the head", len(chain), side["list"] - 1)
if chain:
    tail = max(chain, key=lambda n: n["depth"])
    p = json.loads(subprocess.run([hs, "paths", core, tail["address"], "--binary", binary,
                                   "--format", "json"], check=True, capture_output=True).stdout)
    check("paths: objects on the path to the list tail", len(p["hops"]) - 1, side["list"])
    check("paths: the path starts at a root", p["hops"][0]["kind"], "root")
    check("paths: some root reaches the tail", p["roots_reaching"] >= 1, True)
txt = open(tmp + "/leaks.txt").read()
check("leaks text names the leak roots", "Leak roots: %d" % side["leaked"] in txt, True)
sys.exit(1 if fails else 0)
PY

gate() { # WANT-EXIT GATE...
  local want=$1; shift
  local args=() g
  for g in "$@"; do args+=(--fail-if "$g"); done
  local rc=0
  "$HS" diff "$core" "$core" "${args[@]}" >/dev/null 2>"$tmp/gate.err" || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL: diff with gates $* exited $rc, want $want" >&2; cat "$tmp/gate.err" >&2; exit 1
  fi
}
gate 0 'total>+0' 'any.count>+0' 'total.retained<-1' 'total<1KiB'
gate 1 'total>=+0'
gate 1 'total>1KiB'
gate 1 'any.count>=+0'
gate 2 'total>5%'
grep -q "total>5%" "$tmp/gate.err" || { echo "FAIL: bad gate not named" >&2; exit 1; }
echo "heap_core_commands: ok"
