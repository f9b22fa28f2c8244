#!/usr/bin/env bash
# README.md cannot go stale: every "$ heapscan ..." line of its console
# blocks runs as shown (from the repository root: here a temporary
# directory whose testdata/ is the repository's) and must print exactly the
# lines below it (standard output, then standard error, as a terminal shows
# them); every other example line starting with "heapscan " (indented or in
# a sh block) must run and exit 0 or 1.
# Usage: bash tests/e2e/readme.sh /path/to/heapscan   (cwd = repo root)
set -euo pipefail
HS=$(cd "$(dirname "${1:?usage: readme.sh HEAPSCAN}")" && pwd)/$(basename "$1")
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/root"
ln -s "$HS" "$tmp/bin/heapscan"
ln -s "$root/testdata" "$tmp/root/testdata"
python3 - "$root/README.md" "$tmp" <<'PY'
import os, subprocess, sys
readme, tmp = sys.argv[1], sys.argv[2]
env = dict(os.environ, PATH=tmp + "/bin:" + os.environ["PATH"])
fails = runs = 0
def run(cmd):
    return subprocess.run(["bash", "-c", cmd + " 2>&1"], cwd=tmp + "/root", env=env,
                          capture_output=True, text=True)
lines = open(readme).read().split("\n")
block = None
i = 0
while i < len(lines):
    line = lines[i]
    if line.startswith("```"):
        block = None if block is not None else line[3:].strip()
        i += 1
        continue
    if block == "console" and line.startswith("$ heapscan "):
        cmd, want = line[2:], []
        i += 1
        while i < len(lines) and not lines[i].startswith("$ ") and not lines[i].startswith("```"):
            want.append(lines[i])
            i += 1
        got = run(cmd).stdout.rstrip("\n").split("\n")
        runs += 1
        if got != want:
            fails += 1
            print("FAIL README line: $ " + cmd)
            for k in range(max(len(got), len(want))):
                g = got[k] if k < len(got) else "<none>"
                w = want[k] if k < len(want) else "<none>"
                if g != w:
                    print("  first difference, line %d:\n    README: %s\n    output: %s" % (k + 1, w, g))
                    break
        else:
            print("ok   $ " + cmd)
        continue
    text = line.strip()
    if text.startswith("heapscan ") and (block == "sh" or (block is None and line.startswith("    "))):
        cmd = text.split("  #")[0].strip()
        r = run(cmd)
        runs += 1
        if r.returncode not in (0, 1):
            fails += 1
            print("FAIL README example (exit %d): %s\n  %s" % (r.returncode, cmd, r.stdout[-300:]))
        else:
            print("ok   " + cmd)
    i += 1
print("%d README commands, %d failures" % (runs, fails))
sys.exit(1 if fails or not runs else 0)
PY
