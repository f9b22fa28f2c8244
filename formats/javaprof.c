/* Java's legacy profiles, as pprof reads them (legacy_java_profile.go):
 * "--- heapz 1 ---" and "--- contentionz 1 ---", then "key = value"
 * attributes (format = java, resolution = UNIT, sampling period, ms since
 * reset), records "V1 V2 @ 0xID ..." (bytes or delay, then count), then
 * lines "0xID function (file:line)" naming each id. Values are pprof's:
 * [count, V1], heap ones scaled for Java's 512 KiB sampling (with the
 * "bytes" label of the unscaled average), contention ones times the
 * sampling period. Ids are not adjusted, and a named location's address
 * is 0, as pprof leaves them. The binary Java CPU profile (legacycpu.c)
 * names its ids with the same lines (hs_javaprof_namer). */
#include "javaprof.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrprof.h"
#include "heapscan/reader.h"
#include "idmap.h"

typedef unsigned long long ull;

/* ---- the naming lines, for every Java profile ---------------------------- */

/* "FUNC (FILE:LINE)", "FUNC (PATH)" (a library: its base name), a JIT stub,
 * or the whole text as the name. */
static void split_frame(hs_tx_field t, hs_tx_field *fn, hs_tx_field *file, int64_t *line)
{
    *fn = t;
    *file = (hs_tx_field){t.end, t.end};
    *line = 0;
    if (t.end > t.p && t.end[-1] == ')') {
        const char *open = NULL;
        for (const char *q = t.p; q < t.end - 1; q++)
            if (*q == '(' && q > t.p && hs_tx_is_blank(q[-1])) open = q;
        if (open && open + 1 < t.end - 1) {
            hs_tx_field in = {open + 1, t.end - 1};
            const char *colon = NULL;
            for (const char *q = in.p; q < in.end; q++)
                if (*q == ':') colon = q;
            hs_tx_field num = {colon ? colon + 1 : in.end, in.end};
            int64_t n;
            if (colon && colon > in.p && hs_tx_take_int(&num, 1, &n) && num.p == num.end) {
                *file = (hs_tx_field){in.p, colon};
                *line = n > 0 ? n : 0;
            } else {
                const char *slash = NULL;
                for (const char *q = in.p; q < in.end; q++)
                    if (*q == '/') slash = q;
                *file = (hs_tx_field){slash ? slash + 1 : in.p, in.end};
            }
            fn->end = open;
            while (fn->end > fn->p && hs_tx_is_blank(fn->end[-1]))
                fn->end--;
            return;
        }
    }
    static const char stub[] = "STUB";
    if (memmem(t.p, (size_t)(t.end - t.p), "generated stub/JIT", 18))
        *fn = (hs_tx_field){stub, stub + 4};
}

/* One function per name (pprof keys them so): fns maps the name's string
 * id to the function. */
static uint32_t java_function(hs_profile *p, hs_idmap *fns, hs_tx_field name, hs_tx_field file)
{
    uint32_t n = hs_strtab_intern(&p->strings, name.p, (size_t)(name.end - name.p));
    uint32_t f = hs_strtab_intern(&p->strings, file.p, (size_t)(file.end - file.p));
    if (n == HS_STR_NONE || f == HS_STR_NONE) return HS_NONE;
    uint32_t index;
    int r = hs_idmap_add_get(fns, n, &index); /* a name id is never 0 */
    if (r != 0) return r > 0 ? index : HS_NONE;
    hs_function fn = {.id = fns->n, .name = n, .system_name = n, .filename = f};
    return hs_profile_add_function(p, &fn);
}

/* Room for a slot per id added so far. */
static int grow_frames(hs_javaframes *j)
{
    if (j->ids.n <= j->cap) return 0;
    uint32_t cap = j->cap ? j->cap * 2 : 256;
    hs_tx_field *t = realloc(j->text, (size_t)cap * sizeof *t);
    if (!t) return -1;
    j->text = t;
    j->cap = cap;
    return 0;
}

int hs_javaprof_read_frames(hs_javaframes *j, hs_profile *p, const char *text, size_t len)
{
    hs_tx_scanner sc = {text, len, 0, 0};
    hs_tx_line ln;
    memset(j, 0, sizeof *j);
    j->p = p;
    hs_idmap_init(&j->ids, 1024);
    hs_idmap_init(&j->fns, 1024);
    while (hs_tx_next_line(&sc, &ln)) {
        hs_tx_field f = {ln.s, ln.s + ln.len};
        uint64_t id;
        if (!hs_tx_take_word(&f, "0x") || !hs_tx_hex_digits(&f, 1, &id) || f.p == f.end ||
            !hs_tx_is_blank(*f.p))
            continue;
        hs_tx_skip_blanks(&f);
        uint32_t slot;
        int r = hs_idmap_add_get(&j->ids, id + 1, &slot); /* the last line for an id wins */
        if (r < 0 || (r == 0 && grow_frames(j))) return -1;
        j->text[slot] = f;
    }
    return 0;
}


