/* pprof reader: profiles built byte by byte with a tiny protobuf encoder
 * (packed / unpacked / mixed repeated fields, unknown fields of every wire
 * type, string table last, inlined lines, labels, comments, mappings), one
 * test per malformed input checking the message and the exact offset, the
 * registry + gzip path, the probe, and drop_frames/keep_frames pruning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "gzip_fixture.h"
#include "heapscan/reader.h"
#include "pprof.h"
#include "protobuf.h"

/* ---- encoder ------------------------------------------------------------ */

typedef struct pb {
    uint8_t b[1 << 16];
    size_t n;
} pb;

static pb *pb_new(void)
{
    pb *w = calloc(1, sizeof *w);
    assert_non_null(w);
    return w;
}

static void put(pb *w, uint8_t c)
{
    assert_true(w->n < sizeof w->b);
    w->b[w->n++] = c;
}

static void varint(pb *w, uint64_t v)
{
    while (v >= 0x80) {
        put(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put(w, (uint8_t)v);
}

static void key(pb *w, unsigned f, unsigned wire)
{
    varint(w, (uint64_t)f << 3 | wire);
}

/* Each writer returns the offset of the field's key in w. */
static size_t u(pb *w, unsigned f, uint64_t v)
{
    size_t at = w->n;
    key(w, f, 0);
    varint(w, v);
    return at;
}

static size_t bytes(pb *w, unsigned f, const void *s, size_t len)
{
    size_t at = w->n;
    key(w, f, 2);
    varint(w, len);
    for (size_t i = 0; i < len; i++)
        put(w, ((const uint8_t *)s)[i]);
    return at;
}

static size_t str(pb *w, unsigned f, const char *s)
{
    return bytes(w, f, s, strlen(s));
}

/* Offset, in w, of the payload of the LEN field whose key is at `at`. */
static size_t payload(const pb *w, size_t at)
{
    size_t i = at;
    while (w->b[i] & 0x80)
        i++; /* key */
    i++;
    while (w->b[i] & 0x80)
        i++; /* length */
    return i + 1;
}

static size_t msg(pb *w, unsigned f, const pb *m)
{
    return bytes(w, f, m->b, m->n);
}

static size_t packed(pb *w, unsigned f, const uint64_t *v, size_t n)
{
    pb *m = pb_new();
    for (size_t i = 0; i < n; i++)
        varint(m, v[i]);
    size_t at = msg(w, f, m);
    free(m);
    return at;
}

static size_t fixed64(pb *w, unsigned f, uint64_t v)
{
    size_t at = w->n;
    key(w, f, 1);
    for (int i = 0; i < 8; i++)
        put(w, (uint8_t)(v >> (8 * i)));
    return at;
}

static size_t fixed32(pb *w, unsigned f, uint32_t v)
{
    size_t at = w->n;
    key(w, f, 5);
    for (int i = 0; i < 4; i++)
        put(w, (uint8_t)(v >> (8 * i)));
    return at;
}

/* Unknown fields of every wire type, number 100+. */
static void unknowns(pb *w)
{
    u(w, 100, 123456789);
    fixed64(w, 101, 0x1122334455667788ull);
    str(w, 102, "ignored");
    fixed32(w, 103, 0xdeadbeef);
}

static size_t value_type(pb *w, unsigned f, uint64_t type, uint64_t unit)
{
    pb *m = pb_new();
    u(m, 1, type);
    u(m, 2, unit);
    size_t at = msg(w, f, m);
    free(m);
    return at;
}

static size_t function(pb *w, uint64_t id, uint64_t name, uint64_t sys, uint64_t file,
                       int64_t start)
{
    pb *m = pb_new();
    u(m, 1, id);
    u(m, 2, name);
    u(m, 3, sys);
    u(m, 4, file);
    u(m, 5, (uint64_t)start);
    size_t at = msg(w, 5, m);
    free(m);
    return at;
}

/* A location with one line per (function, line) pair, innermost first. */
static size_t location(pb *w, uint64_t id, uint64_t mapping, uint64_t addr, const uint64_t *fns,
                       const int64_t *lines, int n)
{
    pb *m = pb_new();
    u(m, 1, id);
    if (mapping) u(m, 2, mapping);
    u(m, 3, addr);
    for (int i = 0; i < n; i++) {
        pb *l = pb_new();
        u(l, 1, fns[i]);
        u(l, 2, (uint64_t)lines[i]);
        msg(m, 4, l);
        free(l);
    }
    size_t at = msg(w, 4, m);
    free(m);
    return at;
}

static size_t simple_location(pb *w, uint64_t id, uint64_t fn)
{
    int64_t line = 10;
    return location(w, id, 0, 0x1000 + id, &fn, &line, 1);
}

/* A sample with packed locations and values. */
static size_t sample(pb *w, const uint64_t *locs, size_t nl, const uint64_t *vals, size_t nv)
{
    pb *m = pb_new();
    packed(m, 2, vals, nv);
    packed(m, 1, locs, nl);
    size_t at = msg(w, 2, m);
    free(m);
    return at;
}

static void strings(pb *w, const char *const *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        str(w, 6, s[i]);
}

/* ---- loading ------------------------------------------------------------ */

static int load(const pb *w, hs_profile *p, hs_error *e)
{
    hs_source src;
    hs_profile_init(p);
    hs_error_clear(e);
    assert_int_equal(hs_source_from_memory(&src, "t.pb", w->b, w->n, e), 0);
    int r = hs_reader_pprof.load_profile(&src, NULL, p, e);
    hs_source_close(&src);
    return r;
}

/* Load must fail at offset `off` with a message containing `want`. */
static void expect_error(const pb *w, uint64_t off, const char *want)
{
    hs_profile p;
    hs_error e;
    assert_int_equal(load(w, &p, &e), -1);
    if (!strstr(e.msg, want) || e.offset != off)
        fail_msg("got \"%s\" at %llu, want \"%s\" at %llu", e.msg, (unsigned long long)e.offset,
                 want, (unsigned long long)off);
    assert_string_equal(e.file, "t.pb");
    assert_null(strchr(e.msg, '\n'));
    hs_profile_free(&p);
}

static const char *S(const hs_profile *p, uint32_t id)
{
    return hs_profile_str(p, id);
}

/* ---- a profile using every field ---------------------------------------- */

enum {
    s_empty,
    s_objects,
    s_count,
    s_space,
    s_bytes,
    s_main,
    s_leaf,
    s_inl,
    s_file,
    s_bin,
    s_build,
    s_key_w,
    s_val_w,
    s_key_b,
    s_unit_b,
    s_comment1,
    s_comment2,
    s_comment3,
    s_url,
    s_cpu,
    s_ns,
    s_drop,
    s_keep,
    s_n
};
static const char *const full_strings[s_n] = {"",
                                              "objects",
                                              "count",
                                              "space",
                                              "bytes",
                                              "main.main",
                                              "main.leaf",
                                              "main.inlined",
                                              "main.go",
                                              "/bin/app",
                                              "abc123",
                                              "worker",
                                              "7",
                                              "size",
                                              "bytes",
                                              "first comment",
                                              "second comment",
                                              "third comment",
                                              "https://example.com/doc",
                                              "cpu",
                                              "nanoseconds",
                                              "nomatch_drop",
                                              "nomatch_keep"};

static pb *full_profile(void)
{
    pb *w = pb_new();
    unknowns(w);
    value_type(w, 1, s_objects, s_count);
    value_type(w, 1, s_space, s_bytes);

    /* Mapping id 9 (all fields, unknown fields inside). */
    pb *m = pb_new();
    unknowns(m);
    u(m, 1, 9);
    u(m, 2, 0x400000);
    u(m, 3, 0x500000);
    u(m, 4, 0x1000);
    u(m, 5, s_bin);
    u(m, 6, s_build);
    u(m, 7, 1);
    u(m, 8, 1);
    u(m, 9, 0);
    u(m, 10, 1);
    msg(w, 3, m);
    free(m);

    /* Samples before the locations and functions they name (any order is legal). */
    /* sample 0: packed values and locations, a string and a numeric label. */
    m = pb_new();
    unknowns(m);
    uint64_t v0[] = {3, 300};
    packed(m, 2, v0, 2);
    uint64_t l0[] = {1000, 7, 42};
    packed(m, 1, l0, 3);
    pb *lb = pb_new();
    u(lb, 1, s_key_w);
    u(lb, 2, s_val_w);
    msg(m, 3, lb);
    lb->n = 0;
    u(lb, 1, s_key_b);
    u(lb, 3, 4096);
    u(lb, 4, s_unit_b);
    unknowns(lb);
    msg(m, 3, lb);
    free(lb);
    msg(w, 2, m);

    /* sample 1: unpacked (one key per element) values and locations. */
    m->n = 0;
    u(m, 2, 5);
    u(m, 1, 42);
    u(m, 2, (uint64_t)-500); /* negative int64: a 10-byte varint */
    msg(w, 2, m);

    /* sample 2: mixed packed and unpacked, in two runs each. */
    m->n = 0;
    u(m, 1, 1000);
    uint64_t l2[] = {7, 42};
    packed(m, 1, l2, 2);
    uint64_t v2[] = {11};
    packed(m, 2, v2, 1);
    u(m, 2, 1100);
    msg(w, 2, m);
    free(m);

    /* Locations: 1000 has two lines (inlined + caller), 7 and 42 one each. */
    m = pb_new();
    u(m, 1, 1000);
    u(m, 2, 9);
    u(m, 3, 0x401234);
    u(m, 5, 1);
    pb *ln = pb_new();
    u(ln, 1, 77);
    u(ln, 2, 12);
    u(ln, 3, 5);
    unknowns(ln);
    msg(m, 4, ln);
    ln->n = 0;
    u(ln, 1, 78);
    u(ln, 2, 34);
    msg(m, 4, ln);
    free(ln);
    unknowns(m);
    msg(w, 4, m);
    free(m);
    uint64_t f78 = 78, f79 = 79;
    int64_t l34 = 40, l50 = 50;
    location(w, 7, 9, 0x401000, &f78, &l34, 1);
    location(w, 42, 0, 0x402000, &f79, &l50, 1);

    function(w, 77, s_inl, s_inl, s_file, 10);
    function(w, 78, s_leaf, s_leaf, s_file, 30);
    function(w, 79, s_main, s_main, s_file, 45);

    u(w, 13, s_comment1);
    uint64_t c23[] = {s_comment2, s_comment3};
    packed(w, 13, c23, 2);
    u(w, 7, s_drop);
    u(w, 8, s_keep);
    u(w, 9, 1700000000123456789ull);
    u(w, 10, 2500000000ull);
    value_type(w, 11, s_cpu, s_ns);
    u(w, 12, 10000000);
    u(w, 14, s_space);
    u(w, 15, s_url);
    strings(w, full_strings, s_n); /* last, as Go writes it */
    unknowns(w);
    return w;
}

static uint32_t loc_index(const hs_profile *p, uint64_t id)
{
    for (uint32_t i = 0; i < p->n_locations; i++)
        if (p->locations[i].id == id) return i;
    fail_msg("no location %llu", (unsigned long long)id);
    return HS_NONE;
}

static void check_stack(const hs_profile *p, uint32_t s, const uint64_t *ids, uint32_t n)
{
    assert_int_equal(p->samples[s].n_stack, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(p->locations[p->stacks[p->samples[s].stack_start + i]].id, ids[i]);
}

static void test_full_profile(void **state)
{
    pb *w = full_profile();
    hs_profile p;
    hs_error e;
    if (load(w, &p, &e)) fail_msg("%s at %llu", e.msg, (unsigned long long)e.offset);
    free(w);

    assert_string_equal(p.format, "pprof");
    assert_int_equal(p.n_sample_types, 2);
    assert_string_equal(S(&p, p.sample_types[0].type), "objects");
    assert_string_equal(S(&p, p.sample_types[0].unit), "count");
    assert_string_equal(S(&p, p.sample_types[1].type), "space");
    assert_string_equal(S(&p, p.sample_types[1].unit), "bytes");
    assert_string_equal(S(&p, p.period_type.type), "cpu");
    assert_string_equal(S(&p, p.period_type.unit), "nanoseconds");
    assert_int_equal(p.period, 10000000);
    assert_int_equal(p.time_nanos, 1700000000123456789ll);
    assert_int_equal(p.duration_nanos, 2500000000ll);
    assert_string_equal(S(&p, p.default_sample_type), "space");
    assert_int_equal(hs_profile_default_sample_type(&p), 1);
    assert_string_equal(S(&p, p.doc_url), "https://example.com/doc");
    assert_string_equal(S(&p, p.drop_frames), "nomatch_drop");
    assert_string_equal(S(&p, p.keep_frames), "nomatch_keep");
    assert_int_equal(p.n_comments, 3);
    assert_string_equal(S(&p, p.comments[0]), "first comment");
    assert_string_equal(S(&p, p.comments[1]), "second comment");
    assert_string_equal(S(&p, p.comments[2]), "third comment");

    assert_int_equal(p.n_mappings, 1);
    const hs_mapping *m = &p.mappings[0];
    assert_int_equal(m->id, 9);
    assert_int_equal(m->start, 0x400000);
    assert_int_equal(m->limit, 0x500000);
    assert_int_equal(m->offset, 0x1000);
    assert_string_equal(S(&p, m->filename), "/bin/app");
    assert_string_equal(S(&p, m->build_id), "abc123");
    assert_int_equal(m->has_functions, 1);
    assert_int_equal(m->has_filenames, 1);
    assert_int_equal(m->has_line_numbers, 0);
    assert_int_equal(m->has_inline_frames, 1);

    assert_int_equal(p.n_functions, 3);
    assert_int_equal(p.functions[0].id, 77);
    assert_string_equal(S(&p, p.functions[0].name), "main.inlined");
    assert_string_equal(S(&p, p.functions[0].system_name), "main.inlined");
    assert_string_equal(S(&p, p.functions[0].filename), "main.go");
    assert_int_equal(p.functions[0].start_line, 10);

    assert_int_equal(p.n_locations, 3);
    const hs_location *l = &p.locations[loc_index(&p, 1000)];
    assert_int_equal(l->address, 0x401234);
    assert_int_equal(l->mapping, 0);
    assert_int_equal(l->is_folded, 1);
    assert_int_equal(l->n_lines, 2);
    const hs_line *ln = &p.lines[l->line_start];
    assert_string_equal(S(&p, p.functions[ln[0].function].name), "main.inlined");
    assert_int_equal(ln[0].line, 12);
    assert_int_equal(ln[0].column, 5);
    assert_string_equal(S(&p, p.functions[ln[1].function].name), "main.leaf");
    assert_int_equal(ln[1].line, 34);
    assert_int_equal(ln[1].column, 0);
    assert_int_equal(p.locations[loc_index(&p, 42)].mapping, HS_NONE);
    assert_int_equal(p.locations[loc_index(&p, 7)].is_folded, 0);

    assert_int_equal(p.n_samples, 3);
    const uint64_t st0[] = {1000, 7, 42}, st1[] = {42};
    check_stack(&p, 0, st0, 3);
    check_stack(&p, 1, st1, 1);
    check_stack(&p, 2, st0, 3);
    assert_int_equal(p.values[0], 3);
    assert_int_equal(p.values[1], 300);
    assert_int_equal(p.values[2], 5);
    assert_int_equal(p.values[3], -500);
    assert_int_equal(p.values[4], 11);
    assert_int_equal(p.values[5], 1100);

    const hs_sample *s0 = &p.samples[0];
    assert_int_equal(s0->n_labels, 2);
    const hs_label *lb = &p.labels[s0->label_start];
    assert_string_equal(S(&p, lb[0].key), "worker");
    assert_string_equal(S(&p, lb[0].str), "7");
    assert_string_equal(S(&p, lb[1].key), "size");
    assert_int_equal(lb[1].str, 0);
    assert_int_equal(lb[1].num, 4096);
    assert_string_equal(S(&p, lb[1].num_unit), "bytes");
    assert_int_equal(p.samples[1].n_labels, 0);
    hs_profile_free(&p);
}

/* Go numbers ids 1..n; ids above 127 are multi-byte varints (fast path). */
static void test_dense_ids_many_locations(void **state)
{
    pb *w = pb_new();
    const char *s[] = {"", "n", "count", "f"};
    value_type(w, 1, 1, 2);
    enum { N = 3000 };
    uint64_t ids[N], v = 1;
    for (uint64_t i = 0; i < N; i++)
        ids[i] = N - i;
    sample(w, ids, N, &v, 1);
    for (uint64_t i = 1; i <= N; i++)
        simple_location(w, i, 1);
    function(w, 1, 3, 3, 0, 0);
    strings(w, s, 4);
    hs_profile p;
    hs_error e;
    assert_int_equal(load(w, &p, &e), 0);
    check_stack(&p, 0, ids, N);
    assert_int_equal(p.locations[p.stacks[0]].address, 0x1000 + N);
    hs_profile_free(&p);
    free(w);
}

/* Many samples over locations numbered out of order (ids emitted as first
 * used, as some writers do: the direct id map), labels on some, an optional
 * bad location id in sample `bad`, and no stack from sample `bare` on (so
 * later parts write no stack entry): built once, loaded serially and in
 * 1..16 parts (hs_load_options.threads), the results must be identical. */
enum { MANY_SAMPLES = 1000, MANY_LOCS = 97, BARE_FROM = 700 };

static size_t many_stack_len(uint32_t i, uint32_t bare)
{
    return i >= bare ? 0 : 1 + i % 8;
}

static pb *many_samples(uint32_t bad, uint32_t bare)
{
    pb *w = pb_new();
    const char *s[] = {"", "n", "count", "f", "k", "v"};
    value_type(w, 1, 1, 2);
    value_type(w, 1, 1, 2);
    for (uint32_t i = 0; i < MANY_SAMPLES; i++) {
        uint64_t locs[8], vals[2] = {i, 1000 + i};
        size_t nl = many_stack_len(i, bare);
        for (size_t k = 0; k < nl; k++)
            locs[k] = 1 + (i * 31 + k * 7) % MANY_LOCS;
        if (i == bad && nl) locs[nl - 1] = 5000;
        pb *m = pb_new();
        packed(m, 2, vals, 2);
        packed(m, 1, locs, nl);
        if (i % 5 == 0) {
            pb *lb = pb_new();
            u(lb, 1, 4);
            u(lb, 2, 5);
            msg(m, 3, lb);
            free(lb);
        }
        msg(w, 2, m);
        free(m);
    }
    for (uint64_t i = 0; i < MANY_LOCS; i++)
        simple_location(w, 1 + (i * 13) % MANY_LOCS, 1);
    function(w, 1, 3, 3, 0, 0);
    strings(w, s, 6);
    return w;
}

static void load_in_parts(const pb *w, const char *threads, hs_profile *p, hs_error *e, int *rc)
{
    hs_source src;
    hs_load_options o = {.threads = (unsigned)atoi(threads)};
    hs_profile_init(p);
    hs_error_clear(e);
    assert_int_equal(hs_source_from_memory(&src, "t.pb", w->b, w->n, e), 0);
    *rc = hs_reader_pprof.load_profile(&src, &o, p, e);
    hs_source_close(&src);
}

static void test_samples_in_parts(void **state)
{
    pb *w = many_samples(UINT32_MAX, BARE_FROM);
    hs_profile a, b;
    hs_error e;
    int rc;
    load_in_parts(w, "1", &a, &e, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(a.n_samples, MANY_SAMPLES);
    assert_int_equal(a.n_labels_total, MANY_SAMPLES / 5);
    for (uint32_t i = 0; i < MANY_SAMPLES; i++) { /* against the construction */
        assert_int_equal(a.values[2 * i], i);
        assert_int_equal(a.samples[i].n_stack, many_stack_len(i, BARE_FROM));
        if (i >= BARE_FROM) continue;
        uint32_t top = a.stacks[a.samples[i].stack_start];
        assert_int_equal(a.locations[top].id, 1 + (i * 31) % MANY_LOCS);
    }
    const char *parts[] = {"2", "3", "5", "16"};
    for (int t = 0; t < 4; t++) {
        load_in_parts(w, parts[t], &b, &e, &rc);
        assert_int_equal(rc, 0);
        assert_int_equal(b.n_samples, a.n_samples);
        assert_int_equal(b.n_labels_total, a.n_labels_total);
        assert_memory_equal(b.values, a.values, a.n_samples * 2 * sizeof *a.values);
        assert_memory_equal(b.labels, a.labels, a.n_labels_total * sizeof *a.labels);
        /* Parts write stack runs at their own places: the runs are equal. */
        for (uint32_t i = 0; i < a.n_samples; i++) {
            const hs_sample *sa = &a.samples[i], *sb = &b.samples[i];
            assert_int_equal(sb->label_start, sa->label_start);
            assert_int_equal(sb->n_labels, sa->n_labels);
            assert_int_equal(sb->n_stack, sa->n_stack);
            assert_true(sb->stack_start + sb->n_stack <= b.n_stacks);
            assert_memory_equal(b.stacks + sb->stack_start, a.stacks + sa->stack_start,
                                sa->n_stack * sizeof *a.stacks);
        }
        hs_profile_free(&b);
    }
    hs_profile_free(&a);
    free(w);
}

/* Samples in every shape a writer may use (packed or not, fields in any
 * order or split, labels of each kind, unknown fields, 10-byte values, a
 * location run whose length takes three bytes): the decoder has a fast path
 * for the usual shape and falls back for the others, and both must give
 * what was written. Location ids run out of order (direct map). */
enum { SHAPES = 11, SHAPE_LOCS = 300, LONG_STACK = 9000 };

static size_t shaped_stack_len(uint32_t i)
{
    return i % SHAPES == 9 ? 0 : i == 10 ? LONG_STACK : 1 + i % 5; /* one long stack */
}

static void shaped_sample(pb *w, uint32_t i)
{
    uint64_t locs[LONG_STACK], vals[2] = {i, 7 * i};
    size_t nl = shaped_stack_len(i);
    for (size_t k = 0; k < nl; k++)
        locs[k] = 1 + (i * 31 + k * 7) % SHAPE_LOCS;
    pb *m = pb_new();
    switch (i % SHAPES) {
    case 0:
        packed(m, 1, locs, nl);
        packed(m, 2, vals, 2);
        break;
    case 1:
        packed(m, 2, vals, 2);
        packed(m, 1, locs, nl);
        break;
    case 2:
        for (size_t k = 0; k < nl; k++)
            u(m, 1, locs[k]);
        packed(m, 2, vals, 2);
        break;
    case 3:
        packed(m, 1, locs, nl);
        u(m, 2, vals[0]);
        u(m, 2, vals[1]);
        break;
    case 4:
        packed(m, 1, locs, 1);
        packed(m, 2, vals, 1);
        packed(m, 1, locs + 1, nl - 1);
        packed(m, 2, vals + 1, 1);
        break;
    case 5:
    case 6: {
        pb *lb = pb_new();
        u(lb, 1, 4);
        if (i % SHAPES == 5)
            u(lb, 2, 5);
        else {
            u(lb, 3, 1000 + i);
            u(lb, 4, 2);
        }
        if (i % 2) u(lb, 9, 1); /* unknown field in a label */
        packed(m, 1, locs, nl);
        msg(m, 3, lb);
        packed(m, 2, vals, 2);
        free(lb);
        break;
    }
    case 7:
        packed(m, 1, locs, nl);
        u(m, 9, 1);
        packed(m, 2, vals, 2);
        break;
    case 8:
        vals[1] = (uint64_t) - (int64_t)i;
        packed(m, 2, vals, 2);
        packed(m, 1, locs, nl);
        break;
    case 9:
        packed(m, 2, vals, 2);
        break; /* no stack */
    case 10:
        packed(m, 1, locs, nl);
        packed(m, 2, vals, 2);
        break; /* i == 10: 3-byte length */
    }
    msg(w, 2, m);
    free(m);
}

static void check_shaped_sample(const hs_profile *p, uint32_t i)
{
    const hs_sample *s = &p->samples[i];
    size_t nl = shaped_stack_len(i);
    assert_int_equal(p->values[2 * i], i);
    assert_int_equal(p->values[2 * i + 1], i % SHAPES == 8 ? -(int64_t)i : 7 * (int64_t)i);
    assert_int_equal(s->n_stack, nl);
    for (size_t k = 0; k < nl; k++)
        assert_int_equal(p->locations[p->stacks[s->stack_start + k]].id,
                         1 + (i * 31 + k * 7) % SHAPE_LOCS);
    int labelled = i % SHAPES == 5 || i % SHAPES == 6;
    assert_int_equal(s->n_labels, labelled);
    if (!labelled) return;
    const hs_label *lb = &p->labels[s->label_start];
    assert_string_equal(hs_profile_str(p, lb->key), "k");
    if (i % SHAPES == 5) {
        assert_string_equal(hs_profile_str(p, lb->str), "v");
    } else {
        assert_int_equal(lb->num, 1000 + i);
        assert_string_equal(hs_profile_str(p, lb->num_unit), "count");
    }
}

static void test_sample_shapes(void **state)
{
    enum { N = 40 * SHAPES };
    pb *w = pb_new();
    const char *s[] = {"", "n", "count", "f", "k", "v"};
    value_type(w, 1, 1, 2);
    value_type(w, 1, 1, 2);
    for (uint32_t i = 0; i < N; i++)
        shaped_sample(w, i);
    for (uint64_t i = 0; i < SHAPE_LOCS; i++)
        simple_location(w, 1 + (i * 13) % SHAPE_LOCS, 1);
    function(w, 1, 3, 3, 0, 0);
    strings(w, s, 6);
    const char *threads[] = {"1", "3"};
    for (int t = 0; t < 2; t++) {
        hs_profile p;
        hs_error e;
        int rc;
        load_in_parts(w, threads[t], &p, &e, &rc);
        assert_int_equal(rc, 0);
        assert_int_equal(p.n_samples, N);
        for (uint32_t i = 0; i < N; i++)
            check_shaped_sample(&p, i);
        hs_profile_free(&p);
    }
    free(w);
}

/* The error of a bad sample in a later part is the serial decoder's. */
static void test_sample_error_in_a_later_part(void **state)
{
    const uint32_t bad[] = {3, 500, 999};
    for (int k = 0; k < 3; k++) {
        pb *w = many_samples(bad[k], MANY_SAMPLES);
        hs_profile a, b;
        hs_error ea, eb;
        int rc;
        load_in_parts(w, "1", &a, &ea, &rc);
        assert_int_equal(rc, -1);
        char want[64];
        snprintf(want, sizeof want, "sample %u: ", bad[k]);
        if (strncmp(ea.msg, want, strlen(want)) != 0) fail_msg("serial: %s", ea.msg);
        assert_non_null(strstr(ea.msg, "missing location id 5000"));
        for (const char *t = "2"; t; t = t[0] == '2' ? "4" : NULL) {
            load_in_parts(w, t, &b, &eb, &rc);
            assert_int_equal(rc, -1);
            assert_string_equal(eb.msg, ea.msg);
            assert_int_equal(eb.offset, ea.offset);
            hs_profile_free(&b);
        }
        hs_profile_free(&a);
        free(w);
    }
}

/* ---- malformed input: message and exact offset -------------------------- */

static const char *const basic_strings[] = {"", "objects", "count", "f"};

/* sample_type, function 1, location 1 (-> function 1); no samples, no strings. */
static pb *basic_prefix(void)
{
    pb *w = pb_new();
    value_type(w, 1, 1, 2);
    function(w, 1, 3, 0, 0, 0);
    simple_location(w, 1, 1);
    return w;
}

static void test_empty_input(void **state)
{
    pb *w = pb_new();
    expect_error(w, 0, "empty input");
    free(w);
}

static void test_not_a_profile(void **state)
{
    pb *w = pb_new();
    memcpy(w->b, "go1.7 heap dump\n", 16);
    w->n = 16;
    expect_error(w, 0, "not a pprof profile: unknown wire type 7");
    free(w);
    w = basic_prefix(); /* valid protobuf, but no string table */
    expect_error(w, 0, "not a pprof profile (no string_table");
    free(w);
}

static void test_bad_varint(void **state)
{
    pb *w = pb_new();
    strings(w, basic_strings, 4);
    size_t at = w->n;
    key(w, 9, 0);
    for (int i = 0; i < 10; i++)
        put(w, 0xff);
    put(w, 0x01);
    expect_error(w, at + 1, "bad varint (overflows 64 bits)");
    free(w);
}

static void test_truncated_varint_in_packed_run(void **state)
{
    pb *w = basic_prefix();
    pb *m = pb_new();
    u(m, 2, 1);
    size_t k = m->n;
    key(m, 1, 2);
    varint(m, 2);
    put(m, 0x01);
    put(m, 0x80); /* continuation bit on the run's last byte */
    size_t at = msg(w, 2, m);
    strings(w, basic_strings, 4);
    expect_error(w, payload(w, at) + k + 3, "sample 0: truncated varint");
    free(m);
    free(w);
}

static void test_length_too_long(void **state)
{
    pb *w = pb_new();
    strings(w, basic_strings, 4);
    size_t at = w->n;
    key(w, 6, 2);
    varint(w, 100);
    put(w, 'a');
    expect_error(w, at, "length 100 of field 6 runs past the end of its message");
    free(w);
}

static void test_nested_length_too_long(void **state)
{
    pb *w = basic_prefix();
    pb *m = pb_new();
    u(m, 2, 1);
    size_t k = m->n;
    key(m, 3, 2);
    varint(m, 50);
    u(m, 1, 1);
    size_t at = msg(w, 2, m);
    strings(w, basic_strings, 4);
    expect_error(w, payload(w, at) + k, "sample 0: length 50 of field 3 runs past the end");
    free(m);
    free(w);
}

static void test_string_index_out_of_range(void **state)
{
    pb *w = pb_new();
    value_type(w, 1, 1, 2);
    pb *m = pb_new();
    u(m, 1, 1);
    size_t k = u(m, 2, 99);
    size_t at = msg(w, 5, m);
    strings(w, basic_strings, 4);
    expect_error(w, payload(w, at) + k,
                 "function 0: string index 99 out of range (string_table has 4 entries)");
    free(m);
    free(w);
    /* negative index, top level */
    w = pb_new();
    strings(w, basic_strings, 4);
    at = u(w, 14, (uint64_t)-1);
    expect_error(w, at, "string index -1 out of range");
    free(w);
}

static void test_sample_missing_location(void **state)
{
    pb *w = basic_prefix();
    uint64_t locs[] = {1, 1, 5}, v = 1;
    size_t at = sample(w, locs, 3, &v, 1);
    strings(w, basic_strings, 4);
    /* sample payload: value field (key, len, 1 byte) = 3 bytes, then key, len, 1, 1, 5 */
    expect_error(w, payload(w, at) + 3 + 2 + 2, "sample 0: sample names missing location id 5");
    free(w);
    /* unpacked: the offset is the element's key */
    w = basic_prefix();
    pb *m = pb_new();
    u(m, 2, 1);
    size_t k = u(m, 1, 0);
    at = msg(w, 2, m);
    strings(w, basic_strings, 4);
    expect_error(w, payload(w, at) + k, "sample 0: sample names missing location id 0");
    free(m);
    free(w);
}

static void test_location_missing_function(void **state)
{
    pb *w = pb_new();
    value_type(w, 1, 1, 2);
    function(w, 1, 3, 0, 0, 0);
    pb *m = pb_new(), *l = pb_new();
    u(m, 1, 1);
    size_t lk = u(l, 1, 2);
    size_t k = msg(m, 4, l);
    size_t at = msg(w, 4, m);
    strings(w, basic_strings, 4);
    expect_error(w, payload(w, at) + payload(m, k) + lk,
                 "location 0: line names missing function id 2");
    free(l);
    free(m);
    free(w);
}

static void test_location_missing_mapping(void **state)
{
    pb *w = pb_new();
    pb *m = pb_new();
    u(m, 1, 3);
    size_t k = u(m, 2, 8);
    size_t at = msg(w, 4, m);
    strings(w, basic_strings, 4);
    expect_error(w, payload(w, at) + k, "location 0: location names missing mapping id 8");
    free(m);
    free(w);
}

static void test_value_count_mismatch(void **state)
{
    pb *w = basic_prefix();
    uint64_t locs[] = {1}, v[] = {1, 2};
    sample(w, locs, 1, v, 1);
    size_t at = sample(w, locs, 1, v, 2);
    strings(w, basic_strings, 4);
    expect_error(w, at, "sample 1: 2 values, but the profile has 1 sample types");
    free(w);
    w = basic_prefix();
    at = sample(w, locs, 1, v, 0);
    strings(w, basic_strings, 4);
    expect_error(w, at, "sample 0: 0 values, but the profile has 1 sample types");
    free(w);
}

static void test_string_table_zero_not_empty(void **state)
{
    pb *w = pb_new();
    value_type(w, 1, 0, 0);
    size_t at = str(w, 6, "x");
    str(w, 6, "");
    expect_error(w, at, "string_table[0] must be \"\"");
    free(w);
}

static void test_duplicate_ids(void **state)
{
    /* functions: dense then a repeat (identity map -> hash) */
    pb *w = pb_new();
    function(w, 1, 0, 0, 0, 0);
    function(w, 2, 0, 0, 0, 0);
    pb *m = pb_new();
    u(m, 2, 0);
    size_t k = u(m, 1, 1);
    size_t at = msg(w, 5, m);
    strings(w, basic_strings, 1);
    expect_error(w, payload(w, at) + k, "function 2: duplicate id 1");
    free(w);
    /* mappings: sparse ids (hash map from the start) */
    w = pb_new();
    m->n = 0;
    u(m, 1, 1ull << 40);
    msg(w, 3, m);
    at = msg(w, 3, m);
    msg(w, 3, m);
    strings(w, basic_strings, 1);
    expect_error(w, payload(w, at), "mapping 1: duplicate id 1099511627776");
    free(w);
    /* locations */
    w = pb_new();
    function(w, 1, 0, 0, 0, 0);
    simple_location(w, 5, 1);
    at = simple_location(w, 5, 1);
    strings(w, basic_strings, 1);
    expect_error(w, payload(w, at), "location 1: duplicate id 5");
    free(w);
    free(m);
}

static void test_reserved_id_zero(void **state)
{
    pb *w = pb_new();
    pb *m = pb_new();
    u(m, 2, 0x1000); /* no id field */
    size_t at = msg(w, 3, m);
    strings(w, basic_strings, 1);
    expect_error(w, at, "mapping 0: id 0 is reserved");
    free(m);
    free(w);
}

static void test_unknown_wire_type(void **state)
{
    pb *w = pb_new();
    strings(w, basic_strings, 1);
    size_t at = w->n;
    key(w, 40, 3); /* group start */
    expect_error(w, at, "unknown wire type 3 (field 40)");
    free(w);
    /* inside a message */
    w = pb_new();
    pb *m = pb_new();
    u(m, 1, 1);
    size_t k = m->n;
    key(m, 7, 4);
    at = msg(w, 5, m);
    strings(w, basic_strings, 1);
    expect_error(w, payload(w, at) + k, "function 0: unknown wire type 4 (field 7)");
    free(m);
    free(w);
}

static void test_wrong_wire_type(void **state)
{
    pb *w = pb_new();
    strings(w, basic_strings, 1);
    size_t at = fixed64(w, 9, 5);
    expect_error(w, at, "field 9 (time_nanos) has wire type 1 (fixed64), expected 0 (varint)");
    free(w);
    w = pb_new();
    pb *m = pb_new();
    size_t k = str(m, 1, "x");
    at = msg(w, 5, m);
    strings(w, basic_strings, 1);
    expect_error(w, payload(w, at) + k, "function 0: field 1 (Function.id) has wire type 2");
    free(m);
    free(w);
}

static void test_concatenated_profiles(void **state)
{
    pb *w = pb_new();
    strings(w, basic_strings, 1);
    u(w, 9, 100);
    strings(w, basic_strings, 1);
    size_t at = u(w, 9, 200);
    expect_error(w, at, "second time_nanos field: concatenated profiles");
    free(w);
}

static void test_huge_counts_do_not_allocate(void **state)
{
    /* 5000 sample types and 10000 empty samples: must fail on the first
     * sample without reserving 5000 x 10000 values. */
    pb *w = pb_new();
    for (int i = 0; i < 5000; i++)
        value_type(w, 1, 0, 0);
    size_t at = w->n;
    for (int i = 0; i < 10000; i++) {
        key(w, 2, 2);
        varint(w, 0);
    }
    strings(w, basic_strings, 1);
    expect_error(w, at, "sample 0: 0 values, but the profile has 5000 sample types");
    free(w);
}

/* Every truncation and every single-byte change of a valid profile either
 * loads or fails with a one-line message at an offset inside the input
 * (run under ASan in CI: no read outside the buffer). */
static void test_truncations_and_mutations(void **state)
{
    pb *w = full_profile();
    pb *c = pb_new();
    int failures = 0;
    for (size_t cut = 0; cut <= w->n; cut++) {
        memcpy(c->b, w->b, cut);
        c->n = cut;
        hs_profile p;
        hs_error e;
        if (load(c, &p, &e)) {
            failures++;
            assert_true(e.msg[0]);
            assert_true(e.offset <= cut);
        }
        hs_profile_free(&p);
    }
    assert_true(failures > 0);
    static const uint8_t flips[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x0b, 0x12};
    for (size_t i = 0; i < w->n; i++) {
        for (size_t k = 0; k < sizeof flips; k++) {
            memcpy(c->b, w->b, w->n);
            c->n = w->n;
            c->b[i] = flips[k];
            hs_profile p;
            hs_error e;
            if (load(c, &p, &e)) {
                assert_true(e.msg[0]);
                assert_null(strchr(e.msg, '\n'));
                assert_true(e.offset < c->n);
            }
            hs_profile_free(&p);
        }
    }
    free(c);
    free(w);
}

/* ---- registry, gzip, probe ---------------------------------------------- */

static void test_load_memory_gzip(void **state)
{
    pb *w = full_profile();
    pb *gz = pb_new();
    gz->n = hs_test_gzip(w->b, w->n, gz->b, sizeof gz->b);
    hs_model m;
    hs_error e;
    if (hs_load_memory("full.pb.gz", gz->b, gz->n, NULL, &m, &e))
        fail_msg("%s at %llu", e.msg, (unsigned long long)e.offset);
    assert_int_equal(m.kind, HS_MODEL_PROFILE);
    assert_string_equal(m.reader->name, "pprof");
    assert_string_equal(m.src.compression, "gzip");
    assert_int_equal(m.profile.n_samples, 3);
    assert_int_equal(m.profile.values[1] + m.profile.values[3] + m.profile.values[5], 900);
    hs_model_free(&m);
    /* an error through the same path names the file and the offset */
    uint64_t locs[] = {1}, v = 1;
    pb *bad = basic_prefix();
    sample(bad, locs, 1, &v, 1);
    size_t at = sample(bad, locs, 1, &v, 0);
    strings(bad, basic_strings, 4);
    gz->n = hs_test_gzip(bad->b, bad->n, gz->b, sizeof gz->b);
    assert_int_equal(hs_load_memory("bad.pb.gz", gz->b, gz->n, NULL, &m, &e), -1);
    assert_string_equal(e.file, "bad.pb.gz");
    assert_int_equal(e.offset, at);
    free(bad);
    free(gz);
    free(w);
}

static void test_probe(void **state)
{
    pb *w = full_profile();
    assert_true(hs_pprof_probe(w->b, w->n) >= 50);
    free(w);
    static const char *const not_profiles[] = {"heap profile: 1: 2 [3: 4] @ heap/524288\n",
                                               "go1.7 heap dump\n",
                                               "\x7f\x45LF\x02\x01\x01",
                                               "goroutine profile: total 4\n",
                                               "--- contention:\n",
                                               ""};
    for (size_t i = 0; i < sizeof not_profiles / sizeof *not_profiles; i++)
        assert_int_equal(hs_pprof_probe((const uint8_t *)not_profiles[i], strlen(not_profiles[i])),
                         0);
}

/* ---- wire decoder ------------------------------------------------------- */

static void test_wire_iter_mixed(void **state)
{
    pb *w = pb_new();
    u(w, 1, 5);
    uint64_t vs[] = {1, 300, UINT64_MAX};
    packed(w, 1, vs, 3);
    fixed32(w, 1, 9);
    hs_cursor c = {w->b, 0, w->n, 1000, "x"};
    hs_pb_field f;
    hs_pb_iter it;
    hs_error e;
    uint64_t v, off, got[4];
    int n = 0;
    assert_int_equal(hs_pb_next(&c, &f, &e), 1);
    assert_int_equal(hs_pb_iter_init(&it, &f, "x", &e), 0);
    while (hs_pb_iter_next(&it, &v, &off, &e) == 1)
        got[n++] = v;
    assert_int_equal(hs_pb_next(&c, &f, &e), 1);
    assert_int_equal(hs_pb_iter_init(&it, &f, "x", &e), 0);
    assert_int_equal(hs_pb_count(&f), 3);
    while (hs_pb_iter_next(&it, &v, &off, &e) == 1)
        got[n++] = v;
    assert_int_equal(n, 4);
    assert_int_equal(got[0], 5);
    assert_int_equal(got[1], 1);
    assert_int_equal(got[2], 300);
    assert_true(got[3] == UINT64_MAX);
    assert_int_equal(hs_pb_next(&c, &f, &e), 1);
    assert_int_equal(f.wire, HS_PB_FIXED32);
    assert_int_equal(f.u, 9);
    assert_int_equal(hs_pb_iter_init(&it, &f, "x", &e), -1);
    assert_int_equal(e.offset, f.key_off);
    assert_int_equal(f.key_off, 1000 + w->n - 5);
    assert_int_equal(hs_pb_next(&c, &f, &e), 0);
    free(w);
}

/* ---- drop_frames / keep_frames ------------------------------------------ */

static void test_simplify_func(void **state)
{
    size_t start, len;
    len = hs_pprof_simplify_func(".foo(int)", &start);
    assert_int_equal(start, 1);
    assert_int_equal(len, 3);
    len = hs_pprof_simplify_func("(anonymous namespace)::f(int)", &start);
    assert_int_equal(start, 0);
    assert_int_equal(len, strlen("(anonymous namespace)::f"));
    len = hs_pprof_simplify_func("Foo::operator()(int) const", &start);
    assert_int_equal(len, strlen("Foo::operator()"));
    len = hs_pprof_simplify_func("main.(*T).Method", &start);
    assert_int_equal(len, strlen("main."));
}

/* Profile: functions 1 main, 2 alloc, 3 malloc, 4 user, 5 keepme_malloc.
 * Locations 1..5 one line each with that function; location 6 = malloc
 * inlined into user (lines: malloc, user). */
static pb *prune_profile(const char *drop, const char *keep)
{
    const char *s[] = {"",       "n",    "count",         "main", "alloc",
                       "malloc", "user", "keepme_malloc", drop,   keep ? keep : "x"};
    pb *w = pb_new();
    value_type(w, 1, 1, 2);
    for (uint64_t i = 1; i <= 5; i++)
        function(w, i, i + 2, 0, 0, 0);
    for (uint64_t i = 1; i <= 5; i++)
        simple_location(w, i, i);
    uint64_t fns[] = {3, 4};
    int64_t lines[] = {1, 2};
    location(w, 6, 0, 0x6000, fns, lines, 2);
    uint64_t v = 1;
    uint64_t s0[] = {3, 2, 1};    /* malloc <- alloc <- main: cut at malloc */
    uint64_t s1[] = {3, 4, 2, 1}; /* malloc <- user <- alloc <- main */
    uint64_t s2[] = {3, 1};       /* malloc <- main */
    uint64_t s3[] = {2, 6, 1};    /* inlined malloc in 6: cut below 6, 6 keeps "user" */
    uint64_t s4[] = {5, 1};       /* keepme_malloc matched by keep */
    uint64_t s5[] = {1, 3};       /* root matches: nothing before a user frame */
    sample(w, s0, 3, &v, 1);
    sample(w, s1, 4, &v, 1);
    sample(w, s2, 2, &v, 1);
    sample(w, s3, 3, &v, 1);
    sample(w, s4, 2, &v, 1);
    sample(w, s5, 2, &v, 1);
    u(w, 7, 8);
    if (keep) u(w, 8, 9);
    strings(w, s, 10);
    return w;
}

static void test_prune(void **state)
{
    pb *w = prune_profile(".*malloc", "keepme_.*");
    hs_profile p;
    hs_error e;
    if (load(w, &p, &e)) fail_msg("%s", e.msg);
    const uint64_t r0[] = {2, 1}, r1[] = {4, 2, 1}, r2[] = {1}, r3[] = {6, 1}, r4[] = {5, 1},
                   r5[] = {1, 3};
    check_stack(&p, 0, r0, 2);
    check_stack(&p, 1, r1, 3);
    check_stack(&p, 2, r2, 1);
    check_stack(&p, 3, r3, 2);
    check_stack(&p, 4, r4, 2);
    check_stack(&p, 5, r5, 2);
    const hs_location *l6 = &p.locations[loc_index(&p, 6)];
    assert_int_equal(l6->n_lines, 1);
    assert_string_equal(S(&p, p.functions[p.lines[l6->line_start].function].name), "user");
    hs_profile_free(&p);
    free(w);
    /* Without keep_frames keepme_malloc is dropped too. */
    w = prune_profile(".*malloc", NULL);
    assert_int_equal(load(w, &p, &e), 0);
    check_stack(&p, 4, r2, 1);
    hs_profile_free(&p);
    free(w);
    /* The pattern must match the whole (simplified) name. */
    w = prune_profile("mall", NULL);
    assert_int_equal(load(w, &p, &e), 0);
    const uint64_t full0[] = {3, 2, 1};
    check_stack(&p, 0, full0, 3);
    hs_profile_free(&p);
    free(w);
}

static void test_prune_bad_regex(void **state)
{
    pb *w = prune_profile("(unclosed", NULL);
    /* offset of the drop_frames field: find it by re-encoding the same prefix */
    size_t at = 0;
    for (size_t i = 0; i + 1 < w->n; i++)
        if (w->b[i] == (7 << 3) && w->b[i + 1] == 8) at = i;
    expect_error(w, at, "drop_frames \"(unclosed\" is not a usable regular expression");
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_profile),
        cmocka_unit_test(test_dense_ids_many_locations),
        cmocka_unit_test(test_samples_in_parts),
        cmocka_unit_test(test_sample_shapes),
        cmocka_unit_test(test_sample_error_in_a_later_part),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_not_a_profile),
        cmocka_unit_test(test_bad_varint),
        cmocka_unit_test(test_truncated_varint_in_packed_run),
        cmocka_unit_test(test_length_too_long),
        cmocka_unit_test(test_nested_length_too_long),
        cmocka_unit_test(test_string_index_out_of_range),
        cmocka_unit_test(test_sample_missing_location),
        cmocka_unit_test(test_location_missing_function),
        cmocka_unit_test(test_location_missing_mapping),
        cmocka_unit_test(test_value_count_mismatch),
        cmocka_unit_test(test_string_table_zero_not_empty),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_reserved_id_zero),
        cmocka_unit_test(test_unknown_wire_type),
        cmocka_unit_test(test_wrong_wire_type),
        cmocka_unit_test(test_concatenated_profiles),
        cmocka_unit_test(test_huge_counts_do_not_allocate),
        cmocka_unit_test(test_truncations_and_mutations),
        cmocka_unit_test(test_load_memory_gzip),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_wire_iter_mixed),
        cmocka_unit_test(test_simplify_func),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_prune_bad_regex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
