#!/usr/bin/env bash
# C heap profiles written by testdata/gen/tcleak/tcleak.c on gperftools'
# tcmalloc ("heap profile: ... @ heapprofile", tcleak.*) and on jemalloc
# ("heap_v2/1", jeleak.*), each followed by the process's memory map, against
# truth from outside heapscan:
#  - NAME-truth.N.json: what the program allocated and freed, counted by
#    itself, for each leak function and sample type (names from the program,
#    given as --binary: the map names where it was when it ran), and the
#    growth between the two dumps for `diff`;
#  - gperftools: `go tool pprof -top -addresses` on the same file (total, flat
#    and cum of every address, every sample type), and `go tool pprof -top`
#    with the program (every function pprof names; it shows other files as
#    "[libc.so.6]");
#  - jemalloc: jeprof (pprof cannot read the format): total, and the cum of
#    every leak function (jeprof expands inlined frames, heapscan names a
#    frame by its symbol, so flat differs where the allocation was inlined);
#  - a fresh run of both when gcc, gperftools and jemalloc are here: names
#    from the files the map names (no --binary), and from a --sysroot copy;
#  - a damaged memory map: lines of other shapes are skipped, as pprof does;
#    damaged jemalloc records: one line naming file, offset and line, exit 2.
# usage: bash tests/e2e/c_heap_profiles.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin c_heap_profiles "$@"
types="alloc_objects alloc_space inuse_objects inuse_space"
for name in tcleak jeleak; do
  gzip -dc "$P/$name.bin.gz" >"$tmp/$name" && chmod +x "$tmp/$name"
done

# by_construction NAME DIR FILE_SUFFIX [heapscan args...]: every sample type of
# both dumps against NAME-truth.N.json, and the diff's deltas against its growth.
by_construction() {
  local name=$1 dir=$2 sfx=$3 k t
  shift 3
  for k in 1 2; do
    for t in $types; do
      hs "$tmp/c.json" top -n 0 -i "$t" "$@" --format json "$dir/$name.$k.heap$sfx" &&
        check truth-heap "$tmp/c.json" "$dir/$name-truth.$k.json" --type "$t"
    done
  done
  for t in $types; do
    hs "$tmp/d.json" diff -n 0 -i "$t" "$@" --format json "$dir/$name.1.heap$sfx" "$dir/$name.2.heap$sfx" ||
      continue
    checks=$((checks + 1))
    python3 - "$tmp/d.json" "$dir/$name-truth.1.json" "$dir/$name-truth.2.json" "$t" "$name" <<'PY' || fails=$((fails + 1))
import json, sys
d = json.load(open(sys.argv[1]))
t1, t2, typ, name = json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4], sys.argv[5]
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
    sys.exit("FAIL: %s diff -i %s: %s" % (name, typ, "; ".join(sorted(bad))))
print("ok   %s diff -i %s: leak functions' deltas match construction" % (name, typ))
PY
  done
}

for name in tcleak jeleak; do
  echo "== $name: leak functions and growth by construction, named with --binary"
  by_construction "$name" "$P" .gz --binary "$tmp/$name"
done

# against_pprof BY CHECK [--binary]: heapscan top --by BY against pprof-truth.sh
# for every gperftools fixture and sample type (pprof given the program with --binary).
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

echo "== gperftools: top --by address against go tool pprof -addresses on the same file"
against_pprof address top-address
echo "== gperftools: top against go tool pprof naming the program's functions from the binary"
against_pprof function top-named --binary

echo "== jemalloc: total and leak functions' cum against jeprof"
if command -v jeprof >/dev/null; then
  for k in 1 2; do
    for t in inuse_space alloc_space; do
      # jeprof reads the program where the map says: point the map at our copy.
      f=$tmp/jeleak.$k.heap
      gzip -dc "$P/jeleak.$k.heap.gz" | sed "s|/tmp/heapscan-tcleak/jeleak\$|$tmp/jeleak|" >"$f"
      hs "$tmp/j.json" top -n 0 -i "$t" --format json "$f" || continue
      jeprof --text --show_bytes "--$t" "$tmp/jeleak" "$f" >"$tmp/jeprof.txt" 2>"$tmp/jeprof.err" ||
        { fail "jeprof $f: $(head -c 300 "$tmp/jeprof.err")"; continue; }
      checks=$((checks + 1))
      python3 - "$tmp/j.json" "$tmp/jeprof.txt" "jeleak.$k -i $t" <<'PY' || fails=$((fails + 1))
import json, re, sys
doc, what = json.load(open(sys.argv[1])), sys.argv[3]
text = open(sys.argv[2]).read()
total = int(re.search(r"^Total: (\d+) B$", text, re.M).group(1))
cum = {}
for m in re.finditer(r"^\s*(\d+)\s+\S+%\s+\S+%\s+(\d+)\s+\S+%\s+(.*?)\s*$", text, re.M):
    cum[m.group(3)] = int(m.group(2))
ours = {r["name"]: r["cum"] for r in doc["rows"]}
leak = [n for n in cum if n.startswith("leak_")]
bad = ["%s cum heapscan=%s jeprof=%d" % (n, ours.get(n), cum[n]) for n in leak if ours.get(n) != cum[n]]
if doc["total"] != total:
    bad.insert(0, "total heapscan=%d jeprof=%d" % (doc["total"], total))