int hs_javaprof_namer(void *ctx, uint64_t pc, uint32_t *fn, int64_t *line)
{
    hs_javaframes *j = ctx;
    uint32_t slot = pc + 1 ? hs_idmap_get(&j->ids, pc + 1) : HS_NONE;
    if (slot == HS_NONE) return 0;
    hs_tx_field name, file; /* a function only for ids in use, as pprof */
    split_frame(j->text[slot], &name, &file, line);
    return (*fn = java_function(j->p, &j->fns, name, file)) == HS_NONE ? -1 : 1;
}

void hs_javaprof_free(hs_javaframes *j)
{
    hs_idmap_free(&j->ids);
    hs_idmap_free(&j->fns);
    free(j->text);
}

/* ---- heapz and contentionz ----------------------------------------------- */

typedef struct jctx {
    const hs_source *src;
    hs_profile *p;
    hs_error *err;
    int heap;             /* else contention */
    uint32_t unit;        /* resolution, string id; 0 = not given */
    int has_period;       /* "sampling period" given: the period type is contentions */
    hs_tx_scanner sc;
    hs_addrprof a;
} jctx;

static int fail(jctx *x, hs_tx_line ln, const char *what)
{
    return hs_error_set(x->err, x->src->name, ln.off, "line %llu: %s", (ull)ln.no, what);
}

/* "--- heapz 1 ---" or "--- contentionz 1 ---", then "format = java" among
 * the first attributes: 1 heap, 2 contention, 0 neither. */
static int java_kind(const uint8_t *data, size_t size)
{
    hs_tx_scanner sc = {(const char *)data, size < 4096 ? size : 4096, 0, 0};
    hs_tx_line ln;
    if (!hs_tx_next_line(&sc, &ln)) return 0;
    int kind = ln.len == 15 && memcmp(ln.s, "--- heapz 1 ---", 15) == 0           ? 1
               : ln.len == 21 && memcmp(ln.s, "--- contentionz 1 ---", 21) == 0 ? 2
                                                                                  : 0;
    if (kind == 1) return 1; /* pprof's only reader of heapz */
    while (kind && hs_tx_next_line(&sc, &ln) && memchr(ln.s, '=', ln.len)) {
        hs_tx_field f = {ln.s, ln.s + ln.len};
        if (hs_tx_take_word(&f, "format")) return kind; /* C++ contentionz has none */
    }
    return 0;
}

static int javaprof_probe(const uint8_t *data, size_t size)
{
    return java_kind(data, size) ? 100 : 0;
}

/* "KEY = VALUE" lines (pprof's ([\w ]+)=([\w ]+)) up to the first other
 * non-blank line, which sc is left before. */
static int read_attributes(jctx *x)
{
    hs_tx_scanner peek = x->sc;
    hs_tx_line ln;
    while (hs_tx_next_line(&peek, &ln)) {
        const char *eq = ln.len ? memchr(ln.s, '=', ln.len) : NULL;
        if (ln.len && !eq) break;
        x->sc = peek;
        if (!ln.len) continue;
        hs_tx_field key = {ln.s, eq}, val = {eq + 1, ln.s + ln.len};
        while (key.end > key.p && hs_tx_is_blank(key.end[-1]))
            key.end--;
        hs_tx_skip_blanks(&val);
        size_t klen = (size_t)(key.end - key.p), vlen = (size_t)(val.end - val.p);
        int64_t n;
#define KEY(s) (klen == sizeof s - 1 && memcmp(key.p, s, klen) == 0)
        if (KEY("format")) {
            if (vlen != 4 || memcmp(val.p, "java", 4) != 0) return fail(x, ln, "format is not java");
        } else if (KEY("resolution")) {
            x->unit = hs_strtab_intern(&x->p->strings, val.p, vlen);
            if (x->unit == HS_STR_NONE) return hs_error_set(x->err, x->src->name, ln.off, "out of memory");
        } else if (!x->heap && (KEY("sampling period") || KEY("ms since reset"))) {
            if (!hs_tx_take_int(&val, 1, &n) || val.p != val.end)
                return fail(x, ln, "malformed attribute value (expected an integer)");
            if (KEY("sampling period"))
                x->p->period = n, x->has_period = 1;
            else
                x->p->duration_nanos = (int64_t)((uint64_t)n * 1000000u);
        } else {
            return fail(x, ln, "unknown attribute of a Java profile");
        }
#undef KEY
    }
    return 0;
}

