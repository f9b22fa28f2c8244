#!/usr/bin/env bash
# heapscan trend against ground truth from outside heapscan:
#  - `go tool pprof -top` (testdata/gen/pprof-truth.sh, the newest Go's pprof)
#    on each snapshot of the committed heap, allocs and goroutine profile
#    series (testdata/profiles and testdata/profiles/goV, written by
#    testdata/gen/leaky in the order 1, 2, 3): every value of every row is
#    pprof's flat (--cum: cum) for that file, every entry pprof lists with a
#    nonzero value is a row, the total series is pprof's totals; for every
#    sample type and --by function|file|line;
#  - the order: files given 3 2 1 come out 1 2 3 (their time_nanos);
#  - slopes and classes recomputed from pprof's numbers with the rules of
#    the man page (least squares over the index and over time; classes);
#  - construction (truth.N.json): main.leakBig grows by 100 x 32 KiB a step;
#  - gates: grows>0 and slope>+1MiB/h trip (exit 1), impossible ones do not.
# usage: bash tests/e2e/trend_truth.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin trend_truth "$@"
PV=$GO_NEWEST

# compare TREND_JSON VALUE(flat|cum) TIMES_FILE TSV1 TSV2 TSV3
compare() {
  checks=$((checks + 1))
  python3 - "$@" <<'EOF' || fails=$((fails + 1))
import json, sys
trend, col, *tsvs = sys.argv[1:]
t = json.load(open(trend))
ci = 1 if col == "flat" else 2
want, totals = [], []
for path in tsvs:
    d = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] == "#total":
            totals.append(int(f[1]))
        elif not f[0].startswith("#"):
            # Go 1.26+ pprof -files lists a file once per function: add up.
            d[f[0]] = d.get(f[0], 0) + int(f[ci])
    want.append(d)
n = len(tsvs)
bad = []
if t["total"] != totals:
    bad.append("total %s != pprof %s" % (t["total"], totals))
rows = {r["name"]: r for r in t["rows"]}
names = set(k for d in want for k, v in d.items() if v != 0)
for name in names:
    exp = [d.get(name, 0) for d in want]
    if name not in rows:
        bad.append("%s missing (pprof %s)" % (name, exp))
    elif rows[name]["values"] != exp:
        bad.append("%s: %s != pprof %s" % (name, rows[name]["values"], exp))
for name in rows:
    if name not in names:
        bad.append("%s: a row, but pprof has no nonzero value" % name)

def slope(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0

def klass(v):
    if all(v[i + 1] > v[i] for i in range(len(v) - 1)): return "grows"
    if v[0] == 0: return "new"
    if v[-1] == 0: return "gone"
    tol = max(abs(x) for x in v) * 5 / 100
    if v[-1] - v[0] > tol: return "rises"
    if v[0] - v[-1] > tol: return "falls"
    return "steady"

hours = [(x - t["times"][0]) / 3.6e12 for x in t["times"]]
for r in t["rows"]:
    v = r["values"]
    for key, xs in (("slope_per_snapshot", list(range(n))), ("slope_per_hour", hours)):
        s = slope(xs, v)
        if abs(r[key] - s) > 1e-6 * max(1.0, abs(s)):
            bad.append("%s: %s %s, from pprof's values %s" % (r["name"], key, r[key], s))
    if r["class"] != klass(v):
        bad.append("%s: class %s, from pprof's values %s" % (r["name"], r["class"], klass(v)))
order = ["grows", "rises", "new", "steady", "falls", "gone"]
ranks = [order.index(r["class"]) for r in t["rows"]]
if ranks != sorted(ranks):
    bad.append("rows are not sorted by class (grows first)")
if bad:
    print("FAIL: %s %s: %d differences, e.g. %s" % (trend, col, len(bad), "; ".join(bad[:4])))
    sys.exit(1)
print("ok   %s: %d rows x %d snapshots = pprof's %s, total, slopes, classes" % (trend, len(rows), n, col))
EOF
}

types_of() {
  case $1 in
    goroutine) echo goroutine ;;
    *) echo alloc_objects alloc_space inuse_objects inuse_space ;;
  esac
}

