#!/usr/bin/env bash
# heapscan top/diff against ground truth from outside heapscan, on the real Go
# profiles each Go version wrote (testdata/profiles/goV, made by
# testdata/gen/leaky; heap, allocs, goroutine, mutex, block), every version's
# against its own `go tool pprof`, the diffs and gates against the newest's
# (the whole matrix of files, types and granularities on the newest
# version's profiles; at the last moment, and by function, on the others):
#  - `go tool pprof -top` (testdata/gen/pprof-truth.sh) for every fixture,
#    every sample type, --by function|file|line: total, and flat and cum of
#    every entry, exactly; -n, --sort cum, default sample type, stdin, raw
#    protobuf, a two-member gzip, --focus/--ignore/--tag (pprof's -focus,
#    -ignore, -tagfocus);
#  - `go tool pprof -diff_base` for `heapscan diff` (deltas, before, after);
#  - truth.N.json: the leak functions' values by construction, the blocked
#    goroutines, and runtime.MemStats growth between the three snapshots;
#  - --fail-if gates: exit 1 when tripped, 0 when not.
# usage: bash tests/e2e/pprof_truth.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin pprof_truth "$@"
TRUTH=testdata/gen/pprof-truth.sh
unit_of() { case $1 in *_space) echo bytes ;; delay) echo nanoseconds ;; *) echo count ;; esac; }
types_of() {
  case $1 in
    *goroutine*) echo goroutine ;;
    *mutex* | *block*) echo contentions delay ;;
    *) echo alloc_objects alloc_space inuse_objects inuse_space ;;
  esac
}

# truth OUT FILE TYPE BY [BASE]: pprof's TSV into OUT (env PPROF_TRUTH_ARGS passes through).
# Results are cached by arguments: the same truth is asked for several times.
mkdir "$tmp/cache"
truth() {
  local out=$1 key
  shift
  key=$tmp/cache/$(printf '%s|' "$@" "${PPROF_TRUTH_ARGS:-}" "$PV" | md5sum | cut -c1-32)
  if [ ! -f "$key" ]; then
    if ! PPROF_TRUTH_GO=$PV bash "$TRUTH" "$@" >"$key.tmp" 2>"$tmp/truth.err"; then
      fail "pprof-truth.sh $*: $(head -c 400 "$tmp/truth.err")"
      return 1
    fi
    mv "$key.tmp" "$key"
  fi
  cp "$key" "$out"
}


for V in "${GO_VERSIONS[@]}"; do
P=testdata/profiles/go$V PV=$V
full=0
[ "$V" = "$GO_NEWEST" ] && full=1
echo "======== Go $V ($P, its go tool pprof; full matrix: $full)"

# A gzip file of two members (the protobuf split in the middle): Go reads it
# as one stream, and so must heapscan.
raw=$tmp/heap2.pb
gzip -dc "$P/heap.2.pb.gz" >"$raw"
half=$(($(stat -c %s "$raw") / 2))
{ head -c "$half" "$raw" | gzip -c; tail -c +$((half + 1)) "$raw" | gzip -c; } >"$tmp/multi.pb.gz"

files=()
for k in 1 2 3; do files+=("$P/heap.$k.pb.gz" "$P/allocs.$k.pb.gz" "$P/goroutine.$k.pb.gz"); done
files+=("$P/mutex.3.pb.gz" "$P/block.3.pb.gz" "$P/heap.3.raw.pb" "$tmp/multi.pb.gz")

echo "== top: every fixture, sample type and granularity against go tool pprof -top"
n=0
for f in "${files[@]}"; do
  for t in $(types_of "$f"); do
    for by in function file line; do
      case $full:$f:$by in 1:* | *.3.*:* | *:function) ;; *) continue ;; esac
      n=$((n + 1))
      j=$tmp/top.$n.json
      truth "$tmp/top.$n.tsv" "$f" "$t" "$by" || continue
      hs "$j" top -n 0 -i "$t" --by "$by" --format json "$f" || continue
      check top "$j" "$tmp/top.$n.tsv" --file "$f" --type "$t" --unit "$(unit_of "$t")" --by "$by"
    done
  done
done

