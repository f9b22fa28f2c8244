#!/usr/bin/env bash
# A core names its program's path (NT_FILE). When the program is still at that
# path, heapscan must find it without --binary: `info` names the file and the
# roots carry the program's symbols (g_big ...), exactly as with --binary.
# The fixture was made in a temporary directory; we recreate that path.
set -u
HS=${1:?usage: core_exe_path.sh HEAPSCAN}
core=testdata/cores/cheap-c.core.gz
exe=$("$HS" info "$core" | awk '/^  module \/.*cheap-c:/ {sub(":", "", $2); print $2; exit}')
[ -n "$exe" ] || { echo "no program module in info"; exit 1; }
dir=$(dirname "$exe")
[ -e "$dir" ] && { echo "skip: $dir exists already"; exit 0; }
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir" && gzip -dc testdata/cores/cheap-c.bin.gz >"$exe" && chmod +x "$exe"
fail=0
"$HS" info "$core" | grep -q "^  module $exe: .* $exe\$" ||
  { echo "info does not name $exe:"; "$HS" info "$core" | grep "module $exe"; fail=1; }
found=$("$HS" top --by root -n 0 --format csv "$core")
given=$("$HS" top --by root -n 0 --format csv --binary "$exe" "$core")
[ "$found" = "$given" ] || { echo "roots differ with and without --binary"; diff <(echo "$found") <(echo "$given"); fail=1; }
grep -q '^g_big,' <<<"$found" || { echo "no g_big root label"; fail=1; }
rm -rf "$dir"
"$HS" info "$core" | grep -q "^  module $exe: .*(file not found) (no symbols)" ||
  { echo "a missing program is not reported as missing"; fail=1; }
[ $fail = 0 ] && echo "core_exe_path: program found at $exe without --binary"
exit $fail
