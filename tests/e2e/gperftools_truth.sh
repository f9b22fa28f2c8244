#!/usr/bin/env bash
# gperftools heap profiles ("heap profile: ... @ heapprofile", then the
# process's memory map) written by testdata/gen/tcleak, against truth from
# outside heapscan:
#  - tcleak-truth.N.json: what the program allocated and freed, counted by
#    itself, for each leak function and sample type (names from the program,
#    given as --binary: the map names where it was when it ran);
#  - `go tool pprof -top -addresses` on the same file: total, and flat and cum
#    of every address, for every sample type;
#  - `go tool pprof -top` with the program: flat and cum of every function
#    pprof names (it shows other files as "[libc.so.6]");
#  - a fresh run when gcc and gperftools are here: names from the files the
#    map names (no --binary), and from a --sysroot copy once the program moved;
#  - a damaged memory map: lines of other shapes are skipped, as pprof does.
# usage: bash tests/e2e/gperftools_truth.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin gperftools_truth "$@"
types="alloc_objects alloc_space inuse_objects inuse_space"
gzip -dc "$P/tcleak.bin.gz" >"$tmp/tcleak" && chmod +x "$tmp/tcleak"

echo "== leak functions by construction (tcleak-truth.N.json), named with --binary"
for k in 1 2; do
  for t in $types; do
    hs "$tmp/c.json" top -n 0 -i "$t" --binary "$tmp/tcleak" --format json "$P/tcleak.$k.heap.gz" &&
      check truth-heap "$tmp/c.json" "$P/tcleak-truth.$k.json" --type "$t"
  done
done

# against_pprof BY CHECK [--binary]: heapscan top --by BY against pprof-truth.sh
# for every fixture and sample type (pprof given the program with --binary).
against_pprof() {
  local by=$1 chk=$2 named=${3:-} k t f bin=() pbin=
  [ -z "$named" ] || bin=(--binary "$tmp/tcleak") pbin=$tmp/tcleak
  for k in 1 2; do
    for t in $types; do
      f=$P/tcleak.$k.heap.gz
      if ! PPROF_TRUTH_BINARY=$pbin bash testdata/gen/pprof-truth.sh "$f" "$t" "$by" >"$tmp/p.tsv" 2>"$tmp/p.err"; then
        fail "pprof-truth.sh $f $t $by: $(head -c 400 "$tmp/p.err")"
        continue
      fi
      hs "$tmp/h.json" top -n 0 -i "$t" --by "$by" "${bin[@]}" --format json "$f" &&
        check "$chk" "$tmp/h.json" "$tmp/p.tsv" --file "$f" --type "$t" --format gperftools-text
    done
  done
}

echo "== top --by address against go tool pprof -addresses on the same file"
against_pprof address top-address
echo "== top against go tool pprof naming the program's functions from the binary"
against_pprof function top-named --binary

echo "== diff of the two dumps against the program's own counts"
for t in $types; do
  hs "$tmp/d.json" diff -n 0 -i "$t" --binary "$tmp/tcleak" --format json \
    "$P/tcleak.1.heap.gz" "$P/tcleak.2.heap.gz" || continue
  checks=$((checks + 1))
  python3 - "$tmp/d.json" "$P/tcleak-truth.1.json" "$P/tcleak-truth.2.json" "$t" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
t1, t2, typ = json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4]
rows = {r["name"]: r for r in d["rows"]}
bad = []
for kind in ("heap_flat", "heap_cum"):
    col = "flat" if kind == "heap_flat" else "cum"
    for fn in set(t1[kind]) | set(t2[kind]):
        want = t2[kind].get(fn, {}).get(typ, 0) - t1[kind].get(fn, {}).get(typ, 0)
        got = rows.get(fn, {}).get(col, {}).get("delta", 0)
        if got != want:
            bad.append("%s %s delta %d, construction %d" % (fn, col, got, want))
if bad:
    sys.exit("FAIL: diff -i %s: %s" % (typ, "; ".join(sorted(bad))))
print("ok   diff -i %s: leak functions' deltas match construction" % typ)
PY
done

echo "== info: the format, the program, the mappings"
hs "$tmp/info.txt" info --binary "$tmp/tcleak" "$P/tcleak.1.heap.gz"
checks=$((checks + 1))
grep -q '^Format: gperftools-text$' "$tmp/info.txt" &&
  grep -q '^Main binary: /tmp/heapscan-tcleak/tcleak$' "$tmp/info.txt" ||
  fail "info: $(cat "$tmp/info.txt")"

echo "== without the program: addresses, same values"
hs "$tmp/u.json" top -n 0 --format json "$P/tcleak.2.heap.gz" &&
  hs "$tmp/n.json" top -n 0 --binary "$tmp/tcleak" --format json "$P/tcleak.2.heap.gz" && {
  checks=$((checks + 1))
  python3 - "$tmp/u.json" "$tmp/n.json" <<'PY' || fails=$((fails + 1))
import json, sys
u, n = (json.load(open(p)) for p in sys.argv[1:3])
names = {r["name"] for r in u["rows"]}
bad = [x for x in names if x in ("leak_big", "leak_small", "leak_inner", "leak_outer")]
if u["total"] != n["total"] or bad:
    sys.exit("FAIL: unnamed run: total %d vs %d, program names %s" % (u["total"], n["total"], bad))
PY
}

echo "== a damaged memory map: other lines skipped"
gzip -dc "$P/tcleak.2.heap.gz" | awk '/MAPPED_LIBRARIES/ {print; print "build=/x"; print "zz-yy r-xp 0 0:0 0 /a"; print "1000-0800 r-xp 0 0:0 0 /b"; next} {print}' >"$tmp/damaged.heap"
hs "$tmp/d.json" top -n 0 --binary "$tmp/tcleak" --format json "$tmp/damaged.heap" &&
  check truth-heap "$tmp/d.json" "$P/tcleak-truth.2.json" --type inuse_space

if [ -f /usr/include/gperftools/heap-profiler.h ] && command -v gcc >/dev/null; then
  echo "== a fresh run: names from the files the map names, then from --sysroot"
  if bash testdata/gen/regen-gperftools.sh "$tmp/live" >"$tmp/regen.log" 2>&1; then
    for k in 1 2; do
      hs "$tmp/l.json" top -n 0 --format json "$tmp/live/tcleak.$k.heap" &&
        check truth-heap "$tmp/l.json" "$tmp/live/tcleak-truth.$k.json" --type inuse_space
    done
    mkdir -p "$tmp/sysroot$tmp/live"
    mv "$tmp/live/tcleak" "$tmp/sysroot$tmp/live/tcleak"
    hs "$tmp/s.json" top -n 0 -i alloc_space --sysroot "$tmp/sysroot" --format json "$tmp/live/tcleak.2.heap" &&
      check truth-heap "$tmp/s.json" "$tmp/live/tcleak-truth.2.json" --type alloc_space
  else
    fail "regen-gperftools.sh: $(tail -c 400 "$tmp/regen.log")"
  fi
else
  echo "(no gperftools here: the fresh run is skipped; scripts/deps.sh installs it)"
fi

truth_end gperftools_truth
