#!/usr/bin/env bash
# Compressed inputs: a profile, a text profile, a heap dump and a core from
# testdata/, compressed at test time with the zstd, xz, bzip2, lz4 and gzip
# command-line tools (the ground truth: their own encoders, not ours),
# must give the same JSON as the plain file for top and info — from the
# file, from standard input, and when the input is two frames/members one
# after the other (split in the middle, each half compressed on its own).
# Truncated and corrupted compressed files must end with exit 2 and one
# line naming the file, an offset and what was wrong.
set -u
HS=${1:?usage: compressed_inputs.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 checks=0
for tool in zstd xz bzip2 lz4 gzip python3; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is required (scripts/deps.sh)"; exit 1; }
done
compress() { # codec < plain > compressed
  case $1 in
    zstd) zstd -q -c ;; xz) xz -c ;; bzip2) bzip2 -c ;; lz4) lz4 -q -c ;; gzip) gzip -c ;;
  esac
}
ext() { case $1 in zstd) echo zst ;; xz) echo xz ;; bzip2) echo bz2 ;; lz4) echo lz4 ;; gzip) echo gz ;; esac; }
zcat testdata/profiles/heap.3.pb.gz >"$tmp/profile"
zcat testdata/profiles/heap.2.txt.gz >"$tmp/textprofile"
zcat testdata/heapdumps/tree.dump.gz >"$tmp/heapdump"
zcat testdata/cores/cheap-cxx.core.gz >"$tmp/core"
zcat testdata/cores/cheap-cxx.bin.gz >"$tmp/core.bin"
args_for() { [ "$1" = core ] && echo "--binary $tmp/core.bin"; }
# JSON without the "file" field, which names what was given.
run() { "$HS" "$@" --format json 2>"$tmp/err" | sed -E 's/"file": ?"[^"]*",? ?//'; }
same() { # label expected actual
  checks=$((checks + 1))
  if ! [ -s "$2" ] || ! cmp -s "$2" "$3"; then
    echo "FAIL: $1: output differs from the plain file's: $(head -c 300 "$tmp/err")"; fail=1
  fi
}
for f in profile textprofile heapdump core; do
  for cmd in top info; do run $cmd "$tmp/$f" $(args_for $f) >"$tmp/$f.$cmd.want"; done
  size=$(stat -c %s "$tmp/$f")
  head -c $((size / 2)) "$tmp/$f" >"$tmp/$f.a"
  tail -c +$((size / 2 + 1)) "$tmp/$f" >"$tmp/$f.b"
  for codec in zstd xz bzip2 lz4 gzip; do
    z="$tmp/$f.$(ext $codec)"
    compress $codec <"$tmp/$f" >"$z"
    for cmd in top info; do
      run $cmd "$z" $(args_for $f) >"$tmp/got"
      same "$cmd $f.$(ext $codec)" "$tmp/$f.$cmd.want" "$tmp/got"
    done
    run top - $(args_for $f) <"$z" >"$tmp/got"
    same "top - <$f.$(ext $codec)" "$tmp/$f.top.want" "$tmp/got"
    { compress $codec <"$tmp/$f.a"; compress $codec <"$tmp/$f.b"; } >"$tmp/cat.$(ext $codec)"
    run top "$tmp/cat.$(ext $codec)" $(args_for $f) >"$tmp/got"
    same "top of two $codec frames of $f" "$tmp/$f.top.want" "$tmp/got"
  done
done
# Damage: cut in the middle, and one byte flipped in the middle.
one_line() { # label pattern file...
  local label=$1 pat=$2; shift 2
  checks=$((checks + 1))
  "$HS" top "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc != 2 ] || [ -s "$tmp/out" ] || [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -Eq "$pat" "$tmp/err"; then
    echo "FAIL: $label: exit $rc: $(head -c 300 "$tmp/err")"; fail=1
  fi
}
for f in profile core; do
  for codec in zstd xz bzip2 lz4 gzip; do
    e=$(ext $codec) z="$tmp/$f.$(ext $codec)"
    size=$(stat -c %s "$z")
    head -c $((size / 2)) "$z" >"$tmp/cut.$e"
    one_line "truncated $f.$e" "^heapscan: $tmp/cut.$e: offset [0-9]+: truncated $codec stream" "$tmp/cut.$e" $(args_for $f)
    python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[len(b) // 2] ^= 0x55; open(sys.argv[2], 'wb').write(b)" "$z" "$tmp/bad.$e"
    one_line "corrupt $f.$e" "^heapscan: $tmp/bad.$e: offset [0-9]+: corrupt $codec stream" "$tmp/bad.$e" $(args_for $f)
  done
done
echo "compressed_inputs: $checks checks"
exit $fail
