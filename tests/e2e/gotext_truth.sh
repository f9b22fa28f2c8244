#!/usr/bin/env bash
# Go's text profiles (debug=1) in testdata/profiles, written by
# testdata/gen/leaky at the same moments as the protobuf ones, against truth
# from outside heapscan:
#  - `go tool pprof -top -addresses` on the same text file (pprof reads it as
#    a legacy profile and cannot name its frames): total, and flat and cum of
#    every address, for every sample type; also with the header's rate set to
#    Go's default, so that both scale every value;
#  - truth.N.json: the leak functions' values and the blocked goroutines by
#    construction, found under the names the "#" lines give;
#  - `go tool pprof -top` on the protobuf profile of the same moment: same
#    total, and the same cum for every function both name (runtime.* aside);
#  - runtime.MemStats growth between snapshots for the text diff's total;
#  - goroutine labels: --tag against truth.N.json and pprof -tagfocus on the
#    protobuf of the same moment;
#  - with --binary (leaky rebuilt, checked to be the fixtures' program with
#    `go tool nm`): every address named as `go tool addr2line` names it, and
#    goroutine profiles equal to the protobuf ones function by function;
#  - a damaged text profile: one line naming the file, offset and line, exit 2.
# usage: bash tests/e2e/gotext_truth.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin gotext_truth "$@"

# by_address FILE TYPE: heapscan --by address against pprof -addresses.
by_address() {
  if ! bash testdata/gen/pprof-truth.sh "$1" "$2" address >"$tmp/p.tsv" 2>"$tmp/p.err"; then
    fail "pprof-truth.sh $1 $2 address: $(head -c 400 "$tmp/p.err")"
    return
  fi
  hs "$tmp/h.json" top -n 0 -i "$2" --by address --format json "$1" &&
    check top-address "$tmp/h.json" "$tmp/p.tsv" --file "$1" --type "$2"
}

echo "== top --by address against go tool pprof -addresses on the same text"
for k in 1 2 3; do
  for spec in "heap:alloc_objects alloc_space inuse_objects inuse_space" "goroutine:goroutine"; do
    kind=${spec%%:*}
    f=$P/$kind.$k.txt.gz
    for t in ${spec#*:}; do by_address "$f" "$t"; done
  done
done

echo "== sampled heap (heap/1048576): values scaled as pprof scales them"
# The fixtures are exact (MemProfileRate 1); the same records under Go's
# default rate make both tools scale every value by 1/(1-exp(-avg/rate)).
gzip -dc "$P/heap.3.txt.gz" | sed '1s|@ heap/2$|@ heap/1048576|' >"$tmp/sampled.txt"
for t in alloc_objects alloc_space inuse_objects inuse_space; do by_address "$tmp/sampled.txt" "$t"; done

echo "== names from the # lines: truth by construction (truth.N.json)"
for k in 1 2 3; do
  for t in alloc_objects alloc_space inuse_objects inuse_space; do
    hs "$tmp/c.json" top -n 0 -i "$t" --format json "$P/heap.$k.txt.gz" &&
      check truth-heap "$tmp/c.json" "$P/truth.$k.json" --type "$t"
  done
  hs "$tmp/g.json" top -n 0 --format json "$P/goroutine.$k.txt.gz" &&
    check truth-goroutine "$tmp/g.json" "$P/truth.$k.json"
done

echo "== the same moment as protobuf: total and cum against go tool pprof on the .pb.gz"
for k in 1 2 3; do
  for spec in "heap:inuse_space" "heap:alloc_objects" "goroutine:goroutine"; do
    kind=${spec%%:*} t=${spec#*:}
    hs "$tmp/t.json" top -n 0 -i "$t" --format json "$P/$kind.$k.txt.gz" || continue
    if ! bash testdata/gen/pprof-truth.sh "$P/$kind.$k.pb.gz" "$t" function >"$tmp/pb.tsv" 2>"$tmp/p.err"; then
      fail "pprof-truth.sh $kind.$k.pb.gz $t: $(head -c 400 "$tmp/p.err")"
      continue
    fi
    checks=$((checks + 1))
    python3 - "$tmp/t.json" "$tmp/pb.tsv" "$kind.$k -i $t" <<'PY' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1]))
