# Shared set-up of the truth tests (sourced): `truth_begin NAME HEAPSCAN`
# checks the argument and the tools, and defines HS (absolute path), P (the
# profile fixtures), CHECK (hs_check.py), tmp (removed at exit), the counters
# and fail / check / hs. `truth_end NAME` prints the count and sets the status.
truth_begin() {
  local name=$1
  shift
  if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $name.sh /path/to/heapscan" >&2
    exit 2
  fi
  HS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  for tool in go python3 gzip; do
    command -v "$tool" >/dev/null || { echo "$name: '$tool' is required (scripts/deps.sh installs it)"; exit 1; }
  done
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

truth_end() {
  echo "$1: $checks checks, $fails failed"
  [ "$fails" -eq 0 ]
}
