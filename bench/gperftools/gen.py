#!/usr/bin/env python3
"""Synthetic gperftools heap profiles for bench/gperftools/run.sh.

  gen.py src FUNCS OUT.c           a C program with FUNCS functions (f0..)
  gen.py profile BIN RECORDS SEED OUT.heap
      a "heap profile: ... @ heapprofile" file whose RECORDS stacks are 5-30
      return addresses inside BIN's functions (read with `nm -S`), each one
      byte past a point in its function, followed by a memory map that maps
      BIN (linked with -no-pie) at its own addresses.
"""
import random
import subprocess
import sys


def gen_src(funcs, out):
    with open(out, "w") as f:
        f.write("volatile int sink;\n")
        for i in range(funcs):
            # A few statements, so every function has a body to land in.
            f.write("__attribute__((noinline)) void f%d(int n) { for (int i = 0; i < n; i++) sink += i * %d; sink ^= n; }\n" % (i, i + 1))
        f.write("int main(int argc, char **argv) { (void)argv;\n")
        for i in range(funcs):
            f.write("  f%d(argc);\n" % i)
        f.write("  return 0; }\n")


BASE = 0x555555554000  # where Linux puts a PIE program


def load_segments(binary):
    """(vaddr, memsz, offset, perms) of each PT_LOAD, from readelf."""
    segs = []
    for line in subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            flags = "".join(p[6:-1])
            perms = ("r" if "R" in flags else "-") + ("w" if "W" in flags else "-") + \
                    ("x" if "E" in flags else "-") + "p"
            segs.append((int(p[2], 16), int(p[5], 16), int(p[1], 16), perms))
    return segs


def gen_profile(binary, records, seed, out):
    rnd = random.Random(seed)
    funcs = []
    for line in subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                               text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tT" and parts[3].startswith("f") and parts[3][1:].isdigit():
            funcs.append((int(parts[0], 16), int(parts[1], 16)))
    funcs.sort()
    rows, tot = [], [0, 0, 0, 0]
    for _ in range(records):
        depth = rnd.randint(5, 30)
        stack = []
        for _ in range(depth):
            a, s = funcs[rnd.randrange(len(funcs))]
            stack.append(BASE + a + rnd.randrange(max(s - 1, 1)) + 1)
        size = rnd.choice([16, 64, 100, 4096, 65536])
        an = rnd.randint(1, 50)
        n = rnd.randint(0, an)
        v = (n, n * size, an, an * size)
        tot = [t + x for t, x in zip(tot, v)]
        rows.append("%6d: %8d [%6d: %8d] @ %s\n" % (v + (" ".join("0x%x" % x for x in stack),)))
    with open(out, "w") as f:
        f.write("heap profile: %6d: %8d [%6d: %8d] @ heapprofile\n" % tuple(tot))
        f.writelines(rows)
        f.write("\nMAPPED_LIBRARIES:\n")
        for vaddr, memsz, offset, perms in load_segments(binary):
            lo, hi = BASE + (vaddr & ~0xFFF), BASE + ((vaddr + memsz + 0xFFF) & ~0xFFF)
            f.write("%x-%x %s %08x 00:00 1 %s\n" % (lo, hi, perms, offset & ~0xFFF, binary))


if __name__ == "__main__":
    if sys.argv[1] == "src":
        gen_src(int(sys.argv[2]), sys.argv[3])
    else:
        gen_profile(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
