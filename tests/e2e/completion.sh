#!/usr/bin/env bash
# Shell completion (scripts/completion/): bash completes the commands and,
# per command, exactly the options that command's --help documents; the zsh
# file offers the same commands. `cmake --install` puts both where the shells
# look (checked by installing into a temporary prefix).
# Usage: bash tests/e2e/completion.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: completion.sh HEAPSCAN}
fails=0
# shellcheck source=/dev/null
source scripts/completion/heapscan.bash
complete_words() { # words... -> COMPREPLY for the last word
  COMP_WORDS=(heapscan "$@"); COMP_CWORD=$#
  COMPREPLY=()
  _heapscan
  printf '%s\n' "${COMPREPLY[@]}"
}
want() { # description, expected, got
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$3', want '$2'"; fails=1; fi
}
want "commands starting with d" "diff dominators" "$(complete_words d | sort | tr '\n' ' ' | sed 's/ $//')"
want "--format of graph" "dot" "$(complete_words graph --format d)"
want "--by values" "root" "$(complete_words top --by ro)"
for cmd in info top diff graph dominators paths leaks trend collect goroutines; do
  help=$("$HS" help "$cmd")
  for opt in $(complete_words "$cmd" -); do
    case $help in *"$opt"*) ;; *) echo "FAIL $cmd: completion offers $opt, not in its --help"; fails=1 ;; esac
  done
  for opt in $(grep -oE '^  (-[a-z], )?--[a-z-]+' <<<"$help" | grep -oE -- '--[a-z-]+'); do
    complete_words "$cmd" "$opt" | grep -qx -- "$opt" ||
      { echo "FAIL $cmd: --help documents $opt, completion does not offer it"; fails=1; }
  done
done
for cmd in info top diff graph dominators paths leaks trend collect goroutines help; do
  grep -q "'$cmd:" scripts/completion/_heapscan || { echo "FAIL zsh: no $cmd"; fails=1; }
done
# Installed where bash-completion and zsh look.
build=$(cd "$(dirname "$HS")" && pwd)
if [ -f "$build/cmake_install.cmake" ]; then
  prefix=$(mktemp -d)
  trap 'rm -rf "$prefix"' EXIT
  cmake --install "$build" --prefix "$prefix" >/dev/null
  for f in bin/heapscan share/man/man1/heapscan.1 share/bash-completion/completions/heapscan \
           share/zsh/site-functions/_heapscan; do
    [ -e "$prefix/$f" ] && echo "ok   installed $f" || { echo "FAIL not installed: $f"; fails=1; }
  done
fi
exit $fails