echo "== top: -n, --sort cum, stdin"
for f in "$P/heap.3.pb.gz" "$P/allocs.2.pb.gz"; do
  truth "$tmp/lim.tsv" "$f" inuse_space function || continue
  hs "$tmp/lim.json" top -n 5 -i inuse_space --by function --format json "$f" &&
    check top "$tmp/lim.json" "$tmp/lim.tsv" --file "$f" --type inuse_space --unit bytes --limit 5
  hs "$tmp/cum.json" top -n 0 -i inuse_space --sort cum --format json "$f" &&
    check top "$tmp/cum.json" "$tmp/lim.tsv" --file "$f" --type inuse_space --unit bytes --sort cum
  hs "$tmp/cum5.json" top -n 5 -i inuse_space --sort cum --format json "$f" &&
    check top "$tmp/cum5.json" "$tmp/lim.tsv" --file "$f" --type inuse_space --unit bytes --sort cum --limit 5
done
if truth "$tmp/stdin.tsv" "$P/heap.2.pb.gz" alloc_space function &&
  hs "$tmp/stdin.json" top -n 0 -i alloc_space --format json - <"$P/heap.2.pb.gz"; then
  check top "$tmp/stdin.json" "$tmp/stdin.tsv" --file - --type alloc_space --unit bytes
fi

echo "== top: default sample type is pprof's (Type: line of go tool pprof -top)"
for f in "$P/heap.1.pb.gz" "$P/allocs.1.pb.gz" "$P/goroutine.1.pb.gz"; do
  want=$("$(go_pprof "$PV")" -top -symbolize=none "$f" 2>/dev/null | sed -n 's/^Type: //p')
  hs "$tmp/def.json" top --format json "$f" || continue
  got=$("${CHECK[@]}" field "$tmp/def.json" sample_type)
  checks=$((checks + 1))
  if [ -n "$want" ] && [ "$got" = "$want" ]; then echo "ok   default sample type of $f: $got"; else
    fail "default sample type of $f: heapscan '$got', pprof '$want'"
  fi
done

echo "== top: --focus / --ignore / --tag against pprof -focus / -ignore / -tagfocus"
# Each: heapscan option, pprof option, file, sample type. The regexes match
# function names only (pprof also matches file and mapping names). pprof
# reads a -tagfocus value that looks like a number as a numeric range (which
# never matches a string label), hence ^2$ for it.
filters=(
  "--focus|main\\.leak|-focus=main\\.leak|$P/heap.3.pb.gz|inuse_space"
  "--ignore|runtime/pprof\\.|-ignore=runtime/pprof\\.|$P/allocs.3.pb.gz|alloc_objects"
  "--tag|worker=leaky|-tagfocus=worker=leaky|$P/goroutine.3.pb.gz|goroutine"
  "--tag|phase=2|-tagfocus=phase=^2$|$P/goroutine.3.pb.gz|goroutine"
)
for spec in "${filters[@]}"; do
  IFS='|' read -r hopt hval popt f t <<<"$spec"
  PPROF_TRUTH_ARGS=$popt truth "$tmp/flt.tsv" "$f" "$t" function || continue
  hs "$tmp/flt.json" top -n 0 -i "$t" "$hopt" "$hval" --format json "$f" || continue
  check top "$tmp/flt.json" "$tmp/flt.tsv" --file "$f" --type "$t" --unit "$(unit_of "$t")" --filtered
done

echo "== truth by construction (truth.N.json)"
for k in 1 2 3; do
  for kind in heap allocs; do
    for t in $(types_of heap); do
      hs "$tmp/c.json" top -n 0 -i "$t" --format json "$P/$kind.$k.pb.gz" &&
        check truth-heap "$tmp/c.json" "$P/truth.$k.json" --type "$t"
    done
  done
  hs "$tmp/g.json" top -n 0 -i goroutine --format json "$P/goroutine.$k.pb.gz" &&
    check truth-goroutine "$tmp/g.json" "$P/truth.$k.json"
  for label in worker=leaky phase=1; do
    hs "$tmp/gl.json" top -n 0 -i goroutine --tag "$label" --format json "$P/goroutine.$k.pb.gz" || continue
    want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["goroutines_by_label"][sys.argv[2]])' \
      "$P/truth.$k.json" "$label")
    got=$(python3 -c 'import json,sys; print(sum(r["flat"] for r in json.load(open(sys.argv[1]))["rows"]))' "$tmp/gl.json")
    checks=$((checks + 1))
    if [ "$got" = "$want" ]; then echo "ok   goroutine.$k --tag $label: $got goroutines"; else
      fail "goroutine.$k --tag $label: heapscan $got goroutines, construction $want"
    fi
  done
