#!/usr/bin/env bash
# info/top/diff/graph end to end on pprof files written here by a small
# protobuf encoder (python3) from a known construction; the expected numbers
# are worked out from that construction (and cross-checked with
# `go tool pprof` when go is installed). Needs the pprof reader
# (formats/pprof.c): without it this test says so and passes, as it then
# only duplicates the unit tests of the commands' libraries.
# Usage: bash tests/e2e/profile_cmds.sh path/to/heapscan   (cwd = repo root)
set -u
HS=${1:?usage: profile_cmds.sh HEAPSCAN}
if [ ! -f formats/pprof.c ]; then
    echo "profile_cmds: no pprof reader in this tree (formats/pprof.c); nothing to run"
    exit 0
fi
command -v python3 >/dev/null || { echo "profile_cmds: python3 is required"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The fixture of tests/unit/fixture_profile.h, as a gzip'd profile.proto:
#   functions main a inl b c; L3 = [inl:30 inlined in a:21]
#   S1 L3 L1 (1, 100) region=eu   S2 L4 L2 L1 (2, 200) region=us
#   S3 L2 L4 L2 L1 (3, 400)       S4 L5 (1, 800) region=eu   S5 L4 L1 (1, 0)
# after.pb.gz adds [L5] 300 and a new function d (location 6) 1000;
# cpu.pb.gz has other sample types.
python3 - "$tmp" <<'PY'
import gzip, sys
out = sys.argv[1]
def varint(n):
    n &= (1 << 64) - 1
    b = bytearray()
    while True:
        c = n & 0x7f; n >>= 7
        b.append(c | (0x80 if n else 0))
        if not n: return bytes(b)
def key(f, wt): return varint(f << 3 | wt)
def vfield(f, n): return key(f, 0) + varint(n)
def bfield(f, data): return key(f, 2) + varint(len(data)) + data
def packed(f, nums): return bfield(f, b''.join(varint(n) for n in nums))

def profile(types, extra_after=False):
    strs = [""]
    def s(x):
        if x not in strs: strs.append(x)
        return strs.index(x)
    msg = b''
    for t, u in types:
        msg += bfield(1, vfield(1, s(t)) + vfield(2, s(u)))
    funcs = [("main", "main.go"), ("a", "a.go"), ("inl", "a.go"), ("b", "b.go"), ("c", "c.go")]
    if extra_after: funcs.append(("d", "d.go"))
    for i, (n, f) in enumerate(funcs, 1):
        msg += bfield(5, vfield(1, i) + vfield(2, s(n)) + vfield(3, s(n)) + vfield(4, s(f)))
    locs = {1: [(1, 10)], 2: [(2, 20)], 3: [(3, 30), (2, 21)], 4: [(4, 40)], 5: [(5, 50)]}
    if extra_after: locs[6] = [(6, 1)]
    for lid, lines in locs.items():
        body = vfield(1, lid) + vfield(2, 1) + vfield(3, 0x1000 * lid)
        for fid, ln in lines: body += bfield(4, vfield(1, fid) + vfield(2, ln))
        msg += bfield(4, body)
    def label(k, sv=None, num=None):
        b = vfield(1, s(k))
        if sv is not None: b += vfield(2, s(sv))
        if num is not None: b += vfield(3, num)
        return bfield(3, b)
    samples = [([3, 1], [1, 100], [label("region", "eu")]),
               ([4, 2, 1], [2, 200], [label("region", "us")]),
               ([2, 4, 2, 1], [3, 400], [label("bytes", num=400)]),
               ([5], [1, 800], [label("region", "eu")]),
               ([4, 1], [1, 0], [])]
    if extra_after:
        samples += [([5], [1, 300], []), ([6], [1, 1000], [])]
    for locs_, vals, labels in samples:
        msg += bfield(2, packed(1, locs_) + packed(2, vals) + b''.join(labels))
    msg += bfield(3, vfield(1, 1) + vfield(2, 0x1000) + vfield(3, 0x9000) +
                  vfield(5, s("/usr/bin/prog")) + vfield(6, s("abc123")) + vfield(7, 1))
    msg += bfield(11, vfield(1, s(types[-1][0])) + vfield(2, s(types[-1][1]))) + vfield(12, 1)
    msg += vfield(9, 1700000000 * 10**9)
    for x in strs: msg += bfield(6, x.encode())
    return gzip.compress(msg)

space = [("objects", "count"), ("space", "bytes")]
open(out + "/before.pb.gz", "wb").write(profile(space))
open(out + "/after.pb.gz", "wb").write(profile(space, True))
open(out + "/cpu.pb.gz", "wb").write(profile([("samples", "count"), ("cpu", "nanoseconds")]))
PY
B=$tmp/before.pb.gz A=$tmp/after.pb.gz C=$tmp/cpu.pb.gz

# json_check FILE PYTHON-EXPR-ON-d : asserts on parsed JSON
json_check() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" ||
        fail "JSON check '$2' on $(head -c 400 "$1")"
}

