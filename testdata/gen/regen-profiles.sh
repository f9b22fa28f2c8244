#!/usr/bin/env bash
# Regenerate the Go profile fixtures from the leaky program (testdata/gen/leaky,
# standard library only, so it builds offline), built and run by each Go
# version (tests/e2e/lib/go.sh), into testdata/profiles/goVERSION/:
#   {heap,allocs,goroutine,mutex,block}.{1,2,3}.pb.gz  profiles as Go writes them (gzip'd protobuf)
#   {heap,goroutine}.{1,2,3}.txt.gz        the same moments as debug=1 text, gzip'd
#   goroutine.{1,2,3}.dump.txt.gz          the same moments as debug=2 goroutine dumps
#   truth.{1,2,3}.json                     what the program knows by construction + MemStats
#   heap.3.raw.pb                          heap.3 uncompressed (the non-gzip path)
# Output changes with every run (addresses, times, runtime noise); the tests
# take their expected numbers from `go tool pprof` and truth.N.json at test time.
#   usage: regen-profiles.sh [VERSION [OUTDIR]]   (no VERSION: every version)
# The top-level testdata/profiles/{heap,allocs,goroutine}.* are an older Go 1.19
# set (before leakRuntime and contend) kept for the format and CLI tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/e2e/lib/go.sh"
if [ $# -eq 0 ]; then
  for v in "${GO_VERSIONS[@]}"; do "$0" "$v"; done
  exit 0
fi
v=$1
out=${2:-$root/testdata/profiles/go$v}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "${HOME:-}" ] || export GOCACHE=$tmp/gocache
# -trimpath: source paths in the profiles are module-relative ("heapscan/testdata/leaky/main.go",
# "runtime/proc.go"), not this checkout's absolute path.
(cd "$root/testdata/gen/leaky" && go_cmd "$v" build -trimpath -o "$tmp/leaky" .)
mkdir -p "$tmp/run"
"$tmp/leaky" "$tmp/run"

mkdir -p "$out"
for k in 1 2 3; do
  for p in heap allocs goroutine mutex block; do
    mv "$tmp/run/$p.$k.pb.gz" "$out/$p.$k.pb.gz"
  done
  for p in heap.$k.txt goroutine.$k.txt goroutine.$k.dump.txt; do
    gzip -9n <"$tmp/run/$p" >"$out/$p.gz"
  done
  mv "$tmp/run/truth.$k.json" "$out/truth.$k.json"
done
gzip -dc "$out/heap.3.pb.gz" > "$out/heap.3.raw.pb"
du -sh "$out"
