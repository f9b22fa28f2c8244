/* Legacy binary CPU profiles, as gperftools' profiler (CPUPROFILE=), old Go
 * and Google's Java agent write them and pprof reads them
 * (legacy_profile.go parseCPU): machine words, 32 or 64 bits, either
 * endianness, found as pprof finds them (the first of 32-bit little, 32 big,
 * 64 little, 64 big whose header reads right). Header: 0, 3, 0 (C++) or 1
 * (Java), the sampling period in microseconds, 0. Then records: count,
 * depth N, N PCs leaf first; the trailer 0, 1, 0; then text: the process's
 * memory map (procmap.c names addresses from its files).
 * Values are pprof's: samples/count and cpu/nanoseconds = count * period.
 * As pprof, every PC but the leaf is decremented by one (a return address),
 * a second frame shared by almost every record (the signal handler's) is
 * dropped, twice at most, and a leaf repeated as its caller is dropped.
 * Java's profile names its frames in the text after the trailer
 * (javaprof.c); its PCs are not adjusted. */
#include <stdio.h>
#include <stdlib.h>

#include "addrprof.h"
#include "heapscan/reader.h"
#include "javaprof.h"

typedef unsigned long long ull;

typedef struct layout {
    unsigned size; /* 4 or 8 */
    int big;
} layout;

static uint64_t word(const uint8_t *b, layout w)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < w.size; i++)
        v |= (uint64_t)b[w.big ? w.size - 1 - i : i] << (8 * i);
    return v;
}

/* The layout whose header reads 0, 3, 0|1, period > 0, 0; *java set by the
 * third word. 0 when none does. */
static int find_layout(const uint8_t *d, size_t size, layout *w, uint64_t *period, int *java)
{
    static const layout order[] = {{4, 0}, {4, 1}, {8, 0}, {8, 1}};
    for (unsigned i = 0; i < 4; i++) {
        layout l = order[i];
        if (size < 5 * (size_t)l.size) continue;
        uint64_t h[5];
        for (unsigned k = 0; k < 5; k++)
            h[k] = word(d + k * l.size, l);
        if (h[0] == 0 && h[1] == 3 && h[2] <= 1 && h[3] > 0 && h[4] == 0) {
            *w = l;
            *period = h[3];
            *java = (int)h[2];
            return 1;
        }
    }
    return 0;
}

static int legacycpu_probe(const uint8_t *data, size_t size)
{
    layout w;
    uint64_t period;
    int java;
    return find_layout(data, size, &w, &period, &java) ? 100 : 0;
}

/* ---- records ------------------------------------------------------------ */

typedef struct cctx {
    const hs_source *src;
    hs_profile *p;
    hs_error *err;
    layout w;
    int java;
    hs_addrprof a;
    size_t text; /* where the text after the trailer starts */
} cctx;

/* One record at *pos: 1 read, 0 the trailer (0, 1, 0), -1 error. */
static int read_record(cctx *x, size_t *pos)
{
    const uint8_t *d = x->src->data;
    size_t ws = x->w.size, left = x->src->size - *pos;
    if (left < 2 * ws)
        return hs_error_set(x->err, x->src->name, *pos,
                            "record cut short (%zu bytes; a count and a depth are %zu)", left,
                            2 * ws);
    uint64_t count = word(d + *pos, x->w), n = word(d + *pos + ws, x->w);
    if (n > (left - 2 * ws) / ws)
        return hs_error_set(x->err, x->src->name, *pos + ws,
                            "stack depth %llu runs past the end of the file (%zu bytes left)",
                            (ull)n, left - 2 * ws);
    const uint8_t *a = d + *pos + 2 * ws;
    if (count == 0 && n == 1 && word(a, x->w) == 0) {
        *pos += 3 * ws;
        return 0;
    }
    /* pprof's values: the count and count * period, wrapping as int64 */
    int64_t v[2] = {(int64_t)count, (int64_t)(count * (uint64_t)x->p->period)};
    uint64_t *pcs = hs_addrprof_add(&x->a, v, n);
    if (!pcs) return hs_error_set(x->err, x->src->name, *pos, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pc = word(a + i * ws, x->w);
        pcs[i] = i > 0 && !x->java ? pc - 1 : pc; /* a return address: its call */
    }
    *pos += (size_t)(2 + n) * ws;
    return 1;
}

