#!/usr/bin/env bash
# Regenerate the fixtures of the formats pprof reads as "legacy" in
# testdata/profiles/legacy/ (see the man page, LEGACY PROFILES):
#   cpuburn.bin.gz, cpuburn.cpu.gz   gperftools' CPU profiler (CPUPROFILE=) on
#                                    legacy/cpuburn.c, built -O2 -g in
#                                    /tmp/heapscan-legacy (its memory map names it so);
#   cpuburn-truth.json               the profiler's own interrupt count (stderr);
#   growth.bin.gz, growth.txt.gz     tcmalloc's heap growth stacks ("@ growth") of
#                                    legacy/growth.cc, which grows the heap by 6 x 4 MiB
#                                    in grow_a and 2 x 16 MiB in grow_b (growth-truth.json);
#   go1.19/, go1.26/, go1.27/        legacy/goprof run by each Go: mutex.txt.gz,
#                                    block.txt.gz (debug=1), custom.txt.gz (a
#                                    pprof.NewProfile), truth.json (its counts);
#   the formats with no producer here, written from their documented layout by
#   legacy/mklegacy.py with their values known by construction (its truth.json).
# Each Go is picked explicitly (tests/e2e/lib/go.sh: 1.19, 1.26, 1.27);
# REGEN_LEGACY_GO=VER makes only that version's Go fixtures.
# Needs gcc and libgoogle-perftools-dev (scripts/deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
gen=$root/testdata/gen/legacy
out=$root/testdata/profiles/legacy
d=/tmp/heapscan-legacy
rm -rf "$d"
mkdir -p "$d" "$out"

gcc -O2 -g -fno-omit-frame-pointer -o "$d/cpuburn" "$gen/cpuburn.c" -Wl,--no-as-needed -lprofiler
CPUPROFILE=$d/cpuburn.cpu CPUPROFILE_FREQUENCY=500 "$d/cpuburn" >/dev/null 2>"$d/cpuburn.err"
n=$(sed -n 's|^PROFILE: interrupts/evictions/bytes = \([0-9]*\)/.*|\1|p' "$d/cpuburn.err")
[ -n "$n" ] || { echo "regen-legacy: no interrupt count from the profiler" >&2; exit 1; }
printf '{"samples": %d}\n' "$n" >"$out/cpuburn-truth.json"
gzip -9n <"$d/cpuburn" >"$out/cpuburn.bin.gz"
gzip -9n <"$d/cpuburn.cpu" >"$out/cpuburn.cpu.gz"

g++ -O2 -g -fno-omit-frame-pointer -o "$d/growth" "$gen/growth.cc" -ltcmalloc
"$d/growth" "$d/growth.txt"
gzip -9n <"$d/growth" >"$out/growth.bin.gz"
gzip -9n <"$d/growth.txt" >"$out/growth.txt.gz"
printf '{"grow_a": %d, "grow_b": %d}\n' $((6 * 4 << 20)) $((2 * 16 << 20)) >"$out/growth-truth.json"

source "$root/tests/e2e/lib/go.sh"
for v in "${GO_VERSIONS[@]}"; do
  [ -z "${REGEN_LEGACY_GO:-}" ] || [ "$REGEN_LEGACY_GO" = "$v" ] || continue
  mkdir -p "$d/go$v" "$out/go$v"
  (cd "$gen/goprof" && GOFLAGS=-mod=mod go_cmd "$v" build -buildvcs=false -o "$d/go$v/goprof" .)
  "$d/go$v/goprof" "$d/go$v"
  for f in mutex block custom; do gzip -9n <"$d/go$v/$f.txt" >"$out/go$v/$f.txt.gz"; done
  cp "$d/go$v/truth.json" "$out/go$v/truth.json"
done
[ -z "${REGEN_LEGACY_GO:-}" ] || { rm -rf "$d"; exit 0; }

python3 "$gen/mklegacy.py" "$out"
rm -rf "$d"
ls -lR "$out"
