/* gen_heapdump: write a synthetic Go heap dump ("go1.7 heap dump\n", the format of
 * runtime/debug.WriteHeapDump, formats.md §2) with N objects, for benchmarking.
 * Objects sit in 8 KiB spans of one size class each (16..512 B) from 0xc000000000.
 * Every object outside a "garbage" span is reachable by construction: objects are
 * wired into a breadth-first ownership forest (each live object is pointed to by
 * exactly one parent, or by a global if it starts a tree), plus extra edges that
 * keep reachability intact (parent back-pointers, ~4096 shared hot objects,
 * nearby siblings, some interior pointers). Garbage spans (~3%) are pointed to
 * only from garbage, so the live/unreachable split printed on stderr is exact.
 * Written streaming in record order params, objects, goroutines+frames, threads,
 * data, bss, finalizers, memstats, profile buckets, alloc samples, EOF; memory
 * is the span table plus a frontier queue, independent of N beyond O(N/100).
 * Usage: gen_heapdump [-n OBJECTS] [-s SEED] -o OUT */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPAN 8192u
#define HEAP_BASE 0xc000000000ull
#define DATA_START 0x5e0000ull
#define DATA_SIZE (32u << 10)
#define BSS_START (DATA_START + DATA_SIZE)
#define BSS_SIZE (128u << 10)
#define STACK_BASE 0xc800000000ull
#define GSTRUCT_BASE 0xc900000000ull
#define NHOT 4096u
#define FRONTIER 8192u /* cap on assigned-but-unwritten children: sets tree depth */
#define MAX_CHILDREN 8u
#define NBUCKETS 198u

typedef struct {
    uint64_t base;
    uint32_t first; /* index of its first object */
    uint16_t size, used;
    uint8_t noscan, garbage;
} span;

typedef struct {
    uint64_t s;
} rng;

typedef struct {
    uint32_t parent, remaining;
} pending;

typedef struct {
    FILE *fp;
    uint32_t n;
    span *spans;
    uint32_t nspans;
    uint64_t hot[NHOT];
    uint32_t *tops; /* live objects no parent points to: roots must */
    uint32_t ntops, cap_tops;
    /* statistics, printed at the end */
    uint64_t bytes, live_objs, live_bytes, refs, nil_slots, root_ptrs;
} gen;

static const uint16_t classes[] = {16, 24, 32, 48, 64, 80, 96, 112, 128, 256, 512};
static const uint16_t class_weight[] = {18, 12, 18, 14, 12, 6, 7, 4, 6, 2, 1}; /* sum 100 */
#define NCLASSES (sizeof classes / sizeof *classes)

static uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint32_t rbelow(rng *r, uint32_t n)
{
    return (uint32_t)(((rnext(r) >> 32) * n) >> 32);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("gen_heapdump: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* ---- encoding ---- */
static void uv(gen *g, uint64_t v)
{
    uint8_t t[10];
    int n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    fwrite(t, 1, (size_t)n, g->fp);
}
static void str(gen *g, const void *s, size_t n)
{
    uv(g, n);
    fwrite(s, 1, n, g->fp);
}
static void cstr(gen *g, const char *s)
{
    str(g, s, strlen(s));
}
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- heap layout ---- */
static void build_spans(gen *g, rng *r)
{
    uint32_t cap = 1024, page = 0, first = 0;
    g->spans = xmalloc(cap * sizeof *g->spans);
    while (first < g->n) {
        if (g->nspans == cap) {
            cap *= 2;
            g->spans = realloc(g->spans, cap * sizeof *g->spans);
            if (!g->spans) exit(1);
        }
        span *s = &g->spans[g->nspans];
        uint32_t w = rbelow(r, 100), c = 0;
        while (w >= class_weight[c])
            w -= class_weight[c++];
        uint32_t full = SPAN / classes[c];
        s->size = classes[c];
        s->used = (uint16_t)(full - rbelow(r, full / 4 + 1)); /* some free slots */
        if (s->used > g->n - first) s->used = (uint16_t)(g->n - first);
        s->noscan = rbelow(r, 100) < 15;
        s->garbage = g->nspans > 0 && rbelow(r, 100) < 3;
        if (rbelow(r, 16) == 0) page++; /* a free span in between */
        s->base = HEAP_BASE + (uint64_t)page++ * SPAN;
        s->first = first;
        first += s->used;
        g->nspans++;
    }
}

static const span *span_of(const gen *g, uint32_t j)
{
    uint32_t lo = 0, hi = g->nspans - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        if (g->spans[mid].first <= j)
            lo = mid;
        else
            hi = mid - 1;
    }
    return &g->spans[lo];
}
static uint64_t addr_of(const gen *g, uint32_t j)
{
    const span *s = span_of(g, j);
    return s->base + (uint64_t)(j - s->first) * s->size;
}
static int is_garbage(const gen *g, uint32_t j)
{
    return span_of(g, j)->garbage;
}

/* A live object chosen uniformly: the target of a root. */
static uint32_t random_live(const gen *g, rng *r)
{
    for (;;) {
        uint32_t j = rbelow(r, g->n);
        if (!is_garbage(g, j)) return j;
    }
}

static void pick_hot(gen *g)
{
    for (uint32_t k = 0; k < NHOT; k++) {
        uint32_t j = (uint32_t)((uint64_t)k * g->n / NHOT);
        while (j + 1 < g->n && is_garbage(g, j))
            j++;
        g->hot[k] = addr_of(g, j);
    }
}

/* Zipf-like: hot object k chosen with weight ~1/(k+1). */
static uint64_t hot_target(const gen *g, rng *r)
{
    uint32_t span_k = 1u << rbelow(r, 12); /* log-uniform over 1..4096 */
    return g->hot[rbelow(r, span_k)];
}

/* ---- objects ---- */
typedef struct {
    uint32_t off;
    uint64_t val;
} slot;

static int cmp_slot(const void *a, const void *b)
{
    uint32_t x = ((const slot *)a)->off, y = ((const slot *)b)->off;
    return (x > y) - (x < y);
}

static uint64_t maybe_interior(const gen *g, uint32_t j, rng *r)
{
    const span *s = span_of(g, j);
    uint64_t a = s->base + (uint64_t)(j - s->first) * s->size;
    if (s->size >= 32 && rbelow(r, 10) == 0) a += 8 * (1 + rbelow(r, s->size / 8 - 1));
    return a;
}

typedef struct {
    pending *q;
    uint32_t head, len, qcap;
    uint32_t next; /* next object not yet given a parent */
} forest;

static void write_object(gen *g, forest *f, uint32_t i, const span *s, rng *r)
{
    uint8_t content[512];
    slot slots[64];
    uint32_t words = s->size / 8, ns = 0;
    uint64_t a = s->base + (uint64_t)(i - s->first) * s->size;
    for (uint32_t w = 0; w < words; w++) /* scalar filler: small, never heap-like */
        put64(content + 8 * w, rnext(r) & 0xffffff);
    uint8_t used[64] = {0};
    uint32_t nfree = words;
#define TAKE_SLOT(v)                                                                               \
    do {                                                                                           \
        uint32_t w_ = rbelow(r, words);                                                            \
        while (used[w_])                                                                           \
            w_ = (w_ + 1) % words;                                                                 \
        used[w_] = 1;                                                                              \
        nfree--;                                                                                   \
        slots[ns].off = 8 * w_;                                                                    \
        slots[ns++].val = (v);                                                                     \
    } while (0)

    uint32_t parent = UINT32_MAX;
    if (!s->garbage) {
        g->live_objs++;
        g->live_bytes += s->size;
        if (f->len == 0) { /* nobody points here: a global will */
            if (f->next <= i) f->next = i + 1;
            if (g->ntops == g->cap_tops) {
                g->cap_tops = g->cap_tops * 2 + 64;
                g->tops = realloc(g->tops, g->cap_tops * sizeof *g->tops);
                if (!g->tops) exit(1);
            }
            g->tops[g->ntops++] = i;
        } else {
            pending *p = &f->q[f->head];
            parent = p->parent;
            if (--p->remaining == 0) {
                f->head = (f->head + 1) % f->qcap;
                f->len--;
            }
        }
    }
    if (!s->noscan && !s->garbage) {
        /* children: 0 (30%), 1 (30%), 2 (20%), 3 (8%), 4..8 (12%) */
        uint32_t u = rbelow(r, 100);
        uint32_t c = u < 30 ? 0 : u < 60 ? 1 : u < 80 ? 2 : u < 88 ? 3 : 4 + rbelow(r, 5);
        if (f->next > i && f->next - i > FRONTIER) c = 0;
        if (c > words) c = words;
        uint32_t got = 0;
        while (got < c && f->next < g->n) {
            uint32_t j = f->next++;
            if (is_garbage(g, j)) continue;
            TAKE_SLOT(addr_of(g, j));
            got++;
        }
        if (got) {
            f->q[(f->head + f->len) % f->qcap] = (pending){i, got};
            f->len++;
        }
        if (parent != UINT32_MAX && nfree && rbelow(r, 100) < 40) TAKE_SLOT(addr_of(g, parent));
        if (nfree && rbelow(r, 100) < 85) TAKE_SLOT(hot_target(g, r));
        for (uint32_t k = 0; k < 4 && nfree; k++) {
            uint32_t j = i + 1 + rbelow(r, 64);
            if (rbelow(r, 100) < 70 && j < g->n && !is_garbage(g, j))
                TAKE_SLOT(maybe_interior(g, j, r));
        }
        if (nfree && rbelow(r, 100) < 30) TAKE_SLOT(0); /* a nil pointer field */
    } else if (!s->noscan) {
        /* garbage: points anywhere, including live objects and other garbage */
        uint32_t k = rbelow(r, 4);
        for (uint32_t t = 0; t < k && nfree; t++)
            TAKE_SLOT(addr_of(g, rbelow(r, g->n)));
    }
#undef TAKE_SLOT
    qsort(slots, ns, sizeof *slots, cmp_slot);
    for (uint32_t k = 0; k < ns; k++) {
        put64(content + slots[k].off, slots[k].val);
        if (slots[k].val)
            g->refs++;
        else
            g->nil_slots++;
    }
    uv(g, 1);
    uv(g, a);
    str(g, content, s->size);
    for (uint32_t k = 0; k < ns; k++) {
        uv(g, 1);
        uv(g, slots[k].off);
    }
    uv(g, 0);
    g->bytes += s->size;
}

static void write_objects(gen *g, rng *r)
{
    forest f = {0};
    f.qcap = FRONTIER + MAX_CHILDREN + 16;
    f.q = xmalloc(f.qcap * sizeof *f.q);
    f.next = 1;
    for (uint32_t si = 0; si < g->nspans; si++) {
        const span *s = &g->spans[si];
        for (uint32_t i = s->first; i < s->first + s->used; i++)
            write_object(g, &f, i, s, r);
    }
    free(f.q);
}

/* ---- roots ---- */
static const char *leaf_fns[] = {"runtime.gopark", "runtime.goparkunlock", "runtime.notetsleepg",
                                 "syscall.Syscall"};
static const char *mid_fns[] = {"runtime.chanrecv",         "runtime.selectgo",
                                "internal/poll.(*FD).Read", "net.(*conn).Read",
                                "bufio.(*Reader).fill",     "main.(*worker).step",
                                "main.(*cache).refill",     "encoding/json.(*decodeState).object",
                                "sync.(*Cond).Wait"};
static const char *wait_reasons[] = {"chan receive", "select", "IO wait", "sleep", "semacquire"};

/* A pointer-slot value for a root area: a live object (or a tree top), nil, or
 * a non-heap address. */
static uint64_t root_value(gen *g, rng *r, uint32_t *next_top, uint64_t nonheap)
{
    if (*next_top < g->ntops) return addr_of(g, g->tops[(*next_top)++]);
    uint32_t u = rbelow(r, 100);
    if (u < 45) {
        g->root_ptrs++;
        return maybe_interior(g, random_live(g, r), r);
    }
    if (u < 80) return 0;
    return nonheap + 8 * rbelow(r, 1024);
}

static void write_fieldlist(gen *g, const uint32_t *offs, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        uv(g, 1);
        uv(g, offs[k]);
    }
    uv(g, 0);
}

