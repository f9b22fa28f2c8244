#!/usr/bin/env bash
# The formats pprof reads as "legacy" (testdata/profiles/legacy/, made by
# testdata/gen/regen-legacy.sh), against truth from outside heapscan:
#  - the newest `go tool pprof` (Go 1.27, picked explicitly): sample types,
#    units, period and duration from -raw; total and every address's flat and
#    cum for every sample type (-top -addresses); for the gperftools CPU
#    profile, every function pprof names given the program;
#  - construction: the generator's truth.json for the layouts with no producer
#    here (32-bit and big-endian CPU words, C++ contentionz, growthz, threadz,
#    Java's heapz, contentionz and CPU profiles, which pprof names by function);
#    the profiler's own interrupt count for the CPU profile; the heap growth
#    the program asked for (grow_a 24 MiB, grow_b 32 MiB); the counts the Go
#    program added to its custom profile, on Go 1.19, 1.26 and 1.27;
#  - damaged inputs: one line naming file and offset, exit 2; any other
#    input: a message naming every format heapscan reads.
# usage: bash tests/e2e/legacy_profiles.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/go.sh
source tests/e2e/lib/truth.sh
truth_begin legacy_profiles "$@"
trap 'rm -rf "$tmp"' EXIT
L=$P/legacy
# The newest pprof (tests/e2e/lib/go.sh), whatever `go` is first on PATH.
newest_pprof=$(go_pprof newest) || { echo "legacy_profiles: the newest Go's pprof is required" >&2; exit 1; }
pprof() { PPROF_BINARY_PATH=/nonexistent "$newest_pprof" "$@"; }

fixtures="cpuburn.cpu cpu-32le cpu-32be cpu-64be contentionz growthz threadz growth.txt java-heapz java-contentionz java-cpu"
for v in "${GO_VERSIONS[@]}"; do fixtures="$fixtures go$v/mutex.txt go$v/block.txt go$v/custom.txt"; done
file_of() { if [ -f "$L/$1.gz" ]; then echo "$L/$1.gz"; else echo "$L/$1"; fi; }

echo "== sample types, period and duration against go tool pprof -raw"
for name in $fixtures; do
  f=$(file_of "$name")
  pprof -raw -symbolize=none "$f" >"$tmp/raw.txt" 2>"$tmp/raw.err" || { fail "pprof -raw $f: $(head -c 300 "$tmp/raw.err")"; continue; }
  hs "$tmp/info.json" info --format json "$f" || continue
  checks=$((checks + 1))
  python3 - "$tmp/info.json" "$tmp/raw.txt" "$name" <<'PY' || fails=$((fails + 1))
import json, re, sys
info, raw, name = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), sys.argv[3]
want_pt = re.search(r"^PeriodType: ?(\S*) ?(\S*)$", raw, re.M).groups()
want_period = int(re.search(r"^Period: (-?\d+)$", raw, re.M).group(1))
d = re.search(r"^Duration: (\S+)$", raw, re.M)
units = {"h": 3600 * 10**9, "m": 60 * 10**9, "s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
want_dur = 0  # Go's time.Duration text, e.g. "1m0s", "5s", "1.5ms"
for num, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)", d.group(1) if d else ""):
    want_dur += int(round(float(num) * units[unit]))
types_line = raw.split("Samples:\n", 1)[1].split("\n", 1)[0]
want_types = [tuple(t.split("/")) for t in types_line.split()]
got_types = [(t["type"], t["unit"]) for t in info["sample_types"]]
bad = []
if got_types != want_types:
    bad.append("sample types %s, pprof %s" % (got_types, want_types))
if (info["period_type"]["type"], info["period_type"]["unit"]) != want_pt:
    bad.append("period type %s, pprof %s" % (info["period_type"], want_pt))
if info["period"] != want_period:
    bad.append("period %d, pprof %d" % (info["period"], want_period))
if info["duration_nanos"] != want_dur:
    bad.append("duration %d, pprof %d" % (info["duration_nanos"], want_dur))
if bad:
    sys.exit("FAIL: %s: %s" % (name, "; ".join(bad)))
print("ok   %s (%s): types %s, period %d" % (name, info["format"], " ".join("/".join(t) for t in got_types), want_period))
PY
done

