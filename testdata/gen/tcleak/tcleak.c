/* tcleak: a C program that leaks on purpose under gperftools' heap
 * profiler (link with -ltcmalloc), for heapscan's gperftools text tests;
 * built with -DJEMALLOC (link with -ljemalloc), under jemalloc's profiler
 * instead (every allocation sampled: lg_prof_sample:0).
 * It dumps two heap profiles, PREFIX.0001.heap and PREFIX.0002.heap, and
 * writes what it allocated and freed by then, counted here as it goes, to
 * TRUTH.1.json and TRUTH.2.json in the shape of the Go generator's truth
 * files (flat and cum per leak function for each sample type).
 * Nothing is printed and no stdio is used while the profiler runs, so the
 * profiles hold only this program's own allocations.
 *
 *   usage: tcleak PREFIX TRUTH */
#include <stdio.h>
#include <stdlib.h>

#ifdef JEMALLOC
#include <jemalloc/jemalloc.h>
/* Read by jemalloc at start-up: profile from the first allocation on. */
const char *malloc_conf = "prof:true,prof_active:true,prof_accum:true,lg_prof_sample:0";
static const char *dump_prefix;
static int dumps;
static void HeapProfilerStart(const char *prefix)
{
    dump_prefix = prefix;
}
static void HeapProfilerDump(const char *why)
{
    static char path[4096];
    const char *p = path;
    (void)why;
    snprintf(path, sizeof path, "%s.%04d.heap", dump_prefix, ++dumps);
    if (mallctl("prof.dump", NULL, NULL, (void *)&p, sizeof p)) abort();
}
static void HeapProfilerStop(void)
{
}
#else
#include <gperftools/heap-profiler.h>
#endif

enum { F_SMALL, F_BIG, F_CHURN, F_INNER, N_FN };
static const char *const fn_name[N_FN] = {"leak_small", "leak_big", "churn", "leak_inner"};

/* Per function: objects and bytes allocated and still in use. */
typedef struct tally {
    long alloc_objects, alloc_space, inuse_objects, inuse_space;
} tally;

typedef struct world {
    tally t[N_FN];
    void *small[3000], *big[8], *inner[64];
    int n_small, n_big, n_inner;
} world;

/* The bytes a profile records for p: tcmalloc records the size asked for,
 * jemalloc the size class it gave. */
static long recorded_size(void *p, size_t size)
{
#ifdef JEMALLOC
    (void)size;
    return (long)malloc_usable_size(p);
#else
    (void)p;
    return (long)size;
#endif
}

static void *counted(world *w, int fn, size_t size)
{
    void *p = malloc(size);
    if (!p) abort();
    ((volatile char *)p)[0] = 1; /* touched: the compiler may not drop it */
    long bytes = recorded_size(p, size);
    w->t[fn].alloc_objects++;
    w->t[fn].alloc_space += bytes;
    w->t[fn].inuse_objects++;
    w->t[fn].inuse_space += bytes;
    return p;
}

static void uncounted_free(world *w, int fn, size_t size, void *p)
{
    long bytes = recorded_size(p, size);
    free(p);
    w->t[fn].inuse_objects--;
    w->t[fn].inuse_space -= bytes;
}

__attribute__((noinline)) void leak_small(world *w, int n)
{
    for (int i = 0; i < n; i++)
        w->small[w->n_small++] = counted(w, F_SMALL, 100);
}

__attribute__((noinline)) void leak_big(world *w, int n)
{
    for (int i = 0; i < n; i++)
        w->big[w->n_big++] = counted(w, F_BIG, 1 << 20);
}

__attribute__((noinline)) void churn(world *w, int n)
{
    for (int i = 0; i < n; i++)
        uncounted_free(w, F_CHURN, 5000, counted(w, F_CHURN, 5000));
}

__attribute__((noinline)) void leak_inner(world *w, int n)
{
    for (int i = 0; i < n; i++)
        w->inner[w->n_inner++] = counted(w, F_INNER, 4096);
}

/* Allocates nothing itself: its cum is leak_inner's. */
__attribute__((noinline)) void leak_outer(world *w, int n)
{
    leak_inner(w, n);
    __asm__ volatile("" ::: "memory"); /* not a tail call: leak_outer stays on the stack */
}

static void write_truth(const char *prefix, int phase, const tally *t)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.%d.json", prefix, phase);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    static const char *const types[4] = {"alloc_objects", "alloc_space", "inuse_objects",
                                          "inuse_space"};
    fprintf(f, "{\"phase\": %d, \"program\": \"tcleak\",\n", phase);
    for (int kind = 0; kind < 2; kind++) {
        fprintf(f, " \"%s\": {", kind ? "heap_cum" : "heap_flat");
        int first = 1;
        for (int fn = 0; fn <= N_FN; fn++) {
            /* leak_outer has no flat; its cum is leak_inner's. */
            const tally *v = fn == N_FN ? &t[F_INNER] : &t[fn];
            if (fn == N_FN && !kind) continue;
            long vals[4] = {v->alloc_objects, v->alloc_space, v->inuse_objects, v->inuse_space};
            fprintf(f, "%s\n  \"%s\": {", first ? "" : ",", fn == N_FN ? "leak_outer" : fn_name[fn]);
            for (int k = 0; k < 4; k++)
                fprintf(f, "%s\"%s\": %ld", k ? ", " : "", types[k], vals[k]);
            fprintf(f, "}");
            first = 0;
        }
        fprintf(f, "}%s\n", kind ? "" : ",");
    }
    fprintf(f, "}\n");
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tcleak PREFIX TRUTH\n");
        return 2;
    }
    static world w;
    tally at[2][N_FN];
    HeapProfilerStart(argv[1]);
    leak_small(&w, 1000);
    leak_big(&w, 3);
    churn(&w, 50);
    HeapProfilerDump("phase 1");
    for (int fn = 0; fn < N_FN; fn++)
        at[0][fn] = w.t[fn];
    leak_small(&w, 1500);
    uncounted_free(&w, F_BIG, 1 << 20, w.big[--w.n_big]);
    leak_outer(&w, 20);
    churn(&w, 10);
    HeapProfilerDump("phase 2");
    for (int fn = 0; fn < N_FN; fn++)
        at[1][fn] = w.t[fn];
    HeapProfilerStop();
    write_truth(argv[2], 1, at[0]);
    write_truth(argv[2], 2, at[1]);
    return 0;
}
