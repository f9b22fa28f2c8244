/* Thread profiles ("threadz"), as pprof reads them (legacy_profile.go
 * parseThread): an optional "--- threadz N ---" header, then per thread
 * "--- Thread HEX (name: NAME/N) stack: ---" and lines whose 0x numbers
 * are its stack, leaf first ("PC: 0x...: fn", "0x...: fn", "creator: 0x..
 * 0x.."), or "[same as previous thread]", which counts the thread in the
 * previous sample; then "--- Memory map: ---" and the process's map
 * (procmap.c names addresses from its files). One sample per stack, value
 * thread/count; every address but the leaf is decremented by one, and a
 * leaf repeated as its caller is dropped, as pprof does. Unlike pprof,
 * a profile may end without a memory map (pprof fails on it). */
#include <stdio.h>
#include <string.h>

#include "addrprof.h"
#include "heapscan/reader.h"
#include "textscan.h"

typedef unsigned long long ull;

static int starts(hs_tx_line ln, const char *w)
{
    size_t n = strlen(w);
    return ln.len >= n && memcmp(ln.s, w, n) == 0;
}

static int contains(hs_tx_line ln, const char *w)
{
    return memmem(ln.s, ln.len, w, strlen(w)) != NULL;
}

static int is_map_sentinel(hs_tx_line ln)
{
    return contains(ln, "--- Memory map: ---") || contains(ln, "MAPPED_LIBRARIES:");
}

/* "--- threadz N ---" somewhere in the line. */
static int is_threadz(hs_tx_line ln)
{
    const char *q = memmem(ln.s, ln.len, "--- threadz ", 12);
    if (!q) return 0;
    hs_tx_field f = {q + 12, ln.s + ln.len};
    int64_t n;
    return f.p < f.end && *f.p >= '0' && *f.p <= '9' && hs_tx_take_int(&f, 0, &n) &&
           f.end - f.p >= 4 && memcmp(f.p, " ---", 4) == 0;
}

/* "--- Thread HEX (name: NAME/N) stack: ---" somewhere in the line. */
static int is_thread_start(hs_tx_line ln)
{
    const char *q = memmem(ln.s, ln.len, "--- Thread ", 11);
    if (!q) return 0;
    hs_tx_field f = {q + 11, ln.s + ln.len};
    uint64_t id;
    if (!hs_tx_hex_digits(&f, 1, &id) || !hs_tx_take_word(&f, "(name: ")) return 0;
    const char *close = NULL; /* the name may hold '/': the last "/N) stack: ---" */
    for (const char *s = f.p; (s = memmem(s, (size_t)(f.end - s), ") stack: ---", 12)); s++)
        close = s;
    if (!close) return 0;
    const char *d = close;
    while (d > f.p && d[-1] >= '0' && d[-1] <= '9')
        d--;
    return d < close && d > f.p && d[-1] == '/';
}

/* Every "0x" number in the line (pprof's hexNumberRE): 1 all read, 0 one
 * has more than 64 bits, -1 out of memory. *n counts them; pcs NULL counts
 * only. */
static int line_addresses(hs_tx_line ln, uint64_t *pcs, uint64_t *n)
{
    const char *end = ln.s + ln.len;
    for (const char *q = ln.s; q + 2 < end; q++) {
        if (q[0] != '0' || q[1] != 'x' || !((q[2] >= '0' && q[2] <= '9') || (q[2] >= 'a' && q[2] <= 'f')))
            continue;
        hs_tx_field f = {q + 2, end};
        while (f.p + 1 < end && *f.p == '0' && ((f.p[1] >= '0' && f.p[1] <= '9') || (f.p[1] >= 'a' && f.p[1] <= 'f')))
            f.p++; /* leading zeros */
        uint64_t v;
        if (!hs_tx_hex_digits(&f, 0, &v)) return 0;
        if (pcs) pcs[*n] = v;
        (*n)++;
        q = f.p - 1;
    }
    return 1;
}

typedef struct zctx {
    const hs_source *src;
    hs_error *err;
    hs_tx_scanner sc;
    hs_addrprof a;
} zctx;

static int fail(zctx *x, hs_tx_line ln, const char *what)
{
    return hs_error_set(x->err, x->src->name, ln.off, "line %llu: %s", (ull)ln.no, what);
}