mkdir -p "$tmp/no-files"
echo "== every sample type: total and each address's (Java: function's) flat and cum against go tool pprof"
for name in $fixtures; do
  f=$(file_of "$name")
  hs "$tmp/info.json" info --format json "$f" || continue
  format=$("${CHECK[@]}" field "$tmp/info.json" format)
  by=address how=top-address
  extra=()
  case $name in
    java-*) by=function how=top-named ;; # pprof names Java's ids and drops them
    go*) extra=(--cum-only) ;; # heapscan drops runtime.goexit as Go's protobuf writer does (gotext.c)
  esac
  for t in $(python3 -c 'import json,sys; print(" ".join(t["type"] for t in json.load(open(sys.argv[1]))["sample_types"]))' "$tmp/info.json"); do
    if ! bash testdata/gen/pprof-truth.sh "$f" "$t" "$by" >"$tmp/p.tsv" 2>"$tmp/p.err"; then
      fail "pprof-truth.sh $f $t: $(head -c 300 "$tmp/p.err")"
      continue
    fi
    # pprof names nothing here (no file under PPROF_BINARY_PATH); heapscan is kept from the
    # mapped files on disk by a sysroot that has none, or it would name and
    # prune their frames (see the growth check below)
    hs "$tmp/h.json" top -n 0 -i "$t" --by "$by" --sysroot "$tmp/no-files" --format json "$f" &&
      check "$how" "$tmp/h.json" "$tmp/p.tsv" --file "$f" --type "$t" --format "$format" "${extra[@]}"
  done
done

echo "== the gperftools CPU profile named from the program, against pprof given it"
gzip -dc "$L/cpuburn.bin.gz" >"$tmp/cpuburn" && chmod +x "$tmp/cpuburn"
for t in samples cpu; do
  if PPROF_TRUTH_BINARY=$tmp/cpuburn bash testdata/gen/pprof-truth.sh "$L/cpuburn.cpu.gz" "$t" function >"$tmp/p.tsv" 2>"$tmp/p.err"; then
    hs "$tmp/h.json" top -n 0 -i "$t" --binary "$tmp/cpuburn" --format json "$L/cpuburn.cpu.gz" &&
      check top-named "$tmp/h.json" "$tmp/p.tsv" --file "$L/cpuburn.cpu.gz" --type "$t" --format legacy-cpu
  else
    fail "pprof-truth.sh cpuburn $t: $(head -c 300 "$tmp/p.err")"
  fi
done

echo "== the growth profile named from the program and the libraries on disk, against pprof given the same"
# pprof demangles (tcmalloc::...) and then drops the allocator's frames
# (its addLegacyFrameInfo): the growth is charged to grow_a and grow_b.
# The standalone pprof: Go's own names only Go programs.
gzip -dc "$L/growth.bin.gz" >"$tmp/growth" && chmod +x "$tmp/growth"
libs=/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu
for t in objects space; do
  if PPROF_TRUTH_GO=latest PPROF_TRUTH_BINARY=$tmp/growth PPROF_TRUTH_BINARY_PATH=$libs bash testdata/gen/pprof-truth.sh "$L/growth.txt.gz" "$t" function >"$tmp/p.tsv" 2>"$tmp/p.err"; then
    hs "$tmp/h.json" top -n 0 -i "$t" --binary "$tmp/growth" --format json "$L/growth.txt.gz" &&
      check top-named "$tmp/h.json" "$tmp/p.tsv" --file "$L/growth.txt.gz" --type "$t" --format gperftools-text
  else
    fail "pprof-truth.sh growth $t: $(head -c 300 "$tmp/p.err")"
  fi
done

echo "== construction: the generator's values for every address (Java: function)"
for name in cpu-32le cpu-32be cpu-64be contentionz growthz threadz java-heapz java-contentionz java-cpu; do
  by=address
  case $name in java-*) by=function ;; esac
  hs "$tmp/info.json" info --format json "$L/$name.gz" || continue
  for t in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[sys.argv[2]]["types"]))' "$L/truth.json" "$name"); do
    hs "$tmp/h.json" top -n 0 -i "$t" --by "$by" --format json "$L/$name.gz" || continue
    checks=$((checks + 1))
    python3 - "$tmp/h.json" "$tmp/info.json" "$L/truth.json" "$name" "$t" <<'PY' || fails=$((fails + 1))
import json, sys
h, info, truth, name, typ = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))[sys.argv[4]], sys.argv[4], sys.argv[5]
want = truth["types"][typ]
rows = {}
for r in h["rows"]:
    a = r["name"] if truth.get("functions") else r["name"].split()[0]
    rows[a] = [rows.get(a, [0])[0] + r["flat"], r["cum"]]
bad = []
if h["total"] != want["total"]:
    bad.append("total %d, construction %d" % (h["total"], want["total"]))
for a in sorted(set(rows) | set(want["rows"])):
    if rows.get(a) != want["rows"].get(a):
        bad.append("%s flat/cum %s, construction %s" % (a, rows.get(a), want["rows"].get(a)))
for k in ("period", "duration_nanos"):
    if k in truth and info[k] != truth[k]:
        bad.append("%s %d, construction %d" % (k, info[k], truth[k]))
if bad:
    sys.exit("FAIL: %s -i %s: %s" % (name, typ, "; ".join(bad)))
print("ok   %s -i %s: total %d and %d entries as constructed" % (name, typ, want["total"], len(rows)))
PY
  done