static void write_goroutines(gen *g, rng *r, uint32_t ngs)
{
    uint8_t frame[1024];
    uint32_t offs[128], dummy = UINT32_MAX;
    for (uint32_t k = 0; k < ngs; k++) {
        uint32_t nframes = 2 + rbelow(r, 11);
        uint32_t sizes[16];
        for (uint32_t d = 0; d < nframes; d++)
            sizes[d] = 8 * (4 + rbelow(r, 60));
        uint64_t stack_lo = STACK_BASE + (uint64_t)k * 0x10000;
        uint64_t sp0 = stack_lo + 0x200;
        uint32_t status = k % 10 == 0 ? 1 : k % 10 == 1 ? 3 : 4;
        uv(g, 4);
        uv(g, GSTRUCT_BASE + (uint64_t)k * 0x200); /* g address */
        uv(g, sp0);
        uv(g, k + 1);                             /* goid */
        uv(g, 0x401000 + 0x40 * rbelow(r, 4096)); /* go statement PC */
        uv(g, status);
        uv(g, k < 4); /* system goroutine */
        uv(g, 0);     /* background: always false */
        uv(g, status == 4 ? 1000000ull * (1 + rbelow(r, 5000)) : 0);
        cstr(g, status == 4 ? wait_reasons[k % 5] : "");
        uv(g, 0);                                 /* sched.ctxt */
        uv(g, status == 3 ? 0xc000600000ull : 0); /* m */
        uv(g, 0);                                 /* top defer */
        uv(g, 0);                                 /* top panic */
        uint64_t sp = sp0, child = 0;
        for (uint32_t d = 0; d < nframes; d++) {
            uint32_t words = sizes[d] / 8, n = 0;
            for (uint32_t w = 0; w < words; w++) {
                uint64_t v = rnext(r) & 0xffff;
                if (rbelow(r, 4) == 0) { /* a pointer slot */
                    v = root_value(g, r, &dummy, stack_lo);
                    offs[n++] = 8 * w;
                }
                put64(frame + 8 * w, v);
            }
            const char *fn = d == 0             ? leaf_fns[k % 4]
                             : d == nframes - 1 ? "main.worker"
                                                : mid_fns[rbelow(r, 9)];
            uint64_t entry = 0x401000 + 0x400 * (uint64_t)(rbelow(r, 2048));
            uv(g, 5);
            uv(g, sp);
            uv(g, d);
            uv(g, child);
            str(g, frame, sizes[d]);
            uv(g, entry);
            uv(g, entry + 0x20 + 4 * rbelow(r, 64));
            uv(g, entry + 0x24 + 4 * rbelow(r, 64));
            cstr(g, fn);
            write_fieldlist(g, offs, n);
            child = sp;
            sp += sizes[d];
        }
    }
}