/* One thread's stack lines up to the next "---" line (into *ln; at the end
 * of the text *ln is empty). Adds its sample, or counts one more in the
 * previous one. */
static int read_thread(zctx *x, hs_tx_line *ln)
{
    hs_tx_scanner begin = x->sc;
    uint64_t n = 0;
    int same = 0;
    hs_tx_line at = *ln;
    *ln = (hs_tx_line){"", 0, x->src->size, 0};
    while (hs_tx_next_line(&x->sc, &at)) { /* pass 1: how many */
        if (starts(at, "---")) {
            *ln = at;
            break;
        }
        if (contains(at, "same as previous thread")) same = 1;
        else if (!line_addresses(at, NULL, &n))
            return fail(x, at, "address of more than 64 bits");
    }
    if (same || n == 0) { /* pprof: no addresses, one more of the previous stack */
        if (x->a.n_recs) x->a.recs[x->a.n_recs - 1].v[0]++;
        return 0;
    }
    int64_t v[2] = {1, 0};
    uint64_t *pcs = hs_addrprof_add(&x->a, v, n);
    if (!pcs) return hs_error_set(x->err, x->src->name, at.off, "out of memory");
    uint64_t k = 0;
    hs_tx_scanner again = begin;
    while (k < n && hs_tx_next_line(&again, &at)) /* pass 2: the addresses */
        if (!contains(at, "same as previous thread")) line_addresses(at, pcs, &k);
    for (uint64_t i = 1; i < n; i++)
        pcs[i]--; /* return addresses: their calls */
    return 0;
}

/* The first line that is not blank or a comment: the header. */
static int first_line(hs_tx_scanner *sc, hs_tx_line *ln)
{
    while (hs_tx_next_line(sc, ln))
        if (ln->len && ln->s[0] != '#') return 1;
    return 0;
}

static int threadz_probe(const uint8_t *data, size_t size)
{
    hs_tx_scanner sc = {(const char *)data, size < 65536 ? size : 65536, 0, 0};
    hs_tx_line ln;
    return first_line(&sc, &ln) && (is_threadz(ln) || is_thread_start(ln)) ? 100 : 0;
}

static int read_threads(zctx *x, size_t *map_at)
{
    hs_tx_line ln;
    if (!first_line(&x->sc, &ln) || !(is_threadz(ln) || is_thread_start(ln)))
        return hs_error_set(x->err, x->src->name, 0,
                            "not a thread profile (expected \"--- threadz N ---\" or \"--- "
                            "Thread HEX (name: NAME/N) stack: ---\")");
    if (is_threadz(ln)) { /* comments up to the first thread */
        int more;
        while ((more = hs_tx_next_line(&x->sc, &ln)) && !is_map_sentinel(ln) && !starts(ln, "-")) {}
        if (!more) ln.no = 0; /* no thread */
    }
    while (ln.no && !is_map_sentinel(ln) && !starts(ln, "---- no stack trace for")) {
        if (!is_thread_start(ln))
            return fail(x, ln, "expected \"--- Thread HEX (name: NAME/N) stack: ---\"");
        if (read_thread(x, &ln)) return -1;
    }
    *map_at = ln.no ? ln.off : x->src->size;
    return 0;
}

static int threadz_load(const hs_source *src, const hs_load_options *opt, hs_profile *out,
                        hs_error *err)
{
    static const hs_load_options none;
    zctx x = {.src = src, .err = err, .sc = {(const char *)src->data, src->size, 0, 0}};
    hs_value_type t = {hs_profile_intern(out, "thread"), hs_profile_intern(out, "count")};
    out->period_type = t;
    out->period = 1;
    snprintf(out->format, sizeof out->format, "threadz");
    size_t map_at = 0;
    int rc = hs_profile_set_sample_types(out, &t, 1) ? hs_error_set(err, src->name, 0, "out of memory")
                                                    : read_threads(&x, &map_at);
    if (!rc) {
        hs_addrprof_drop_repeated_leaf(&x.a);
        rc = hs_addrprof_build(&x.a, out, opt ? opt : &none, (const char *)src->data + map_at,
                               src->size - map_at, src, err);
    }
    hs_addrprof_free(&x.a);
    return rc;
}

const hs_reader hs_reader_threadz = {
    .name = "threadz",
    .kind = HS_MODEL_PROFILE,
    .probe = threadz_probe,
    .load_profile = threadz_load,
    .load_heap = NULL,
};
