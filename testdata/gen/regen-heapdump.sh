#!/usr/bin/env bash
# Rebuild the Go heap dump fixtures: build testdata/gen/heapdump (stdlib only,
# offline) with each Go version (tests/e2e/lib/go.sh), run it, and keep in
# testdata/heapdumps/goVERSION/
#   tree.dump.gz    the heap dump (runtime/debug.WriteHeapDump)
#   tree.json       what the program knew (addresses, sizes, MemStats)
#   tree.bin.sha256 the executable's SHA-256: the build is reproducible
#                   (-trimpath, no build id), so a test rebuilds it for
#                   --binary and checks it is this one
# and the older Go 1.19 set at the top (testdata/heapdumps/tree.*, with the
# executable itself, tree.bin.gz, for the tests that take it from there).
# Usage: testdata/gen/regen-heapdump.sh [VERSION OUTDIR [--with-binary]]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/e2e/lib/go.sh"
if [ $# -eq 0 ]; then
  for v in "${GO_VERSIONS[@]}"; do "$0" "$v" "$root/testdata/heapdumps/go$v"; done
  exit 0
fi
v=$1 out=$2 with_bin=${3:-}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# go_build_heapdump VERSION OUT: the one build recipe (also used by the tests).
source "$root/testdata/gen/heapdump/build.sh"
go_build_heapdump "$v" "$tmp/tree.bin"
"$tmp/tree.bin" "$tmp/tree.dump" "$out/tree.json"
gzip -9n -c "$tmp/tree.dump" >"$out/tree.dump.gz"
sha256sum <"$tmp/tree.bin" | cut -d' ' -f1 >"$out/tree.bin.sha256"
files=(tree.dump.gz)
if [ "$with_bin" = --with-binary ]; then
  gzip -9n -c "$tmp/tree.bin" >"$out/tree.bin.gz"
  files+=(tree.bin.gz)
fi
for f in "${files[@]}"; do
  size=$(wc -c <"$out/$f")
  echo "$out/$f: $size bytes"
  if [ "$size" -gt 1500000 ]; then
    echo "regen-heapdump: $f is larger than 1.5 MB; keep fixtures small" >&2
    exit 1
  fi
done
