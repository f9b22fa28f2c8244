#!/usr/bin/env bash
# CLI basics: --help, help CMD, --version, unknown commands and options
# (exit 2, one line on stderr), and -o never clobbering an existing file
# when the input is bad. Usage: bash tests/e2e/cli_basics.sh path/to/heapscan
set -u
HS=${1:?usage: cli_basics.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run EXPECTED_RC CMD... : stdout/stderr kept in $tmp/out, $tmp/err
run() {
    local want=$1; shift
    "$HS" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" = "$want" ] || fail "heapscan $* exited $rc, want $want (stderr: $(head -c 300 "$tmp/err"))"
}
# the error is exactly one line starting with "heapscan: "
one_line_error() {
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "$1: stderr is not one line: $(cat "$tmp/err")"
    grep -q '^heapscan: ' "$tmp/err" || fail "$1: stderr lacks 'heapscan: ': $(cat "$tmp/err")"
}

run 0 --help
cp "$tmp/out" "$tmp/mainhelp"
for c in info top diff graph; do
    grep -q "^  $c " "$tmp/mainhelp" || fail "--help does not list $c"
    run 0 help "$c"
    grep -q "^usage: heapscan $c" "$tmp/out" || fail "help $c: no usage line"
    cp "$tmp/out" "$tmp/help1"
    run 0 "$c" --help
    cmp -s "$tmp/out" "$tmp/help1" || fail "'$c --help' differs from 'help $c'"
    grep -q "Exit status" "$tmp/out" || fail "help $c does not document exit status"
done
run 0 --version
grep -Eq '^heapscan [0-9]+\.[0-9]+' "$tmp/out" || fail "--version: $(cat "$tmp/out")"

run 2
run 2 frobnicate x
one_line_error "unknown command"
grep -q "frobnicate" "$tmp/err" || fail "unknown command not named"
run 2 help frobnicate
run 2 top --no-such-option x.pb
one_line_error "unknown option"
grep -q -- "--no-such-option" "$tmp/err" || fail "unknown option not named"
run 2 top
one_line_error "missing file"
run 2 diff only-one.pb
one_line_error "diff with one file"
run 2 top --by nonsense x.pb
one_line_error "bad --by"
run 2 top --sort nonsense x.pb
run 2 top --format yaml x.pb
run 2 top --format dot x.pb
run 2 top -n -3 x.pb
run 2 info --fail-if 'total>+1%' x.pb
one_line_error "option not for info"
run 2 diff --fail-if 'total>5%' a.pb b.pb
one_line_error "bad gate"
grep -q "total>5%" "$tmp/err" || fail "bad gate not named"
run 2 graph --nodecount many x.pb

# Input errors: one line naming the file; exit 2.
run 2 top "$tmp/does-not-exist.pb"
one_line_error "missing input"
grep -q "does-not-exist.pb" "$tmp/err" || fail "missing input not named"
: >"$tmp/empty"
run 2 info "$tmp/empty"
one_line_error "empty input"
printf 'just some text\n' >"$tmp/text"
run 2 top "$tmp/text"
one_line_error "not a profile"
printf '' | "$HS" info - >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "empty stdin should exit 2"

# -o must leave an existing file alone when the input is bad.
for cmd in "info" "top" "graph" "diff $tmp/text"; do
    printf 'precious\n' >"$tmp/keep.txt"
    # shellcheck disable=SC2086
    "$HS" $cmd -o "$tmp/keep.txt" "$tmp/text" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" = 2 ] || fail "$cmd -o with bad input exited $rc"
    [ "$(cat "$tmp/keep.txt")" = precious ] || fail "$cmd -o clobbered the output file"
    [ -z "$(ls "$tmp" | grep 'keep.txt.tmp')" ] || fail "$cmd -o left a temporary file"
done
printf 'precious\n' >"$tmp/keep.txt"
"$HS" top -o "$tmp/keep.txt" "$tmp/does-not-exist.pb" >/dev/null 2>&1
[ "$(cat "$tmp/keep.txt")" = precious ] || fail "-o clobbered on a missing input"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "cli_basics: all passed"
