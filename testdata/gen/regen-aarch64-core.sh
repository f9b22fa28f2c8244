#!/usr/bin/env bash
# Rebuild testdata/cores/cheap-c-aarch64.*: testdata/gen/cheap/cheap.c cross-
# compiled for aarch64 and run under qemu-user; SIGSEGV makes qemu write the
# guest's own ELF core (qemu_cheap-c-aarch64_DATE_PID.core: NT_PRSTATUS per
# thread, NT_PRPSINFO, NT_AUXV; no NT_FILE). glibc falls back from brk to
# mmap under qemu, and qemu maps the brk heap in one mapping with the
# program's .bss, so this core also tests a heap that shares a segment with
# roots. Stores NAME.core.gz, NAME.json (the program's own sidecar:
# mallinfo2 and counts by construction) and NAME.bin.gz.
# Needs: apt-get install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
# Usage: testdata/gen/regen-aarch64-core.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-testdata/cores}
name=cheap-c-aarch64
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
aarch64-linux-gnu-gcc -O0 -g -pthread testdata/gen/cheap/cheap.c -o "$work/$name"
(cd "$work" && ulimit -c unlimited &&
  exec qemu-aarch64 -L /usr/aarch64-linux-gnu "./$name" "$work/$name.json") >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do [ -s "$work/$name.json" ] && break; sleep 0.1; done
[ -s "$work/$name.json" ] || { kill "$pid"; echo "$name: no sidecar" >&2; exit 1; }
sleep 0.5
kill -SEGV "$pid"; wait "$pid" 2>/dev/null || true
core=$(ls "$work"/qemu_"$name"_*.core)
gzip -9c "$core" >"$out/$name.core.gz"
gzip -9c "$work/$name" >"$out/$name.bin.gz"
cp "$work/$name.json" "$out/$name.json"
ls -l "$out/$name".*
