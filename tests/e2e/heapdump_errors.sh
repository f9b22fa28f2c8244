#!/usr/bin/env bash
# Damaged Go heap dumps end with exit status 2 and one line
# "heapscan: FILE: offset N: problem" naming the byte offset, which the
# encoder below computes independently of heapscan: a truncated record, an
# unknown record kind, a field offset beyond its object, a pointer size other
# than 8, duplicate and overlapping objects, and a --binary that is not ELF.
# Usage: bash tests/e2e/heapdump_errors.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: heapdump_errors.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Writes NAME.dump and NAME.want ("offset N: message") for each case.
python3 - "$tmp" <<'PY'
import sys
out = sys.argv[1]
def uv(v):
    b = bytearray()
    while v >= 0x80:
        b.append(v & 0x7f | 0x80); v >>= 7
    b.append(v); return bytes(b)
def s(x): return uv(len(x)) + x
HDR = b"go1.7 heap dump\n"
def params(ptr=8):
    return uv(6) + uv(0) + uv(ptr) + uv(0xc000000000) + uv(0xc004000000) + s(b"amd64") + s(b"go1.19.8") + uv(2)
def obj(addr, size, offs=()):
    return uv(1) + uv(addr) + s(bytes(size)) + b"".join(uv(1) + uv(o) for o in offs) + uv(0)
A, B = 0xc000001000, 0xc000001020
cases = {}
d = HDR + params(); start = len(d); d += obj(A, 64)
cut = start + len(uv(1) + uv(A) + uv(64)) + 10
cases["truncated"] = (d[:cut], cut - 10,
    "truncated: byte string needs 64 bytes, 10 left (in the object record at offset %d)" % start)
d = HDR + params(); at = len(d); d += uv(42) + uv(0)
cases["unknown_kind"] = (d, at, "unknown record kind 42")
d = HDR + params(); at = len(d); d += obj(A, 32, (0, 32)) + uv(0)
field = at + len(uv(1) + uv(A) + s(bytes(32)) + uv(1) + uv(0) + uv(1))
cases["field_beyond"] = (d, field,
    "pointer field at offset 32 beyond the 32-byte object at 0x%x" % A)
d = HDR; at = len(d) + len(uv(6) + uv(0)); d += params(4) + uv(0)
cases["ptrsize"] = (d, at, "pointer size 4 not supported (only 8)")
d = HDR + params() + obj(B, 16) + obj(A, 16); at = len(d); d += obj(B, 16) + uv(0)
cases["duplicate"] = (d, at, "duplicate object at 0x%x" % B)
d = HDR + params(); at = len(d); d += obj(A + 16, 32) + obj(A, 32) + uv(0)
cases["overlap"] = (d, at, "objects overlap: 0x%x (32 bytes) and 0x%x" % (A, A + 16))
for name, (data, off, msg) in cases.items():
    open("%s/%s.dump" % (out, name), "wb").write(data)
    open("%s/%s.want" % (out, name), "w").write("offset %d: %s" % (off, msg))
PY

fail=0
expect() { # NAME FILE-IN-MESSAGE WANT-TAIL [extra args]
  local name=$1 file=$2 want=$3; shift 3
  set +e
  "$HS" dominators "$tmp/$name.dump" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  local got lines
  got=$(cat "$tmp/err")
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ "$got" = "heapscan: $file: $want" ]; then
    echo "ok   $name"
  else
    echo "FAIL $name: exit $rc, stderr ($lines lines): $got"
    echo "     want exit 2 and: heapscan: $file: $want"
    fail=1
  fi
}
for name in truncated unknown_kind field_beyond ptrsize duplicate overlap; do
  expect "$name" "$tmp/$name.dump" "$(cat "$tmp/$name.want")"
done
printf 'not an executable\n' >"$tmp/notelf"
gzip -dc testdata/heapdumps/tree.dump.gz >"$tmp/good.dump"
expect good "$tmp/notelf" "offset 0: --binary is not an ELF file" --binary "$tmp/notelf"
exit $fail
