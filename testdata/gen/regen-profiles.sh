#!/usr/bin/env bash
# Regenerate the pprof fixtures in testdata/profiles/ from the leaky program
# (testdata/gen/leaky, standard library only, so it builds offline):
#   {heap,allocs,goroutine}.{1,2,3}.pb.gz  profiles as Go writes them (gzip'd protobuf)
#   {heap,goroutine}.{1,2,3}.txt.gz        the same moments as debug=1 text, gzip'd
#   truth.{1,2,3}.json                     what the program knows by construction + MemStats
#   heap.3.raw.pb                          heap.3 uncompressed (the non-gzip path)
# Output changes with every run (addresses, times, runtime noise); the tests
# take their expected numbers from `go tool pprof` and truth.N.json at test time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/testdata/profiles
command -v go >/dev/null || { echo "regen-profiles: 'go' not found (apt-get install golang-go)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
[ -n "${HOME:-}" ] || export GOCACHE=$tmp/gocache
# -trimpath: source paths in the profiles are module-relative ("heapscan/testdata/leaky/main.go",
# "runtime/proc.go"), not this checkout's absolute path.
(cd "$root/testdata/gen/leaky" && go build -trimpath -o "$tmp/leaky" .)
mkdir -p "$tmp/run"
"$tmp/leaky" "$tmp/run"

mkdir -p "$out"
for k in 1 2 3; do
  for p in heap allocs goroutine; do
    mv "$tmp/run/$p.$k.pb.gz" "$out/$p.$k.pb.gz"
  done
  for p in heap goroutine; do
    gzip -9n <"$tmp/run/$p.$k.txt" >"$out/$p.$k.txt.gz"
  done
  mv "$tmp/run/truth.$k.json" "$out/truth.$k.json"
done
gzip -dc "$out/heap.3.pb.gz" > "$out/heap.3.raw.pb"
ls -l "$out"
