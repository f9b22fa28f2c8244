#!/usr/bin/env bash
# Rebuild the Go heap dump fixture: build testdata/gen/heapdump (stdlib only,
# offline), run it, and keep
#   testdata/heapdumps/tree.dump.gz  the heap dump (runtime/debug.WriteHeapDump)
#   testdata/heapdumps/tree.json     what the program knew (addresses, sizes, MemStats)
#   testdata/heapdumps/tree.bin.gz   the executable without DWARF, for --binary
# Usage: testdata/gen/regen-heapdump.sh [OUTDIR]   (default testdata/heapdumps)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/testdata/heapdumps}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root/testdata/gen/heapdump"
CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOCACHE="${GOCACHE:-$tmp/cache}" \
  go build -trimpath -ldflags='-w -buildid=' -o "$tmp/tree.bin" .
"$tmp/tree.bin" "$tmp/tree.dump" "$out/tree.json"
gzip -9n -c "$tmp/tree.dump" >"$out/tree.dump.gz"
gzip -9n -c "$tmp/tree.bin" >"$out/tree.bin.gz"
for f in tree.dump.gz tree.bin.gz; do
  size=$(wc -c <"$out/$f")
  echo "$out/$f: $size bytes"
  if [ "$size" -gt 1500000 ]; then
    echo "regen-heapdump: $f is larger than 1.5 MB; keep fixtures small" >&2
    exit 1
  fi
done
