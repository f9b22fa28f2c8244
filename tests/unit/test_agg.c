/* Aggregation: flat/cum per function, file, line and address on the
 * fixture profile (inlined frames, recursion), pprof's sort orders,
 * focus/ignore/tag filters, odd frames, and a timing check at scale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fixture_profile.h"
#include "heapscan/analysis.h"

typedef struct want {
    const char *name;
    int64_t flat, cum;
} want;

static void check(const hs_agg *a, const want *w, uint32_t n)
{
    for (uint32_t i = 0; i < n && i < a->n_entries; i++) {
        if (strcmp(a->entries[i].name, w[i].name) != 0)
            fail_msg("row %u: got '%s', want '%s'", i, a->entries[i].name, w[i].name);
        assert_int_equal(a->entries[i].flat, w[i].flat);
        assert_int_equal(a->entries[i].cum, w[i].cum);
    }
    assert_int_equal(a->n_entries, n);
}

static void agg(const hs_profile *p, uint32_t vi, hs_agg_by by, const hs_agg_filter *f, hs_agg *a)
{
    hs_error e;
    if (hs_agg_build(p, vi, by, f, a, &e) != 0) fail_msg("agg: %s", e.msg);
    if (hs_agg_mark_inline(a, p, vi, by, f, UINT32_MAX, &e) != 0) fail_msg("marks: %s", e.msg);
}

static void test_by_function_flat_and_cum(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, NULL, &a);
    assert_int_equal(a.total, 1500);
    assert_int_equal(a.kept_total, 1500);
    assert_string_equal(a.sample_type, "space");
    assert_string_equal(a.unit, "bytes");
    /* recursion a->b->a: a's cum gets S3 once (400), not twice */
    const want flat[] = {{"c", 800, 800}, {"a", 400, 700}, {"b", 200, 600}, {"inl", 100, 100},
                         {"main", 0, 700}};
    check(&a, flat, 5);
    hs_agg_sort(&a, HS_SORT_CUM);
    /* a and main tie at 700: name order */
    const want cum[] = {{"c", 800, 800}, {"a", 400, 700}, {"main", 0, 700}, {"b", 200, 600},
                        {"inl", 100, 100}};
    check(&a, cum, 5);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_count_index_includes_zero_space_sample(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg a;
    agg(&p, 0, HS_BY_FUNCTION, NULL, &a);
    assert_int_equal(a.total, 8);
    /* b: S2 2 + S5 1 flat; cum S2 2 + S3 3 + S5 1. main: cum 1+2+3+1. */
    const want w[] = {{"a", 3, 6}, {"b", 3, 6}, {"c", 1, 1}, {"inl", 1, 1}, {"main", 0, 7}};
    check(&a, w, 5);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_by_line_splits_inlined_frames(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg a;
    agg(&p, 1, HS_BY_LINE, NULL, &a);
    const want w[] = {{"c c.go:50", 800, 800},   {"a a.go:20", 400, 600},
                      {"b b.go:40", 200, 600},   {"inl a.go:30", 100, 100},
                      {"a a.go:21", 0, 100},     {"main main.go:10", 0, 700}};
    check(&a, w, 6);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_by_file_counts_a_sample_once_per_file(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg a;
    agg(&p, 1, HS_BY_FILE, NULL, &a);
    /* a.go: S1 (inl and a, once) 100 + S2 200 + S3 400; flat S1 100 + S3 400 */
    const want w[] = {{"c.go", 800, 800}, {"a.go", 500, 700}, {"b.go", 200, 600},
                      {"main.go", 0, 700}};
    check(&a, w, 4);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_by_address(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg a;
    agg(&p, 1, HS_BY_ADDRESS, NULL, &a);
    const want w[] = {{"0000000000005000 c c.go:50", 800, 800},
                      {"0000000000002000 a a.go:20", 400, 600},
                      {"0000000000004000 b b.go:40", 200, 600},
                      {"0000000000003000 inl a.go:30", 100, 100},
                      {"0000000000001000 main main.go:10", 0, 700},
                      {"0000000000003000 a a.go:21", 0, 100}};
    check(&a, w, 6);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_focus_on_inlined_function(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg_filter f = {.focus = "^inl$"};
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, &f, &a);
    assert_int_equal(a.total, 1500); /* pprof: percentages stay of the whole profile */
    assert_int_equal(a.kept_total, 100);
    const want w[] = {{"inl", 100, 100}, {"a", 0, 100}, {"main", 0, 100}};
    check(&a, w, 3);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_focus_matches_file_and_mapping(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg_filter f = {.focus = "c\\.go"};
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, &f, &a);
    const want w[] = {{"c", 800, 800}};
    check(&a, w, 1);
    hs_agg_free(&a);
    hs_agg_filter g = {.focus = "bin/prog"};
    agg(&p, 1, HS_BY_FUNCTION, &g, &a);
    assert_int_equal(a.kept_total, 1500);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_ignore_drops_whole_samples(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg_filter f = {.ignore = "^b$"};
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, &f, &a);
    const want w[] = {{"c", 800, 800}, {"inl", 100, 100}, {"a", 0, 100}, {"main", 0, 100}};
    check(&a, w, 4);
    hs_agg_free(&a);
    /* focus and ignore together: focus main, ignore inl -> S2, S3 */
    hs_agg_filter g = {.focus = "main", .ignore = "inl"};
    agg(&p, 1, HS_BY_FUNCTION, &g, &a);
    const want w2[] = {{"a", 400, 600}, {"b", 200, 600}, {"main", 0, 600}};
    check(&a, w2, 3);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_tags_string_and_numeric(void **state)
{
    hs_profile p;
    fx_build(&p);
    const char *eu[] = {"region=eu"};
    hs_agg_filter f = {.tags = eu, .n_tags = 1};
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, &f, &a);
    const want w[] = {{"c", 800, 800}, {"inl", 100, 100}, {"a", 0, 100}, {"main", 0, 100}};
    check(&a, w, 4);
    hs_agg_free(&a);
    const char *num[] = {"bytes=400"};
    hs_agg_filter g = {.tags = num, .n_tags = 1};
    agg(&p, 1, HS_BY_FUNCTION, &g, &a);
    const want w2[] = {{"a", 400, 400}, {"b", 0, 400}, {"main", 0, 400}};
    check(&a, w2, 3);
    hs_agg_free(&a);
    const char *both[] = {"region=eu", "bytes=400"}; /* every tag must match: none does */
    hs_agg_filter h = {.tags = both, .n_tags = 2};
    agg(&p, 1, HS_BY_FUNCTION, &h, &a);
    assert_int_equal(a.n_entries, 0);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_bad_filters_are_errors(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg a;
    hs_error e;
    hs_agg_filter f = {.focus = "(unclosed"};
    assert_int_equal(hs_agg_build(&p, 1, HS_BY_FUNCTION, &f, &a, &e), -1);
    assert_string_equal(e.file, "--focus");
    const char *t[] = {"novalue"};
    hs_agg_filter g = {.tags = t, .n_tags = 1};
    assert_int_equal(hs_agg_build(&p, 1, HS_BY_FUNCTION, &g, &a, &e), -1);
    assert_non_null(strstr(e.msg, "KEY=VALUE"));
    assert_int_equal(hs_agg_build(&p, 2, HS_BY_FUNCTION, NULL, &a, &e), -1);
    hs_profile_free(&p);
}

static void test_frames_without_functions(void **state)
{
    hs_profile p;
    hs_profile_init(&p);
    fx_types(&p, "samples", "count", "cpu", "nanoseconds");
    hs_mapping m;
    memset(&m, 0, sizeof m);
    m.filename = hs_profile_intern(&p, "/lib/x86_64/libc.so.6");
    hs_profile_add_mapping(&p, &m);
    uint32_t nofn = HS_NONE, anon = fx_fn(&p, "", "");
    uint32_t L1 = hs_profile_add_location(&p, 1, 0xabc, 0, NULL, NULL, 0);     /* no lines */
    uint32_t L2 = hs_profile_add_location(&p, 2, 0xdef, HS_NONE, &nofn, NULL, 1); /* no fn, no map */
    uint32_t L3 = hs_profile_add_location(&p, 3, 0x123, 0, &anon, NULL, 1);      /* unnamed fn */
    uint32_t s1[] = {L1}, s2[] = {L2}, s3[] = {L3, L2};
    fx_sample(&p, 1, 10, s1, 1, NULL, 0);
    fx_sample(&p, 1, 20, s2, 1, NULL, 0);
    fx_sample(&p, 1, 5, s3, 2, NULL, 0);
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, NULL, &a);
    /* L1 and L3 both name the binary: "[libc.so.6]" = 10 + 5 */
    const want w[] = {{"<unknown>", 20, 25}, {"[libc.so.6]", 15, 15}};
    check(&a, w, 2);
    hs_agg_free(&a);
    agg(&p, 1, HS_BY_ADDRESS, NULL, &a);
    const want w2[] = {{"0000000000000def <unknown>", 20, 25},
                       {"0000000000000abc [libc.so.6]", 10, 10},
                       {"0000000000000123 [libc.so.6]", 5, 5}};
    check(&a, w2, 3);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_file_names_are_cleaned(void **state)
{
    hs_profile p;
    hs_profile_init(&p);
    fx_types(&p, "n", "count", "space", "bytes");
    uint32_t f1 = fx_fn(&p, "x", "/src//pkg/./sub/../x.go");
    uint32_t f2 = fx_fn(&p, "y", "/src/pkg/x.go");
    uint32_t L1 = hs_profile_add_location(&p, 1, 1, HS_NONE, &f1, NULL, 1);
    uint32_t L2 = hs_profile_add_location(&p, 2, 2, HS_NONE, &f2, NULL, 1);
    uint32_t s1[] = {L1}, s2[] = {L2};
    fx_sample(&p, 1, 7, s1, 1, NULL, 0);
    fx_sample(&p, 1, 8, s2, 1, NULL, 0);
    hs_agg a;
    agg(&p, 1, HS_BY_FILE, NULL, &a);
    const want w[] = {{"/src/pkg/x.go", 15, 15}};
    check(&a, w, 1);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_negative_values_sort_by_magnitude(void **state)
{
    hs_profile p;
    hs_profile_init(&p);
    fx_types(&p, "n", "count", "space", "bytes");
    uint32_t f1 = fx_fn(&p, "shrink", "s.go"), f2 = fx_fn(&p, "grow", "g.go");
    uint32_t L1 = hs_profile_add_location(&p, 1, 1, HS_NONE, &f1, NULL, 1);
    uint32_t L2 = hs_profile_add_location(&p, 2, 2, HS_NONE, &f2, NULL, 1);
    uint32_t s1[] = {L1}, s2[] = {L2};
    fx_sample(&p, 1, -300, s1, 1, NULL, 0);
    fx_sample(&p, 1, 200, s2, 1, NULL, 0);
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, NULL, &a);
    assert_int_equal(a.total, 500); /* sum of |v| */
    const want w[] = {{"shrink", -300, -300}, {"grow", 200, 200}};
    check(&a, w, 2);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

/* pprof marks "inl" (inline): its only caller edge is a -> inl inside L3.
 * A direct call main -> inl (its own location) makes it partial-inline. */
static void test_inline_marks(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, NULL, &a);
    for (uint32_t i = 0; i < a.n_entries; i++)
        assert_int_equal(a.entries[i].inlined,
                         strcmp(a.entries[i].name, "inl") == 0 ? HS_AGG_INLINE : 0);
    hs_agg_free(&a);
    uint32_t finl = 2; /* fixture's function order: main, a, inl, b, c */
    int64_t line = 35;
    uint32_t L6 = hs_profile_add_location(&p, 6, 0x6000, 0, &finl, &line, 1);
    uint32_t st[] = {L6, 0};
    fx_sample(&p, 1, 10, st, 2, NULL, 0);
    agg(&p, 1, HS_BY_FUNCTION, NULL, &a);
    for (uint32_t i = 0; i < a.n_entries; i++)
        if (strcmp(a.entries[i].name, "inl") == 0)
            assert_int_equal(a.entries[i].inlined, HS_AGG_PARTIAL_INLINE);
    hs_agg_free(&a);
    /* A filter that keeps only the direct call: no inlined edge is left. */
    hs_agg_filter f = {.ignore = "^a$"};
    agg(&p, 1, HS_BY_FUNCTION, &f, &a);
    for (uint32_t i = 0; i < a.n_entries; i++) assert_int_equal(a.entries[i].inlined, 0);
    hs_agg_free(&a);
    hs_profile_free(&p);
}

/* 1,000,000 samples x 30 frames over 5,000 functions: exact totals at scale.
 * (Speed is measured by bench/run.sh, not asserted here.) */
static void test_scale_one_million_samples(void **state)
{
    hs_profile p;
    hs_profile_init(&p);
    fx_types(&p, "n", "count", "space", "bytes");
    enum { NF = 5000, NS = 1000000, DEPTH = 30 };
    char name[32];
    for (uint32_t i = 0; i < NF; i++) {
        snprintf(name, sizeof name, "pkg.fn%u", i);
        uint32_t f = fx_fn(&p, name, "x.go");
        int64_t line = i;
        hs_profile_add_location(&p, i + 1, 0x1000 + i, HS_NONE, &f, &line, 1);
    }
    uint64_t x = 88172645463325252ull;
    uint32_t stack[DEPTH];
    int64_t expect_total = 0;
    for (uint32_t s = 0; s < NS; s++) {
        for (int d = 0; d < DEPTH; d++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            stack[d] = (uint32_t)(x % NF);
        }
        int64_t v = (int64_t)(x % 4096) + 1;
        expect_total += v;
        fx_sample(&p, 1, v, stack, DEPTH, NULL, 0);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    hs_agg a;
    agg(&p, 1, HS_BY_FUNCTION, NULL, &a);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("aggregating 1M samples x 30 frames: %.3f s CPU\n", secs);
    assert_int_equal(a.total, expect_total);
    int64_t flat_sum = 0;
    for (uint32_t i = 0; i < a.n_entries; i++) flat_sum += a.entries[i].flat;
    assert_int_equal(flat_sum, expect_total); /* every sample's flat lands exactly once */
    hs_agg_free(&a);
    hs_profile_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_function_flat_and_cum),
        cmocka_unit_test(test_count_index_includes_zero_space_sample),
        cmocka_unit_test(test_by_line_splits_inlined_frames),
        cmocka_unit_test(test_by_file_counts_a_sample_once_per_file),
        cmocka_unit_test(test_by_address),
        cmocka_unit_test(test_focus_on_inlined_function),
        cmocka_unit_test(test_focus_matches_file_and_mapping),
        cmocka_unit_test(test_ignore_drops_whole_samples),
        cmocka_unit_test(test_tags_string_and_numeric),
        cmocka_unit_test(test_bad_filters_are_errors),
        cmocka_unit_test(test_frames_without_functions),
        cmocka_unit_test(test_file_names_are_cleaned),
        cmocka_unit_test(test_negative_values_sort_by_magnitude),
        cmocka_unit_test(test_inline_marks),
        cmocka_unit_test(test_scale_one_million_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