done

echo "== diff totals equal runtime.MemStats growth (HeapAlloc, HeapObjects, TotalAlloc)"
# Everything after the first line of main is sampled (MemProfileRate = 1); what the
# runtime allocated before that is the same in every snapshot, so growth is exact.
for k in 2 3; do
  memstats_growth "$P/heap.1.pb.gz" "$P/heap.$k.pb.gz" "$k" "heap.1 heap.$k"
done

[ $full = 1 ] || continue
PV=$GO_NEWEST

echo "== diff against go tool pprof -diff_base"
diffs=(
  "$P/heap.1.pb.gz $P/heap.3.pb.gz alloc_objects alloc_space inuse_objects inuse_space"
  "$P/heap.2.pb.gz $P/heap.3.raw.pb inuse_space"
  "$P/allocs.1.pb.gz $P/allocs.2.pb.gz alloc_space"
  "$P/heap.3.pb.gz $P/heap.1.pb.gz inuse_space"
  "$P/goroutine.1.pb.gz $P/goroutine.3.pb.gz goroutine"
)
n=0
for spec in "${diffs[@]}"; do
  read -r before after tlist <<<"$spec"
  for t in $tlist; do
    for by in function file line; do
      n=$((n + 1))
      truth "$tmp/d.$n.tsv" "$after" "$t" "$by" "$before" || continue
      truth "$tmp/b.$n.tsv" "$before" "$t" "$by" || continue
      truth "$tmp/a.$n.tsv" "$after" "$t" "$by" || continue
      hs "$tmp/d.$n.json" diff -n 0 -i "$t" --by "$by" --format json "$before" "$after" || continue
      check diff "$tmp/d.$n.json" "$tmp/d.$n.tsv" "$tmp/b.$n.tsv" "$tmp/a.$n.tsv" \
        --before "$before" --after "$after" --type "$t" --unit "$(unit_of "$t")" --by "$by"
    done
  done
done

echo "== --fail-if gates"
# inuse_space heap.1 -> heap.3 grows by the HeapAlloc growth in truth.*.json
# (6879320 B = 6.56 MiB, about +200%); main.leakBig's flat grows by 200*32 KiB = 6.25 MiB.
gate() { # WANT_EXIT BEFORE AFTER EXPR...
  local want=$1 before=$2 after=$3 rc
  shift 3
  local args=()
  for e in "$@"; do args+=(--fail-if "$e"); done
  checks=$((checks + 1))
  "$HS" diff -i inuse_space "${args[@]}" "$before" "$after" >"$tmp/gate.out" 2>"$tmp/gate.err"
  rc=$?
  if [ $rc -ne "$want" ]; then
    fail "diff ${args[*]} $before $after: exit $rc, want $want ($(head -c 300 "$tmp/gate.err"))"
    return 1
  fi
  if [ "$want" = 1 ] && ! grep -qF -- "$1" "$tmp/gate.out" "$tmp/gate.err"; then
    fail "diff ${args[*]}: exit 1 but the output does not name '$1'"
    return 1
  fi
  echo "ok   diff ${args[*]} $(basename "$before") $(basename "$after"): exit $rc"
}
gate 1 "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" 'total>+1%'
gate 0 "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" 'total>+1000%'
gate 0 "$P/heap.3.pb.gz" "$P/heap.1.pb.gz" 'total>+1%'
gate 1 "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" 'total>+6MiB'
gate 0 "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" 'total>+7MiB'
gate 1 "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" 'any>+6MiB'
gate 0 "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" 'any>+7MiB'
gate 1 "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" 'total>+1%' 'total>+1000%'
for spec in '1|total>+1%|true' '0|total>+1000%|false'; do
  IFS='|' read -r want expr tripped <<<"$spec"
  checks=$((checks + 1))
  "$HS" diff -i inuse_space --fail-if "$expr" --format json "$P/heap.1.pb.gz" "$P/heap.3.pb.gz" >"$tmp/gj.json" 2>"$tmp/gj.err"
  rc=$?
  if [ $rc -ne "$want" ]; then fail "diff --fail-if '$expr' --format json: exit $rc, want $want"; continue; fi
  check gates "$tmp/gj.json" "$expr" "$tripped"
done

done

truth_end pprof_truth
