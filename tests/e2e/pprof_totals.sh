#!/usr/bin/env bash
# The pprof reader agrees with go tool pprof on real Go profiles: for every
# fixture in testdata/profiles (heap, allocs, goroutine; gzip'd and raw),
# every Go version's in testdata/profiles/goV (also mutex and block) and a
# CPU profile written here by each version, the total of every sample type
# reported by `heapscan info` equals the sum of that column in that
# version's `go tool pprof -raw` (the newest's for the top-level fixtures),
# and the default sample type is the one pprof marks.
set -u
HS=${1:?usage: pprof_totals.sh HEAPSCAN}
source tests/e2e/lib/go.sh
go_setup_all || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "${HOME:-}" ] || export GOCACHE=$tmp/gocache

# A CPU profile (not among the fixtures): two goroutines spinning ~0.3 s.
mkdir -p "$tmp/cpu"
cat >"$tmp/cpu/main.go" <<'EOF'
package main

import (
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

func spin(d time.Duration) (x int) {
	for t := time.Now(); time.Since(t) < d; {
		for i := 0; i < 100000; i++ {
			x += i % 7
		}
	}
	return
}

func main() {
	f, _ := os.Create(os.Args[1])
	pprof.StartCPUProfile(f)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { spin(300 * time.Millisecond); wg.Done() }()
	}
	wg.Wait()
	pprof.StopCPUProfile()
	f.Close()
}
EOF
printf 'module cpu\ngo 1.19\n' >"$tmp/cpu/go.mod"
for v in "${GO_VERSIONS[@]}"; do
  (cd "$tmp/cpu" && go_cmd "$v" build -o cpu . && ./cpu "$tmp/cpu.$v.pb.gz") ||
    { echo "building the CPU profile with Go $v failed"; exit 1; }
done

# version_of FILE: the Go version that wrote it (newest for the top-level fixtures).
version_of() {
  case $1 in
    */go1.*/*) local d=${1%/*}; echo "${d##*/go}" ;;
    *cpu.1.*.pb.gz) local b=${1##*/cpu.}; echo "${b%.pb.gz}" ;;
    *) echo "$GO_NEWEST" ;;
  esac
}

fail=0
n=0
for f in testdata/profiles/*.pb.gz testdata/profiles/*.raw.pb testdata/profiles/go*/*.pb.gz \
  testdata/profiles/go*/*.raw.pb "$tmp"/cpu.*.pb.gz; do
  [ -e "$f" ] || continue
  want=$("$(go_pprof "$(version_of "$f")")" -raw "$f" 2>/dev/null | awk '
    /^Samples:/ { getline; ntypes = NF; for (i = 1; i <= NF; i++) { t = $i; d = t ~ /\[dflt\]$/; sub(/\/.*/, "", t); name[i] = t; if (d) dflt = t }; on = 1; next }
    /^Locations/ { on = 0 }
    on && /^ *-?[0-9]+( +-?[0-9]+)*: / { sub(/:.*/, ""); for (i = 1; i <= ntypes; i++) sum[i] += $i }
    END { for (i = 1; i <= ntypes; i++) printf "%s=%d ", name[i], sum[i]; printf "default=%s\n", (dflt != "" ? dflt : name[ntypes]) }')
  got=$("$HS" info --format json "$f" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%s=%d" % (t["type"], t["total"]) for t in d["sample_types"]) + " default=" + d["default_sample_type"])')
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    echo "FAIL $f"
    echo "  go tool pprof: $want"
    echo "  heapscan:      $got"
    fail=1
  fi
  n=$((n + 1))
done
[ $n -ge 50 ] || { echo "only $n profiles checked"; fail=1; }
[ $fail = 0 ] && echo "pprof totals: $n profiles agree with go tool pprof -raw"
exit $fail
