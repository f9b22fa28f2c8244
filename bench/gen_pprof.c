/* gen_pprof: write a large synthetic Go-style heap profile (gzip'd profile.proto)
 * for benchmarking. The call structure (functions, call sites, locations,
 * mappings) depends only on -f and -s; each sample's stack is a random walk over
 * it (Zipf-weighted, 5-30 frames), so stacks share prefixes as in real programs.
 * With -a SEED2 the same walks are replayed, their values perturbed and ~5% of
 * them replaced by new stacks: an "after" profile to diff against the -s one.
 * Layout follows Go's writer: samples interleaved with the locations/functions
 * they first use, then mappings, string table last (as runtime/pprof does). Output is streamed with
 * a fixed working set (the structure tables), whatever the sample count. Usage: gen_pprof [-n
 * SAMPLES] [-f FUNCTIONS] [-s SEED] [-a AFTER_SEED] -o OUT */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_DEPTH 30
#define MIN_DEPTH 5
#define N_ENTRY 64 /* functions 0..N_ENTRY-1 start goroutines */
#define MAX_CALLEES 6
#define MAIN_START 0x400000u
#define LIB_START 0x7f0000000000u

typedef struct {
    uint8_t *p;
    size_t n, cap;
} buf;

typedef struct {
    uint64_t s;
} rng;

typedef struct {
    uint32_t ncallees;
    uint32_t callee[MAX_CALLEES];
    uint32_t loc_base;   /* location index of call site 0; alloc site at +ncallees */
    uint32_t name, file; /* string table indices */
    uint32_t start_line;
} func;

typedef struct {
    uint32_t fn;  /* function containing the site */
    uint32_t inl; /* inlined helper function, or UINT32_MAX */
    uint32_t line;
    uint64_t addr;
} loc;

typedef struct {
    uint32_t nfuncs, nlocs;
    func *f;
    loc *l;
    double *zipf_cdf; /* over non-entry functions */
    uint8_t *loc_done, *fn_done;
    char **strs;
    uint32_t nstrs, cap_strs;
} model;

/* ---- random numbers ---- */
static uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double runif(rng *r)
{
    return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0);
}
static uint32_t rbelow(rng *r, uint32_t n)
{
    return (uint32_t)(runif(r) * n);
}

