#!/usr/bin/env bash
# Bad input, made at test time from the real fixtures (tests/e2e/lib/mkbad.py):
# truncated gzip, gzip header only, truncated protobuf, an overlong varint, a
# length past the end, a string index out of range, a missing location, a
# value count that differs from the sample types, empty file, text, gzip'd
# text, /dev/null, a directory, a missing file, empty stdin. For info, top,
# diff and graph each must exit 2 with nothing on stdout and exactly one
# line on stderr that starts with "heapscan: " and names the file (and gives
# an offset for the byte-level damage: in a raw protobuf, not before the field
# that holds it). `go tool pprof` must reject each one
# too (so the damage is real), and a well-made control must load.
# `-o FILE` with bad input must leave an existing FILE unchanged.
# usage: bash tests/e2e/bad_input.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: bad_input.sh /path/to/heapscan" >&2
  exit 2
fi
HS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
command -v python3 >/dev/null || { echo "bad_input: python3 is required"; exit 1; }
P=testdata/profiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir "$tmp/bad" "$tmp/dir"
python3 tests/e2e/lib/mkbad.py "$P/heap.3.raw.pb" "$P/heap.3.pb.gz" "$tmp/bad" >"$tmp/offsets" || {
  echo "FAIL: mkbad.py"
  exit 1
}
: >"$tmp/bad/empty.pb"
B=$tmp/bad

# expect_error WANT_OFFSET NAME_IN_MESSAGE CMD...: exit 2, empty stdout, one
# stderr line "heapscan: ..." containing NAME_IN_MESSAGE. WANT_OFFSET: "any"
# (no offset needed), "offset" (an offset), or a number (an offset at least that).
expect_error() {
  local want_offset=$1 name=$2 rc lines
  shift 2
  checks=$((checks + 1))
  "$HS" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  lines=$(wc -l <"$tmp/err")
  local what="heapscan $*"
  if [ $rc -ne 2 ]; then fail "$what: exit $rc, want 2 (stderr: $(head -c 300 "$tmp/err"))"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$what: $lines lines on stderr, want 1: $(head -c 400 "$tmp/err")"; return; fi
  if [ -s "$tmp/out" ]; then fail "$what: wrote to stdout: $(head -c 200 "$tmp/out")"; return; fi
  local msg
  msg=$(cat "$tmp/err")
  case $msg in heapscan:\ *) ;; *) fail "$what: message does not start with 'heapscan: ': $msg"; return ;; esac
  case $msg in *"$name"*) ;; *) fail "$what: message does not name '$name': $msg"; return ;; esac
  if [ "$want_offset" != any ]; then
    case $msg in *offset*) ;; *) fail "$what: message has no offset: $msg"; return ;; esac
  fi
  # A number: the damage is known to start there; the offset must not be before it.
  if [[ $want_offset =~ ^[0-9]+$ ]]; then
    local got
    got=$(sed -n 's/.*offset \([0-9][0-9]*\).*/\1/p' <<<"$msg")
    if [ -z "$got" ] || [ "$got" -lt "$want_offset" ]; then
      fail "$what: offset ${got:-?} is before the damage, which starts in the field at offset $want_offset: $msg"
      return
    fi
  fi
  echo "ok   $what -> $msg"
}

# Byte-level damage: the message must give an offset.
byte_level=(trunc.pb.gz header.pb.gz trunc.pb varint.pb length.pb lastloc.pb)
# Well-formed bytes, wrong content: file name required, offset welcome.
semantic=(badstr.pb badloc.pb badvals.pb empty.pb text.txt textgz.txt.gz)

echo "== go tool pprof rejects every damaged file; the control loads"
source tests/e2e/lib/go.sh
if pprof=$(go_pprof newest); then
  for f in "${byte_level[@]}" "${semantic[@]}"; do
    checks=$((checks + 1))
    if "$pprof" -raw "$B/$f" >/dev/null 2>&1; then fail "go tool pprof accepts $f: the damage is not real"; fi
  done
  checks=$((checks + 1))
  "$pprof" -raw "$B/good.pb" >/dev/null 2>&1 || fail "go tool pprof rejects the control good.pb"
