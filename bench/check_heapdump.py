#!/usr/bin/env python3
"""Independent check of a go1.7 heap dump (formats.md section 2), used to validate
bench/gen_heapdump output and to compare it with real dumps: walks every record,
checks params-first, fieldlist offsets inside their contents, non-overlapping
objects and a clean EOF, then computes reachability from data/bss/stack-frame
pointer slots (pointers anywhere inside an object refer to it).
Usage: check_heapdump.py DUMP   (slow: about 20 s per million objects)"""
import bisect
import collections
import sys

data = open(sys.argv[1], 'rb').read()
assert data[:16] == b"go1.7 heap dump\n", data[:16]
pos = 16


def uv():
    global pos
    r = s = 0
    while True:
        b = data[pos]
        pos += 1
        r |= (b & 0x7f) << s
        s += 7
        if b < 0x80:
            return r


def st():
    global pos
    n = uv()
    v = data[pos:pos + n]
    pos += n
    assert pos <= len(data), "string runs past the end"
    return v


def fl(limit):
    offs = []
    while True:
        k = uv()
        if k == 0:
            return offs
        assert k == 1, "field kind %d" % k
        off = uv()
        assert off + 8 <= limit, "field offset %d beyond %d bytes" % (off, limit)
        offs.append(off)


def word(c, o):
    return int.from_bytes(c[o:o + 8], 'little')


kinds = collections.Counter()
objs, roots = [], []
first = None
while True:
    kind = uv()
    kinds[kind] += 1
    first = kind if first is None else first
    if kind == 0:
        break
    if kind == 1:
        a = uv()
        c = st()
        objs.append((a, c, fl(len(c))))
    elif kind == 3:
        uv(); uv(); st(); uv()
    elif kind == 4:
        for _ in range(8):
            uv()
        st()
        for _ in range(4):
            uv()
    elif kind == 5:
        uv(); uv(); uv()
        c = st()
        uv(); uv(); uv(); st()
        roots += [word(c, o) for o in fl(len(c))]
    elif kind == 6:
        be, ps, hs, he = uv(), uv(), uv(), uv()
        arch, ver, ncpu = st(), st(), uv()
        print("params: bigendian=%d ptrsize=%d heap=[%#x,%#x) arch=%s version=%s ncpu=%d"
              % (be, ps, hs, he, arch.decode(), ver.decode(), ncpu))
    elif kind in (7, 11):
        for _ in range(5):
            uv()
    elif kind == 8:
        uv(); uv()
    elif kind == 9:
        uv(); uv(); uv()
    elif kind == 10:
        ms = [uv() for _ in range(24 + 256 + 1)]
        print("memstats: HeapAlloc=%d HeapObjects=%d NumGC=%d" % (ms[6], ms[11], ms[-1]))
    elif kind in (12, 13):
        uv()
        c = st()
        roots += [word(c, o) for o in fl(len(c))]
    elif kind == 14:
        for _ in range(7):
            uv()
    elif kind == 15:
        for _ in range(6):
            uv()
    elif kind == 16:
        uv(); uv()
        for _ in range(uv()):
            st(); st(); uv()
        uv(); uv()
    elif kind == 17:
        uv(); uv()
    else:
        sys.exit("unknown record kind %d before offset %d" % (kind, pos))
assert first == 6, "first record is not params"
assert pos == len(data), "bytes after EOF record"

objs.sort(key=lambda o: o[0])
starts = [o[0] for o in objs]
for i in range(1, len(objs)):
    assert starts[i - 1] + len(objs[i - 1][1]) <= starts[i], "overlapping objects"


def find(p):
    i = bisect.bisect_right(starts, p) - 1
    return i if i >= 0 and p < starts[i] + len(objs[i][1]) else -1


seen = bytearray(len(objs))
stack = []
for p in roots:
    i = find(p)
    if i >= 0 and not seen[i]:
        seen[i] = 1
        stack.append(i)
refs = 0
while stack:
    _, c, f = objs[stack.pop()]
    for o in f:
        j = find(word(c, o))
        if j >= 0 and not seen[j]:
            seen[j] = 1
            stack.append(j)
for _, c, f in objs:
    refs += sum(1 for o in f if find(word(c, o)) >= 0)
print("records:", dict(sorted(kinds.items())))
print("objects=%d bytes=%d live_objects=%d live_bytes=%d heap_refs=%d"
      % (len(objs), sum(len(o[1]) for o in objs), sum(seen),
         sum(len(objs[i][1]) for i in range(len(objs)) if seen[i]), refs))
