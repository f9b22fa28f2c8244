#!/usr/bin/env bash
# Regenerate the goroutine fixtures from the goleak program (testdata/gen/goleak,
# standard library only, so it builds offline), built and run by each Go
# version (tests/e2e/lib/go.sh), into testdata/goroutines/goVERSION/:
#   goroutine.{1,2,3}.dump.txt.gz  debug=2 goroutine dumps at three moments (gzip'd)
#   goroutine.{1,2,3}.txt.gz       the same moments as debug=1 goroutine profiles
#   goroutine.{1,2,3}.pb.gz        the same moments as protobuf goroutine profiles
#   truth.{1,2,3}.json             the goroutines of each kind, by construction
#   panic.log.gz                   log lines, then a GOTRACEBACK=all panic after step 1,
#                                  then a supervisor's line
# The pool's workers carry pprof labels, printed in dump headers by 1.26+.
# Output changes with every run (ids, addresses); the tests take their
# expected numbers from truth.N.json and the program's constants.
#   usage: regen-goroutines.sh [VERSION [OUTDIR]]   (no VERSION: every version)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/e2e/lib/go.sh"
if [ $# -eq 0 ]; then
  for v in "${GO_VERSIONS[@]}"; do "$0" "$v"; done
  exit 0
fi
v=$1
out=${2:-$root/testdata/goroutines/go$v}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "${HOME:-}" ] || export GOCACHE=$tmp/gocache
# -trimpath: module-relative source paths, not this checkout's.
(cd "$root/testdata/gen/goleak" && go_cmd "$v" build -buildvcs=false -trimpath -o "$tmp/goleak" .)
mkdir -p "$tmp/run" "$out"
# Goroutine labels in the dumps' headers (Go 1.26+; the default of 1.27 for
# a module that says go 1.27, and this one says go 1.19).
export GODEBUG=tracebacklabels=1
"$tmp/goleak" "$tmp/run"
for k in 1 2 3; do
  gzip -9n <"$tmp/run/goroutine.$k.dump.txt" >"$out/goroutine.$k.dump.txt.gz"
  gzip -9n <"$tmp/run/goroutine.$k.txt" >"$out/goroutine.$k.txt.gz"
  mv "$tmp/run/goroutine.$k.pb.gz" "$tmp/run/truth.$k.json" "$out/"
done
# The panic exits with status 2 by design.
GOTRACEBACK=all "$tmp/goleak" -panic >"$tmp/panic.log" 2>&1 && exit 1
# What a supervisor would log after it: text after the traceback too.
echo "supervisor: goleak exited with status 2, restarting" >>"$tmp/panic.log"
gzip -9n <"$tmp/panic.log" >"$out/panic.log.gz"
du -sh "$out"