k=0
for dir in "$P" "$P/go1.19" "$P/go1.26" "$P/go1.27"; do
  for kind in heap allocs goroutine; do
    for type in $(types_of $kind); do
      for by in function file line; do
        # the full matrix on the newest Go's files, the default view elsewhere
        if [ "$dir" != "$P/go$GO_NEWEST" ] && { [ "$by" != function ] || [ "$type" = alloc_objects ] || [ "$type" = inuse_objects ]; }; then continue; fi
        for col in flat cum; do
          [ "$col" = cum ] && [ "$by" != function ] && continue
          k=$((k + 1))
          out=$tmp/trend.$k.json
          cumopt=()
          [ "$col" = cum ] && cumopt=(--cum)
          hs "$out" trend --format json -n 0 -i "$type" --by "$by" "${cumopt[@]}" \
            "$dir/$kind.3.pb.gz" "$dir/$kind.2.pb.gz" "$dir/$kind.1.pb.gz" || continue
          got=$(python3 -c 'import json,sys; print(" ".join(f.rsplit("/",1)[1] for f in json.load(open(sys.argv[1]))["files"]))' "$out")
          checks=$((checks + 1))
          [ "$got" = "$kind.1.pb.gz $kind.2.pb.gz $kind.3.pb.gz" ] || fail "$dir $kind: order by time_nanos: got $got"
          tsvs=()
          for i in 1 2 3; do
            key=$tmp/$(printf '%s|' "$dir/$kind.$i" "$type" "$by" | md5sum | cut -c1-32)
            [ -f "$key" ] || PPROF_TRUTH_GO=$PV bash testdata/gen/pprof-truth.sh "$dir/$kind.$i.pb.gz" "$type" "$by" >"$key" 2>"$tmp/perr" ||
              { rm -f "$key"; fail "pprof-truth $dir/$kind.$i.pb.gz: $(head -c 300 "$tmp/perr")"; continue 2; }
            tsvs+=("$key")
          done
          echo -n "$dir $kind -i $type --by $by $col: "
          compare "$out" "$col" "${tsvs[@]}"
        done
      done
    done
  done
done

# Construction: leakBig adds 100 x 32 KiB per step (truth.N.json).
hs "$tmp/c.json" trend --format json -n 0 $P/heap.1.pb.gz $P/heap.2.pb.gz $P/heap.3.pb.gz
checks=$((checks + 1))
python3 - "$tmp/c.json" "$P" <<'EOF' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1]))
row = {r["name"]: r for r in t["rows"]}["main.leakBig"]
truth = [json.load(open("%s/truth.%d.json" % (sys.argv[2], i))) for i in (1, 2, 3)]
assert row["class"] == "grows", row
assert row["slope_per_snapshot"] == 100 * 32768, row
assert t["rows"][0]["name"] == "main.leakBig", t["rows"][0]
print("ok   main.leakBig grows by 100 x 32KiB per snapshot (construction), first row")
EOF

# Gates: exit 1 when tripped, 0 when not.
gate() {
  local want=$1 rc
  shift
  "$HS" trend "$@" $P/heap.1.pb.gz $P/heap.2.pb.gz $P/heap.3.pb.gz >/dev/null 2>"$tmp/g.err"
  rc=$?
  checks=$((checks + 1))
  if [ $rc -eq "$want" ]; then echo "ok   gate $* -> $rc"; else fail "gate $*: exit $rc, want $want ($(head -c 300 "$tmp/g.err"))"; fi
}
gate 1 --fail-if 'grows>0'
gate 1 --fail-if 'slope>+1MiB/h'
gate 1 --fail-if 'slope > 3MiB/snapshot'
gate 0 --fail-if 'slope>+1TiB/h'
gate 0 --fail-if 'slope>4MiB/snapshot'
gate 1 --fail-if 'total.slope>3MiB'
gate 0 --fail-if 'gone>0' --fail-if 'falls>0'
gate 1 --fail-if 'total>+100%'
gate 0 --fail-if 'any>+10MiB'
gate 2 --fail-if 'grows>1MiB'
gate 2 --fail-if 'slope>1MiB/week'
gate 2 --fail-if 'slope>1%'
gate 2 --fail-if 'shrinks>0'
# text profiles carry no time: a per-hour slope cannot be measured
"$HS" trend --fail-if 'slope>1MiB/h' $P/heap.1.txt.gz $P/heap.2.txt.gz >/dev/null 2>"$tmp/g.err"
rc=$?
checks=$((checks + 1))
[ $rc -eq 2 ] && grep -q "no times" "$tmp/g.err" && echo "ok   per-hour gate on snapshots without times: exit 2" ||
  fail "per-hour gate without times: $(cat "$tmp/g.err")"

truth_end trend_truth
