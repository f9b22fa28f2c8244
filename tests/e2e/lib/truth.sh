# Shared set-up of the truth tests (sourced): `truth_begin NAME HEAPSCAN`
# checks the argument and the tools, and defines HS (absolute path), P (the
# profile fixtures), CHECK (hs_check.py), tmp (removed at exit), the counters
# and fail / check / hs, and the Go versions (lib/go.sh: go_cmd, go_pprof,
# GO_VERSIONS). `truth_end NAME` prints the count and sets the status.
source tests/e2e/lib/go.sh
truth_begin() {
  local name=$1
  shift
  if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $name.sh /path/to/heapscan" >&2
    exit 2
  fi
  HS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  for tool in python3 gzip; do
    command -v "$tool" >/dev/null || { echo "$name: '$tool' is required (scripts/deps.sh installs it)"; exit 1; }
  done
  go_setup_all || { echo "$name: a Go version is missing"; exit 1; }
  P=testdata/profiles
  CHECK=(python3 tests/e2e/lib/hs_check.py)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  fails=0 checks=0
}

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { checks=$((checks + 1)); "${CHECK[@]}" "$@" || fails=$((fails + 1)); }

# hs OUT ARGS...: run heapscan, stdout to OUT; any exit but 0 is a failure.
hs() {
  local out=$1 rc
  shift
  "$HS" "$@" >"$out" 2>"$tmp/hs.err"
  rc=$?
  [ $rc -eq 0 ] && return 0
  fail "heapscan $* exited $rc: $(head -c 400 "$tmp/hs.err")"
  return 1
}

# memstats_growth BEFORE AFTER K WHAT: heapscan diff's total delta for each of
# inuse_space, inuse_objects, alloc_space equals the growth of the runtime's
# HeapAlloc, HeapObjects, TotalAlloc between truth.1.json and truth.K.json
# (exact: everything after main's first line is sampled, MemProfileRate 1).
memstats_growth() {
  local before=$1 after=$2 k=$3 what=$4 pair t stat got want
  for pair in inuse_space:HeapAlloc inuse_objects:HeapObjects alloc_space:TotalAlloc; do
    t=${pair%%:*} stat=${pair#*:}
    hs "$tmp/ms.json" diff -n 0 -i "$t" --format json "$before" "$after" || continue
    got=$("${CHECK[@]}" field "$tmp/ms.json" total.delta)
    want=$(python3 -c 'import json,sys; a,b=(json.load(open(p))["memstats"][sys.argv[3]] for p in sys.argv[1:3]); print(b-a)' \
      "$P/truth.1.json" "$P/truth.$k.json" "$stat")
    checks=$((checks + 1))
    if [ "$got" = "$want" ]; then echo "ok   diff $what -i $t: total delta $got = $stat growth"; else
      fail "diff $what -i $t: total delta heapscan $got, MemStats.$stat growth $want"
    fi
  done
}

truth_end() {
  echo "$1: $checks checks, $fails failed"
  [ "$fails" -eq 0 ]
}