/* pprof's scaleHeapSample at Java's fixed rate of 512 KiB. */
static void scale_heap(int64_t *count, int64_t *size)
{
    const double rate = 524288;
    if (*count == 0 || *size == 0) {
        *count = *size = 0;
        return;
    }
    double scale = 1 / (1 - exp(-((double)*size / (double)*count) / rate));
    double c = (double)*count * scale, s = (double)*size * scale;
    *count = c < 9.2e18 && c > -9.2e18 ? (int64_t)c : INT64_MIN;
    *size = s < 9.2e18 && s > -9.2e18 ? (int64_t)s : INT64_MIN;
}

/* "V1 V2 @ 0xID ..." records up to the first other non-blank line; the
 * offset of the text after them into *names. */
static int read_samples(jctx *x, size_t *names)
{
    hs_tx_line ln;
    hs_tx_scanner peek = x->sc;
    while (hs_tx_next_line(&peek, &ln)) {
        hs_tx_field f = {ln.s, ln.s + ln.len};
        int64_t v1, v2;
        if (ln.len && (!hs_tx_take_int(&f, 0, &v1) || !hs_tx_take_int(&f, 0, &v2) || !hs_tx_take(&f, '@')))
            break;
        x->sc = peek;
        if (!ln.len) continue;
        uint64_t n = 0, id;
        for (hs_tx_field g = f; hs_tx_take_hex(&g, &id);)
            n++;
        int64_t v[2] = {v2, v1}, bytes = 0;
        if (x->heap) {
            if (v2 == 0) return fail(x, ln, "heap record with a count of 0");
            bytes = v1 / v2;
            scale_heap(&v[0], &v[1]);
        } else if (x->p->period != 0) {
            v[0] = (int64_t)((uint64_t)v[0] * (uint64_t)x->p->period);
            v[1] = (int64_t)((uint64_t)v[1] * (uint64_t)x->p->period);
        }
        uint64_t *ids = hs_addrprof_add(&x->a, v, n);
        if (!ids) return hs_error_set(x->err, x->src->name, ln.off, "out of memory");
        x->a.recs[x->a.n_recs - 1].bytes = bytes;
        for (uint64_t k = 0; k < n; k++)
            hs_tx_take_hex(&f, &ids[k]);
        hs_tx_skip_blanks(&f);
        if (f.p != f.end) return fail(x, ln, "bad address (expected 0x and 1-16 hex digits)");
    }
    *names = x->sc.pos;
    return 0;
}

static int set_types(jctx *x)
{
    hs_profile *p = x->p;
    if (!x->unit)
        return hs_error_set(x->err, x->src->name, 0,
                            "Java profile without \"resolution = UNIT\" (the unit of its values)");
    hs_value_type t[2] = {
        {hs_profile_intern(p, x->heap ? "inuse_objects" : "contentions"), hs_profile_intern(p, "count")},
        {hs_profile_intern(p, x->heap ? "inuse_space" : "delay"), x->unit}};
    if (x->has_period) p->period_type = t[0];
    return hs_profile_set_sample_types(p, t, 2) ? hs_error_set(x->err, x->src->name, 0, "out of memory") : 0;
}

static int javaprof_load(const hs_source *src, const hs_load_options *opt, hs_profile *out,
                         hs_error *err)
{
    (void)opt;
    int kind = java_kind(src->data, src->size);
    if (!kind)
        return hs_error_set(err, src->name, 0,
                            "not a Java profile (expected \"--- heapz 1 ---\" or \"--- contentionz "
                            "1 ---\" with \"format = java\")");
    jctx x = {.src = src, .p = out, .err = err, .heap = kind == 1,
              .sc = {(const char *)src->data, src->size, 0, 0}};
    hs_tx_line first;
    hs_tx_next_line(&x.sc, &first);
    x.a.label_bytes = x.heap;
    x.a.strip_named = 1;
    snprintf(out->format, sizeof out->format, "%s", x.heap ? "java-heap" : "java-contention");
    size_t names = 0;
    int rc = read_attributes(&x);
    if (!rc) rc = set_types(&x);
    if (!rc) rc = read_samples(&x, &names);
    if (!rc) rc = hs_javaprof_build(&x.a, out, (const char *)src->data + names, src->size - names, src, err);
    hs_addrprof_free(&x.a);
    return rc;
}

int hs_javaprof_build(hs_addrprof *a, hs_profile *p, const char *text, size_t len,
                      const hs_source *src, hs_error *err)
{
    hs_javaframes j;
    int rc = hs_javaprof_read_frames(&j, p, text, len)
                 ? hs_error_set(err, src->name, 0, "out of memory")
                 : hs_addrprof_build_named(a, p, hs_javaprof_namer, &j, src, err);
    hs_javaprof_free(&j);
    return rc;
}

const hs_reader hs_reader_javaprof = {
    .name = "java",
    .kind = HS_MODEL_PROFILE,
    .probe = javaprof_probe,
    .load_profile = javaprof_load,
    .load_heap = NULL,
};