else
  echo "(Go $GO_NEWEST not installed: skipping the pprof cross-check of the damaged files)"
fi
checks=$((checks + 1))
if "$HS" top "$B/good.pb" >"$tmp/out" 2>"$tmp/err"; then echo "ok   control good.pb loads"; else
  fail "heapscan top on the well-made control good.pb failed: $(head -c 300 "$tmp/err")"
fi

echo "== each damaged file, each command"
for f in "${byte_level[@]}"; do
  # For the raw protobufs, where the damage starts (mkbad.py); gzip: any offset.
  at=$(awk -v f="$f" '$1 == f { print $2 }' "$tmp/offsets")
  at=${at:-offset}
  expect_error "$at" "$B/$f" top "$B/$f"
  expect_error "$at" "$B/$f" info "$B/$f"
  expect_error "$at" "$B/$f" graph "$B/$f"
  expect_error "$at" "$B/$f" top --format json "$B/$f"
done
for f in "${semantic[@]}"; do
  expect_error any "$B/$f" top "$B/$f"
  expect_error any "$B/$f" info "$B/$f"
  expect_error any "$B/$f" graph "$B/$f"
done
for f in /dev/null "$tmp/dir" "$tmp/no-such-file.pb.gz"; do
  expect_error any "$f" top "$f"
  expect_error any "$f" info "$f"
done
for f in trunc.pb.gz varint.pb badloc.pb; do
  expect_error any "$B/$f" diff "$P/heap.1.pb.gz" "$B/$f"
  expect_error any "$B/$f" diff "$B/$f" "$P/heap.1.pb.gz"
  expect_error any "$B/$f" graph --base "$P/heap.1.pb.gz" "$B/$f"
done
expect_error any "$tmp/no-such-file.pb.gz" diff "$P/heap.1.pb.gz" "$tmp/no-such-file.pb.gz"

echo "== empty stdin"
checks=$((checks + 1))
"$HS" top - </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^heapscan: .*\(<stdin>\|-\)' "$tmp/err"; then
  echo "ok   top - </dev/null -> $(cat "$tmp/err")"
else
  fail "top - </dev/null: exit $rc, stderr: $(head -c 300 "$tmp/err")"
fi

echo "== wrong sample type, mismatched diff"
expect_error any nosuchtype top -i nosuchtype "$P/heap.1.pb.gz"
expect_error any goroutine diff "$P/heap.1.pb.gz" "$P/goroutine.1.pb.gz"

echo "== -o FILE with bad input leaves FILE unchanged"
printf 'precious output\n' >"$tmp/dir/out.txt"
cp "$tmp/dir/out.txt" "$tmp/out.orig"
for args in "top -o $tmp/dir/out.txt $B/trunc.pb.gz" "top --format json -o $tmp/dir/out.txt $B/varint.pb" \
  "diff -o $tmp/dir/out.txt $P/heap.1.pb.gz $B/badloc.pb" "graph -o $tmp/dir/out.txt $B/empty.pb"; do
  checks=$((checks + 1))
  # shellcheck disable=SC2086
  "$HS" $args >/dev/null 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 2 ]; then fail "$args: exit $rc, want 2"; continue; fi
  if ! cmp -s "$tmp/dir/out.txt" "$tmp/out.orig"; then fail "$args: out.txt was changed"; continue; fi
  left=$(find "$tmp/dir" -name 'out.txt?*' | wc -l)
  if [ "$left" -ne 0 ]; then fail "$args: left $left temporary file(s) beside out.txt"; continue; fi
  echo "ok   heapscan $args: exit 2, out.txt unchanged"
done
# And the good case does replace it.
checks=$((checks + 1))
if "$HS" top -o "$tmp/dir/out.txt" "$P/heap.1.pb.gz" 2>"$tmp/err" && ! cmp -s "$tmp/dir/out.txt" "$tmp/out.orig" &&
  [ -s "$tmp/dir/out.txt" ]; then
  echo "ok   top -o out.txt on a good file replaces it"
else
  fail "top -o out.txt on a good file did not write it: $(head -c 300 "$tmp/err")"
fi

echo "bad_input: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
