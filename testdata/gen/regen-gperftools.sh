#!/usr/bin/env bash
# Regenerate the C heap profile fixtures in testdata/profiles/ from
# testdata/gen/tcleak/tcleak.c, built twice: on gperftools' tcmalloc
# (tcleak) and, with -DJEMALLOC, on jemalloc (jeleak):
#   {tcleak,jeleak}.bin.gz            the program, -O2 -g (the memory maps in the
#                                     profiles name it /tmp/heapscan-tcleak/NAME)
#   {tcleak,jeleak}.{1,2}.heap.gz     heap profiles at two moments, gzip'd
#   {tcleak,jeleak}-truth.{1,2}.json  what the program allocated, by construction
#   cxxleak.bin.gz, cxxleak.heap.gz   testdata/gen/cxxleak/cxxleak.cc on tcmalloc: C++
#                                     names of every shape, for --demangle
#                                     (memory map: /tmp/heapscan-cxxleak/cxxleak)
# With an argument DIR, build and run in DIR only (for the live test) and
# leave NAME, NAME.{1,2}.heap and NAME-truth.{1,2}.json there.
# Needs gcc, libgoogle-perftools-dev and libjemalloc-dev (scripts/deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/testdata/gen/tcleak/tcleak.c
for h in gperftools/heap-profiler.h jemalloc/jemalloc.h; do
  [ -f "/usr/include/$h" ] ||
    { echo "regen-gperftools: /usr/include/$h missing (scripts/deps.sh installs it)" >&2; exit 1; }
done

run_in() { # DIR NAME CFLAGS LIB: build, run, rename the dumps
  local d=$1 name=$2 cflags=$3 lib=$4
  mkdir -p "$d"
  # shellcheck disable=SC2086
  gcc -O2 -g -Wall -Wextra $cflags -o "$d/$name" "$src" "$lib"
  (cd "$d" && "./$name" "$d/$name" "$d/$name-truth" 2>/dev/null)
  mv "$d/$name.0001.heap" "$d/$name.1.heap"
  mv "$d/$name.0002.heap" "$d/$name.2.heap"
}
run_both() {
  run_in "$1" tcleak "" -ltcmalloc
  run_in "$1" jeleak -DJEMALLOC -ljemalloc
}

if [ $# -eq 1 ]; then
  run_both "$(mkdir -p "$1" && cd "$1" && pwd)"
  exit 0
fi
d=/tmp/heapscan-tcleak
rm -rf "$d"
run_both "$d"
out=$root/testdata/profiles
for name in tcleak jeleak; do
  gzip -9n <"$d/$name" >"$out/$name.bin.gz"
  for k in 1 2; do
    gzip -9n <"$d/$name.$k.heap" >"$out/$name.$k.heap.gz"
    cp "$d/$name-truth.$k.json" "$out/$name-truth.$k.json"
  done
done
rm -rf "$d"
d=/tmp/heapscan-cxxleak
rm -rf "$d" && mkdir -p "$d"
g++ -O2 -g -Wall -Wextra -o "$d/cxxleak" "$root/testdata/gen/cxxleak/cxxleak.cc" -ltcmalloc
(cd "$d" && ./cxxleak "$d/cxxleak" 2>/dev/null)
gzip -9n <"$d/cxxleak" >"$out/cxxleak.bin.gz"
gzip -9n <"$d/cxxleak.0001.heap" >"$out/cxxleak.heap.gz"
rm -rf "$d"
ls -l "$out"/tcleak* "$out"/jeleak* "$out"/cxxleak*
