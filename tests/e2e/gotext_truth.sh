#!/usr/bin/env bash
# Go's text profiles (debug=1), written by testdata/gen/leaky at the same
# moments as the protobuf ones, by each Go version (testdata/profiles/goV),
# against truth from outside heapscan:
#  - `go tool pprof -top -addresses` of that version on the same text: total,
#    and cum of every address no record hides, every sample type (pprof keeps
#    the frames Go's protobuf writer leaves out);
#  - the same, by function, with the newest pprof: flat and cum of every
#    function equal, with --binary; without it, what the text cannot name
#    (stacks of runtime frames only, a goroutine's leading runtime frames)
#    is exactly the runtime functions' missing flat (type arguments of
#    generic functions are "[...]" in the text: shortened on both sides).
#    runtime/pprof's own functions are left out: Go's protobuf writer hides
#    a PC by its innermost function (runtime.FuncForPC), so a PC where a
#    runtime function is inlined into runtime/pprof code (Go 1.26+) is
#    hidden there, while the text shows the outer frame and does not name
#    the inlined one;
#  - the text with Go's default sampling rate, the same way (both scale
#    every value);
#  - truth.N.json: the leak functions' values and the blocked goroutines by
#    construction, found under the names the "#" lines give;
#  - runtime.MemStats growth between snapshots for the text diff's total;
#  - goroutine labels: --tag against truth.N.json and pprof -tagfocus on the
#    protobuf of the same moment;
#  - leaky rebuilt by each version (checked to be the fixtures' program with
#    `go tool nm`): --binary names every address the text leaves unnamed as
#    `go tool addr2line` names it;
#  - a damaged text profile: one line naming the file, offset and line, exit 2.
# usage: bash tests/e2e/gotext_truth.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin gotext_truth "$@"
HEAP_TYPES="alloc_objects alloc_space inuse_objects inuse_space"

# pt OUT FILE TYPE BY: pprof-truth.sh (of Go $PV unless PPROF_TRUTH_GO is set) into OUT.
pt() {
  local out=$1
  shift
  PPROF_TRUTH_GO=${PPROF_TRUTH_GO:-$PV} bash testdata/gen/pprof-truth.sh "$@" >"$out" 2>"$tmp/p.err" && return 0
  fail "pprof-truth.sh $*: $(head -c 400 "$tmp/p.err")"
  return 1
}

