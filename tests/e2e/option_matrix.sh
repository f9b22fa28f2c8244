#!/usr/bin/env bash
# Every command behaves the same on every kind of input: one table of
# command x input kind (pprof profile, Go text profile, Go heap dump, ELF
# core) x option -> accepted (exit 0, or 1 for a tripped gate, with output)
# or refused with exactly one line "heapscan: ..." on stderr and exit 2.
# The table is the specification (issue 15): profile-only options (-i and
# the sample filters, --base, --sort flat|cum) are refused for heaps,
# heap-only ones (--paths, dominators, paths, leaks) for profiles, options a
# command has no use for everywhere; --binary must be an ELF file (gzip'd
# or not) for every input; '-' can be only one input. Also: -o gives a new
# file the umask's mode and keeps an existing file's mode.
# Usage: bash tests/e2e/option_matrix.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=${1:?usage: option_matrix.sh HEAPSCAN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=testdata/profiles/heap.1.pb.gz
T=testdata/profiles/heap.2.txt.gz
H=testdata/heapdumps/tree.dump.gz
C=testdata/cores/cheap-c.core.gz
gzip -dc testdata/cores/cheap-c.bin.gz >"$tmp/cheap-c"
# An object address in each heap, taken from the heap's own object list.
addr() { "$HS" top "$1" --by object -n 1 --format csv | sed -n '2s/,.*//p'; }
AH=$(addr "$H")
AC=$(addr "$C")
fails=0
runs=0

# check WANT CMD KIND ARGS...: KIND picks the input (P T H C); @F in ARGS is
# that input, @A an object address in it (heaps only).
check() {
  local want=$1 cmd=$2 kind=$3; shift 3
  local f=${!kind} a=0x1 args=() x
  [ "$kind" = H ] && a=$AH
  [ "$kind" = C ] && a=$AC
  for x in "$@"; do x=${x//@F/$f}; args+=("${x//@A/$a}"); done
  local rc=0
  "$HS" "$cmd" "${args[@]}" >"$tmp/out" 2>"$tmp/err" || rc=$?
  runs=$((runs + 1))
  local got lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 2 ]; then
    got=r
    if [ "$lines" -ne 1 ] || ! grep -q '^heapscan: ' "$tmp/err"; then
      echo "FAIL: heapscan $cmd ${args[*]}: exit 2 without exactly one 'heapscan:' line:" >&2
      cat "$tmp/err" >&2
      fails=$((fails + 1))
      return
    fi
  elif [ $rc -le 1 ] && [ -s "$tmp/out" ]; then
    got=a
  else
    got="exit $rc"
  fi
  if [ "$got" != "$want" ]; then
    echo "FAIL: heapscan $cmd ${args[*]}: want $want, got $got: $(head -c 300 "$tmp/err")" >&2
    fails=$((fails + 1))
  fi
}

# row CMD EXPECT(P T H C) ARGS...
row() {
  local cmd=$1 want=$2; shift 2
  local kinds=(P T H C) i
  for i in 0 1 2 3; do check "${want:$i:1}" "$cmd" "${kinds[$i]}" "$@"; done
}

