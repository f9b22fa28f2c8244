#!/usr/bin/env python3
"""Write the legacy profiles that have no producer on this machine from
their documented layouts (pprof's profile/legacy_profile.go and
legacy_java_profile.go), each with the values a reader must find, known by
construction: OUT/NAME.gz and OUT/truth.json, which holds for every file
and sample type the total and each address's flat and cum (the address as
pprof keeps it: a return address minus one, a leaf as written).

  usage: mklegacy.py OUT

Files:
  cpu-32le, cpu-32be, cpu-64be   binary CPU profiles (gperftools' layout) in the
                                 word layouts gperftools has no build for here;
                                 every record carries a signal-handler frame
                                 second and one repeats its leaf: pprof drops both
  contentionz                    C++ contention profile, cycles/second, sampling
                                 period, ms since reset, a /proc memory map
  growthz                        gperftools' heap growth stacks
  threadz                        thread profile, one thread "same as previous"
"""
import gzip
import json
import os
import struct
import sys

out = sys.argv[1]
truth = {}

# Logical stacks, leaf first, as pprof holds them after reading.
A, B, C, MAIN, START = 0x401010, 0x401120, 0x401230, 0x401340, 0x401450


def record(name, types, samples, extra=None):
    """samples: [(values, stack)]; truth per type of the file."""
    t = {}
    for i, typ in enumerate(types):
        rows, total = {}, 0
        for values, stack in samples:
            v = values[i]
            total += v
            for k, a in enumerate(stack):
                key = "%016x" % a
                flat, cum = rows.get(key, (0, 0))
                if a not in stack[:k]:
                    cum += v
                if k == 0:
                    flat += v
                rows[key] = (flat, cum)
        t[typ] = {"total": total, "rows": {k: list(v) for k, v in rows.items()}}
    truth[name] = dict(types=t, **(extra or {}))


def save(name, data):
    if isinstance(data, str):
        data = data.encode()
    with gzip.GzipFile(os.path.join(out, name + ".gz"), "wb", mtime=0) as f:
        f.write(data)


PROC_MAP = "00400000-00402000 r-xp 00000000 00:00 0 /nonexistent/heapscan-legacy/prog\n"

# ---- binary CPU profiles ---------------------------------------------------
PERIOD_US = 10000  # 100 Hz
HANDLER = 0x7f0000001000  # the second frame of every record: the signal handler's
cpu = [(7, [A, B, MAIN, START]), (3, [C, B, MAIN, START]), (2, [B, MAIN, START]), (1, [MAIN, START])]
# as pprof holds them: leaf as written, the rest minus one
cpu_logical = [(n, [s[0]] + [a - 1 for a in s[1:]]) for n, s in cpu]


def cpu_file(word, big, handler):
    fmt = (">" if big else "<") + ("I" if word == 4 else "Q")
    w = []
    w += [0, 3, 0, PERIOD_US, 0]
    for k, (n, s) in enumerate(cpu):
        pcs = [s[0], handler] + s[1:]
        if k == 1:
            pcs = [s[0], handler, s[0]] + s[1:]  # the leaf again, from unwinding
        w += [n, len(pcs)] + pcs
    w += [0, 1, 0]
    return b"".join(struct.pack(fmt, x) for x in w) + PROC_MAP.encode()


for name, word, big in (("cpu-32le", 4, False), ("cpu-32be", 4, True), ("cpu-64be", 8, True)):
    save(name, cpu_file(word, big, HANDLER & 0xFFFFFFFF if word == 4 else HANDLER))
    record(name, ["samples", "cpu"], [((n, n * PERIOD_US * 1000), s) for n, s in cpu_logical],
           {"period": PERIOD_US * 1000})

# ---- C++ contention ------------------------------------------------------
HZ, PERIOD, MS = 2000000000, 100, 5000
cont = [(4000000, 7, [A, B, MAIN]), (1000000, 2, [C, B, MAIN]), (50000, 1, [A, MAIN])]
text = "--- contentionz 1 ---\ncycles/second = %d\nsampling period = %d\nms since reset = %d\n" % (HZ, PERIOD, MS)
text += "discarded samples = 0\n"
for delay, count, s in cont:
    text += "%10d %8d @ %s\n" % (delay, count, " ".join("0x%x" % (a + 1) for a in s))
text += "--- Memory map: ---\n" + PROC_MAP
save("contentionz", text)
# delay: cycles * period / (cycles per nanosecond); contentions: count * period
record("contentionz", ["contentions", "delay"],
       [((count * PERIOD, delay * PERIOD // (HZ // 10**9)), s) for delay, count, s in cont],
       {"period": PERIOD, "duration_nanos": MS * 10**6})

# ---- gperftools growth stacks -----------------------------------------------
growth = [(1, 1 << 20, [A, B, MAIN]), (3, 3 << 20, [C, MAIN])]
text = "heap profile: %6d: %8d [%6d: %8d] @ growthz\n" % (
    sum(g[0] for g in growth), sum(g[1] for g in growth), sum(g[0] for g in growth), sum(g[1] for g in growth))
for n, b, s in growth:
    text += "%6d: %8d [%6d: %8d] @ %s\n" % (n, b, n, b, " ".join("0x%x" % (a + 1) for a in s))
text += "\nMAPPED_LIBRARIES:\n" + PROC_MAP
save("growthz", text)
record("growthz", ["objects", "space"], [((n, b), s) for n, b, s in growth], {"period": 1})

# ---- thread profile -----------------------------------------------------
threads = [("main", [A, MAIN, START]), ("worker1", [C, B, START]), ("worker2", None), ("worker3", [B, START])]
text = "--- threadz 1 ---\n\n"
for k, (name, s) in enumerate(threads):
    text += "--- Thread %x (name: %s/%d) stack: ---\n" % (0x7f0000100000 + k * 0x1000, name, 100 + k)
    if s is None:
        text += "  [same as previous thread]\n"
        continue
    text += "  PC: 0x%08x: leaf\n" % s[0]
    for a in s[1:]:
        text += "  0x%08x: caller\n" % (a + 1)
text += "--- Memory map: ---\n" + PROC_MAP
save("threadz", text)
samples = []
for name, s in threads:
    if s is None:
        samples[-1] = ((samples[-1][0][0] + 1,), samples[-1][1])
    else:
        samples.append(((1,), [s[0]] + [a for a in s[1:]]))
record("threadz", ["thread"], samples, {"period": 1})

with open(os.path.join(out, "truth.json"), "w") as f:
    json.dump(truth, f, indent=1, sort_keys=True)
    f.write("\n")