total, pc = None, {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "#total":
        total = int(f[1])
    elif not f[0].startswith("#"):
        pc[f[0]] = int(f[2])
what, bad = sys.argv[3], []
if t["total"] != total:
    bad.append("total text=%d pprof(protobuf)=%s" % (t["total"], total))
tc = {r["name"]: r["cum"] for r in t["rows"]}
# Go's protobuf writer drops a stack's leading runtime.* frames (outermost
# function at each PC); the text names every PC some record names, so
# runtime functions may have more cum in the text. Other functions agree.
both = sorted(n for n in set(tc) & set(pc) if n != "<unknown>" and not n.startswith("runtime."))
bad += ["%s cum text=%d pprof(protobuf)=%d" % (n, tc[n], pc[n]) for n in both if tc[n] != pc[n]]
if len(both) < 5:
    bad.append("only %d functions named by both" % len(both))
if bad:
    print("FAIL: %s: %s" % (what, "; ".join(bad[:5])))
    sys.exit(1)
print("ok   %s: total %d, %d functions agree with pprof on the protobuf" % (what, t["total"], len(both)))
PY
  done
done

echo "== goroutine labels (# labels: lines): --tag against construction and pprof -tagfocus on the protobuf"
for k in 1 2 3; do
  for tag in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["goroutines_by_label"]))' "$P/truth.$k.json"); do
    hs "$tmp/l.json" top -n 0 --tag "$tag" --format json "$P/goroutine.$k.txt.gz" || continue
    # pprof reads "phase=1" as a numeric range: ask for the string as a regexp.
    PPROF_TRUTH_ARGS="-tagfocus=${tag%%=*}=^${tag#*=}\$" bash testdata/gen/pprof-truth.sh "$P/goroutine.$k.pb.gz" goroutine function \
      >"$tmp/pl.tsv" 2>"$tmp/p.err" || { fail "pprof-truth.sh -tagfocus=$tag: $(head -c 300 "$tmp/p.err")"; continue; }
    checks=$((checks + 1))
    python3 - "$tmp/l.json" "$P/truth.$k.json" "$tmp/pl.tsv" "$tag" "goroutine.$k" <<'PY' || fails=$((fails + 1))
import json, sys
doc, truth, tag, what = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[4], sys.argv[5]
want = truth["goroutines_by_label"][tag]
got = sum(r["flat"] for r in doc["rows"])
shown = [int(l.split("\t")[1]) for l in open(sys.argv[3]) if l.startswith("#shown\t")][0]
cum = {r["name"]: r["cum"] for r in doc["rows"]}
pp = {l.split("\t")[0]: int(l.split("\t")[2]) for l in open(sys.argv[3]) if not l.startswith("#")}
main = {n: c for n, c in pp.items() if n.startswith("main.")}
bad = [n for n in main if cum.get(n) != main[n]]
if got != want or shown != want or bad or not main:
    sys.exit("FAIL: %s --tag %s: heapscan %d, construction %d, pprof -tagfocus %d; main.* cum differ: %s"
             % (what, tag, got, want, shown, bad))
print("ok   %s --tag %s: %d goroutines (construction, pprof -tagfocus), main.* cum equal" % (what, tag, got))
PY
  done
done

echo "== --binary: the leading frames the text leaves unnamed, named from the program"
# leaky rebuilt as regen-profiles.sh builds it; Go builds are reproducible, so
# it is the fixtures' program when the toolchain is the same. That is checked
# first, outside heapscan: each "#" line's PC minus its +0xOFF is the entry of
# the function holding the PC, which must be a function symbol of the rebuilt
# program (`go tool nm`); else this part is skipped (toolchain drift, not a bug).
(cd testdata/gen/leaky && go_cmd 1.19 build -trimpath -o "$tmp/leaky" .) >"$tmp/build.log" 2>&1 || fail "go build leaky: $(head -c 300 "$tmp/build.log")"
same_build() {
  go_cmd 1.19 tool nm "$tmp/leaky" >"$tmp/nm.txt" 2>/dev/null || return 1
  gzip -dc "$P"/goroutine.[123].txt.gz "$P"/heap.[123].txt.gz | python3 -c '
import re, sys
syms = {int(l.split()[0], 16) for l in open(sys.argv[1]) if len(l.split()) >= 3 and l.split()[1] in "Tt"}
entries = set()
for line in sys.stdin:
    m = re.match(r"^#\t+0x([0-9a-f]+)\t+\S+\+0x([0-9a-f]+)\t", line)
    if m:
        entries.add(int(m.group(1), 16) - int(m.group(2), 16))
print(len(entries))
sys.exit(0 if entries and entries <= syms else 1)' "$tmp/nm.txt" >"$tmp/n_entries.txt"
}
if [ -x "$tmp/leaky" ] && same_build; then
  echo "ok   rebuilt leaky: all $(cat "$tmp/n_entries.txt") function entries of the # lines are its symbols (go tool nm)"
  for k in 1 2 3; do
    # Each address the text leaves unnamed is named as go tool addr2line names it.
    hs "$tmp/u.json" top -n 0 --by address --format json "$P/heap.$k.txt.gz" &&
      hs "$tmp/a.json" top -n 0 --by address --binary "$tmp/leaky" --format json "$P/heap.$k.txt.gz" || continue
    checks=$((checks + 1))
    python3 - "$tmp/a.json" "$tmp/leaky" "heap.$k" "$tmp/u.json" "$(go_root 1.19)/bin/go" <<'PY' || fails=$((fails + 1))
