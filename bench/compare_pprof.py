#!/usr/bin/env python3
"""Compare heapscan's JSON (top or diff, -n 0) with pprof's numbers as printed by
testdata/gen/pprof-truth.sh (NAME<TAB>FLAT<TAB>CUM lines, #total first).
Entries with zero flat and cum on both sides are ignored. Prints one summary
line; exit status 0 when every entry and the total agree, 1 otherwise.
Usage: compare_pprof.py top|diff TRUTH.tsv HEAPSCAN.json"""
import json
import sys

mode, truth_path, hs_path = sys.argv[1:4]
truth, total = {}, None
for line in open(truth_path):
    f = line.rstrip('\n').split('\t')
    if f[0] == '#total':
        total = int(f[1])
    elif not f[0].startswith('#'):
        truth[f[0]] = (int(f[1]), int(f[2]))
doc = json.load(open(hs_path))
if mode == 'top':
    ours = {r['name']: (r['flat'], r['cum']) for r in doc['rows']}
    our_total = doc['total']
else:
    ours = {r['name']: (r['flat']['delta'], r['cum']['delta']) for r in doc['rows']}
    our_total = doc['total']['before']
truth = {k: v for k, v in truth.items() if v != (0, 0)}
ours = {k: v for k, v in ours.items() if v != (0, 0)}
bad = sorted(k for k in set(truth) | set(ours) if truth.get(k, (0, 0)) != ours.get(k, (0, 0)))
ok = not bad and total == our_total
print("%s: %d entries from pprof, %d from heapscan, %d differ%s; total %s vs %s"
      % (mode, len(truth), len(ours), len(bad), (" (first: %s)" % bad[0]) if bad else "",
         total, our_total))
sys.exit(0 if ok else 1)
