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
  java-heapz, java-contentionz,  Java's profiles; their ids are named by
  java-cpu                       "0xID function (file:line)" lines, so their
                                 truth is per function ("functions"), not address
"""
import gzip
import json
import math
import os
import struct
import sys

out = sys.argv[1]
truth = {}

# Logical stacks, leaf first, as pprof holds them after reading.
A, B, C, MAIN, START = 0x401010, 0x401120, 0x401230, 0x401340, 0x401450


def record(name, types, samples, extra=None, key=lambda a: "%016x" % a):
    """samples: [(values, stack)]; truth per type of the file, each entry
    keyed by key(address): its address, or (Java) its function."""
    t = {}
    for i, typ in enumerate(types):
        rows, total = {}, 0
        for values, stack in samples:
            v = values[i]
            total += v
            keys = [key(a) for a in stack]
            for k, e in enumerate(keys):
                flat, cum = rows.get(e, (0, 0))
                if e not in keys[:k]:
                    cum += v
                if k == 0:
                    flat += v
                rows[e] = (flat, cum)
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

# ---- Java ------------------------------------------------------------------
# ids -> naming line, and the function pprof makes of it
JAVA = {
    0x1: ("com.example.Cache.put (Cache.java:42)", "com.example.Cache.put"),
    0x2: ("com.example.Server.handle (Server.java:7)", "com.example.Server.handle"),
    0x3: ("java.lang.Thread.run (Thread.java:-1)", "java.lang.Thread.run"),
    0x4: ("Java_zip_inflate (/usr/lib/jvm/lib/libzip.so)", "Java_zip_inflate"),
    0x5: ("generated stub/JIT code", "STUB"),
    0x6: ("GC", "GC"),
}
NAMES = "".join(" 0x%08x %s\n" % (i, JAVA[i][0]) for i in sorted(JAVA))


def record_fn(name, types, samples, extra=None):
    """Like record, keyed by the function pprof makes of each id."""
    record(name, types, samples, dict(extra or {}, functions=True), key=lambda a: JAVA[a][1])


def scale(count, size, rate=524288):
    """pprof's scaleHeapSample at Java's 512 KiB rate."""
    f = 1 / (1 - math.exp(-(size / count) / rate))
    return int(count * f), int(size * f)


jheap = [(1 << 20, 4, [0x1, 0x2, 0x3]), (4096, 16, [0x4, 0x2, 0x3]), (640, 10, [0x5, 0x3])]
text = "--- heapz 1 ---\nformat = java\nresolution = bytes\n"
for b, n, st in jheap:
    text += "%14d %5d @ %s\n" % (b, n, " ".join("0x%08x" % a for a in st))
save("java-heapz", text + "\n\n" + NAMES)
record_fn("java-heapz", ["inuse_objects", "inuse_space"], [(scale(n, b), st) for b, n, st in jheap])

JPERIOD = 100
jcont = [(700, 3, [0x1, 0x2, 0x3]), (50, 1, [0x6]), (20, 2, [0x2, 0x3])]
text = "--- contentionz 1 ---\nformat = java\nresolution = microseconds\nsampling period = %d\n" % JPERIOD
text += "ms since reset = 60000\n"
for d, n, st in jcont:
    text += "%14d %5d @ %s\n" % (d, n, " ".join("0x%08x" % a for a in st))
save("java-contentionz", text + "\n\n" + NAMES)
record_fn("java-contentionz", ["contentions", "delay"], [((n * JPERIOD, d * JPERIOD), st) for d, n, st in jcont],
          {"period": JPERIOD, "duration_nanos": 60000 * 10**6})

JCPU_US = 10000
jcpu = [(5, [0x1, 0x2, 0x3]), (2, [0x6]), (1, [0x4, 0x2, 0x3])]
w = [0, 3, 1, JCPU_US, 0]
for n, st in jcpu:
    w += [n, len(st)] + st
w += [0, 1, 0]
save("java-cpu", b"".join(struct.pack("<I", x) for x in w) + NAMES.encode())
record_fn("java-cpu", ["samples", "cpu"], [((n, n * JCPU_US * 1000), st) for n, st in jcpu], {"period": JCPU_US * 1000})

with open(os.path.join(out, "truth.json"), "w") as f:
    json.dump(truth, f, indent=1, sort_keys=True)
    f.write("\n")