import json, subprocess, sys
unnamed = {r["name"].split()[0] for r in json.load(open(sys.argv[4]))["rows"] if "<unknown>" in r["name"]}
rows = [r for r in json.load(open(sys.argv[1]))["rows"] if r["name"].split()[0] in unnamed]
addrs = sorted({r["name"].split()[0] for r in rows})
if len(addrs) != len(unnamed) or not addrs:
    sys.exit("FAIL: %s: %d unnamed addresses, %d with --binary" % (sys.argv[3], len(unnamed), len(addrs)))
out = subprocess.run([sys.argv[5], "tool", "addr2line", sys.argv[2]], input="".join("0x%s\n" % a for a in addrs),
                     capture_output=True, text=True, check=True).stdout.splitlines()[0::2]
names = {}
for r in rows:
    names.setdefault(r["name"].split()[0], set()).add(r["name"].split()[1])
bad = ["%s: heapscan %s, addr2line %s" % (a, sorted(names[a]), f) for a, f in zip(addrs, out) if f not in names[a]]
unknown = [r["name"] for r in rows if "<unknown>" in r["name"]]
if bad or unknown:
    sys.exit("FAIL: %s --binary: %s" % (sys.argv[3], "; ".join((bad + unknown)[:5])))
print("ok   %s --binary: all %d addresses the text leaves unnamed named as go tool addr2line names them" % (sys.argv[3], len(addrs)))
PY
    # Goroutine stacks then equal the protobuf profile of the same moment,
    # function by function (the protobuf writer leaves out runtime.goexit).
    hs "$tmp/g.json" top -n 0 --binary "$tmp/leaky" --format json "$P/goroutine.$k.txt.gz" || continue
    bash testdata/gen/pprof-truth.sh "$P/goroutine.$k.pb.gz" goroutine function >"$tmp/pb.tsv" 2>"$tmp/p.err" ||
      { fail "pprof-truth.sh goroutine.$k.pb.gz: $(head -c 300 "$tmp/p.err")"; continue; }
    checks=$((checks + 1))
    python3 - "$tmp/g.json" "$tmp/pb.tsv" "goroutine.$k" <<'PY' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1]))
got = {r["name"]: (r["flat"], r["cum"]) for r in t["rows"] if not r["name"].startswith("runtime.goexit")}
want, total = {}, None
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "#total":
        total = int(f[1])
    elif not f[0].startswith("#"):
        want[f[0]] = (int(f[1]), int(f[2]))
bad = ["%s heapscan=%s pprof=%s" % (n, got.get(n), want.get(n)) for n in sorted(set(got) | set(want))
       if got.get(n) != want.get(n)]
if t["total"] != total:
    bad.insert(0, "total %d vs %d" % (t["total"], total))
if bad:
    sys.exit("FAIL: %s --binary vs protobuf: %s" % (sys.argv[3], "; ".join(bad[:5])))
print("ok   %s --binary: all %d functions' flat and cum equal pprof on the protobuf" % (sys.argv[3], len(want)))
PY
  done
else
  echo "(rebuilt leaky is not the fixtures' program here: --binary checks skipped)"
fi

echo "== info, diff, damage"
hs "$tmp/i.json" info --format json "$P/heap.3.txt.gz" &&
  check field "$tmp/i.json" format
if [ "$("${CHECK[@]}" field "$tmp/i.json" format 2>/dev/null)" != go-text ]; then fail "info format is not go-text"; fi
checks=$((checks + 1))
memstats_growth "$P/heap.1.txt.gz" "$P/heap.3.txt.gz" 3 "heap.1 heap.3 (text)"
# Cut in the middle of the second record: "6: 393216 [6: 39".
gzip -dc "$P/heap.3.txt.gz" >"$tmp/full.txt"
line=$(grep -n ' @ 0x' "$tmp/full.txt" | sed -n 2p | cut -d: -f1)
off=$(head -n $((line - 1)) "$tmp/full.txt" | wc -c)
head -c $((off + 12)) "$tmp/full.txt" >"$tmp/cut.txt"
"$HS" top "$tmp/cut.txt" >"$tmp/o" 2>"$tmp/e"
rc=$?
checks=$((checks + 1))
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && grep -q "cut.txt: offset $off: line $line: " "$tmp/e" &&
  [ ! -s "$tmp/o" ]; then
  echo "ok   cut text profile: $(cat "$tmp/e")"
else
  fail "cut text profile: exit $rc, stderr: $(head -c 300 "$tmp/e")"
fi

truth_end gotext_truth