"$HS" top -n 0 --format json "$B" >"$tmp/top.json" || fail "top json exit $?"
json_check "$tmp/top.json" 'd["total"] == 1500 and d["sample_type"] == "space" and d["unit"] == "bytes" and d["format"] == "pprof"'
json_check "$tmp/top.json" '[(r["name"], r["flat"], r["cum"]) for r in d["rows"]] == [("c",800,800),("a",400,700),("b",200,600),("inl",100,100),("main",0,700)]'
"$HS" top -n 0 --sort cum -i objects --format json "$B" >"$tmp/top.json" || fail "top -i objects"
json_check "$tmp/top.json" '[(r["name"], r["flat"], r["cum"]) for r in d["rows"]] == [("main",0,7),("a",3,6),("b",3,6),("c",1,1),("inl",1,1)]'
"$HS" top --tag region=eu --format csv "$B" >"$tmp/top.csv" || fail "top --tag"
[ "$(cat "$tmp/top.csv")" = "$(printf 'name,flat,cum\nc,800,800\ninl,100,100\na,0,100\nmain,0,100')" ] ||
    fail "top --tag region=eu: $(cat "$tmp/top.csv")"
"$HS" top --focus '^inl$' --by line --format csv "$B" >"$tmp/top.csv" || fail "top --focus"
[ "$(cat "$tmp/top.csv")" = "$(printf 'name,flat,cum\ninl a.go:30,100,100\na a.go:21,0,100\nmain main.go:10,0,100')" ] ||
    fail "top --focus --by line: $(cat "$tmp/top.csv")"
"$HS" top "$B" >"$tmp/top.txt" || fail "top text"
grep -q '^      100B  6.67%   100%       100B  6.67%  inl (inline)$' "$tmp/top.txt" || fail "top text row: $(cat "$tmp/top.txt")"
grep -q '^Showing nodes accounting for 1.46KiB, 100% of 1.46KiB total$' "$tmp/top.txt" || fail "top text header"

source tests/e2e/lib/go.sh
if pprof=$(go_pprof newest); then
    # pprof reads the same construction the same way
    "$pprof" -top -nodecount=0 -nodefraction=0 -unit=B "$B" 2>/dev/null |
        awk 'f{print $1, $4, $6} /flat%/{f=1}' | sed 's/B / /g' | sort >"$tmp/pp.txt"
    "$HS" top -n 0 --format csv "$B" | tail -n +2 | awk -F, '{print $2, $3, $1}' | sort >"$tmp/hs.txt"
    cmp -s "$tmp/pp.txt" "$tmp/hs.txt" || fail "pprof disagrees: $(diff "$tmp/pp.txt" "$tmp/hs.txt")"
else
    echo "profile_cmds: go not installed, pprof cross-check skipped (expected values come from the construction)"
fi

