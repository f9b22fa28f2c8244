#!/usr/bin/env bash
# Every word of a chunk, through the CLI: in the gcore'd lastword process
# (testdata/gen/lastword/lastword.c) blocks of 24, 40, 48, 1032 and 200000
# bytes are linked only through their last usable word, and one block is
# held only by a register pointing at its chunk header. `leaks` reports
# exactly the constructed leaks (numbers from the program's sidecar and
# glibc's chunk rule, never from heapscan): one leaked pair per size.
# Usage: bash tests/e2e/core_last_word.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: core_last_word.sh HEAPSCAN}
core=testdata/cores/lastword.core.gz
side=testdata/cores/lastword.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc testdata/cores/lastword.bin.gz >"$tmp/lastword.bin"
"$HS" leaks "$core" --binary "$tmp/lastword.bin" -n 0 --format json >"$tmp/leaks.json"
python3 - "$side" "$tmp/leaks.json" <<'PY'
import json, sys
side, lk = (json.load(open(p)) for p in sys.argv[1:3])
def chunk(n):  # glibc on 64-bit Linux: arena chunk, or mmapped pages from 128 KiB
    return (n + 8 + 4095) & ~4095 if n >= 128 * 1024 else max(32, (n + 8 + 15) & ~15)
fails = []
def check(what, got, want):
    print(("ok   " if got == want else "FAIL ") + f"{what}: got {got}, want {want}")
    if got != want:
        fails.append(what)
check("leaked objects", lk["total"]["count"], side["leaked"])
check("leaked bytes", lk["total"]["size"], sum(2 * chunk(n) for n in side["sizes"]))
check("leak roots", len(lk["leak_roots"]), side["leak_roots"])
check("each leak root retains its pair", sorted(r["retained"] for r in lk["leak_roots"]),
      sorted(2 * chunk(n) for n in side["sizes"]))
sys.exit(1 if fails else 0)
PY
