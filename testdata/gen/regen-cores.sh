#!/usr/bin/env bash
# Rebuild the core fixtures. Each testdata/gen/cheap program is compiled with
# -O0 -g, run until it has written its sidecar JSON (mallinfo2 + counts known
# by construction), and dumped:
#   cheap-cxx  (cheap.cpp) by gdb's gcore (notes at the end, PROT_NONE kept);
#   cheap-c    (cheap.c)   by the kernel (SIGSEGV with ulimit -c unlimited:
#              notes first, undumped pages as filesz 0) when core_pattern is
#              a plain file name, else by gcore;
#   lastword   (lastword/lastword.c) by gcore: blocks reachable only through
#              the last usable word of a chunk or a register (x86-64 only);
#   cxxshapes  (cxxshapes/cxxshapes.cpp, -O1 -g0: no debug info) by gcore:
#              libstdc++ containers with known counts per kind;
#   ctypes     (ctypes/ctypes.c, -O0 -g) by gcore: C structs typed only by
#              the program's DWARF.
# Stores testdata/cores/NAME.core.gz, NAME.json and NAME.bin.gz (the binary,
# whose symbols name globals and vtables). Needs gcc, g++, gdb, gzip and
# ptrace permission. Usage: testdata/gen/regen-cores.sh [OUTDIR [NAME...]]
# (NAMEs: only those fixtures; default all).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-testdata/cores}
shift || true
want=" ${*:-cheap-cxx cheap-c lastword cxxshapes ctypes} "
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

start() { # name -> runs $work/name (a child of this shell), waits for its sidecar, sets pid
  local name=$1
  rm -f "$work/$name.json"
  (cd "$work" && ulimit -c unlimited && exec "./$name" "$work/$name.json") >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/$name.json" ] && break; sleep 0.1; done
  [ -s "$work/$name.json" ] || { kill "$pid"; echo "$name: no sidecar" >&2; exit 1; }
  sleep 0.2
}

dump_gcore() { # name pid
  gcore -o "$work/$1.core" "$2" >/dev/null 2>&1
  kill "$2"; wait "$2" 2>/dev/null || true
  mv "$work/$1.core.$2" "$work/$1.core"
}

dump_kernel() { # name pid
  local pattern; pattern=$(cat /proc/sys/kernel/core_pattern)
  if [ "${pattern:0:1}" = "|" ] || [ "$(cat /proc/sys/kernel/core_uses_pid)" != 0 ] || [ "$pattern" != core ]; then
    echo "core_pattern is '$pattern': using gcore for $1" >&2
    dump_gcore "$@"
    return
  fi
  kill -SEGV "$2"; wait "$2" 2>/dev/null || true
  mv "$work/core" "$work/$1.core"
}

one() { # name compiler source dumper [flags]
  local name=$1 cc=$2 src=$3 dumper=$4 flags=${5:--O0 -g}
  [[ $want == *" $name "* ]] || return 0
  # shellcheck disable=SC2086 # flags are words
  "$cc" $flags -pthread "$src" -o "$work/$name"
  start "$name"
  "$dumper" "$name" "$pid"
  gzip -9c "$work/$name.core" >"$out/$name.core.gz"
  gzip -9c "$work/$name" >"$out/$name.bin.gz"
  cp "$work/$name.json" "$out/$name.json"
  ls -l "$out/$name".*
}

one cheap-cxx g++ testdata/gen/cheap/cheap.cpp dump_gcore
one cheap-c gcc testdata/gen/cheap/cheap.c dump_kernel
one lastword gcc testdata/gen/lastword/lastword.c dump_gcore
one cxxshapes g++ testdata/gen/cxxshapes/cxxshapes.cpp dump_gcore "-O1 -g0"
one ctypes gcc testdata/gen/ctypes/ctypes.c dump_gcore