"$HS" info --format json "$B" >"$tmp/info.json" || fail "info json"
json_check "$tmp/info.json" 'd["samples"] == 5 and d["locations"] == 5 and d["functions"] == 5 and d["mappings"] == 1'
json_check "$tmp/info.json" 'd["main_binary"] == {"file": "/usr/bin/prog", "build_id": "abc123"} and d["time_nanos"] == 1700000000 * 10**9'
json_check "$tmp/info.json" '[(t["type"], t["total"]) for t in d["sample_types"]] == [("objects", 8), ("space", 1500)] and d["default_sample_type"] == "space"'
"$HS" info "$B" | grep -q '^Time: Nov 14, 2023 at 10:13pm (UTC)$' || fail "info text time"

# diff: +1300 of 1500 = +86.67%; d is new (+1000), c +300
"$HS" diff --format json --fail-if 'total>+50%' --fail-if 'any>+1KiB' "$B" "$A" >"$tmp/diff.json" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "diff with a tripped gate exited $rc"
grep -q "^heapscan: gate tripped: --fail-if 'total>+50%'" "$tmp/err" || fail "gate line: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "only the tripped gate is reported: $(cat "$tmp/err")"
json_check "$tmp/diff.json" 'd["total"] == {"before": 1500, "after": 2800, "delta": 1300}'
json_check "$tmp/diff.json" '[(r["name"], r["flat"]["delta"], r["cum"]["delta"]) for r in d["rows"]] == [("d",1000,1000),("c",300,300)]'
json_check "$tmp/diff.json" '[(g["expr"], g["tripped"]) for g in d["gates"]] == [("total>+50%", True), ("any>+1KiB", False)]'
"$HS" diff --fail-if 'total>+90%' --fail-if 'any<-1B' "$B" "$A" >"$tmp/diff.txt" 2>"$tmp/err"
[ $? = 0 ] || fail "diff with no tripped gate: $(cat "$tmp/err")"
grep -q '^     +1000B  +66.67%      +1000B  +66.67%  d (new)$' "$tmp/diff.txt" || fail "diff text: $(cat "$tmp/diff.txt")"
grep -q "percentages are of BEFORE's total" "$tmp/diff.txt" || fail "diff header"
"$HS" diff "$B" "$C" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "diff of different sample types should exit 2"
grep -q "different sample types" "$tmp/err" || fail "type mismatch message: $(cat "$tmp/err")"
"$HS" diff --fail-if 'total>+5ms' "$B" "$A" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "a time unit on a bytes profile should exit 2"

# graph: renders with dot; diff graph too
"$HS" graph "$B" >"$tmp/g.dot" || fail "graph exit"
grep -q 'N3 -> N2 \[label=" 700B"' "$tmp/g.dot" || fail "graph edge main -> a: $(cat "$tmp/g.dot")"
"$HS" graph --base "$B" "$A" >"$tmp/gd.dot" || fail "graph --base exit"
grep -q 'label="d\\n+1000B (+66.67%)"' "$tmp/gd.dot" || fail "diff graph node d: $(cat "$tmp/gd.dot")"
if command -v dot >/dev/null; then
    dot -Tsvg "$tmp/g.dot" >/dev/null || fail "dot rejects the graph"
    dot -Tsvg "$tmp/gd.dot" >/dev/null || fail "dot rejects the diff graph"
else
    fail "graphviz dot is not installed (scripts/deps.sh installs it)"
fi
"$HS" graph --format json "$B" >"$tmp/g.json" || fail "graph json"
json_check "$tmp/g.json" 'len(d["nodes"]) == 5 and sorted((e["weight"]) for e in d["edges"]) == [100, 400, 600, 700]'

# -o writes the same bytes as stdout
"$HS" top -o "$tmp/o.txt" "$B" || fail "top -o"
"$HS" top "$B" | cmp -s - "$tmp/o.txt" || fail "-o output differs from stdout"
# stdin
gzip -dc "$B" | "$HS" top --format csv - | head -2 | tail -1 | grep -q '^c,800,800$' || fail "top from stdin"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "profile_cmds: all passed"