done

echo "== construction: the CPU profiler's interrupts, the heap growth asked for, Go's custom counts"
hs "$tmp/h.json" top -n 0 -i samples --format json "$L/cpuburn.cpu.gz" && {
  checks=$((checks + 1))
  got=$("${CHECK[@]}" field "$tmp/h.json" total) want=$("${CHECK[@]}" field "$L/cpuburn-truth.json" samples)
  if [ "$got" = "$want" ]; then echo "ok   cpuburn: $got samples = the profiler's interrupts"; else
    fail "cpuburn: $got samples, the profiler counted $want interrupts"
  fi
}
gzip -dc "$L/growth.bin.gz" >"$tmp/growth" && chmod +x "$tmp/growth"
hs "$tmp/g.json" top -n 0 -i space --binary "$tmp/growth" --format json "$L/growth.txt.gz" && {
  checks=$((checks + 1))
  python3 - "$tmp/g.json" "$L/growth-truth.json" <<'PY' || fails=$((fails + 1))
import json, sys
h, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
cum = {r["name"]: r["cum"] for r in h["rows"]}
bad = ["%s cum %s, asked for %d" % (f, cum.get(f), n) for f, n in sorted(want.items()) if cum.get(f) != n]
if bad:
    sys.exit("FAIL: growth: " + "; ".join(bad))
print("ok   growth: grow_a %d and grow_b %d bytes as asked for" % (want["grow_a"], want["grow_b"]))
PY
}
for v in "${GO_VERSIONS[@]}"; do
  hs "$tmp/c.json" top -n 0 --format json "$L/go$v/custom.txt.gz" || continue
  checks=$((checks + 1))
  python3 - "$tmp/c.json" "$L/go$v/truth.json" "$v" <<'PY' || fails=$((fails + 1))
import json, sys
h, t = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["custom"]
flat = {r["name"]: r["flat"] for r in h["rows"]}
bad = [] if h["total"] == t["total"] and h["sample_type"] == "heapscan.custom" else ["total %d type %s, want %d" % (h["total"], h["sample_type"], t["total"])]
bad += ["%s flat %s, added %d" % (f, flat.get(f), n) for f, n in t.items() if f != "total" and flat.get(f) != n]
if bad:
    sys.exit("FAIL: go%s custom: %s" % (sys.argv[3], "; ".join(bad)))
print("ok   go%s custom profile: total %d, main.add3 3, main.add5 5 as added" % (sys.argv[3], t["total"]))
PY
done

echo "== damaged inputs: file, offset and what is wrong; exit 2"
damaged() { # WHAT FILE WANT_TEXT
  local rc
  "$HS" top "$2" >"$tmp/o" 2>"$tmp/e"
  rc=$?
  checks=$((checks + 1))
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && [ ! -s "$tmp/o" ] && grep -q -- "$3" "$tmp/e"; then
    echo "ok   $1: $(cat "$tmp/e")"
  else
    fail "$1: exit $rc, stderr: $(head -c 300 "$tmp/e")"
  fi
}
gzip -dc "$L/cpu-64be.gz" | head -c 100 >"$tmp/cut.cpu" # 5 header words, then records cut at byte 100
damaged "CPU record cut short" "$tmp/cut.cpu" "cut.cpu: offset [0-9]*: \(record cut short\|stack depth\)"
gzip -dc "$L/contentionz.gz" | sed 's/^sampling period = 100/sampling period = x/' >"$tmp/bad.cont"
damaged "contention attribute" "$tmp/bad.cont" "bad.cont: offset $(head -n 2 "$tmp/bad.cont" | wc -c): line 3: malformed contention attribute"
gzip -dc "$L/threadz.gz" | sed '4s/.*/--- Threadz garbage ---/' >"$tmp/bad.thr"
damaged "thread header" "$tmp/bad.thr" "bad.thr: offset [0-9]*: line 4: expected \"--- Thread"

echo "== any other input: the message names every format read"
printf 'hello\n' >"$tmp/other.txt"
"$HS" top "$tmp/other.txt" >"$tmp/o" 2>"$tmp/e"
rc=$?
checks=$((checks + 1))
missing=""
for w in pprof heap allocs goroutine threadcreate mutex block custom gperftools growth "binary CPU" \
  jemalloc "C++ contention" thread Java "heap dumps" "ELF core"; do
  grep -q "$w" "$tmp/e" || missing="$missing '$w'"
done
if [ $rc -eq 2 ] && [ -z "$missing" ] && [ "$(wc -l <"$tmp/e")" -eq 1 ]; then echo "ok   unrecognised input: $(cat "$tmp/e")"; else
  fail "unrecognised input: exit $rc, missing$missing: $(cat "$tmp/e")"
fi

truth_end legacy_profiles
