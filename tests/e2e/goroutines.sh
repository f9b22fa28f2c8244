#!/usr/bin/env bash
# `heapscan goroutines` against truth from outside heapscan, for each Go
# version: the goleak program (testdata/gen/goleak) leaks goroutines in three
# ways at counts known by construction (truth.N.json: 20/15/10 more per step
# blocked in a receive, a send and a select) beside a pool of 8 workers and
# main, and writes debug=2 dumps, debug=1 and protobuf goroutine profiles at
# three moments (testdata/goroutines/goV, and a fresh run of each version):
#  - each file alone: exactly five groups whose counts and total are the
#    program's (and runtime.NumGoroutine()); states and creators in dumps;
#  - the three moments together: the three leaks are the first groups, the
#    suspects, class grows; the pool and main are steady and not suspects;
#  - a GOTRACEBACK=all panic inside a log (lines before and after);
#  - --by state/function/created-by sums, gates (exit 1 / 0 at the edges);
#  - --stuck on a dump whose bracket says how long (edited: the truth is the
#    edit) and a pool whose wait does not grow;
#  - the grouping of one dump against panicparse's `pp` (skipped, saying so,
#    when pp cannot be installed);
#  - damaged input: notes on stderr, exit 2 with one line when nothing is
#    left; cut and bit-flipped copies of each kind of fixture.
#  - the pool's pprof labels are in 1.26's and 1.27's headers (two layouts).
# usage: bash tests/e2e/goroutines.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/truth.sh
truth_begin goroutines "$@"
G=testdata/goroutines

# expect JSON TRUTH... : python checks of a report against truth files; the
# mode says which (see the script below). Prints "ok ..." or fails.
cat >"$tmp/check.py" <<'EOF'
import json, sys
import os
mode, report = sys.argv[1], json.load(open(sys.argv[2]))
gover = os.environ["GR_GO"]
truths = [json.load(open(p)) for p in sys.argv[3:]]
leaks = {"main.leakRecv.func1": ("leak_recv", "chan receive", "main.leakRecv"),
         "main.leakSend.func1": ("leak_send", "chan send", "main.leakSend"),
         "main.leakSelect.func1": ("leak_select", "select", "main.leakSelect"),
         "main.(*pool).worker": ("pool", "chan receive", "main.startPool")}
errs = []
def want(cond, msg):
    if not cond: errs.append(msg)
groups = report["groups"]
want(report["totals"] == [t["total"] for t in truths], "totals %s, truth %s" % (report["totals"], [t["total"] for t in truths]))
want(report["totals"] == [t["num_goroutine"] for t in truths], "totals differ from NumGoroutine")
want(len(groups) == 5, "%d groups, want 5 (3 leaks, pool, main)" % len(groups))
dump = mode in ("dump", "panic")
for g in groups:
    if g["function"] in leaks:
        key, state, creator = leaks[g["function"]]
        want(g["counts"] == [t[key] for t in truths], "%s counts %s, truth %s" % (g["function"], g["counts"], [t[key] for t in truths]))
        if dump:
            want(g["state"] == state, "%s state %s, want %s" % (g["function"], g["state"], state))
            want(g["created_by"] == creator, "%s created by %s, want %s" % (g["function"], g["created_by"], creator))
            want(g["wait_minutes"] == {"min": 0, "max": 0}, "%s waits %s" % (g["function"], g["wait_minutes"]))
        else:
            want(g["state"] == "unknown" and g["wait_minutes"] is None, "profile group with a state")
    else:
        want(g["counts"] == [t["main"] for t in truths], "other group %s counts %s" % (g["function"], g["counts"]))
        want(g["function"].startswith("main."), "main's group is named %s" % g["function"])
    want(any(f["function"] == g["function"] for f in g["stack"]), "%s not in its stack" % g["function"])
    # labels: the pool's workers run under pprof.Do(Labels("pool", "workers"));
    # Go 1.19 prints no labels in dumps and tracebacks, profiles carry them.
    lab = "pool=workers" if g["function"] == "main.(*pool).worker" and not (dump and gover == "1.19") else None
    want(g.get("labels", "missing") == lab, "%s labels %r, want %r" % (g["function"], g.get("labels", "missing"), lab))