static void write_segment(gen *g, rng *r, int kind, uint64_t start, uint32_t size,
                          uint32_t *next_top)
{
    uint8_t *c = xmalloc(size);
    uint32_t words = size / 8, n = 0;
    uint32_t *offs = xmalloc(words * sizeof *offs);
    for (uint32_t w = 0; w < words; w++) {
        uint64_t v = rnext(r) & 0xff;
        if (rbelow(r, 4) == 0) { /* like gcdatamask: a quarter of the words are pointers */
            v = root_value(g, r, next_top, DATA_START);
            offs[n++] = 8 * w;
        }
        put64(c + 8 * w, v);
    }
    uv(g, (uint64_t)kind);
    uv(g, start);
    str(g, c, size);
    write_fieldlist(g, offs, n);
    free(c);
    free(offs);
}

static void write_memstats(gen *g, uint64_t heap_inuse)
{
    uint64_t ms[24] = {0};
    ms[0] = g->bytes;                    /* Alloc */
    ms[1] = 3 * g->bytes;                /* TotalAlloc */
    ms[2] = heap_inuse * 2;              /* Sys */
    ms[4] = 3ull * g->n;                 /* Mallocs */
    ms[5] = 2ull * g->n;                 /* Frees */
    ms[6] = g->bytes;                    /* HeapAlloc */
    ms[7] = heap_inuse + heap_inuse / 2; /* HeapSys */
    ms[8] = heap_inuse / 2;              /* HeapIdle */
    ms[9] = heap_inuse;                  /* HeapInuse */
    ms[10] = heap_inuse / 4;             /* HeapReleased */
    ms[11] = g->n;                       /* HeapObjects */
    ms[12] = ms[13] = 1 << 20;           /* StackInuse, StackSys */
    ms[21] = 2 * g->bytes;               /* NextGC */
    ms[22] = 1700000000000000000ull;     /* LastGC */
    ms[23] = 12 * 250000;                /* PauseTotalNs */
    uv(g, 10);
    for (int i = 0; i < 24; i++)
        uv(g, ms[i]);
    for (int i = 0; i < 256; i++)
        uv(g, i < 12 ? 250000 : 0);
    uv(g, 12); /* NumGC */
}

static uint64_t bucket_id(uint32_t b)
{
    return 0x7f1200000000ull + (uint64_t)b * 0x240;
}

