#!/usr/bin/env bash
# Live endpoints, collect and trend against a service whose leak rate is
# known by construction (testdata/gen/leakservice, built with each Go
# version): main.leak keeps BYTES more bytes every TICK, main.churn
# allocates as much and drops the previous tick's (in use: BYTES, steady);
# MemProfileRate = 1 and ?gc=1, so the heap profile is exact. `collect` saves COUNT snapshots (one progress line each,
# complete files only, a second run adds to the directory), then `trend`
# must call main.leak `grows` with a slope per hour within 25% of
# BYTES * 3600 s / TICK, and main.churn present at BYTES in use and not
# `grows` (while its alloc_space does grow, as fast as main.leak's). With the newest Go also
# the HTTP paths: a redirect, an HTTP error, a body that is no profile, a
# timeout and a refused connection (exit 2, one line naming the URL), and
# URLs given to top, diff and trend directly.
# usage: bash tests/e2e/trend_live.sh /path/to/heapscan   (cwd = repo root)
set -uo pipefail
source tests/e2e/lib/go.sh
HS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
go_setup_all || { echo "trend_live: a Go version is missing"; exit 1; }
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { checks=$((checks + 1)); echo "ok   $*"; }
TICK_MS=50 BYTES=65536 COUNT=6

start_service() {
  local v=$1
  (cd testdata/gen/leakservice && go_cmd "$v" build -buildvcs=false -o "$tmp/leaksvc.$v" .) ||
    { fail "go $v build leakservice"; return 1; }
  "$tmp/leaksvc.$v" -tick ${TICK_MS}ms -bytes $BYTES >"$tmp/svc.out" 2>"$tmp/svc.err" &
  pid=$!
  for _ in $(seq 50); do
    U=$(sed -n 's/^listening on //p' "$tmp/svc.out")
    [ -n "$U" ] && return 0
    sleep 0.1
  done
  fail "go $v: leakservice printed no address: $(cat "$tmp/svc.err")"
  return 1
}

# err_case WANT_TEXT ARGS...: exit 2 and one line naming the URL (the last argument).
err_case() {
  local want=$1 rc
  shift
  "$HS" "$@" >/dev/null 2>"$tmp/e.err"
  rc=$?
  local url=${*: -1}
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/e.err")" -eq 1 ] && grep -qF "$url" "$tmp/e.err" && grep -q "$want" "$tmp/e.err"; then
    ok "$* -> exit 2: $(cat "$tmp/e.err")"
  else
    fail "$*: exit $rc, want 2 and one line naming the URL with '$want': $(cat "$tmp/e.err")"
  fi
}

