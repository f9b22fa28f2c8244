#!/usr/bin/env bash
# `heapscan graph` writes DOT that Graphviz renders: for heap, allocs and
# goroutine fixtures, with --nodecount, and the diff graph --base BEFORE AFTER;
# `dot -Tsvg` must exit 0 and give a non-empty SVG. The largest leak by
# construction (main.leakBig, truth.N.json) must be a node of the heap graphs,
# and main.blockOnChan of the goroutine graph (looked for as "leakBig" and
# "blockOnChan": labels may split the package name off, as pprof's do).
# usage: bash tests/e2e/graph_dot.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: graph_dot.sh /path/to/heapscan" >&2
  exit 2
fi
HS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
command -v dot >/dev/null || { echo "graph_dot: Graphviz 'dot' is required (scripts/deps.sh installs graphviz)"; exit 1; }
P=testdata/profiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# render MUST_CONTAIN ARGS...: heapscan graph ARGS | dot -Tsvg
render() {
  local want=$1 rc
  shift
  checks=$((checks + 1))
  "$HS" graph "$@" >"$tmp/g.dot" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 0 ]; then fail "graph $*: exit $rc: $(head -c 300 "$tmp/err")"; return; fi
  if ! head -c 4096 "$tmp/g.dot" | grep -q 'digraph'; then fail "graph $*: output is not a DOT digraph"; return; fi
  if [ -n "$want" ] && ! grep -qF "$want" "$tmp/g.dot"; then fail "graph $*: no node for $want"; return; fi
  if ! dot -Tsvg "$tmp/g.dot" >"$tmp/g.svg" 2>"$tmp/dot.err"; then
    fail "graph $*: dot -Tsvg failed: $(head -c 400 "$tmp/dot.err")"
    return
  fi
  if [ ! -s "$tmp/g.svg" ] || ! grep -q '<svg' "$tmp/g.svg"; then fail "graph $*: empty SVG"; return; fi
  echo "ok   graph $*: $(wc -c <"$tmp/g.dot") bytes of DOT -> $(wc -c <"$tmp/g.svg") bytes of SVG"
}

for k in 1 2 3; do
  render leakBig "$P/heap.$k.pb.gz"
  render blockOnChan "$P/goroutine.$k.pb.gz"
done
render leakBig -i alloc_space "$P/allocs.3.pb.gz"
render leakBig -i inuse_objects "$P/heap.3.raw.pb"
render "" --nodecount 5 "$P/heap.3.pb.gz"
render "" --nodecount 1 "$P/allocs.3.pb.gz"
render leakBig --nodecount 1000 "$P/allocs.3.pb.gz"
render leakBig --base "$P/heap.1.pb.gz" "$P/heap.3.pb.gz"
render leakBig --base "$P/heap.3.pb.gz" "$P/heap.1.pb.gz"
render leakBig -i alloc_objects --base "$P/allocs.1.pb.gz" "$P/allocs.2.pb.gz"
render blockOnChan --base "$P/goroutine.1.pb.gz" "$P/goroutine.3.pb.gz"
# The same profile as base: no change anywhere must still be a valid graph.
render "" --base "$P/heap.2.pb.gz" "$P/heap.2.pb.gz"

# -o FILE writes the same DOT.
checks=$((checks + 1))
"$HS" graph "$P/heap.2.pb.gz" >"$tmp/a.dot" 2>/dev/null
if "$HS" graph -o "$tmp/b.dot" "$P/heap.2.pb.gz" 2>"$tmp/err" && cmp -s "$tmp/a.dot" "$tmp/b.dot"; then
  echo "ok   graph -o FILE writes what stdout gets"
else
  fail "graph -o FILE differs from stdout or failed: $(head -c 300 "$tmp/err")"
fi

echo "graph_dot: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
