#!/usr/bin/env bash
# A core names the files it mapped (NT_FILE); heapscan may read them, but only
# regular ELF files, read-only. This test rewrites every NT_FILE name in each
# core fixture (testdata/cores/*core*) to point at a FIFO, a character device,
# a directory and a non-ELF file (same length, padded with '/', so no offsets
# move), then runs `heapscan info`: it must finish within 20 s (a FIFO with no
# writer blocks a plain open() forever) with exit 0 or 2, and on 2 print one
# line "heapscan: ..." naming the core.
# Usage: bash tests/e2e/hostile_core_paths.sh /path/to/heapscan  (cwd = repo root)
set -euo pipefail
HS=${1:?usage: hostile_core_paths.sh /path/to/heapscan}
shopt -s nullglob
cores=(testdata/cores/*core*)
if [ ${#cores[@]} -eq 0 ]; then
  echo "hostile_core_paths: no core fixtures under testdata/cores yet; nothing to test"
  exit 0
fi
if ! "$HS" help info >/dev/null 2>&1; then
  echo "hostile_core_paths: this heapscan has no 'info' command yet; nothing to run"
  exit 0
fi
work=$(mktemp -d /tmp/hs.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/f"
mkdir "$work/d"
printf 'not an ELF file\n' >"$work/t"
rc=0
python3 - "$HS" "$work" "${cores[@]}" <<'PY' || rc=$?
import gzip, struct, subprocess, sys

HS, WORK, cores = sys.argv[1], sys.argv[2], sys.argv[3:]
TARGETS = {"fifo": WORK + "/f", "chardev": "/dev/zero", "directory": WORK + "/d",
           "non-elf": WORK + "/t"}
NT_FILE = 0x46494C45

def nt_file_names(b):
    """(offset, length) of every NT_FILE name in an ELF64 LE core."""
    if b[:4] != b"\x7fELF" or b[4] != 2 or b[5] != 1:
        return []
    phoff, = struct.unpack_from("<Q", b, 32)
    phentsize, phnum = struct.unpack_from("<HH", b, 54)
    out = []
    for i in range(phnum):
        ptype, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", b, phoff + i * phentsize)
        if ptype != 4:
            continue
        p, end = off, min(off + filesz, len(b))
        while p + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", b, p)
            d = p + 12 + ((namesz + 3) & ~3)
            if ntype == NT_FILE and b[p + 12:p + 12 + namesz].rstrip(b"\0") == b"CORE":
                count, = struct.unpack_from("<Q", b, d)
                q = d + 16 + 24 * count
                for _ in range(count):
                    z = b.index(b"\0", q)
                    out.append((q, z - q))
                    q = z + 1
            p = d + ((descsz + 3) & ~3)
    return out

def padded(target, n):
    """target spelled in exactly n bytes by doubling the slash after its first component."""
    head, tail = target[:1], target[1:]
    return head + "/" * (n - len(target)) + tail

failures = tried = 0
for core in cores:
    raw = open(core, "rb").read()
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    names = nt_file_names(data)
    if not names:
        print("hostile_core_paths: %s: no NT_FILE note, skipped" % core)
        continue
    for kind, target in TARGETS.items():
        b = bytearray(data)
        n = 0
        for off, length in names:
            if length >= len(target):
                b[off:off + length] = padded(target, length).encode()
                n += 1
        path = "%s/%s.%s" % (WORK, core.replace("/", "_"), kind)
        open(path, "wb").write(bytes(b))
        tried += 1
        r = subprocess.run(["timeout", "20", HS, "info", path], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        err = r.stderr.decode("utf-8", "replace")
        ok = r.returncode in (0, 2)
        if r.returncode == 2:
            lines = err.split("\n")
            ok = len(lines) == 2 and lines[0].startswith("heapscan: ") and path in lines[0]
        what = "timed out (blocked on a file the core names?)" if r.returncode == 124 else \
            "exit %d" % r.returncode
        print("hostile_core_paths: %s with %d names -> %s: %s" % (
            core, n, kind, "ok (exit %d)" % r.returncode if ok else "FAIL: " + what + " " + err[-500:]))
        failures += not ok
print("hostile_core_paths: %d variants, %d failures" % (tried, failures))
sys.exit(1 if failures else 0)
PY
exit "$rc"
