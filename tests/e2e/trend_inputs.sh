#!/usr/bin/env bash
# heapscan trend on bad and mixed input, and on heaps:
#  - snapshots of different sample types, formats or kinds: exit 2, one line
#    naming the file; a file that does not load: exit 2 naming it; fewer
#    than two snapshots: exit 2; --skip-bad names each bad one on stderr and
#    leaves it out (the JSON's files are the good ones);
#  - text profiles (no time_nanos): argument order, times null, slope_per_hour null;
#  - heap dumps (--by type|site, -i size|count|retained): each value and the
#    total equal what `heapscan top --by type --format json` shows for that
#    file alone (the grouping is top's; trend only aligns it);
#  - -n 0 shows every row, -n 2 two; CSV has one column per snapshot.
# usage: bash tests/e2e/trend_inputs.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
HS=$1
P=testdata/profiles D=testdata/heapdumps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { checks=$((checks + 1)); echo "ok   $*"; }

# bad WANT_IN_MESSAGE NAMED_FILE ARGS...: exit 2, one line, naming the file.
bad() {
  local want=$1 named=$2 rc
  shift 2
  "$HS" trend "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$named" "$tmp/err" && grep -q -- "$want" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "trend $* -> 2: $(cat "$tmp/err")"
  else
    fail "trend $*: exit $rc, want 2 and one line naming $named with '$want': $(cat "$tmp/err")"
  fi
}
bad "sample type" $P/goroutine.1.pb.gz $P/heap.1.pb.gz $P/goroutine.1.pb.gz $P/heap.2.pb.gz
bad "format is go-text" $P/heap.1.txt.gz $P/heap.1.pb.gz $P/heap.1.txt.gz
bad "format is pprof" $P/heap.1.pb.gz $D/go1.26/tree.dump.gz $P/heap.1.pb.gz
bad "cannot open" "$tmp/missing.pb.gz" $P/heap.1.pb.gz "$tmp/missing.pb.gz" $P/heap.2.pb.gz
head -c 300 $P/heap.2.pb.gz >"$tmp/cut.pb.gz"
bad "cut.pb.gz" "$tmp/cut.pb.gz" $P/heap.1.pb.gz "$tmp/cut.pb.gz" $P/heap.3.pb.gz
bad "at least 2 snapshots" "trend" $P/heap.1.pb.gz
bad "no sample type" "heap.1.pb.gz" -i nosuchtype $P/heap.1.pb.gz $P/heap.2.pb.gz
bad "applies to profiles" "--cum" --cum $D/go1.26/tree.dump.gz $D/go1.27/tree.dump.gz

# --skip-bad: named on stderr, left out, the rest used.
"$HS" trend --skip-bad --format json $P/heap.1.pb.gz "$tmp/cut.pb.gz" $P/goroutine.2.pb.gz $P/heap.3.pb.gz >"$tmp/s.json" 2>"$tmp/s.err"
rc=$?
files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' "$tmp/s.json" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$files" = "$P/heap.1.pb.gz $P/heap.3.pb.gz" ] && [ "$(grep -c 'skipped' "$tmp/s.err")" = 2 ] &&
  grep -q cut.pb.gz "$tmp/s.err" && grep -q goroutine.2.pb.gz "$tmp/s.err"; then
  ok "--skip-bad: two named on stderr, files = $files"
else
  fail "--skip-bad: exit $rc, files '$files', stderr: $(cat "$tmp/s.err")"
fi
"$HS" trend --skip-bad $P/heap.1.pb.gz "$tmp/cut.pb.gz" >/dev/null 2>"$tmp/s.err"
[ $? -eq 2 ] && grep -q "at least 2" "$tmp/s.err" && ok "--skip-bad leaving one snapshot: exit 2" || fail "--skip-bad with one left: $(cat "$tmp/s.err")"