row info       aaaa @F
row info       aaaa @F --format json
row info       aarr @F --format csv
row info       rrrr @F --format dot
row info       rrrr @F -i 0
row info       rrrr @F -n 3
row info       rrrr @F --focus main
row top        aaaa @F
row top        aaaa @F -n 3 --format json
row top        aaaa @F --format csv
row top        rrrr @F --format dot
row top        aarr @F -i 0
row top        aarr @F --focus main
row top        aarr @F --ignore runtime
row top        aarr @F --tag a=b
row top        aarr @F --by line --sort cum
row top        rraa @F --by type --sort size
row top        rraa @F --by object
row top        rrrr @F --fail-if 'total>+1%'
row top        rrrr @F --nodecount 5
row top        rrrr @F --paths 0x1
row top        rrrr @F --depth 2
row top        rrrr @F --base @F
row diff       aaaa @F @F
row diff       aaaa @F @F --fail-if 'total>+1%' -n 5
row diff       aaaa @F @F --format json
row diff       aaaa @F @F --format csv
row diff       rrrr @F @F --format dot
row diff       rraa @F @F --fail-if 'any.count>=0'
row diff       aarr @F @F -i 0
row diff       aarr @F @F --focus main --tag a=b
row diff       aarr @F @F --by file
row diff       rraa @F @F --by root --sort count
row diff       rrrr @F @F --by object
row diff       rrrr @F -
row diff       rrrr - -
row diff       rrrr @F @F --depth 2
row graph      aaaa @F
row graph      aaaa @F --nodecount 5 --format dot
row graph      aarr @F --format json
row graph      rrrr - --base -
row graph      aarr @F --base @F
row graph      aarr @F -i 0 --focus main
row graph      rraa @F --paths @A
row graph      rrrr @F -n 3
row dominators rraa @F
row dominators rraa @F --depth 2 --min-retained 1KiB --format json
row dominators rrrr @F --format csv
row dominators rrrr @F -n 3
row dominators rrrr @F -i 0
row paths      rraa @F @A
row paths      rraa @F @A --format json
row paths      rrrr @F
row paths      rrrr @F 0x1
row paths      rrrr @F @A --by type
row leaks      rraa @F
row leaks      rraa @F --by object -n 3 --sort size --format csv
row leaks      rraa @F --format json
row leaks      rrrr @F --by root
row leaks      rrrr @F -i 0
row leaks      rrrr @F --focus main
row trend      aaaa @F @F
row trend      aaaa @F @F --format json -n 0
row trend      aaaa @F @F --format csv
row trend      aaaa @F @F --format svg
row trend      aaaa @F @F --format html
row trend      rrrr @F @F --format dot
row trend      aaaa @F @F --fail-if 'grows>0' --fail-if 'total>+1%'
row trend      rrrr @F @F --fail-if 'slope>1MiB/h'
row trend      aarr @F @F --cum
row trend      aarr @F @F -i 0
row trend      rraa @F @F -i count
row trend      aarr @F @F --focus main --ignore runtime
row trend      aarr @F @F --by line
row trend      rraa @F @F --by type
row trend      rrrr @F @F --by object
row trend      aaaa @F @F --skip-bad
row trend      rrrr @F
row trend      rrrr @F @F --sort flat
row trend      rrrr @F @F --nodecount 5
row trend      rrrr - -
row collect    rrrr --dir "$tmp/collect" @F
row collect    rrrr --dir "$tmp/collect" --every 0s http://127.0.0.1:1/x
row collect    rrrr @F --format json
# goroutines reads goroutine dumps, goroutine profiles, Go heap dumps and Go
# cores: of these four only the heap dump (a heap profile is not a goroutine
# profile, the core is a C program's; go_core_goroutines.sh has the Go
# cores, heapdump_goroutines.sh the heap dumps' truth).
row goroutines rrar @F
row goroutines rrar @F --format json
row goroutines rrar @F --stuck 1m
row goroutines rrar @F --format dot
row goroutines rrar @F @F --fail-if 'goroutines>+0'
row goroutines rrrr @F --by site
# ... and on its own inputs: D a goroutine dump, G a goroutine profile.
D=testdata/goroutines/go1.26/goroutine.1.dump.txt.gz
G=testdata/goroutines/go1.26/goroutine.1.pb.gz
for k in D G; do
  check a goroutines $k @F
  check a goroutines $k @F @F --format json -n 3
  check a goroutines $k @F --format csv --by state
  check a goroutines $k @F --by created-by --stuck 90s
  check a goroutines $k @F @F --fail-if 'goroutines>+0' --fail-if 'group>=+0'
  check a goroutines $k @F --format dot
  check r goroutines $k @F --format svg
  check r goroutines $k @F --by site
  check r goroutines $k @F --stuck soon
  check r goroutines $k @F --fail-if 'total>+1'
  check r goroutines $k @F --fail-if 'goroutines>+1MiB'
  check r goroutines $k @F -i 0
  check r goroutines $k @F --sort count
  check r goroutines $k @F --focus main
  check r goroutines $k @F --depth 2
  check r goroutines $k @F - -
  check r goroutines $k
done
# --binary: the same check for every input and command.
row info       rrrr @F --binary README.md
row top        rrrr @F --binary "$tmp/missing"
row info       aaaa @F --binary testdata/cores/cheap-c.bin.gz
row leaks      rraa @F --binary "$tmp/cheap-c"
row top        rrrr @F --sysroot "$tmp/missing"
# --demangle: a naming option, accepted by every command and input.
row top        aaaa @F --demangle full
row leaks      rraa @F --demangle none
row info       rrrr @F --demangle fancy

# -o: a new file gets what the umask leaves of 0666, an existing file keeps its mode.
(umask 027 && "$HS" info "$P" -o "$tmp/new.txt")
touch "$tmp/old.txt" && chmod 0604 "$tmp/old.txt"
"$HS" info "$H" -o "$tmp/old.txt"
for want in "640 $tmp/new.txt" "604 $tmp/old.txt"; do
  got=$(stat -c '%a' "${want#* }")
  [ "$got" = "${want%% *}" ] || { echo "FAIL: -o mode of ${want#* }: $got, want ${want%% *}" >&2; fails=$((fails + 1)); }
done

echo "$runs runs, $fails failures"
[ "$fails" -eq 0 ]
