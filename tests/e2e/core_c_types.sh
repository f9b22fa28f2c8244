#!/usr/bin/env bash
# Heap objects typed from the program's DWARF (formats/ctypes.c), through
# the CLI. In the gcore'd ctypes process (testdata/gen/ctypes, built with
# -g) the number of chunks of each type equals what the program built (its
# sidecar): 50 struct session in a list from a global, each with a char[]
# name, one struct config and its array of struct rule (one block), 10
# point_t (a typedef'd anonymous struct) from a global array, one block
# behind a void * that no type reaches. The same counts come from the
# DWARF alone in a separate file found by build ID under --debug-dir, or by
# its .gnu_debuglink name (next to the file, in .debug, under --debug-dir), and
# no struct is named without DWARF. In cheap-c and cheap-cxx the list and
# tree nodes from globals get their struct's name (counts from their
# sidecars).
# Usage: bash tests/e2e/core_c_types.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: core_c_types.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
top() { # core binary out [options]
  local core=$1 bin=$2 out=$3
  shift 3
  "$HS" top "testdata/cores/$core.core.gz" --binary "$bin" --by type -n 0 --format json "$@" >"$tmp/$out.json"
}
for f in ctypes cheap-c cheap-cxx; do
  gzip -dc "testdata/cores/$f.bin.gz" >"$tmp/$f.bin"
  top "$f" "$tmp/$f.bin" "$f"
done
# The DWARF in a separate file, as a distribution ships it (build-id path).
id=$(readelf -n "$tmp/ctypes.bin" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
mkdir -p "$tmp/debug/.build-id/${id:0:2}"
objcopy --only-keep-debug "$tmp/ctypes.bin" "$tmp/debug/.build-id/${id:0:2}/${id:2}.debug"
cp "$tmp/ctypes.bin" "$tmp/stripped.bin"
strip -g "$tmp/stripped.bin"
top ctypes "$tmp/stripped.bin" debugdir --debug-dir "$tmp/debug"
top ctypes "$tmp/stripped.bin" nodebug
# Found by its .gnu_debuglink name instead: next to the file, in its .debug
# directory, under --debug-dir (no build-id tree there).
mkdir -p "$tmp/dbg" "$tmp/next" "$tmp/sub/.debug" "$tmp/linkdir" "$tmp/alone"
objcopy --only-keep-debug "$tmp/ctypes.bin" "$tmp/dbg/ctypes.debug"
objcopy --add-gnu-debuglink="$tmp/dbg/ctypes.debug" "$tmp/stripped.bin" "$tmp/dbg/linked.bin"
cp "$tmp/dbg/linked.bin" "$tmp/next/" && cp "$tmp/dbg/ctypes.debug" "$tmp/next/"
cp "$tmp/dbg/linked.bin" "$tmp/sub/" && cp "$tmp/dbg/ctypes.debug" "$tmp/sub/.debug/"
cp "$tmp/dbg/linked.bin" "$tmp/alone/" && cp "$tmp/dbg/ctypes.debug" "$tmp/linkdir/"
top ctypes "$tmp/next/linked.bin" link_next
top ctypes "$tmp/sub/linked.bin" link_sub
top ctypes "$tmp/alone/linked.bin" link_debugdir --debug-dir "$tmp/linkdir"
top ctypes "$tmp/alone/linked.bin" link_missing
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
def load(n):
    return json.load(open(f"{d}/{n}.json"))
def counts(n):
    return {r["name"]: r["count"] for r in load(n)["rows"]}
side = json.load(open("testdata/cores/ctypes.json"))
fails = []
def check(what, got, want):
    print(("ok   " if got == want else "FAIL ") + f"{what}: got {got}, want {want}")
    if got != want:
        fails.append(what)
want = {"struct session": side["sessions"], "char[]": side["session_names"],
        "struct config": side["configs"], "struct rule": side["rule_arrays"], "point_t": side["points"]}
for run in ("ctypes", "debugdir", "link_next", "link_sub", "link_debugdir"):
    got = counts(run)
    for name, n in want.items():
        check(f"{run}: {name}", got.get(name, 0), n)
    typed = {n for n in got if not n.startswith(("unknown ", "glibc "))}
    check(f"{run}: no other type", sorted(typed - set(want)), [])
    # glibc counts tcache chunks as in use; the sidecar's FILE is one of them.
    untyped = sum(c for n, c in got.items() if n.startswith("unknown "))
    check(f"{run}: untyped chunks (the void * block)", untyped, side["untyped"])
for run in ("nodebug", "link_missing"):
    check(f"{run}: no struct named", sorted(n for n in counts(run) if n in want), [])
for core, name, key in (("cheap-c", "struct tree", "tree"), ("cheap-cxx", "Node", "list")):
    s = json.load(open(f"testdata/cores/{core}.json"))
    check(f"{core}: {name}", counts(core).get(name, 0), s[key])
sys.exit(1 if fails else 0)
PY