for V in "${GO_VERSIONS[@]}"; do
  echo "======== Go $V"
  start_service "$V" || continue
  heap="$U/debug/pprof/heap?gc=1"
  dir=$tmp/snap.$V
  "$HS" collect --every 400ms --count $COUNT --dir "$dir" "$heap" >"$tmp/c.out" 2>"$tmp/c.err" ||
    fail "collect exited $?: $(cat "$tmp/c.err")"
  lines=$(grep -c '^collect: \[' "$tmp/c.out")
  files=$(ls "$dir" | wc -l)
  hidden=$(ls -A "$dir" | grep -c '^\.')
  [ "$lines" = $COUNT ] && [ "$files" = $COUNT ] && [ "$hidden" = 0 ] &&
    ok "collect: $COUNT progress lines, $COUNT files, no temporaries" ||
    fail "collect: $lines lines, $files files, $hidden hidden (want $COUNT, $COUNT, 0)"
  grep -q 'top growth main.leak' "$tmp/c.out" && ok "progress names main.leak as the top growth" ||
    fail "progress lines do not name main.leak: $(tail -1 "$tmp/c.out")"
  "$HS" collect --every 100ms --count 2 --dir "$dir" "$heap" >/dev/null 2>"$tmp/c.err" || fail "second collect: $(cat "$tmp/c.err")"
  files=$(ls "$dir" | wc -l)
  [ "$files" = $((COUNT + 2)) ] && ok "a second run adds to the directory ($files files)" || fail "after a second run: $files files"
  kill "$pid"; wait "$pid" 2>/dev/null; pid=
  "$HS" trend --format json -n 0 "$dir"/* >"$tmp/t.json" 2>"$tmp/t.err" || fail "trend exited $?: $(cat "$tmp/t.err")"
  checks=$((checks + 1))
  python3 - "$tmp/t.json" $BYTES $TICK_MS <<'EOF' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1]))
bytes_, tick_ms = int(sys.argv[2]), int(sys.argv[3])
rows = {r["name"]: r for r in t["rows"]}
want = bytes_ * 3600e3 / tick_ms
leak = rows.get("main.leak")
churn = rows.get("main.churn", {"class": "(absent)"})
bad = []
if not leak: bad.append("no main.leak row")
else:
    if leak["class"] != "grows": bad.append("main.leak is %s, not grows: %s" % (leak["class"], leak["values"]))
    if not leak["slope_per_hour"] or abs(leak["slope_per_hour"] - want) > 0.25 * want:
        bad.append("main.leak slope/h %s, constructed %.0f" % (leak["slope_per_hour"], want))
if churn["class"] == "grows": bad.append("main.churn grows: %s" % churn["values"])
elif not churn.get("values") or any(not bytes_ <= v <= 2 * bytes_ for v in churn["values"] if v):
    # BYTES once ticking; up to twice that when the profile's GC cycle
    # still counts the previous tick's objects (seen on Go 1.27)
    bad.append("main.churn in use %s, constructed %d once ticking" % (churn.get("values"), bytes_))
if t["rows"][0]["name"] != "main.leak": bad.append("first row %s" % t["rows"][0]["name"])
if bad:
    print("FAIL: trend: " + "; ".join(bad)); sys.exit(1)
print("ok   trend over %d snapshots: main.leak grows, %.3g B/h (constructed %.3g, %+.1f%%); main.churn %s" %
      (len(t["files"]), leak["slope_per_hour"], want, 100 * (leak["slope_per_hour"] - want) / want, churn["class"]))
EOF
  # The same snapshots by alloc_space: churn allocates as fast as leak.
  checks=$((checks + 1))
  "$HS" trend -i alloc_space --format json -n 0 "$dir"/* >"$tmp/ta.json" 2>"$tmp/t.err" &&
    python3 - "$tmp/ta.json" $BYTES $TICK_MS <<'EOF' || fails=$((fails + 1))
import json, sys
t = json.load(open(sys.argv[1]))
want = int(sys.argv[2]) * 3600e3 / int(sys.argv[3])
rows = {r["name"]: r for r in t["rows"]}
bad = [n for n in ("main.leak", "main.churn") if n not in rows or rows[n]["class"] != "grows"
       or abs((rows[n]["slope_per_hour"] or 0) - want) > 0.25 * want]
if bad:
    print("FAIL: trend -i alloc_space: %s" % {n: rows.get(n) for n in bad}); sys.exit(1)
print("ok   alloc_space: main.leak and main.churn both grow at %.3g B/h (constructed %.3g)" %
      (rows["main.churn"]["slope_per_hour"], want))
EOF
  "$HS" trend --fail-if 'grows>0' "$dir"/* >/dev/null 2>&1
  [ $? -eq 1 ] && ok "trend --fail-if grows>0 trips (exit 1)" || fail "grows>0 did not trip"
done

echo "======== HTTP paths (Go $GO_NEWEST)"
if start_service "$GO_NEWEST"; then
  sleep 0.3
  "$HS" top --format json "$U/redirect" >"$tmp/r.json" 2>"$tmp/r.err" &&
    grep -q '"main.leak"' "$tmp/r.json" && ok "top follows a redirect to the heap profile" || fail "redirect: $(cat "$tmp/r.err")"
  "$HS" diff --format json "$U/debug/pprof/heap?gc=1" "$U/debug/pprof/heap?gc=1" >/dev/null 2>"$tmp/d.err" &&
    ok "diff URL URL" || fail "diff URL URL: $(cat "$tmp/d.err")"
  "$HS" trend "$U/debug/pprof/heap?gc=1" "$U/debug/pprof/goroutine" >/dev/null 2>"$tmp/m.err"
  [ $? -eq 2 ] && grep -q "goroutine.*sample type" "$tmp/m.err" && ok "trend heap + goroutine URLs: exit 2 naming the second" ||
    fail "trend of mixed URLs: $(cat "$tmp/m.err")"
  # ?seconds=N passes through (a CPU profile N seconds long), and the timeout
  # grows by N: with 1 s allowed, a 2 s profile still arrives.
  HEAPSCAN_HTTP_TIMEOUT=1 "$HS" info --format json "$U/debug/pprof/profile?seconds=2" >"$tmp/cpu.json" 2>"$tmp/cpu.err"
  rc=$?
  dur=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("duration_nanos", 0))' "$tmp/cpu.json" 2>/dev/null)
  [ $rc -eq 0 ] && [ "${dur:-0}" -ge 1900000000 ] && ok "?seconds=2 passes through: a CPU profile of ${dur} ns within a 1 s + 2 s timeout" ||
    fail "?seconds=2: exit $rc, duration '${dur}': $(cat "$tmp/cpu.err") $(head -c 300 "$tmp/cpu.json")"
  err_case "HTTP status 404" top "$U/debug/pprof/nosuchprofile?x=1"
  err_case "not a recognised format" top "$U/text"
  HEAPSCAN_HTTP_TIMEOUT=1 err_case "timed out" top "$U/slow"
  err_case "not a recognised format" collect --count 1 --every 1s --dir "$tmp/bad" "$U/text"
  [ -z "$(ls -A "$tmp/bad" 2>/dev/null)" ] && ok "collect saved nothing of a bad body" || fail "collect saved a bad body"
  kill "$pid"; wait "$pid" 2>/dev/null; pid=
  err_case "connect" top "$U/debug/pprof/heap"
fi

echo "trend_live: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
