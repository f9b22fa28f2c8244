#!/usr/bin/env python3
"""Write a synthetic Go goroutine dump (pprof debug=2 layout, as Go 1.21+
prints it) of N goroutines, for bench/goroutines/run.sh.

The program it pretends to be: a server with GROUPS distinct stacks (a few
very large groups and a long tail, Zipf-like), each 3-12 frames deep over a
pool of package functions; leaf frames are runtime/sync/net/poll waits,
outer frames application code; states follow the leaf (chan receive, select,
IO wait, sync.Mutex.Lock, semacquire, sleep, running); about a third of the
blocked goroutines print ", N minutes"; arguments are random hex words (they
differ per goroutine, as in real dumps; their number and the PC offsets
are fixed per call site); every goroutine but 1 has a
"created by ... in goroutine K" line, K fixed per group (a long-lived
creator such as an accept loop: panicparse also splits a group by K, so
the two tools find the same groups). Deterministic for a seed. It prints
its own counts on stderr: goroutines and groups by construction.

usage: gen_dump.py N [GROUPS] [SEED] > dump.txt
"""
import random, sys

n = int(sys.argv[1])
n_groups = int(sys.argv[2]) if len(sys.argv) > 2 else 400
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

leaves = [  # (state, frames innermost first, as Go prints them after gopark is hidden)
    ("chan receive", []),
    ("chan send", []),
    ("select", []),
    ("IO wait", [("internal/poll.runtime_pollWait", "runtime/netpoll.go"),
                 ("internal/poll.(*pollDesc).wait", "internal/poll/fd_poll_runtime.go"),
                 ("internal/poll.(*pollDesc).waitRead", "internal/poll/fd_poll_runtime.go"),
                 ("internal/poll.(*FD).Read", "internal/poll/fd_unix.go"),
                 ("net.(*netFD).Read", "net/fd_posix.go"),
                 ("net.(*conn).Read", "net/net.go")]),
    ("sync.Mutex.Lock", [("sync.runtime_SemacquireMutex", "runtime/sema.go"),
                         ("sync.(*Mutex).lockSlow", "sync/mutex.go"),
                         ("sync.(*Mutex).Lock", "sync/mutex.go")]),
    ("semacquire", [("sync.runtime_Semacquire", "runtime/sema.go"),
                    ("sync.(*WaitGroup).Wait", "sync/waitgroup.go")]),
    ("sleep", [("time.Sleep", "runtime/time.go")]),
    ("runnable", []),
]
pkgs = ["github.com/acme/shop/api", "github.com/acme/shop/store", "github.com/acme/shop/cache",
        "github.com/acme/shop/queue", "github.com/acme/shop/billing", "google.golang.org/grpc",
        "google.golang.org/grpc/internal/transport", "net/http", "database/sql", "main"]
funcs = []
for i in range(2000):
    p = rng.choice(pkgs)
    kind = rng.random()
    name = ("(*%s%d).%s%d" % (rng.choice(["Server", "Conn", "Pool", "worker", "stream"]), i % 37,
                              rng.choice(["Serve", "handle", "run", "loop", "Read", "Do"]), i)
            if kind < 0.5 else "%s%d" % (rng.choice(["process", "fetch", "dispatch", "poll"]), i))
    if rng.random() < 0.2:
        name += ".func%d" % rng.randint(1, 4)
    funcs.append(("%s.%s" % (p, name), "%s/%s.go" % (p if p != "main" else "github.com/acme/shop/cmd/shop",
                                                     rng.choice(["server", "conn", "pool", "handler", "util"]))))

groups = []
for g in range(n_groups):
    state, leaf = rng.choice(leaves)
    depth = rng.randint(3, 12) - len(leaf)
    # A frame: function, file, line, its argument count and its PC offset
    # (fixed per call site, as in a real program; argument values vary).
    frames = [(f, file, rng.randint(20, 2000), rng.randint(0, 3), rng.randint(16, 4000))
              for f, file in leaf + rng.sample(funcs, max(depth, 1))]
    creator = rng.choice(funcs)
    groups.append((state, frames, (creator[0], creator[1], rng.randint(20, 2000), rng.randint(16, 400),
                                   rng.randint(1, 5000))))
weights = [1.0 / (i + 1) ** 1.1 for i in range(n_groups)]

out = sys.stdout
w = out.write
w("goroutine 1 [running]:\nmain.main()\n\t/src/shop/cmd/shop/main.go:42 +0x1d\n")
per_group = [0] * n_groups
picks = rng.choices(range(n_groups), weights=weights, k=n - 1)
for i, gi in enumerate(picks):
    per_group[gi] += 1
    state, frames, creator = groups[gi]
    extra = ""
    if state != "running" and state != "runnable" and rng.random() < 0.35:
        extra = ", %d minutes" % rng.randint(1, 90)
    w("\ngoroutine %d [%s%s]:\n" % (i + 2, state, extra))
    for f, file, line, nargs, off in frames:
        args = ", ".join("0x%x" % rng.getrandbits(40) for _ in range(nargs))
        w("%s(%s)\n\t%s:%d +0x%x\n" % (f, args, file, line, off))
    w("created by %s in goroutine %d\n\t%s:%d +0x%x\n" % (creator[0], creator[4],
                                                        creator[1], creator[2], creator[3]))
sys.stderr.write("gen_dump: goroutines=%d groups=%d largest=%d\n" %
                 (n, 1 + sum(1 for c in per_group if c), max(per_group)))
