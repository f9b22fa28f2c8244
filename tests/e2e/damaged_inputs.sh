#!/usr/bin/env bash
# Damaged inputs: every fixture under testdata/ (profiles/*.pb.gz and *.pb,
# heapdumps/*, cores/*, whatever exists when this runs) is damaged in many
# ways — truncated at 40 evenly spaced offsets and at every 1/7th, 40 single
# bit flips (fixed seed), zeroed 64-byte ranges, the gunzipped form
# truncated/flipped/zeroed, and length fields inflated to 0x7fffffff
# (protobuf field lengths, the Go heap dump's params string, ELF segment and
# note sizes). For each variant `heapscan info` and `heapscan top` must exit
# 0 or 2 within 20 s (never a signal, never a timeout), and on 2 print
# exactly one stderr line "heapscan: ..." naming the file.
# Usage: bash tests/e2e/damaged_inputs.sh /path/to/heapscan  (cwd = repo root)
# HEAPSCAN_DAMAGE_JOBS (default 2) runs variants in parallel. A fixture whose
# clean run is slow (a core under ASan takes seconds) gets fewer truncations,
# flips and zeroed ranges (never under 10/10/3) so that all fixtures fit in
# HEAPSCAN_DAMAGE_SECONDS (default 420; ctest allows 900); the counts used are printed.
set -euo pipefail
HS=${1:?usage: damaged_inputs.sh /path/to/heapscan}
command -v python3 >/dev/null || { echo "damaged_inputs: python3 is required" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$HS" "$work" <<'PY'
import concurrent.futures, glob, gzip, os, random, struct, subprocess, sys, time, zlib

HS, WORK = sys.argv[1], sys.argv[2]
JOBS = int(os.environ.get("HEAPSCAN_DAMAGE_JOBS", "2"))
BUDGET = float(os.environ.get("HEAPSCAN_DAMAGE_SECONDS", "420"))
SIDECARS = (".json", ".md", ".txt", ".go", ".c", ".sh", ".py", ".csv", ".golden")

def fixtures():
    files = glob.glob("testdata/profiles/*.pb.gz") + glob.glob("testdata/profiles/*.pb")
    for d in ("testdata/heapdumps", "testdata/cores"):
        files += [f for f in glob.glob(d + "/*") if not f.endswith(SIDECARS)]
    # smallest first: fast fixtures use little of the budget, leaving it to cores
    return sorted((f for f in set(files) if os.path.isfile(f)), key=lambda f: (os.path.getsize(f), f))

def is_gzip(b):
    return b[:2] == b"\x1f\x8b"

def uvarint(b, pos):
    v = shift = 0
    while pos < len(b) and shift < 64:
        c = b[pos]; pos += 1
        v |= (c & 0x7F) << shift
        if not c & 0x80:
            return v, pos
        shift += 7
    return None, pos

BIG = b"\xff\xff\xff\xff\x07"  # uvarint 0x7fffffff

def protobuf_lengths(b):
    """Offsets (start, end) of the length varints of top-level LD fields."""
    out, pos = [], 0
    while pos < len(b):
        key, p = uvarint(b, pos)
        if key is None or key >> 3 == 0:
            return []
        wt = key & 7
        if wt == 0:
            _, p = uvarint(b, p)
        elif wt == 1:
            p += 8
        elif wt == 5:
            p += 4
        elif wt == 2:
            n, q = uvarint(b, p)
            if n is None:
                return []
            out.append((p, q))
            p = q + n
        else:
            return []
        if p > len(b):
            return []
        pos = p
    return out

def inflate_lengths(b):
    """(label, bytes) variants whose length fields claim more than the file holds."""
    res = []
    if b.startswith(b"go1.") and b[:16].endswith(b"heap dump\n"):
        # params record: kind, bool, ptrsize, heap start, heap end, then the arch string.
        p = 16
        for _ in range(5):
            _, p = uvarint(b, p)
        n, q = uvarint(b, p)
        if n is not None:
            res.append(("len-params-string", b[:p] + BIG + b[q:]))
    elif b[:4] == b"\x7fELF" and len(b) >= 64 and b[4] == 2 and b[5] == 1:
        phoff, = struct.unpack_from("<Q", b, 32)
        phentsize, phnum = struct.unpack_from("<HH", b, 54)
        res.append(("len-phnum", b[:56] + b"\xff\xff" + b[58:]))
        res.append(("len-phoff", b[:32] + struct.pack("<Q", 0x7FFFFFFF) + b[40:]))
        seen = set()
        for i in range(min(phnum, 4096)):
            o = phoff + i * phentsize
            if phentsize < 56 or o + 56 > len(b):
                break
            ptype, = struct.unpack_from("<I", b, o)
            if ptype in seen or ptype not in (1, 4):
                continue
            seen.add(ptype)
            name = "note" if ptype == 4 else "load"
            res.append(("len-%s-filesz" % name,
                        b[:o + 32] + struct.pack("<Q", 0x7FFFFFFF) + b[o + 40:]))
            res.append(("len-%s-offset" % name,
                        b[:o + 8] + struct.pack("<Q", 0x7FFFFFFF) + b[o + 16:]))
            if ptype == 4:
                off, = struct.unpack_from("<Q", b, o + 8)
                if off + 12 <= len(b):  # first note's descsz
                    res.append(("len-note-descsz",
                                b[:off + 4] + struct.pack("<I", 0x7FFFFFFF) + b[off + 8:]))
    else:
        lds = protobuf_lengths(b)
        for tag, (s, e) in zip(("first", "middle", "last"),
                               (lds[:1] + lds[len(lds) // 2:][:1] + lds[-1:]) if lds else []):
            res.append(("len-pb-%s" % tag, b[:s] + BIG + b[e:]))
    return res

def damage(tag, b, rng, n_trunc, n_flip, n_zero):
    n = len(b)
    if n == 0:
        return
    cuts = {n * i // (n_trunc + 1) for i in range(1, n_trunc + 1)}
    cuts |= {n * k // 7 for k in range(1, 7)} | {0, n - 1}
    for c in sorted(cuts):
        yield "%s-trunc-%d" % (tag, c), b[:c]
    for _ in range(n_flip):
        o, bit = rng.randrange(n), rng.randrange(8)
        yield "%s-flip-%d.%d" % (tag, o, bit), b[:o] + bytes([b[o] ^ (1 << bit)]) + b[o + 1:]
    for i in range(n_zero):
        o = 0 if i == 0 else n * i // n_zero
        yield "%s-zero-%d" % (tag, o), b[:o] + bytes(min(64, n - o)) + b[o + 64:]

def variants(path, data, counts):
    rng = random.Random(20261122 ^ zlib.crc32(os.path.basename(path).encode()))
    yield from damage("raw", data, rng, *counts)
    plain = None
    if is_gzip(data):
        try:
            plain = gzip.decompress(data)
        except Exception:
            plain = None
    if plain is not None:
        yield from damage("plain", plain, rng, *counts)
    yield from inflate_lengths(plain if plain is not None else data)

def check(path, cmd):
    argv = ["timeout", "20", HS, cmd, path]
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode == 124:
        return "%s %s: timed out after 20 s" % (cmd, path)
    if r.returncode not in (0, 2):
        return "%s %s: exit status %d (signal if >128 or <0)\n%s" % (cmd, path, r.returncode, err[-2000:])
    if r.returncode == 2:
        lines = err.split("\n")
        if not (len(lines) == 2 and lines[1] == "" and lines[0].startswith("heapscan: ")
                and path in lines[0]):
            return "%s %s: exit 2 but stderr is not one 'heapscan: FILE...' line:\n%s" % (
                cmd, path, err[-2000:])
    return None

def run_variant(job):
    path, cmds = job
    results = [(cmd, check(path, cmd)) for cmd in cmds]
    status = []
    for cmd, problem in results:
        status.append(problem)
    os.unlink(path)
    return path, status

def counts_for(path, cmds, share):
    """Full counts (40, 40, 10) unless a clean run says they will not fit in share seconds."""
    t0 = time.time()
    for cmd in cmds:
        subprocess.run(["timeout", "20", HS, cmd, path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    per_variant = 1.5 * (time.time() - t0) / JOBS  # damaged runs are often slower
    full = 2 * (48 + 40 + 10) + 8  # raw + plain forms, plus length variants
    if per_variant * full <= share:
        return (40, 40, 10)
    scale = share / (per_variant * full)
    return (max(10, int(40 * scale)), max(10, int(40 * scale)), max(3, int(10 * scale)))

def available(cmd):
    r = subprocess.run([HS, "help", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0

def main():
    fx = fixtures()
    cmds = [c for c in ("info", "top") if available(c)]
    if not fx:
        print("damaged_inputs: no fixtures under testdata/ yet; nothing to damage")
        return 0
    if not cmds:
        print("damaged_inputs: this heapscan has neither 'info' nor 'top' yet; nothing to run")
        return 0
    if len(cmds) < 2:
        print("damaged_inputs: note: only '%s' is available" % cmds[0])
    total = runs = 0
    problems = []
    start = time.time()
    for f in fx:
        data = open(f, "rb").read()
        base = os.path.basename(f)
        n = 0
        t0 = time.time()
        left = len(fx) - fx.index(f)
        counts = counts_for(f, cmds, max(1.0, BUDGET - (t0 - start)) / left)
        def jobs():
            nonlocal n
            for label, b in variants(f, data, counts):
                p = os.path.join(WORK, "%s.%s" % (base, label))
                with open(p, "wb") as out:
                    out.write(b)
                n += 1
                yield p, cmds
        with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as ex:
            # bounded window so big fixtures do not pile up on disk
            pending = set()
            for job in jobs():
                pending.add(ex.submit(run_variant, job))
                if len(pending) >= 2 * JOBS:
                    done, pending = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED)
                    for d in done:
                        problems += [p for p in d.result()[1] if p]
            for d in concurrent.futures.as_completed(pending):
                problems += [p for p in d.result()[1] if p]
        print("damaged_inputs: %s: %d variants (%d truncations + sevenths, %d flips, %d zeroed "
              "ranges per form), %.1f s" % ((f, n) + counts + (time.time() - t0,)), flush=True)
        total += n
        runs += n * len(cmds)
    print("damaged_inputs: %d fixtures, %d damaged variants, %d runs (%s), %d problems"
          % (len(fx), total, runs, " + ".join(cmds), len(problems)))
    kinds = {}
    for p in problems:
        k = ("timeout" if "timed out" in p else "signal/status" if "exit status" in p
             else "stderr")
        kinds[k] = kinds.get(k, 0) + 1
    if problems:
        print("damaged_inputs: problems by kind: " +
              ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    for p in problems[:30]:
        print("FAIL: " + p)
    return 1 if problems else 0

sys.exit(main())
PY