# same_build: leaky rebuilt as regen-profiles.sh builds it is the fixtures'
# program (Go builds are reproducible): each "#" line's PC minus its +0xOFF
# is the entry of the function holding the PC, which must be a function
# symbol of the rebuilt program (`go tool nm`).
same_build() {
  go_cmd "$PV" tool nm "$tmp/leaky" >"$tmp/nm.txt" 2>/dev/null || return 1
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

for PV in "${GO_VERSIONS[@]}"; do
P=testdata/profiles/go$PV
echo "======== Go $PV ($P)"
rm -f "$tmp/leaky"
(cd testdata/gen/leaky && go_cmd "$PV" build -trimpath -o "$tmp/leaky" .) >"$tmp/build.log" 2>&1 ||
  fail "go$PV build leaky: $(head -c 300 "$tmp/build.log")"
bin=
if [ -x "$tmp/leaky" ] && same_build; then
  bin=$tmp/leaky
  echo "ok   rebuilt leaky: all $(cat "$tmp/n_entries.txt") function entries of the # lines are its symbols (go tool nm)"
else
  fail "go$PV: rebuilt leaky is not the program of $P (regenerate with testdata/gen/regen-profiles.sh $PV)"
fi

echo "== top --by address against go$PV tool pprof -addresses on the same text"
# pprof keeps every address of the "@" lines; heapscan leaves out the ones
# Go's protobuf writer leaves out (their flat goes to the next frame): the
# total and the cum of every address no record hides are pprof's.
for k in 1 2 3; do
  for spec in "heap:$HEAP_TYPES" "goroutine:goroutine"; do
    kind=${spec%%:*}
    for t in ${spec#*:}; do
      f=$P/$kind.$k.txt.gz
      pt "$tmp/p.tsv" "$f" "$t" address || continue
      hs "$tmp/h.json" top -n 0 -i "$t" --by address --format json "$f" &&
        check top-address "$tmp/h.json" "$tmp/p.tsv" --file "$f" --type "$t" --cum-only
    done
  done
done

echo "== by function against the newest pprof on the protobuf of the same moment"
for k in 1 2 3; do
  for spec in "heap:$HEAP_TYPES" "goroutine:goroutine"; do
    kind=${spec%%:*}
    for t in ${spec#*:}; do
      f=$P/$kind.$k.txt.gz
      PPROF_TRUTH_GO=$GO_NEWEST pt "$tmp/pb.tsv" "$P/$kind.$k.pb.gz" "$t" function || continue
      hs "$tmp/u.json" top -n 0 -i "$t" --format json "$f" &&
        check text-vs-pb "$tmp/u.json" "$tmp/pb.tsv" "go$PV $kind.$k -i $t" --skip-prefix runtime/pprof.
      [ -n "$bin" ] || continue
      hs "$tmp/b.json" top -n 0 -i "$t" --binary "$bin" --format json "$f" &&
        check text-vs-pb "$tmp/b.json" "$tmp/pb.tsv" "go$PV $kind.$k -i $t --binary" --binary \
          --skip-prefix runtime/pprof.
    done
  done
done

echo "== sampled heap (heap/1048576): values scaled as pprof scales them"
# The fixtures are exact (MemProfileRate 1); the same records under Go's
# default rate make both tools scale every value by 1/(1-exp(-avg/rate)).
gzip -dc "$P/heap.3.txt.gz" | sed '1s|@ heap/2$|@ heap/1048576|' >"$tmp/sampled.txt"
for t in $HEAP_TYPES; do
  pt "$tmp/s.tsv" "$tmp/sampled.txt" "$t" address || continue
  hs "$tmp/s.json" top -n 0 -i "$t" --by address --format json "$tmp/sampled.txt" &&
    check top-address "$tmp/s.json" "$tmp/s.tsv" --file "$tmp/sampled.txt" --type "$t" --cum-only
done

echo "== names from the # lines: truth by construction (truth.N.json)"
for k in 1 2 3; do
  for t in $HEAP_TYPES; do
    hs "$tmp/c.json" top -n 0 -i "$t" --format json "$P/heap.$k.txt.gz" &&
      check truth-heap "$tmp/c.json" "$P/truth.$k.json" --type "$t"
  done
  hs "$tmp/g.json" top -n 0 --format json "$P/goroutine.$k.txt.gz" &&
    check truth-goroutine "$tmp/g.json" "$P/truth.$k.json"
done

echo "== goroutine labels (# labels: lines): --tag against construction and pprof -tagfocus on the protobuf"
for k in 1 2 3; do
  for tag in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["goroutines_by_label"]))' "$P/truth.$k.json"); do
    hs "$tmp/l.json" top -n 0 --tag "$tag" --format json "$P/goroutine.$k.txt.gz" || continue
    # pprof reads "phase=1" as a numeric range: ask for the string as a regexp.
    PPROF_TRUTH_GO=$PV PPROF_TRUTH_ARGS="-tagfocus=${tag%%=*}=^${tag#*=}\$" bash testdata/gen/pprof-truth.sh "$P/goroutine.$k.pb.gz" goroutine function \
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

echo "== --binary: the goroutines' leading runtime frames named as go tool addr2line names them"
if [ -n "$bin" ]; then
  for k in 1 2 3; do
    hs "$tmp/u.json" top -n 0 --by address --format json "$P/goroutine.$k.txt.gz" &&
      hs "$tmp/a.json" top -n 0 --by address --binary "$bin" --format json "$P/goroutine.$k.txt.gz" || continue
    checks=$((checks + 1))
    python3 - "$tmp/a.json" "$bin" "go$PV goroutine.$k" "$tmp/u.json" "$(go_root "$PV")/bin/go" <<'PY' || fails=$((fails + 1))
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
  done
fi
done

P=testdata/profiles/go$GO_NEWEST
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
