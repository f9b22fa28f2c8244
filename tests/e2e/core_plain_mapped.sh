#!/usr/bin/env bash
# A plain (uncompressed) core is mapped, not inflated, and heapscan drops its
# pages from memory while and after scanning them (hs_source_release). The
# fixture cores inflate to 77 and 98 MB, so the 32 MiB release windows fire
# during the walk and the scans. Expected: the leak count and bytes of the
# JSON sidecar (chunk = (leak_size + 8 + 15) & ~15, glibc's rule) and the
# C++ class counts, on the plain core; and the same JSON as the .gz input
# for leaks, top --by type and top --by root (releasing pages never changes
# a byte that is read).
# Usage: bash tests/e2e/core_plain_mapped.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: core_plain_mapped.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in cheap-cxx cheap-c; do
  gz=testdata/cores/$name.core.gz
  [ -f "$gz" ] || { echo "FAIL: missing fixture $gz" >&2; exit 1; }
  gzip -dc "$gz" >"$tmp/$name.core"
  gzip -dc "testdata/cores/$name.bin.gz" >"$tmp/$name.bin"
  for input in "$tmp/$name.core" "$gz"; do
    tag=$( [ "$input" = "$gz" ] && echo gz || echo plain )
    for cmd in "leaks -n 0" "top --by type -n 0" "top --by root -n 0"; do
      out="$tmp/$name.$tag.${cmd// /_}.json"
      # shellcheck disable=SC2086
      "$HS" $cmd "$input" --binary "$tmp/$name.bin" --format json >"$out" 2>"$tmp/err" || {
        echo "FAIL: heapscan $cmd $input:" >&2; cat "$tmp/err" >&2; exit 1; }
    done
  done
done
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
fails = []
def check(what, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + f"{what}: got {got}, want {want}")
    if not ok:
        fails.append(what)
def load(name, tag, cmd):
    d = json.load(open(f"{tmp}/{name}.{tag}.{cmd}.json"))
    d.pop("file", None)  # the input's name differs by construction
    return d
for name in ("cheap-cxx", "cheap-c"):
    side = json.load(open(f"testdata/cores/{name}.json"))
    chunk = (side["leak_size"] + 8 + 15) & ~15
    lk = load(name, "plain", "leaks_-n_0")
    check(f"{name} plain: leaked count", lk["total"]["count"], side["leaked"])
    check(f"{name} plain: leaked bytes", lk["total"]["size"], side["leaked"] * chunk)
    if "buttons" in side:
        types = {r["name"]: r for r in load(name, "plain", "top_--by_type_-n_0")["rows"]}
        check(f"{name} plain: Button objects", types.get("Button", {}).get("count"), side["buttons"])
        check(f"{name} plain: Label objects", types.get("Label", {}).get("count"), side["labels"])
    for cmd in ("leaks_-n_0", "top_--by_type_-n_0", "top_--by_root_-n_0"):
        check(f"{name} {cmd}: plain == gz", load(name, "plain", cmd) == load(name, "gz", cmd), True)
sys.exit(1 if fails else 0)
PY