if bad or len(leak) < 2:
    sys.exit("FAIL: %s: %s (%d leak functions)" % (what, "; ".join(bad), len(leak)))
print("ok   %s: total %d and %d leak functions' cum equal jeprof's" % (what, total, len(leak)))
PY
    done
  done
else
  echo "(no jeprof here: skipped; scripts/deps.sh installs libjemalloc-dev)"
fi

echo "== info: the format, the program"
for spec in tcleak:gperftools-text jeleak:jemalloc-text; do
  name=${spec%%:*}
  hs "$tmp/info.txt" info --binary "$tmp/$name" "$P/$name.1.heap.gz" || continue
  checks=$((checks + 1))
  grep -q "^Format: ${spec#*:}\$" "$tmp/info.txt" &&
    grep -q "^Main binary: /tmp/heapscan-tcleak/$name\$" "$tmp/info.txt" || fail "info $name: $(cat "$tmp/info.txt")"
done

echo "== without the program: no names of its functions; the total is the file's own"
for name in tcleak jeleak; do
  hs "$tmp/u.json" top -n 0 --format json "$P/$name.2.heap.gz" || continue
  checks=$((checks + 1))
  python3 - "$tmp/u.json" "$P/$name.2.heap.gz" "$name" <<'PY' || fails=$((fails + 1))
import gzip, json, re, sys
u = json.load(open(sys.argv[1]))
# The in-use bytes the allocator wrote at the top: gperftools' header line,
# jemalloc's "t*:" totals line.
head = gzip.open(sys.argv[2], "rt").read(400)
want = int(re.search(r"(?:heap profile:|t\*:)\s*\d+:\s*(\d+)\s*\[", head).group(1))
bad = [r["name"] for r in u["rows"] if r["name"].startswith("leak_")]
if u["total"] != want or bad:
    sys.exit("FAIL: %s unnamed: total %d, the file's header %d; program names %s" % (sys.argv[3], u["total"], want, bad))
print("ok   %s unnamed: total %d = the header's in-use bytes" % (sys.argv[3], u["total"]))
PY
done

echo "== a damaged memory map: other lines skipped"
gzip -dc "$P/tcleak.2.heap.gz" | awk '/MAPPED_LIBRARIES/ {print; print "build=/x"; print "zz-yy r-xp 0 0:0 0 /a"; print "1000-0800 r-xp 0 0:0 0 /b"; next} {print}' >"$tmp/damaged.heap"
hs "$tmp/d.json" top -n 0 --binary "$tmp/tcleak" --format json "$tmp/damaged.heap" &&
  check truth-heap "$tmp/d.json" "$P/tcleak-truth.2.json" --type inuse_space

echo "== damaged jemalloc records: file, offset and line, exit 2"
gzip -dc "$P/jeleak.2.heap.gz" >"$tmp/je.heap"
second_at=$(grep -n '^@' "$tmp/je.heap" | sed -n 2p | cut -d: -f1)
damage() { # WHAT SED_SCRIPT WANT_LINE WANT_TEXT
  sed "$2" "$tmp/je.heap" >"$tmp/bad.heap"
  local off rc
  off=$(head -n $(($3 - 1)) "$tmp/bad.heap" | wc -c)
  "$HS" top "$tmp/bad.heap" >"$tmp/o" 2>"$tmp/e"
  rc=$?
  checks=$((checks + 1))
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && [ ! -s "$tmp/o" ] &&
    grep -q "bad.heap: offset $off: line $3: $4" "$tmp/e"; then
    echo "ok   $1: $(cat "$tmp/e")"
  else
    fail "$1: exit $rc, stderr: $(head -c 300 "$tmp/e")"
  fi
}
damage "counts lost" "$((second_at + 1))d" "$second_at" "stack without counts"
damage "counts malformed" "$((second_at + 1))s/\\[.*//" "$((second_at + 1))" "malformed jemalloc counts"
damage "a stray line" "${second_at}i\\garbage" "$second_at" "malformed jemalloc line"

if [ -f /usr/include/gperftools/heap-profiler.h ] && [ -f /usr/include/jemalloc/jemalloc.h ] &&
  command -v gcc >/dev/null; then
  echo "== a fresh run: names from the files the map names, then from --sysroot"
  if bash testdata/gen/regen-gperftools.sh "$tmp/live" >"$tmp/regen.log" 2>&1; then
    for name in tcleak jeleak; do
      for k in 1 2; do
        hs "$tmp/l.json" top -n 0 --format json "$tmp/live/$name.$k.heap" &&
          check truth-heap "$tmp/l.json" "$tmp/live/$name-truth.$k.json" --type inuse_space
      done
      mkdir -p "$tmp/sysroot$tmp/live"
      mv "$tmp/live/$name" "$tmp/sysroot$tmp/live/$name"
      hs "$tmp/s.json" top -n 0 -i alloc_space --sysroot "$tmp/sysroot" --format json "$tmp/live/$name.2.heap" &&
        check truth-heap "$tmp/s.json" "$tmp/live/$name-truth.2.json" --type alloc_space
    done
  else
    fail "regen-gperftools.sh: $(tail -c 400 "$tmp/regen.log")"
  fi
else
  echo "(no gperftools or jemalloc headers here: the fresh run is skipped; scripts/deps.sh installs them)"
fi

truth_end c_heap_profiles
