#!/usr/bin/env bash
# libstdc++ containers named by their shape (formats/cxxshapes.c), through
# the CLI, on the gcore'd cxxshapes process (testdata/gen/cxxshapes, built
# without debug info): the number of chunks of each shape equals what the
# program built (its sidecar: counts by construction, deque blocks counted
# by the program from element addresses), no other chunk carries a shape's
# name, `leaks` reports exactly the leaked std::vector (its 32-byte object
# and its body), and the heap adds up to mallinfo2()'s bytes in use. In
# cheap-cxx (a C++ process with no standard container) no chunk is named
# after a shape.
# Usage: bash tests/e2e/core_cxx_shapes.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: core_cxx_shapes.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in cxxshapes cheap-cxx; do
  gzip -dc "testdata/cores/$f.bin.gz" >"$tmp/$f.bin"
  "$HS" top "testdata/cores/$f.core.gz" --binary "$tmp/$f.bin" --by type -n 0 --format json >"$tmp/$f.top.json"
done
"$HS" leaks testdata/cores/cxxshapes.core.gz --binary "$tmp/cxxshapes.bin" -n 0 --format json >"$tmp/leaks.json"
"$HS" info testdata/cores/cxxshapes.core.gz --binary "$tmp/cxxshapes.bin" --format json >"$tmp/info.json"
python3 - testdata/cores/cxxshapes.json "$tmp" <<'PY'
import json, sys
side = json.load(open(sys.argv[1]))
d = sys.argv[2]
top, cheap, lk, info = (json.load(open(f"{d}/{n}.json")) for n in ("cxxshapes.top", "cheap-cxx.top", "leaks", "info"))
fails = []
def check(what, got, want):
    print(("ok   " if got == want else "FAIL ") + f"{what}: got {got}, want {want}")
    if got != want:
        fails.append(what)
want = {
    "std::vector body": side["vector_bodies"],
    "std::vector body (in Registry)": side["vector_bodies_in_registry"],
    "std::string body": side["string_bodies"],
    "std::string body (in Registry)": side["string_bodies_in_registry"],
    "std::map/set node": side["map_nodes"],
    "std::unordered_map/set buckets": side["unordered_buckets"],
    "std::unordered_map/set node": side["unordered_nodes"],
    "std::deque map": side["deque_maps"],
    "std::deque block": side["deque_blocks"],
    "Widget (in std::shared_ptr control block)": side["shared_widgets"],
    "Registry": side["registries"],
}
shape = ("std::", "Widget")
got = {r["name"]: r["count"] for r in top["rows"]}
for name, n in want.items():
    check(name, got.get(name, 0), n)
check("no other chunk named after a shape",
      sorted(n for n in got if n.startswith(shape) and n not in want), [])
check("cheap-cxx: no chunk named after a shape",
      sorted(r["name"] for r in cheap["rows"] if r["name"].startswith("std::")), [])
# glibc counts chunks in tcache and fastbins as in use.
mi = side["mallinfo2"]
check("free chunks in bins", info["heap"]["bin"], 0)
check("used + tcache/fastbin bytes = mallinfo2 uordblks",
      top["total"]["size"] + info["heap"]["free"]["size"], mi["uordblks"])
def chunk(n):  # glibc on 64-bit Linux, below the mmap threshold
    return max(32, (n + 8 + 15) & ~15)
check("leaked objects", lk["total"]["count"], side["leaked"])
check("leaked bytes", lk["total"]["size"], chunk(24) + chunk(4 * side["leaked_vector_len"]))
rows = {r["name"]: r["count"] for r in lk["rows"]}
check("leaked vector bodies", rows.get("std::vector body", 0), side["leaked_vector_bodies"])
check("leak roots", len(lk["leak_roots"]), 1)
sys.exit(1 if fails else 0)
PY
