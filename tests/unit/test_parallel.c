/* Work in parts: hs_par_parts / hs_par_run, and that cutting the samples of
 * the fixture profiles into parts (HEAPSCAN_THREADS) changes nothing: the
 * same flat and cum per entry for every sample type and every --by, with
 * and without filters, and inline marks computed for the first n rows
 * equal to the marks computed for all rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/analysis.h"
#include "model/parallel.h"
#include "heapscan/reader.h"

/* ---- hs_par ---------------------------------------------------------- */

typedef struct par_probe {
    int ran[HS_PAR_MAX_PARTS];
    int fail_from; /* parts >= fail_from fail with -(part + 1) */
} par_probe;

static int probe_part(void *arg, unsigned part)
{
    par_probe *p = arg;
    p->ran[part]++;
    return (int)part >= p->fail_from ? -(int)(part + 1) : 0;
}

static void test_run_reports_first_failure(void **state)
{
    par_probe p = {.fail_from = 100};
    assert_int_equal(hs_par_run(5, probe_part, &p), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(p.ran[i], 1);
    par_probe q = {.fail_from = 2};
    assert_int_equal(hs_par_run(4, probe_part, &q), -3); /* part 2 fails first */
    for (int i = 0; i < 4; i++)
        assert_int_equal(q.ran[i], 1); /* all parts still ran */
}

static void test_parts(void **state)
{
    assert_int_equal(hs_par_parts(1000, 1000000, 3), 3); /* forced: small inputs split too */
    assert_int_equal(hs_par_parts(2, 1, 3), 2);          /* never more parts than items */
    assert_int_equal(hs_par_parts(0, 1, 3), 1);
    assert_int_equal(hs_par_parts(1000000, 1, 1), 1);
    assert_int_equal(hs_par_parts(1000000, 1, 99), 16); /* at most HS_PAR_MAX_PARTS */
    assert_int_equal(hs_par_parts(10, 1000, 0), 1);     /* automatic: too small to split */
    uint64_t b, e, next = 0;
    for (unsigned i = 0; i < 7; i++) { /* ranges tile [0, n) */
        hs_par_range(100, 7, i, &b, &e);
        assert_int_equal(b, next);
        assert_true(e - b >= 14 && e - b <= 15);
        next = e;
    }
    assert_int_equal(next, 100);
}

/* ---- aggregation in parts -------------------------------------------- */

static void load_fixture(const char *name, hs_model *m)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/testdata/profiles/%s", HS_SOURCE_DIR, name);
    hs_error err;
    if (hs_load(path, NULL, m, &err)) fail_msg("%s: %s", path, err.msg);
}

static void agg_with(const char *threads, const hs_profile *p, uint32_t vi, hs_agg_by by,
                     const hs_agg_filter *f, hs_agg *a)
{
    hs_error err;
    hs_profile q = *p; /* the same profile, analysed in that many parts */
    q.threads = (unsigned)atoi(threads);
    if (hs_agg_build(&q, vi, by, f, a, &err) ||
        hs_agg_mark_inline(a, &q, vi, by, f, UINT32_MAX, &err))
        fail_msg("agg: %s", err.msg);
}

static void assert_same_agg(const hs_agg *x, const hs_agg *y)
{
    assert_int_equal(x->n_entries, y->n_entries);
    assert_int_equal(x->total, y->total);
    assert_int_equal(x->kept_total, y->kept_total);
    assert_int_equal(x->n_samples_kept, y->n_samples_kept);
    for (uint32_t i = 0; i < x->n_entries; i++) {
        assert_string_equal(x->entries[i].name, y->entries[i].name);
        assert_int_equal(x->entries[i].flat, y->entries[i].flat);
        assert_int_equal(x->entries[i].cum, y->entries[i].cum);
        assert_int_equal(x->entries[i].inlined, y->entries[i].inlined);
    }
}

static void test_agg_in_parts_equals_serial(void **state)
{
    const char *files[] = {"heap.1.pb.gz", "heap.3.pb.gz", "allocs.3.pb.gz", "goroutine.3.pb.gz"};
    const hs_agg_filter none = {0}, focus = {.focus = "main"}, ignore = {.ignore = "runtime"};
    const hs_agg_filter *filters[] = {&none, &focus, &ignore};
    uint32_t marks = 0;
    for (int fi = 0; fi < 4; fi++) {
        hs_model m;
        load_fixture(files[fi], &m);
        const hs_profile *p = &m.profile;
        for (uint32_t vi = 0; vi < p->n_sample_types; vi++)
            for (int by = HS_BY_FUNCTION; by <= HS_BY_ADDRESS; by++)
                for (int k = 0; k < 3; k++) {
                    hs_agg a1, a3;
                    agg_with("1", p, vi, (hs_agg_by)by, filters[k], &a1);
                    agg_with("3", p, vi, (hs_agg_by)by, filters[k], &a3);
                    assert_true(a1.n_samples_kept > 0 || k > 0);
                    assert_same_agg(&a1, &a3);
                    for (uint32_t i = 0; i < a1.n_entries; i++)
                        marks += a1.entries[i].inlined != 0;
                    hs_agg_free(&a1);
                    hs_agg_free(&a3);
                }
        hs_model_free(&m);
    }
    assert_true(marks > 0); /* the fixtures do exercise inline marks */
}

/* Marks for the first n rows only (what `top -n N` computes) equal the
 * marks of a full table, in both sort orders. */
static void test_marks_for_shown_rows(void **state)
{
    hs_model m;
    load_fixture("heap.3.pb.gz", &m);
    const hs_profile *p = &m.profile;
    uint32_t vi = hs_profile_default_sample_type(p);
    for (int by = HS_BY_FUNCTION; by <= HS_BY_LINE; by++)
        for (int order = HS_SORT_FLAT; order <= HS_SORT_CUM; order++) {
            hs_agg full;
            agg_with("1", p, vi, (hs_agg_by)by, NULL, &full);
            hs_agg_sort(&full, (hs_agg_order)order);
            hs_error err;
            assert_int_equal(
                hs_agg_mark_inline(&full, p, vi, (hs_agg_by)by, NULL, UINT32_MAX, &err), 0);
            for (uint32_t n = 1; n <= full.n_entries; n += 1 + n / 4) {
                hs_agg part;
                assert_int_equal(hs_agg_build(p, vi, (hs_agg_by)by, NULL, &part, &err), 0);
                hs_agg_sort(&part, (hs_agg_order)order);
                assert_int_equal(hs_agg_mark_inline(&part, p, vi, (hs_agg_by)by, NULL, n, &err), 0);
                for (uint32_t i = 0; i < part.n_entries; i++)
                    assert_int_equal(part.entries[i].inlined, i < n ? full.entries[i].inlined : 0);
                hs_agg_free(&part);
            }
            hs_agg_free(&full);
        }
    hs_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_reports_first_failure),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_agg_in_parts_equals_serial),
        cmocka_unit_test(test_marks_for_shown_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