if len(truths) > 1:
    first3 = sorted(g["function"] for g in groups[:3])
    want(first3 == sorted(k for k in leaks if k != "main.(*pool).worker"), "first three groups %s" % first3)
    for g in groups:
        leak = g["function"] in leaks and g["function"] != "main.(*pool).worker"
        want(g["suspect"] == leak, "%s suspect=%s" % (g["function"], g["suspect"]))
        want(g["class"] == ("grows" if leak else "steady"), "%s class %s" % (g["function"], g["class"]))
else:
    want(all(not g["suspect"] for g in groups), "a suspect in one snapshot under a minute")
    counts = [g["counts"][0] for g in groups]
    want(counts == sorted(counts, reverse=True), "not largest first: %s" % counts)
if errs:
    print("FAIL: %s %s: %s" % (mode, sys.argv[2], "; ".join(errs)))
    sys.exit(1)
print("ok   %s %s: %d groups, totals %s" % (mode, " ".join(sys.argv[3:]), len(groups), report["totals"]))
EOF

# truth_of DIR K: truth.K.json, with the moment's step (panic: step 1).
checkr() {
  checks=$((checks + 1))
  python3 "$tmp/check.py" "$@" || fails=$((fails + 1))
}

# series DIR LABEL: every check on one version's files.
series() {
  local d=$1 label=$2 kind k
  export GR_GO=${label##*go}
  for kind in dump.txt.gz:dump txt.gz:text pb.gz:protobuf; do
    local ext=${kind%%:*} mode=${kind#*:}
    for k in 1 2 3; do
      hs "$tmp/one.json" goroutines -n 0 --format json "$d/goroutine.$k.$ext" &&
        checkr "$mode" "$tmp/one.json" "$d/truth.$k.json"
    done
    hs "$tmp/all.json" goroutines -n 0 --format json "$d"/goroutine.{1,2,3}."$ext" &&
      checkr "$mode" "$tmp/all.json" "$d"/truth.{1,2,3}.json
  done
  # A panic in a log: the goroutines of step 1.
  hs "$tmp/panic.json" goroutines -n 0 --format json "$d/panic.log.gz" &&
    checkr panic "$tmp/panic.json" "$d/truth.1.json"
  # --by: each grouping covers every goroutine; by state: receive = leak + pool.
  local by
  for by in state function created-by; do
    hs "$tmp/by.json" goroutines -n 0 --by "$by" --format json "$d/goroutine.3.dump.txt.gz" || continue
    checks=$((checks + 1))
    python3 - "$tmp/by.json" "$d/truth.3.json" "$by" <<'EOF' || fails=$((fails + 1))
import json, sys
r, t, by = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
got = {g["state"] if by == "state" else g["function"] if by == "function" else g["created_by"]: g["counts"][0] for g in r["groups"]}
want = {"state": {"chan receive": t["leak_recv"] + t["pool"], "chan send": t["leak_send"], "select": t["leak_select"], "running": 1},
        "function": {"main.leakRecv.func1": t["leak_recv"], "main.leakSend.func1": t["leak_send"], "main.leakSelect.func1": t["leak_select"], "main.(*pool).worker": t["pool"]},
        "created-by": {"main.leakRecv": t["leak_recv"], "main.leakSend": t["leak_send"], "main.leakSelect": t["leak_select"], "main.startPool": t["pool"], None: 1}}[by]
if by == "function":
    got = {k: v for k, v in got.items() if k in want}
if got != want:
    print("FAIL: --by %s: %s, want %s" % (by, got, want)); sys.exit(1)
print("ok   --by %s %s" % (by, sys.argv[1]))
EOF
  done
  # DOT (graph of one dump; goroutines --format dot of three): Graphviz
  # reads it, the root counts every goroutine, each leak's leaf carries its
  # constructed counts under its own function, and each node counts what
  # flows into its children.
  if hs "$tmp/g.dot" graph "$d/goroutine.3.dump.txt.gz" &&
    hs "$tmp/g3.dot" goroutines --format dot "$d"/goroutine.{1,2,3}.dump.txt.gz; then
    local dotf
    for dotf in "$tmp/g.dot:$d/truth.3.json" "$tmp/g3.dot:$d/truth.1.json"; do
      checks=$((checks + 1))
      dot -Tsvg "${dotf%%:*}" >/dev/null 2>"$tmp/dot.err" ||
        { fail "$label: dot rejects ${dotf%%:*}: $(head -c 200 "$tmp/dot.err")"; continue; }
      python3 - "${dotf%%:*}" "${dotf#*:}" "$d/truth.3.json" <<'EOF' || fails=$((fails + 1))
import json, re, sys
text, first, last = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
nodes = dict(re.findall(r'^  (n\d+) \[(.*)\];$', text, re.M))
edges = re.findall(r'^  (n\d+) -> (n\d+) ', text, re.M)
parent = {c: p for p, c in edges}
def counts(attrs):
    m = re.search(r'label="(?:[^"\\]*\\n)?(?:(\d+) -> )?(\d+) goroutines?', attrs)
    return (int(m.group(1) or m.group(2)), int(m.group(2)))
def fn(n):
    return re.search(r'label="([^"\\]*)\\n', nodes[n]).group(1)
bad = []
if counts(nodes["n0"])[1] != last["total"]: bad.append("root %s, total %d" % (counts(nodes["n0"]), last["total"]))
leaves = {n for n, a in nodes.items() if "rounded" in a}
for key, f in [("leak_recv", "main.leakRecv.func1"), ("leak_send", "main.leakSend.func1"), ("leak_select", "main.leakSelect.func1"), ("pool", "main.(*pool).worker")]:
    want = (first[key], last[key])
    hit = [n for n in leaves if counts(nodes[n]) == want and fn(parent[n]) == f]
    if len(hit) != 1: bad.append("%s: %d leaf(s) %s under %s" % (key, len(hit), want, f))
for n in nodes:
    kids = [c for p, c in edges if p == n]
    if kids and sum(counts(nodes[c])[1] for c in kids) != counts(nodes[n])[1]: bad.append("%s: children do not add up" % n)
if len(leaves) != 5: bad.append("%d groups, want 5" % len(leaves))
if bad: print("FAIL: %s: %s" % (sys.argv[1], "; ".join(bad))); sys.exit(1)
print("ok   DOT %s" % sys.argv[1])
EOF
    done
  fi
  # Gates: the total grew by 90 (54 -> 144), the largest group by 40.
  local gate rc want
  for gate in 'goroutines>+90:0' 'goroutines>+89:1' 'goroutines>=144:1' 'group>+40:0' 'group>+39:1' 'group >= +40:1'; do
    want=${gate##*:} gate=${gate%:*}
    "$HS" goroutines --fail-if "$gate" "$d"/goroutine.{1,2,3}.dump.txt.gz >/dev/null 2>"$tmp/gate.err"
    rc=$?
    checks=$((checks + 1))
    if [ "$rc" = "$want" ]; then echo "ok   $label --fail-if '$gate': exit $rc"; else
      fail "$label --fail-if '$gate': exit $rc, want $want ($(head -c 300 "$tmp/gate.err"))"
    fi
  done
}

for v in "${GO_VERSIONS[@]}"; do
  series "$G/go$v" "go$v"
  # A fresh run of the program by this version: the reader on new output.
  mkdir -p "$tmp/fresh$v"
  if bash testdata/gen/regen-goroutines.sh "$v" "$tmp/fresh$v" >/dev/null 2>"$tmp/regen.err"; then
    series "$tmp/fresh$v" "fresh go$v"
  else
    fail "regen-goroutines.sh $v: $(head -c 300 "$tmp/regen.err")"
  fi
done

# --stuck: Go prints ", N minutes" after a minute of waiting; the dump is
# edited to say so (that edit is the truth). One snapshot: the send leak,
# 7 minutes, is stuck at 5m and not at 10m; the pool's 30 minutes at 5m too
# (one snapshot cannot tell an idle pool). Two snapshots: the pool waited
# 30 minutes in both (its workers came back to their wait), the send leak
# 6 then 8: only the leak is suspect.
d=$G/go1.26
gzip -dc "$d/goroutine.3.dump.txt.gz" | sed 's/^\(goroutine [0-9]* \)\[chan send\]:/\1[chan send, 7 minutes]:/' >"$tmp/stuck.txt"
for s in 5m:true 10m:false 420s:true 421s:false; do
  hs "$tmp/stuck.json" goroutines --stuck "${s%%:*}" --format json -n 0 "$tmp/stuck.txt" || continue
  got=$(python3 -c 'import json,sys; print("true" if [g for g in json.load(open(sys.argv[1]))["groups"] if g["function"]=="main.leakSend.func1"][0]["suspect"] else "false")' "$tmp/stuck.json")
  checks=$((checks + 1))
  if [ "$got" = "${s#*:}" ]; then echo "ok   --stuck ${s%%:*}: send leak suspect=$got"; else
    fail "--stuck ${s%%:*}: send leak suspect=$got, want ${s#*:}"
  fi
done
pool='/main.(\*pool).worker/'
gzip -dc "$d/goroutine.3.dump.txt.gz" | sed 's/^\(goroutine [0-9]* \)\[chan send\]:/\1[chan send, 6 minutes]:/' |
  awk '/^goroutine /{h=$0; next} h!="" && /^main.\(\*pool\).worker/{sub(/\[chan receive/, "[chan receive, 30 minutes", h)} h!=""{print h; h=""} {print}' >"$tmp/s1.txt"
sed 's/\[chan send, 6 minutes\]/[chan send, 8 minutes]/' "$tmp/s1.txt" >"$tmp/s2.txt"
if hs "$tmp/s.json" goroutines --format json -n 0 "$tmp/s1.txt" "$tmp/s2.txt"; then
  checks=$((checks + 1))
  python3 - "$tmp/s.json" <<'EOF' || fails=$((fails + 1))
import json, sys
g = {x["function"]: x for x in json.load(open(sys.argv[1]))["groups"]}
w = g["main.(*pool).worker"]["wait_minutes"], g["main.leakSend.func1"]["wait_minutes"]
ok = (g["main.leakSend.func1"]["suspect"] and not g["main.(*pool).worker"]["suspect"] and
      w == ({"min": 30, "max": 30}, {"min": 8, "max": 8}) and
      list(g)[0] == "main.leakSend.func1")
print(("ok   " if ok else "FAIL: ") + "stuck send leak first and suspect, idle pool not: waits %s" % (w,))
sys.exit(0 if ok else 1)
EOF
fi
[ "$(grep -c '30 minutes' "$tmp/s1.txt")" = 8 ] || fail "the pool edit did not mark 8 workers"

# panicparse groups the same dump the same way: (count, state, creator,
# first frame's file:line) for every group. pp -aggressive ignores arguments.
if pp=$(go_panicparse); then
  for v in "${GO_VERSIONS[@]}"; do
    # pp reads no labels in headers (1.26's inside the brackets become part
    # of its state; 1.27's after them end its parsing): they are taken out.
    gzip -dc "$G/go$v/goroutine.3.dump.txt.gz" |
      sed -E 's/^(goroutine [0-9]+ \[[^]]*) labels:\{.*\}\]:$/\1]:/; s/^(goroutine [0-9]+ \[[^]]*\]) \{.*\}:$/\1:/' >"$tmp/pp.txt"
    [ "$v" = 1.19 ] || grep -q '{"pool": "workers"}\|{pool: workers}' <(gzip -dc "$G/go$v/goroutine.3.dump.txt.gz") ||
      fail "go$v: the dump has no labels in its headers (GODEBUG=tracebacklabels=1 in regen-goroutines.sh)"
    "$pp" -aggressive -no-color "$tmp/pp.txt" >"$tmp/pp.out" 2>&1
    hs "$tmp/pp.json" goroutines -n 0 --format json "$tmp/pp.txt" || continue
    checks=$((checks + 1))
    python3 - "$tmp/pp.out" "$tmp/pp.json" "go$v" <<'EOF' || fails=$((fails + 1))
import json, re, sys
pp, cur = [], None
for line in open(sys.argv[1]):
    m = re.match(r"^(\d+): (.*?)(?: \[(?:\d+~)?\d+ minutes?\])?(?: \[locked\])?(?: \[Created by (\S+) @ \S+\])?$", line.rstrip("\n"))
    if m:
        cur = [int(m.group(1)), m.group(2), m.group(3), None]
        pp.append(cur)
    elif cur and cur[3] is None and line.startswith("    "):
        cur[3] = line.split()[1]  # "pkg file.go:LINE func(...)"
hs = []
for g in json.load(open(sys.argv[2]))["groups"]:
    top = g["stack"][0]
    hs.append([g["counts"][0], g["state"], g["created_by"], "%s:%d" % (top["file"].rsplit("/", 1)[-1], top["line"])])
if sorted(map(str, pp)) != sorted(map(str, hs)):
    print("FAIL: %s: panicparse groups %s, heapscan %s" % (sys.argv[3], sorted(map(str, pp)), sorted(map(str, hs)))); sys.exit(1)
print("ok   %s: %d groups as panicparse's pp groups them" % (sys.argv[3], len(hs)))
EOF
  done
else
  echo "SKIP: panicparse's pp cannot be installed (offline?): its grouping is not compared"
fi

# Damaged input: notes on stderr, never a crash; nothing left: exit 2, one line.
gzip -dc "$d/goroutine.1.dump.txt.gz" >"$tmp/full.txt"
{
  echo "goroutine 900 [chan receive, 3 minutes]:"           # cut off before its frame
  echo ""
  echo "goroutine 901 [made up state]:"                      # an unknown state
  echo "main.frameWithoutFile()"                             # and no file line
  echo "goroutine 902 [chan rec"                             # an unreadable header
  # cut right after a frame's function line, before its file line
  python3 -c 'import sys; l = open(sys.argv[1]).read().split("\n")[: 2 * 54 // 3 * 4]
while not (l[-1].endswith(")") and not l[-1].startswith(("\t", "created by"))): l.pop()
print("\n".join(l))' "$tmp/full.txt"
} >"$tmp/damaged.txt"
"$HS" goroutines --format json -n 0 "$tmp/damaged.txt" >"$tmp/dmg.json" 2>"$tmp/dmg.err"
rc=$?
checks=$((checks + 1))
if [ $rc = 0 ] && grep -q '1 unreadable goroutine header(s) skipped, 1 record(s) cut off before their first frame skipped, 2 frame(s) without a file line, 1 unknown state(s)' "$tmp/dmg.err" &&
  [ "$(wc -l <"$tmp/dmg.err")" = 1 ] && grep -q '"made up state"' "$tmp/dmg.json"; then
  echo "ok   damaged dump: read, one note: $(cut -c1-80 "$tmp/dmg.err")..."
else
  fail "damaged dump: exit $rc, stderr: $(head -c 400 "$tmp/dmg.err")"
fi
for bad in "text without goroutines" "goroutine 5 [chan receive]:"; do
  printf '%s\n' "$bad" >"$tmp/bad.txt"
  "$HS" goroutines "$tmp/bad.txt" >/dev/null 2>"$tmp/bad.err"
  rc=$?
  checks=$((checks + 1))
  if [ $rc = 2 ] && [ "$(wc -l <"$tmp/bad.err")" = 1 ] && grep -q "bad.txt" "$tmp/bad.err"; then
    echo "ok   '$bad': exit 2, $(cat "$tmp/bad.err")"
  else
    fail "'$bad': exit $rc, $(head -c 300 "$tmp/bad.err")"
  fi
done

# Cut and flipped: every damaged dump and profile is read (exit 0, at most
# one note) or refused (exit 2, one line), never a crash or a hang.
for f in "$d/goroutine.2.dump.txt.gz" "$d/goroutine.2.txt.gz" "$d/goroutine.2.pb.gz" "$d/panic.log.gz"; do
  gzip -dc "$f" >"$tmp/plain"
  python3 - "$tmp/plain" "$tmp/dmg" <<'EOF'
import os, random, sys
data, out = open(sys.argv[1], "rb").read(), sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
for i in range(30):
    open("%s/cut%d" % (out, i), "wb").write(data[: rng.randrange(len(data))])
    b = bytearray(data)
    for _ in range(8):
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    open("%s/flip%d" % (out, i), "wb").write(bytes(b))
EOF
  bad=0
  for x in "$tmp"/dmg/*; do
    timeout 20 "$HS" goroutines --format json "$x" >/dev/null 2>"$tmp/x.err"
    rc=$?
    lines=$(wc -l <"$tmp/x.err")
    if ! { [ $rc = 0 ] && [ "$lines" -le 1 ]; } && ! { [ $rc = 2 ] && [ "$lines" = 1 ]; }; then
      bad=$((bad + 1))
      echo "  $(basename "$f") $(basename "$x"): exit $rc, $lines stderr lines: $(head -c 200 "$tmp/x.err")"
    fi
  done
  checks=$((checks + 1))
  if [ $bad = 0 ]; then echo "ok   60 damaged copies of $(basename "$f"): read or refused with one line"; else
    fail "$bad damaged copies of $(basename "$f") misbehaved"
  fi
  rm -rf "$tmp/dmg"
done

truth_end goroutines