static void write_profile(gen *g, rng *r)
{
    char name[96], file[96];
    for (uint32_t b = 0; b < NBUCKETS; b++) {
        uint32_t nf = 3 + rbelow(r, 10);
        uv(g, 16);
        uv(g, bucket_id(b));
        uv(g, classes[b % NCLASSES]);
        uv(g, nf);
        for (uint32_t k = 0; k < nf; k++) {
            uint32_t fid = k == nf - 1 ? 0 : rbelow(r, 300);
            if (fid == 0)
                snprintf(name, sizeof name, "main.main");
            else
                snprintf(name, sizeof name, "main.(*store).alloc%u", fid);
            snprintf(file, sizeof file, "/home/build/src/synthsvc/store%u.go", fid % 17);
            cstr(g, name);
            cstr(g, file);
            uv(g, 10 + rbelow(r, 500));
        }
        uv(g, 1000 + rbelow(r, 100000));
        uv(g, rbelow(r, 1000));
    }
    /* Alloc samples: about one object in 64, bucket matching the object's size. */
    for (uint32_t si = 0; si < g->nspans; si++) {
        const span *s = &g->spans[si];
        uint32_t c = 0;
        while (classes[c] != s->size)
            c++;
        for (uint32_t i = 0; i < s->used; i++) {
            if (rbelow(r, 64)) continue;
            uv(g, 17);
            uv(g, s->base + (uint64_t)i * s->size);
            uv(g, bucket_id(c + NCLASSES * rbelow(r, NBUCKETS / NCLASSES)));
        }
    }
}

static void usage(void)
{
    fputs("usage: gen_heapdump [-n OBJECTS] [-s SEED] -o OUT\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long n = 1000000, seed = 1;
    const char *out = NULL;
    int c;
    while ((c = getopt(argc, argv, "n:s:o:h")) != -1) {
        switch (c) {
        case 'n':
            n = strtoull(optarg, NULL, 10);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 10);
            break;
        case 'o':
            out = optarg;
            break;
        default:
            usage();
        }
    }
    if (!out || optind != argc || n < 1000 || n > 100000000) usage();
    gen g = {0};
    g.n = (uint32_t)n;
    g.fp = fopen(out, "wb");
    if (!g.fp) {
        perror(out);
        return 1;
    }
    setvbuf(g.fp, NULL, _IOFBF, 1 << 20);
    rng r = {seed * 0x2545f4914f6cdd1dull + 3};
    build_spans(&g, &r);
    pick_hot(&g);
    uint64_t heap_end = g.spans[g.nspans - 1].base + SPAN;

    fwrite("go1.7 heap dump\n", 1, 16, g.fp);
    uv(&g, 6); /* params */
    uv(&g, 0); /* little endian */
    uv(&g, 8);
    uv(&g, HEAP_BASE);
    uv(&g, heap_end);
    cstr(&g, "amd64");
    cstr(&g, "go1.22.3");
    uv(&g, 2);

    write_objects(&g, &r);
    uint32_t ngs = 100 + g.n / 20000;
    write_goroutines(&g, &r, ngs);
    for (uint32_t k = 0; k < 4; k++) { /* OS threads */
        uv(&g, 9);
        uv(&g, 0xc000600000ull + k * 0x400);
        uv(&g, k);
        uv(&g, 4000 + k);
    }
    uint32_t next_top = 0; /* tree tops take the first data slots */
    write_segment(&g, &r, 12, DATA_START, DATA_SIZE, &next_top);
    write_segment(&g, &r, 13, BSS_START, BSS_SIZE, &next_top);
    if (next_top < g.ntops) {
        fprintf(stderr, "gen_heapdump: %u tree tops but too few global slots\n", g.ntops);
        return 1;
    }
    for (uint32_t k = 0; k < 16; k++) { /* registered finalizers on live objects */
        uv(&g, 7);
        uv(&g, addr_of(&g, random_live(&g, &r)));
        uv(&g, 0x6a0000 + 0x10 * k);
        uv(&g, 0x402000 + 0x100 * k);
        uv(&g, 0x6b0000);
        uv(&g, 0x6b0100 + 0x40 * k);
    }
    write_memstats(&g, (uint64_t)g.nspans * SPAN);
    write_profile(&g, &r);
    uv(&g, 0); /* EOF */
    if (fclose(g.fp) != 0) {
        perror(out);
        return 1;
    }
    fprintf(stderr,
            "objects=%u bytes=%llu live_objects=%llu live_bytes=%llu unreachable_objects=%llu "
            "unreachable_bytes=%llu refs=%llu refs_per_object=%.2f nil_slots=%llu tree_tops=%u "
            "goroutines=%u spans=%u random_root_slots=%llu\n",
            g.n, (unsigned long long)g.bytes, (unsigned long long)g.live_objs,
            (unsigned long long)g.live_bytes, (unsigned long long)(g.n - g.live_objs),
            (unsigned long long)(g.bytes - g.live_bytes), (unsigned long long)g.refs,
            (double)g.refs / g.n, (unsigned long long)g.nil_slots, g.ntops, ngs, g.nspans,
            (unsigned long long)g.root_ptrs);
    free(g.spans);
    free(g.tops);
    return 0;
}