# --skip-bad with -i NAME: a snapshot without that type is skipped, not fatal.
"$HS" trend --skip-bad -i inuse_space --format json $P/heap.1.pb.gz $P/goroutine.1.pb.gz $P/heap.2.pb.gz >"$tmp/s.json" 2>"$tmp/s.err"
rc=$?
files=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["files"]))' "$tmp/s.json" 2>/dev/null)
[ $rc -eq 0 ] && [ "$files" = "$P/heap.1.pb.gz $P/heap.2.pb.gz" ] && grep -q "skipped: $P/goroutine.1.pb.gz: no sample type" "$tmp/s.err" &&
  ok "--skip-bad -i inuse_space skips the goroutine profile" || fail "--skip-bad -i: exit $rc, files '$files': $(cat "$tmp/s.err")"

# Text profiles: no times.
"$HS" trend --format json -n 0 $P/heap.3.txt.gz $P/heap.1.txt.gz >"$tmp/t.json" || fail "trend on text profiles exited $?"
checks=$((checks + 1))
python3 - "$tmp/t.json" "$P" <<'EOF' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1]))
P = sys.argv[2]
assert t["files"] == [P + "/heap.3.txt.gz", P + "/heap.1.txt.gz"], t["files"]
assert t["times"] == [None, None], t["times"]
assert all(r["slope_per_hour"] is None for r in t["rows"]), "slope_per_hour not null"
leak = {r["name"]: r for r in t["rows"]}["main.leakBig"]
assert leak["class"] == "falls" and leak["values"] == [3 * 100 * 32768, 100 * 32768], leak
print("ok   text profiles: argument order, times and slope_per_hour null, main.leakBig falls 3x -> 1x 100x32KiB")
EOF

# Heaps: each value is what top shows for that file alone.
dumps=("$D/go1.19/tree.dump.gz" "$D/go1.26/tree.dump.gz" "$D/go1.27/tree.dump.gz")
for col in size count retained; do
  "$HS" trend --format json -n 0 --by type -i $col "${dumps[@]}" >"$tmp/h.json" || { fail "trend heaps -i $col"; continue; }
  for i in 0 1 2; do "$HS" top --format json -n 0 --by type "${dumps[$i]}" >"$tmp/top.$i.json" || fail "top ${dumps[$i]}"; done
  checks=$((checks + 1))
  python3 - "$tmp/h.json" $col "$tmp"/top.{0,1,2}.json <<'EOF' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1])); col = sys.argv[2]
tops = [json.load(open(p)) for p in sys.argv[3:]]
assert t["sample_type"] == col and t["by"] == "type", (t["sample_type"], t["by"])
rows = {r["name"]: r["values"] for r in t["rows"]}
names = set()
for k, top in enumerate(tops):
    vals = {}
    for r in top["rows"]:
        vals[r["name"]] = vals.get(r["name"], 0) + r[col]
    for n, v in vals.items():
        if v:
            names.add(n)
            assert rows.get(n, [0, 0, 0])[k] == v, (n, k, rows.get(n), v)
    if col != "retained":
        assert t["total"][k] == top["total"][col], (k, t["total"][k], top["total"])
assert names == set(rows), set(rows) ^ names
print("ok   heaps -i %s --by type: %d rows x 3 dumps = top's per-file groups%s" % (col, len(rows), "" if col == "retained" else " and totals"))
EOF
done

# -n and CSV
n_all=$("$HS" trend --format json -n 0 $P/heap.{1,2,3}.pb.gz | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
n_two=$("$HS" trend --format json -n 2 $P/heap.{1,2,3}.pb.gz | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
csv_rows=$("$HS" trend --format csv -n 0 $P/heap.{1,2,3}.pb.gz | tail -n +2 | wc -l)
csv_cols=$("$HS" trend --format csv -n 0 $P/heap.{1,2,3}.pb.gz | python3 -c 'import csv,sys; print(set(len(r) for r in csv.reader(sys.stdin)))')
[ "$n_two" = 2 ] && [ "$csv_rows" = "$n_all" ] && [ "$csv_cols" = "{7}" ] && ok "-n 2 = 2 rows, -n 0 = $n_all = CSV rows, CSV 4 + 3 snapshot columns" ||
  fail "-n/CSV: -n 2 gave $n_two, -n 0 $n_all, CSV rows $csv_rows, columns $csv_cols"

echo "trend_inputs: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
