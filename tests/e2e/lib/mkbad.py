#!/usr/bin/env python3
"""Make damaged inputs for tests/e2e/bad_input.sh from a real fixture.

  mkbad.py RAW_PB GZ_PB OUTDIR

writes into OUTDIR (one file per case; the names are the case names):
  trunc.pb.gz     the gzip'd profile cut in half
  header.pb.gz    only the 10-byte gzip header
  trunc.pb        the raw protobuf cut in the middle of a field
  varint.pb       a run of 0xff bytes (an 11-byte varint) where a sample's key begins
  length.pb       a sample whose length runs past the end of the file
  badstr.pb       a sample type naming string 99 of a 3-entry string table
  badloc.pb       a sample naming location 7, which does not exist
  badvals.pb      a sample with 1 value where there are 2 sample types
  lastloc.pb      the raw fixture whose last sample names location 2^28, which
                  does not exist (an error late in the file: tests/e2e/threads.sh)
  good.pb         the control: like badloc.pb but well made (one sample, value 1)
  text.txt        a text file; textgz.txt.gz the same gzip'd
and prints, per damaged raw protobuf, "NAME OFFSET": the offset of the top-level
field that holds the damage (nothing is wrong before it), so the test can
check that the reported offset points at or after it and not at the start.
"""
import gzip
import os
import sys


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, i


def enc(v):
    out = bytearray()
    while True:
        c = v & 0x7F
        v >>= 7
        if v:
            out.append(c | 0x80)
        else:
            out.append(c)
            return bytes(out)


def field(num, payload):
    """A length-delimited field."""
    return enc(num << 3 | 2) + enc(len(payload)) + payload


def vfield(num, v):
    return enc(num << 3) + enc(v)


def top_fields(b):
    """(field number, key offset, length-varint offset, end) of each top-level field."""
    i, out = 0, []
    while i < len(b):
        start = i
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        lstart = i
        if wt == 0:
            _, i = varint(b, i)
        elif wt == 1:
            i += 8
        elif wt == 5:
            i += 4
        elif wt == 2:
            n, i = varint(b, i)
            i += n
        else:
            sys.exit("mkbad: unexpected wire type in fixture")
        out.append((num, start, lstart, i))
    return out


def strings(*s):
    return b"".join(field(6, x.encode()) for x in ("",) + s)


def main():
    raw_path, gz_path, out = sys.argv[1:4]
    raw = open(raw_path, "rb").read()
    gz = open(gz_path, "rb").read()

    def put(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    put("trunc.pb.gz", gz[: len(gz) // 2])
    put("header.pb.gz", gz[:10])
    fields = top_fields(raw)
    samples = [f for f in fields if f[0] == 2]
    _, key_at, len_at, end = samples[len(samples) // 2]
    cut = (key_at + end) // 2  # inside a sample message
    # Each damage is in (or is) the sample field that starts at key_at: a
    # reader cannot notice it before that offset.
    put("trunc.pb", raw[:cut])
    print("trunc.pb", key_at)
    put("varint.pb", raw[:key_at] + b"\xff" * 11 + raw[key_at + 11 :])
    print("varint.pb", key_at)
    n, after = varint(raw, len_at)
    put("length.pb", raw[:len_at] + enc(len(raw) * 4) + raw[after:])
    print("length.pb", key_at)
    _, last_at, _, last_end = samples[-1]
    put("lastloc.pb", raw[:last_at] + field(2, vfield(1, 1 << 28)) + raw[last_end:])
    print("lastloc.pb", last_at)

    vt = lambda t, u: field(1, vfield(1, t) + vfield(2, u))
    loc = field(4, vfield(1, 1) + vfield(3, 0x1000))
    # sample: value (2) and location_id (1), unpacked. good.pb is the control:
    # the same profile made well, which must load.
    put("good.pb", vt(1, 2) + field(2, vfield(1, 1) + vfield(2, 1)) + loc + strings("x", "count"))
    put("badstr.pb", vt(99, 2) + strings("x", "count"))
    put("badloc.pb", vt(1, 2) + field(2, vfield(1, 7) + vfield(2, 1)) + loc + strings("x", "count"))
    put("badvals.pb", vt(1, 2) + vt(3, 2) + field(2, vfield(1, 1) + vfield(2, 5)) + loc
        + strings("x", "count", "y"))
    text = b"this is not a profile\njust some text\n"
    put("text.txt", text)
    put("textgz.txt.gz", gzip.compress(text))


main()
