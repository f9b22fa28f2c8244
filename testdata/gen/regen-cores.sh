#!/usr/bin/env bash
# Rebuild the core fixtures: compile each testdata/gen/cheap program with
# -O0 -g, run it until it has written its sidecar JSON (mallinfo2 + counts
# known by construction), take a core with gdb's gcore, kill it, and store
# testdata/cores/NAME.core.gz, NAME.json and NAME.bin.gz (the binary, whose
# symbols name globals and vtables). Needs gcc, g++, gdb (gcore), gzip; root
# or ptrace permission. Usage: testdata/gen/regen-cores.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-testdata/cores}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

one() { # name compiler source
  local name=$1 cc=$2 src=$3
  "$cc" -O0 -g -pthread "$src" -o "$work/$name"
  "$work/$name" "$work/$name.json" &
  local pid=$!
  for _ in $(seq 100); do [ -s "$work/$name.json" ] && break; sleep 0.1; done
  [ -s "$work/$name.json" ] || { kill "$pid"; echo "$name: no sidecar" >&2; return 1; }
  gcore -o "$work/$name.core" "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  gzip -9c "$work/$name.core.$pid" >"$out/$name.core.gz"
  gzip -9c "$work/$name" >"$out/$name.bin.gz"
  cp "$work/$name.json" "$out/$name.json"
  ls -l "$out/$name".*
}

one cheap-cxx g++ testdata/gen/cheap/cheap.cpp