/* ---- buffers and protobuf encoding ---- */
static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("gen_pprof: out of memory\n", stderr);
        exit(1);
    }
    return p;
}
static void put(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 256;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void put_varint(buf *b, uint64_t v)
{
    uint8_t t[10];
    int n = 0;
    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    put(b, t, (size_t)n);
}
static void put_key(buf *b, int field, int wt)
{
    put_varint(b, (uint64_t)field << 3 | (uint64_t)wt);
}
static void put_u(buf *b, int field, uint64_t v)
{
    if (!v) return; /* proto3: zero is the default, Go omits it */
    put_key(b, field, 0);
    put_varint(b, v);
}
static void put_msg(buf *b, int field, const buf *m)
{
    put_key(b, field, 2);
    put_varint(b, m->n);
    put(b, m->p, m->n);
}
/* Go packs repeated numbers only when there are more than two. */
static void put_rep(buf *b, int field, const uint64_t *v, int n, buf *tmp)
{
    if (n <= 2) {
        for (int i = 0; i < n; i++) {
            put_key(b, field, 0);
            put_varint(b, v[i]);
        }
        return;
    }
    tmp->n = 0;
    for (int i = 0; i < n; i++)
        put_varint(tmp, v[i]);
    put_msg(b, field, tmp);
}

/* ---- string table (built up front, written last) ---- */
static uint32_t intern(model *m, const char *s)
{
    if (m->nstrs == m->cap_strs) {
        m->cap_strs = m->cap_strs * 2 + 64;
        m->strs = xrealloc(m->strs, m->cap_strs * sizeof *m->strs);
    }
    size_t n = strlen(s) + 1;
    m->strs[m->nstrs] = memcpy(xrealloc(NULL, n), s, n);
    return m->nstrs++;
}

/* ---- the program's structure ---- */
static const char *verbs[] = {"handle", "process", "decode", "encode",  "load",  "store",
                              "build",  "parse",   "render", "marshal", "apply", "merge",
                              "fetch",  "scan",    "index",  "compact"};
static const char *types[] = {"Server", "Cache",  "Decoder", "Conn",
                              "Tree",   "Buffer", "Index",   "Pool"};

static void name_function(model *m, uint32_t k, rng *r)
{
    char pkg[96], name[192], file[192];
    if (k == 0) {
        snprintf(pkg, sizeof pkg, "main");
        snprintf(name, sizeof name, "main.main");
    } else {
        snprintf(pkg, sizeof pkg, "github.com/acme/synthsvc/internal/pkg%02u", k % 97);
        if (k % 3 == 0)
            snprintf(name, sizeof name, "%s.(*%s).%s%u", pkg, types[k % 8], verbs[rnext(r) % 16],
                     k);
        else if (k % 7 == 1)
            snprintf(name, sizeof name, "%s.%s%u.func%u", pkg, verbs[rnext(r) % 16], k, 1 + k % 3);
        else
            snprintf(name, sizeof name, "%s.%s%u", pkg, verbs[rnext(r) % 16], k);
    }
    snprintf(file, sizeof file, "/home/build/src/%s/file%u.go", pkg, (k / 97) % 13);
    m->f[k].name = intern(m, name);
    m->f[k].file = intern(m, file);
    m->f[k].start_line = 10 + rbelow(r, 900);
}

static uint32_t zipf_pick(const model *m, rng *r)
{
    uint32_t n = m->nfuncs - N_ENTRY;
    double u = runif(r) * m->zipf_cdf[n - 1];
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (m->zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Scatter ranks over the id space so hot functions are not all adjacent. */
    return N_ENTRY + (uint32_t)(((uint64_t)lo * 2654435761u) % n);
}

static void build_model(model *m, uint32_t nfuncs, uint64_t seed)
{
    rng r = {seed * 0x100000001b3ull + 7};
    memset(m, 0, sizeof *m);
    m->nfuncs = nfuncs;
    m->f = xrealloc(NULL, nfuncs * sizeof *m->f);
    intern(m, "");
    uint32_t n = nfuncs - N_ENTRY;
    m->zipf_cdf = xrealloc(NULL, n * sizeof *m->zipf_cdf);
    double acc = 0;
    for (uint32_t i = 0; i < n; i++)
        m->zipf_cdf[i] = (acc += 1.0 / pow(i + 1.0, 0.9));
    uint32_t nl = 0;
    for (uint32_t k = 0; k < nfuncs; k++) {
        func *f = &m->f[k];
        name_function(m, k, &r);
        f->ncallees = 1 + rbelow(&r, MAX_CALLEES);
        for (uint32_t j = 0; j < f->ncallees; j++) {
            uint32_t c;
            do
                c = zipf_pick(m, &r);
            while (c == k);
            f->callee[j] = c;
        }
        f->loc_base = nl;
        nl += f->ncallees + 1;
    }
    m->nlocs = nl;
    m->l = xrealloc(NULL, nl * sizeof *m->l);
    for (uint32_t k = 0; k < nfuncs; k++) {
        const func *f = &m->f[k];
        /* The last 2% of functions live in a shared library mapping. */
        int in_lib = k >= nfuncs - nfuncs / 50;
        uint64_t base = in_lib ? LIB_START + 0x1000 + (uint64_t)(k - (nfuncs - nfuncs / 50)) * 0x400
                               : MAIN_START + 0x1000 + (uint64_t)k * 0x400;
        for (uint32_t j = 0; j <= f->ncallees; j++) {
            loc *l = &m->l[f->loc_base + j];
            l->fn = k;
            l->line = f->start_line + 2 + j * 7 + rbelow(&r, 6);
            l->addr = base + 0x10 + j * 0x40 + rbelow(&r, 0x30);
            l->inl = UINT32_MAX;
            if (rbelow(&r, 10) == 0) { /* an inlined helper sits at this site */
                uint32_t h;
                do
                    h = zipf_pick(m, &r);
                while (h == k);
                l->inl = h;
            }
        }
    }
    m->loc_done = calloc(nl, 1);
    m->fn_done = calloc(nfuncs, 1);
    if (!m->loc_done || !m->fn_done) exit(1);
}

/* A stack, leaf first, as location indices. */
static int walk(const model *m, rng *r, uint32_t *stack)
{
    uint32_t frames[MAX_DEPTH], sites[MAX_DEPTH];
    int d = MIN_DEPTH + (int)rbelow(r, MAX_DEPTH - MIN_DEPTH + 1);
    uint32_t f = rbelow(r, 4) ? 0 : rbelow(r, N_ENTRY); /* main.main most often */
    for (int i = 0; i < d; i++) {
        frames[i] = f;
        if (i == d - 1) break;
        const func *fn = &m->f[f];
        /* Earlier callees are hotter: weight 1/(j+1). */
        double tot = 0, w[MAX_CALLEES];
        for (uint32_t j = 0; j < fn->ncallees; j++)
            tot += (w[j] = 1.0 / (j + 1));
        double u = runif(r) * tot;
        uint32_t j = 0;
        while (j + 1 < fn->ncallees && (u -= w[j]) > 0)
            j++;
        sites[i] = fn->loc_base + j;
        f = fn->callee[j];
    }
    sites[d - 1] = m->f[frames[d - 1]].loc_base + m->f[frames[d - 1]].ncallees;
    for (int i = 0; i < d; i++)
        stack[i] = sites[d - 1 - i];
    return d;
}

static const uint64_t size_classes[] = {8,    16,   24,    32,    48,      64,
                                        96,   128,  256,   512,   1024,    2048,
                                        4096, 8192, 32768, 65536, 1 << 20, 4 << 20};

static void base_values(rng *r, int64_t v[4], uint64_t *blocksize)
{
    uint32_t ci = rbelow(r, 8);
    if (rbelow(r, 4) == 0) ci = rbelow(r, sizeof size_classes / sizeof *size_classes);
    uint64_t size = size_classes[ci];
    int64_t n = (int64_t)floor(exp(runif(r) * 7.0)); /* heavy tail: 1 .. ~1100 */
    if (n < 1 || size >= 4096) n = 1 + rbelow(r, 4);
    int64_t inuse = rbelow(r, 3) == 0 ? 0 : (int64_t)(n * runif(r));
    v[0] = n;
    v[1] = n * (int64_t)size;
    v[2] = inuse;
    v[3] = inuse * (int64_t)size;
    *blocksize = size;
}

/* ---- output ---- */
typedef struct {
    gzFile gz;
    buf out, tmp, tmp2, smp;
} writer;

static void flush(writer *w, int force)
{
    if (w->out.n && (force || w->out.n > (1u << 20))) {
        if (gzwrite(w->gz, w->out.p, (unsigned)w->out.n) != (int)w->out.n) {
            fputs("gen_pprof: write failed\n", stderr);
            exit(1);
        }
        w->out.n = 0;
    }
}

static void put_valuetype(writer *w, int field, uint32_t type, uint32_t unit)
{
    w->tmp.n = 0;
    put_u(&w->tmp, 1, type);
    put_u(&w->tmp, 2, unit);
    put_msg(&w->out, field, &w->tmp);
}

static void emit_function(writer *w, model *m, uint32_t k)
{
    if (m->fn_done[k]) return;
    m->fn_done[k] = 1;
    const func *f = &m->f[k];
    w->tmp.n = 0;
    put_u(&w->tmp, 1, k + 1);
    put_u(&w->tmp, 2, f->name);
    put_u(&w->tmp, 3, f->name);
    put_u(&w->tmp, 4, f->file);
    put_u(&w->tmp, 5, f->start_line);
    put_msg(&w->out, 5, &w->tmp);
}

static void put_line(buf *b, uint32_t fn, uint32_t line, buf *tmp)
{
    tmp->n = 0;
    put_u(tmp, 1, fn + 1);
    put_u(tmp, 2, line);
    put_msg(b, 4, tmp);
}

static void emit_location(writer *w, model *m, uint32_t li)
{
    if (m->loc_done[li]) return;
    m->loc_done[li] = 1;
    const loc *l = &m->l[li];
    emit_function(w, m, l->fn);
    if (l->inl != UINT32_MAX) emit_function(w, m, l->inl);
    w->tmp.n = 0;
    put_u(&w->tmp, 1, li + 1);
    put_u(&w->tmp, 2, l->addr >= LIB_START ? 2 : 1);
    put_u(&w->tmp, 3, l->addr);
    if (l->inl != UINT32_MAX) /* innermost (inlined) line first */
        put_line(&w->tmp, l->inl, m->f[l->inl].start_line + 3, &w->tmp2);
    put_line(&w->tmp, l->fn, l->line, &w->tmp2);
    put_msg(&w->out, 4, &w->tmp);
}

static void emit_sample(writer *w, model *m, const uint32_t *stack, int d, const int64_t v[4],
                        uint64_t blocksize, uint32_t s_bytes)
{
    for (int i = 0; i < d; i++)
        emit_location(w, m, stack[i]);
    buf *sb = &w->smp;
    sb->n = 0;
    uint64_t vals[4], ids[MAX_DEPTH];
    for (int i = 0; i < 4; i++)
        vals[i] = (uint64_t)v[i];
    for (int i = 0; i < d; i++)
        ids[i] = stack[i] + 1;
    put_rep(sb, 2, vals, 4, &w->tmp); /* Go writes value before location_id */
    put_rep(sb, 1, ids, d, &w->tmp);
    w->tmp.n = 0;
    put_u(&w->tmp, 1, s_bytes);
    put_u(&w->tmp, 3, blocksize);
    put_msg(sb, 3, &w->tmp);
    put_msg(&w->out, 2, sb);
    flush(w, 0);
}

static void emit_mapping(writer *w, uint64_t id, uint64_t start, uint64_t limit, uint32_t file,
                         uint32_t build_id)
{
    w->tmp.n = 0;
    put_u(&w->tmp, 1, id);
    put_u(&w->tmp, 2, start);
    put_u(&w->tmp, 3, limit);
    put_u(&w->tmp, 5, file);
    put_u(&w->tmp, 6, build_id);
    put_u(&w->tmp, 7, 1);
    put_u(&w->tmp, 8, 1);
    put_u(&w->tmp, 9, 1);
    put_u(&w->tmp, 10, 1);
    put_msg(&w->out, 3, &w->tmp);
}

static void usage(void)
{
    fputs("usage: gen_pprof [-n SAMPLES] [-f FUNCTIONS] [-s SEED] [-a AFTER_SEED] -o OUT.pb.gz\n"
          "  -n  samples (default 50000)      -f  functions (default 5000, >= 200)\n"
          "  -s  structure/base seed (1)      -a  write the 'after' variant with this seed\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long nsamples = 50000, nfuncs = 5000, seed = 1, after = 0;
    const char *out = NULL;
    int c;
    while ((c = getopt(argc, argv, "n:f:s:a:o:h")) != -1) {
        switch (c) {
        case 'n':
            nsamples = strtoull(optarg, NULL, 10);
            break;
        case 'f':
            nfuncs = strtoull(optarg, NULL, 10);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 10);
            break;
        case 'a':
            after = strtoull(optarg, NULL, 10);
            break;
        case 'o':
            out = optarg;
            break;
        default:
            usage();
        }
    }
    if (!out || optind != argc || nfuncs < 200 || nfuncs > 10000000) usage();

    model m;
    build_model(&m, (uint32_t)nfuncs, seed);
    uint32_t s_ao = intern(&m, "alloc_objects"), s_as = intern(&m, "alloc_space");
    uint32_t s_io = intern(&m, "inuse_objects"), s_is = intern(&m, "inuse_space");
    uint32_t s_count = intern(&m, "count"), s_bytesu = intern(&m, "bytes");
    uint32_t s_space = intern(&m, "space");
    uint32_t s_exe = intern(&m, "/usr/local/bin/synthsvc");
    uint32_t s_lib = intern(&m, "/lib/x86_64-linux-gnu/libsynth.so.1");
    uint32_t s_bid1 = intern(&m, "6f1c2a9e0b7d4c3a8e5f1b2d3c4a5e6f7a8b9c0d");
    uint32_t s_bid2 = intern(&m, "0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c");

    writer w = {0};
    w.gz = gzopen(out, "wb1"); /* Go's runtime/pprof uses gzip.BestSpeed */
    if (!w.gz) {
        perror(out);
        return 1;
    }
    put_valuetype(&w, 1, s_ao, s_count);
    put_valuetype(&w, 1, s_as, s_bytesu);
    put_valuetype(&w, 1, s_io, s_count);
    put_valuetype(&w, 1, s_is, s_bytesu);
    put_u(&w.out, 9, 1700000000000000000ull + (after ? 3600000000000ull : 0));
    put_valuetype(&w, 11, s_space, s_bytesu);
    put_u(&w.out, 12, 524288);

    rng base = {seed}, var = {after ? after * 0x9e3779b97f4a7c15ull + 11 : 0};
    uint32_t stack[MAX_DEPTH];
    for (unsigned long long i = 0; i < nsamples; i++) {
        int d = walk(&m, &base, stack);
        int64_t v[4];
        uint64_t bs;
        base_values(&base, v, &bs);
        if (after) {
            if (rbelow(&var, 20) == 0) { /* a new stack in the after profile */
                d = walk(&m, &var, stack);
                base_values(&var, v, &bs);
            } else {
                double f = exp((runif(&var) - 0.5) * 0.8);
                if (rbelow(&var, 100) == 0) f *= 10; /* a leak */
                v[0] = (int64_t)(v[0] * f) + 1;
                v[1] = v[0] * (int64_t)bs;
                v[2] = (int64_t)(v[2] * f);
                v[3] = v[2] * (int64_t)bs;
            }
        }
        emit_sample(&w, &m, stack, d, v, bs, s_bytesu);
    }
    emit_mapping(&w, 1, MAIN_START, MAIN_START + 0x1000 + (uint64_t)nfuncs * 0x400 + 0x1000, s_exe,
                 s_bid1);
    emit_mapping(&w, 2, LIB_START, LIB_START + 0x1000 + (uint64_t)nfuncs * 0x400, s_lib, s_bid2);
    for (uint32_t i = 0; i < m.nstrs; i++) { /* string table last, as Go writes it */
        put_key(&w.out, 6, 2);
        put_varint(&w.out, strlen(m.strs[i]));
        put(&w.out, m.strs[i], strlen(m.strs[i]));
        flush(&w, 0);
    }
    flush(&w, 1);
    if (gzclose(w.gz) != Z_OK) {
        fputs("gen_pprof: close failed\n", stderr);
        return 1;
    }
    return 0;
}
