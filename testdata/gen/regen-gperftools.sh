#!/usr/bin/env bash
# Regenerate the gperftools heap profile fixtures in testdata/profiles/ from
# testdata/gen/tcleak (C, linked with gperftools' tcmalloc):
#   tcleak.bin.gz                 the program, -O2 -g (its memory map in the
#                                 profiles names it /tmp/heapscan-tcleak/tcleak)
#   tcleak.{1,2}.heap.gz          heap profiles at two moments, gzip'd
#   tcleak-truth.{1,2}.json       what the program allocated, by construction
# With an argument DIR, build and run in DIR only (for the live test) and
# leave tcleak, tcleak.{1,2}.heap and tcleak-truth.{1,2}.json there.
# Needs gcc and libgoogle-perftools-dev (scripts/deps.sh installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/testdata/gen/tcleak/tcleak.c
[ -f /usr/include/gperftools/heap-profiler.h ] ||
  { echo "regen-gperftools: gperftools headers missing (apt-get install libgoogle-perftools-dev)" >&2; exit 1; }

run_in() { # DIR: build, run, rename the dumps
  local d=$1
  mkdir -p "$d"
  gcc -O2 -g -Wall -Wextra -o "$d/tcleak" "$src" -ltcmalloc
  (cd "$d" && ./tcleak "$d/tcleak" "$d/tcleak-truth" 2>/dev/null)
  mv "$d/tcleak.0001.heap" "$d/tcleak.1.heap"
  mv "$d/tcleak.0002.heap" "$d/tcleak.2.heap"
}

if [ $# -eq 1 ]; then
  run_in "$(mkdir -p "$1" && cd "$1" && pwd)"
  exit 0
fi
d=/tmp/heapscan-tcleak
rm -rf "$d"
run_in "$d"
out=$root/testdata/profiles
gzip -9n <"$d/tcleak" >"$out/tcleak.bin.gz"
for k in 1 2; do
  gzip -9n <"$d/tcleak.$k.heap" >"$out/tcleak.$k.heap.gz"
  cp "$d/tcleak-truth.$k.json" "$out/tcleak-truth.$k.json"
done
rm -rf "$d"
ls -l "$out"/tcleak*
