#!/usr/bin/env bash
# Documentation stays in step with the program: every command listed by
# --help has working `help CMD` text, and every command and every long
# option that a command's help mentions is documented in man/heapscan.1.
set -u
HS=${1:?usage: docs.sh HEAPSCAN}
man=man/heapscan.1
fail=0
[ -s "$man" ] || { echo "missing $man"; exit 1; }
cmp -s "$man" <(cat man/parts/*.roff) || { echo "$man is stale: run scripts/build-man.sh"; fail=1; }
"$HS" --version | grep -Eq '^heapscan [0-9]+\.[0-9]+' || { echo "--version"; fail=1; }
"$HS" --help >/dev/null || { echo "--help exit status"; fail=1; }
cmds=$("$HS" --help | awk '/^Commands:/{on=1;next} on&&/^  [a-z]/{print $1} on&&/^$/{on=0}')
[ -n "$cmds" ] || { echo "no commands listed by --help"; fail=1; }
plain=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$man")
for c in $cmds; do
  out=$("$HS" help "$c") || { echo "help $c: exit $?"; fail=1; continue; }
  [ -n "$out" ] || { echo "help $c: empty"; fail=1; }
  grep -Eq "heapscan $c|^$c\b|B $c" <<<"$plain" || { echo "man page lacks command $c"; fail=1; }
  for opt in $(grep -Eo -- '--[a-z][a-z-]+' <<<"$out" | sort -u); do
    grep -q -- "$opt" <<<"$plain" || { echo "man page lacks $opt (from help $c)"; fail=1; }
  done
done
n=$(wc -w <<<"$cmds")
[ $fail = 0 ] && echo "docs: $n commands checked against $man"
exit $fail
