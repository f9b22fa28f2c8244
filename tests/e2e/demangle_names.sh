#!/usr/bin/env bash
# C++ names in profiles (--demangle), on testdata/profiles/cxxleak.heap.gz,
# a gperftools heap profile of testdata/gen/cxxleak/cxxleak.cc (a namespace,
# a class template's member, an overloaded operator, a constructor, a
# lambda, a function template, an overload), named from the program:
#  - short (the default), templates and full against the newest standalone
#    pprof given the same program and libraries, -symbolize=local with
#    demangle= "" / templates / full: every function's name, flat and cum.
#    pprof is run with -noinlines: it names inlined frames from DWARF, which
#    heapscan does not expand in text profiles yet;
#  - none: every _Z name heapscan shows is a symbol of the program (nm),
#    and the total is the same;
#  - cores: class names from vtables (Button, or _ZTV6Button with none);
#  - the growth profile's allocator frames (tcmalloc::...) are found by
#    their demangled names and dropped as pprof drops them (legacy_profiles).
# usage: bash tests/e2e/demangle_names.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin demangle_names "$@"
f=$P/cxxleak.heap.gz
gzip -dc "$P/cxxleak.bin.gz" >"$tmp/cxxleak" && chmod +x "$tmp/cxxleak"
libs=/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu

echo "== every function's name, flat and cum against pprof, per mode"
for mode in short templates full; do
  sym=-symbolize=local
  [ "$mode" = short ] || sym="$sym:demangle=$mode"
  for t in inuse_space alloc_objects; do
    if PPROF_TRUTH_GO=latest PPROF_TRUTH_BINARY=$tmp/cxxleak PPROF_TRUTH_BINARY_PATH=$libs \
      PPROF_TRUTH_ARGS="-noinlines $sym" bash testdata/gen/pprof-truth.sh "$f" "$t" function >"$tmp/p.tsv" 2>"$tmp/p.err"; then
      hs "$tmp/h.json" top -n 0 -i "$t" --demangle "$mode" --binary "$tmp/cxxleak" --format json "$f" &&
        check top-named "$tmp/h.json" "$tmp/p.tsv" --file "$f" --type "$t" --format gperftools-text
    else
      fail "pprof-truth.sh $mode $t: $(head -c 300 "$tmp/p.err")"
    fi
  done
done

echo "== the names each mode must show (pprof's words for this program)"
want_short="store::Cache::put|Widget::Widget|operator<<"
want_full="store::Cache<std::vector<long, std::allocator<long> > >::put(std::vector<long, std::allocator<long> > const&)|Widget::Widget(unsigned long)|operator<<(Log&, int)"
for spec in "short|$want_short" "full|$want_full"; do
  mode=${spec%%|*} names=${spec#*|}
  hs "$tmp/h.json" top -n 0 --demangle "$mode" --binary "$tmp/cxxleak" --format json "$f" || continue
  checks=$((checks + 1))
  python3 - "$tmp/h.json" "$mode" "$names" <<'PY' || fails=$((fails + 1))
import json, sys
rows = {r["name"] for r in json.load(open(sys.argv[1]))["rows"]}
missing = [n for n in sys.argv[3].split("|") if n not in rows]
if missing:
    sys.exit("FAIL: --demangle %s: no row named %s" % (sys.argv[2], missing))
print("ok   --demangle %s: %s" % (sys.argv[2], ", ".join(sys.argv[3].split("|"))))
PY
done

echo "== none: the symbols as the program has them"
nm "$tmp/cxxleak" | awk '{print $NF}' >"$tmp/syms.txt"
hs "$tmp/none.json" top -n 0 --demangle none --binary "$tmp/cxxleak" --format json "$f" &&
  hs "$tmp/short.json" top -n 0 --binary "$tmp/cxxleak" --format json "$f" && {
  checks=$((checks + 1))
  python3 - "$tmp/none.json" "$tmp/short.json" "$tmp/syms.txt" <<'PY' || fails=$((fails + 1))
import json, sys
none, short = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
syms = set(open(sys.argv[3]).read().split())
mangled = [r["name"] for r in none["rows"] if r["name"].startswith("_Z")]
bad = [n for n in mangled if n not in syms]
if not mangled or bad or none["total"] != short["total"]:
    sys.exit("FAIL: --demangle none: %d _Z names, not symbols of the program: %s; totals %d vs %d"
             % (len(mangled), bad[:5], none["total"], short["total"]))
print("ok   --demangle none: %d _Z names, all symbols of the program; total %d" % (len(mangled), none["total"]))
PY
}

echo "== cores: classes named from vtables (cheap-cxx.cc defines Button and Label)"
for spec in "short|Button|Label" "none|_ZTV6Button|_ZTV5Label"; do
  IFS='|' read -r mode a b <<<"$spec"
  hs "$tmp/t.txt" top -n 0 --by type --demangle "$mode" testdata/cores/cheap-cxx.core.gz --binary testdata/cores/cheap-cxx.bin.gz || continue
  checks=$((checks + 1))
  if grep -q " $a\$" "$tmp/t.txt" && grep -q " $b\$" "$tmp/t.txt"; then echo "ok   core --demangle $mode: types $a and $b"; else
    fail "core --demangle $mode: no type $a or $b: $(tail -5 "$tmp/t.txt")"
  fi
done

echo "== a bad mode: one line, exit 2"
"$HS" top --demangle bogus "$f" >"$tmp/o" 2>"$tmp/e"
rc=$?
checks=$((checks + 1))
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && [ ! -s "$tmp/o" ]; then echo "ok   $(cat "$tmp/e")"; else
  fail "--demangle bogus: exit $rc, stderr: $(head -c 200 "$tmp/e")"
fi

truth_end demangle_names