static int read_records(cctx *x)
{
    size_t pos = 5 * (size_t)x->w.size;
    int r;
    while (pos < x->src->size)
        if ((r = read_record(x, &pos)) <= 0) {
            if (r < 0) return -1;
            break;
        }
    x->text = pos;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The second frame of at least all records but one in 32 is the signal
 * handler's: drop it (then look again, once). Then a repeated leaf. */
static int drop_handler_frames(cctx *x)
{
    hs_addrprof *a = &x->a;
    uint64_t *second = malloc(((size_t)a->n_recs + 1) * sizeof *second);
    if (!second) return hs_error_set(x->err, x->src->name, 0, "out of memory");
    for (int iter = 0; iter < 2; iter++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < a->n_recs; i++)
            if (a->recs[i].n > 1) second[n++] = a->pcs[a->recs[i].start + 1];
        if (n == 0) break;
        qsort(second, n, sizeof *second, cmp_u64);
        uint32_t best = 0, run = 0;
        uint64_t addr = 0;
        for (uint32_t i = 0; i < n; i++) {
            run = i > 0 && second[i] == second[i - 1] ? run + 1 : 1;
            if (run > best) best = run, addr = second[i];
        }
        if (best < a->n_recs - a->n_recs / 32) continue;
        for (uint32_t i = 0; i < a->n_recs; i++)
            if (a->recs[i].n > 1 && a->pcs[a->recs[i].start + 1] == addr)
                hs_addrprof_drop_second(a, &a->recs[i]);
    }
    free(second);
    hs_addrprof_drop_repeated_leaf(a);
    return 0;
}

/* ---- the model ---------------------------------------------------------- */

static int set_types(cctx *x, uint64_t period_us)
{
    hs_profile *p = x->p;
    hs_value_type t[2] = {{hs_profile_intern(p, "samples"), hs_profile_intern(p, "count")},
                          {hs_profile_intern(p, "cpu"), hs_profile_intern(p, "nanoseconds")}};
    p->period_type = t[1];
    p->period = (int64_t)(period_us * 1000); /* wraps as pprof's int64 does */
    snprintf(p->format, sizeof p->format, "%s", x->java ? "java-cpu" : "legacy-cpu");
    return hs_profile_set_sample_types(p, t, 2)
               ? hs_error_set(x->err, x->src->name, 0, "out of memory")
               : 0;
}

static int legacycpu_load(const hs_source *src, const hs_load_options *opt, hs_profile *out,
                          hs_error *err)
{
    static const hs_load_options none;
    cctx x = {.src = src, .p = out, .err = err};
    uint64_t period;
    int rc;
    if (!find_layout(src->data, src->size, &x.w, &period, &x.java))
        return hs_error_set(err, src->name, 0,
                            "not a legacy CPU profile (expected the words 0, 3, 0 or 1, a "
                            "period, 0)");
    if (!(rc = set_types(&x, period)) && !(rc = read_records(&x)) && !x.java)
        rc = drop_handler_frames(&x);
    const char *text = (const char *)src->data + x.text;
    x.a.strip_named = x.java;
    if (!rc)
        rc = x.java ? hs_javaprof_build(&x.a, out, text, src->size - x.text, src, err)
                    : hs_addrprof_build(&x.a, out, opt ? opt : &none, text, src->size - x.text,
                                        src, err);
    hs_addrprof_free(&x.a);
    return rc;
}

const hs_reader hs_reader_legacycpu = {
    .name = "legacy-cpu",
    .kind = HS_MODEL_PROFILE,
    .probe = legacycpu_probe,
    .load_profile = legacycpu_load,
    .load_heap = NULL,
};
