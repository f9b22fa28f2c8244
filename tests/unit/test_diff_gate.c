/* Diff of two aggregations (matching by name, new/vanished, ordering) and
 * --fail-if gates (parsing, units, tripping, details). Expected numbers
 * come from the construction in fixture_profile.h plus the extra samples
 * described in make_pair(). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_profile.h"
#include "heapscan/analysis.h"
#include "heapscan/render.h"

/* Adds a one-frame sample of a new function `name` with space value v. */
static void add_single(hs_profile *p, const char *name, int64_t v)
{
    uint32_t f = fx_fn(p, name, "extra.go");
    int64_t line = 1;
    uint32_t L = hs_profile_add_location(p, 100 + p->n_locations, 0, HS_NONE, &f, &line, 1);
    fx_sample(p, 1, v, &L, 1, NULL, 0);
}

/* BEFORE = fixture + old:64 (total 1564).
 * AFTER  = fixture + [L5 c] 300 + [L2 a, L1 main] 50 + d:1000 (total 2850).
 * flat deltas: d +1000 (new), c +300, old -64 (vanished), a +50, main 0 (cum +50);
 * b and inl unchanged. */
static void make_pair(hs_profile *b, hs_profile *a, hs_diff *d, hs_agg_order order)
{
    fx_build(b);
    add_single(b, "old", 64);
    fx_build(a);
    uint32_t c_only[] = {4}, a_main[] = {1, 0}; /* L5; L2 L1 */
    fx_sample(a, 1, 300, c_only, 1, NULL, 0);
    fx_sample(a, 1, 50, a_main, 2, NULL, 0);
    add_single(a, "d", 1000);
    hs_agg ab, aa;
    hs_error e;
    assert_int_equal(hs_agg_build(b, 1, HS_BY_FUNCTION, NULL, &ab, &e), 0);
    assert_int_equal(hs_agg_build(a, 1, HS_BY_FUNCTION, NULL, &aa, &e), 0);
    assert_int_equal(hs_diff_build(&ab, &aa, order, d, &e), 0);
    hs_agg_free(&ab);
    hs_agg_free(&aa);
}

typedef struct row {
    const char *name;
    int64_t fb, fa, cb, ca;
    uint8_t status;
} row;

static void check_rows(const hs_diff *d, const row *w, uint32_t n)
{
    assert_int_equal(d->n_rows, n);
    for (uint32_t i = 0; i < n; i++) {
        const hs_diff_row *r = &d->rows[i];
        if (strcmp(r->name, w[i].name) != 0) fail_msg("row %u: got %s want %s", i, r->name, w[i].name);
        assert_int_equal(r->flat_before, w[i].fb);
        assert_int_equal(r->flat_after, w[i].fa);
        assert_int_equal(r->cum_before, w[i].cb);
        assert_int_equal(r->cum_after, w[i].ca);
        assert_int_equal(r->status, w[i].status);
    }
}

static void test_diff_by_flat(void **state)
{
    hs_profile b, a;
    hs_diff d;
    make_pair(&b, &a, &d, HS_SORT_FLAT);
    assert_int_equal(d.total_before, 1564);
    assert_int_equal(d.total_after, 2850);
    const row w[] = {{"d", 0, 1000, 0, 1000, HS_DIFF_NEW},      {"c", 800, 1100, 800, 1100, 0},
                     {"old", 64, 0, 64, 0, HS_DIFF_VANISHED},   {"a", 400, 450, 700, 750, 0},
                     {"main", 0, 0, 700, 750, 0},               {"b", 200, 200, 600, 600, 0},
                     {"inl", 100, 100, 100, 100, 0}};
    check_rows(&d, w, 7);
    assert_int_equal(d.n_changed, 5);
    assert_int_equal(d.n_new, 1);
    assert_int_equal(d.n_vanished, 1);
    hs_diff_free(&d);
    hs_profile_free(&a);
    hs_profile_free(&b);
}

static void test_diff_by_cum_ties_by_name(void **state)
{
    hs_profile b, a;
    hs_diff d;
    make_pair(&b, &a, &d, HS_SORT_CUM);
    const char *order[] = {"d", "c", "old", "a", "main", "b", "inl"};
    for (int i = 0; i < 7; i++) assert_string_equal(d.rows[i].name, order[i]);
    hs_diff_free(&d);
    hs_profile_free(&a);
    hs_profile_free(&b);
}

static void test_gate_parse_forms(void **state)
{
    hs_gate g;
    hs_error e;
    assert_int_equal(hs_gate_parse("any >= +1.5 MiB", NULL, 0, &g, &e), 0);
    assert_string_equal(g.expr, "any>=+1.5MiB");
    assert_int_equal(g.subject, HS_GATE_ANY);
    assert_int_equal(g.op, HS_GATE_GE);
    assert_int_equal(g.kind, HS_GATE_DELTA);
    assert_int_equal(g.unit_class, HS_UNIT_BYTES);
    assert_true(g.value == 1572864.0);
    assert_int_equal(hs_gate_parse("total<-10KB", NULL, 0, &g, &e), 0);
    assert_true(g.value == -10240.0);
    assert_int_equal(g.op, HS_GATE_LT);
    assert_int_equal(hs_gate_parse("total>+2k", NULL, 0, &g, &e), 0); /* byte units in any case */
    assert_true(g.value == 2048.0);
    assert_int_equal(hs_gate_parse("total>+3M", NULL, 0, &g, &e), 0); /* M is MiB, not minutes */
    assert_true(g.value == 3145728.0);
    assert_int_equal(hs_gate_parse("total>+1min", NULL, 0, &g, &e), 0);
    assert_int_equal(g.unit_class, HS_UNIT_NANOS);
    assert_true(g.value == 60e9);
    assert_int_equal(hs_gate_parse("total>+15%", NULL, 0, &g, &e), 0);
    assert_int_equal(g.kind, HS_GATE_PERCENT);
    assert_true(g.value == 15.0);
    assert_int_equal(hs_gate_parse("total>1GiB", NULL, 0, &g, &e), 0);
    assert_int_equal(g.kind, HS_GATE_LEVEL);
    assert_int_equal(hs_gate_parse("total<=100", NULL, 0, &g, &e), 0);
    assert_int_equal(g.op, HS_GATE_LE);
    assert_int_equal(g.has_unit, 0);
}

static void test_gate_parse_errors(void **state)
{
    const char *bad[] = {"foo>1",     "total=5",    "total>",     "total>5%",
                         "total>+5XB", "total>+5%x", "any>+MiB",  "total>+1e999"};
    hs_gate g;
    hs_error e;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (hs_gate_parse(bad[i], NULL, 0, &g, &e) != -1) fail_msg("'%s' parsed", bad[i]);
        assert_string_equal(e.file, "--fail-if");
        assert_non_null(strstr(e.msg, bad[i]));
    }
}

typedef struct gate_case {
    const char *expr;
    int tripped;
    const char *detail;
} gate_case;

static void test_gate_eval_and_details(void **state)
{
    hs_profile b, a;
    hs_diff d;
    make_pair(&b, &a, &d, HS_SORT_FLAT);
    /* total: 1564 -> 2850, +1286 = +82.2251% */
    const gate_case cases[] = {
        {"total>+15%", 1, "total changed by +82.23% (1.53KiB -> 2.78KiB)"},
        {"total>+90%", 0, "total changed by +82.23% (1.53KiB -> 2.78KiB)"},
        {"total>+10MiB", 0, "total changed by +1.26KiB (1.53KiB -> 2.78KiB)"},
        {"total>=+1286", 1, "total changed by +1.26KiB (1.53KiB -> 2.78KiB)"},
        {"total>+1286", 0, "total changed by +1.26KiB (1.53KiB -> 2.78KiB)"},
        {"total>2KiB", 1, "total is 2.78KiB (was 1.53KiB)"},
        {"total<=-1%", 0, "total changed by +82.23% (1.53KiB -> 2.78KiB)"},
        {"any>+512B", 1, "entry d: flat changed by +1000B (0 -> 1000B)"},
        {"any>+2KiB", 0, "closest entry d: flat changed by +1000B (0 -> 1000B)"},
        {"any<-50B", 1, "entry old: flat changed by -64B (64B -> 0)"},
        {"any<-100B", 0, "closest entry old: flat changed by -64B (64B -> 0)"},
        {"any>+60%", 1, "entry d: flat changed by +63.94% (0 -> 1000B)"},
        {"any>1KiB", 1, "entry c: flat is 1.07KiB (was 800B)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hs_gate g;
        hs_gate_result r;
        hs_error e;
        char det[256];
        assert_int_equal(hs_gate_parse(cases[i].expr, NULL, 0, &g, &e), 0);
        assert_int_equal(hs_gate_eval(&g, &d, "bytes", &r, &e), 0);
        if (r.tripped != cases[i].tripped) fail_msg("%s: tripped=%d", cases[i].expr, r.tripped);
        hs_render_gate_detail(det, sizeof det, &g, &r, "bytes");
        if (strcmp(det, cases[i].detail) != 0) fail_msg("%s: detail '%s'", cases[i].expr, det);
    }
    hs_diff_free(&d);
    hs_profile_free(&a);
    hs_profile_free(&b);
}

static void test_gate_unit_must_suit_profile(void **state)
{
    hs_profile b, a;
    hs_diff d;
    make_pair(&b, &a, &d, HS_SORT_FLAT);
    hs_gate g;
    hs_gate_result r;
    hs_error e;
    assert_int_equal(hs_gate_parse("total>+5ms", NULL, 0, &g, &e), 0);
    assert_int_equal(hs_gate_eval(&g, &d, "bytes", &r, &e), -1);
    assert_non_null(strstr(e.msg, "'bytes'"));
    assert_int_equal(hs_gate_parse("total>+5MiB", NULL, 0, &g, &e), 0);
    assert_int_equal(hs_gate_eval(&g, &d, "count", &r, &e), -1);
    assert_int_equal(hs_gate_parse("total>+5", NULL, 0, &g, &e), 0); /* no unit: raw values */
    assert_int_equal(hs_gate_eval(&g, &d, "bytes", &r, &e), 0);
    assert_true(r.tripped);
    hs_diff_free(&d);
    hs_profile_free(&a);
    hs_profile_free(&b);
}

static void test_percent_of_empty_before(void **state)
{
    hs_diff d;
    memset(&d, 0, sizeof d);
    d.total_before = 0;
    d.total_after = 10;
    hs_gate g;
    hs_gate_result r;
    hs_error e;
    assert_int_equal(hs_gate_parse("total>+1000%", NULL, 0, &g, &e), 0);
    assert_int_equal(hs_gate_eval(&g, &d, "bytes", &r, &e), 0);
    assert_true(r.tripped);
    assert_true(isinf(r.measured));
}

/* Heap diffs name a column; the caller supplies the numbers. */
static void test_gate_columns(void **state)
{
    (void)state;
    static const char *const cols[] = {"size", "count", "retained"};
    hs_gate g;
    hs_gate_result r;
    hs_error e;
    char det[256];
    assert_int_equal(hs_gate_parse("any.retained>+1MiB", cols, 3, &g, &e), 0);
    assert_int_equal(g.subject, HS_GATE_ANY);
    assert_int_equal(g.column, 2);
    assert_string_equal(g.column_name, "retained");
    assert_true(g.value == 1048576.0);
    assert_int_equal(hs_gate_parse("total>+10%", cols, 3, &g, &e), 0); /* size by default */
    assert_int_equal(g.column, 0);
    assert_string_equal(g.column_name, "size");
    assert_int_equal(hs_gate_parse("total.count<=5", cols, 3, &g, &e), 0);
    assert_int_equal(g.column, 1);
    assert_int_equal(g.kind, HS_GATE_LEVEL);
    assert_int_equal(hs_gate_parse("total.bogus>1", cols, 3, &g, &e), -1);
    assert_non_null(strstr(e.msg, "total.bogus>1"));
    assert_int_equal(hs_gate_parse("any.size>1", NULL, 0, &g, &e), -1); /* profiles: no columns */
    assert_non_null(strstr(e.msg, "any.size>1"));
    /* any: entry b grows by 3 (1 -> 4), a by 1 (5 -> 6). */
    assert_int_equal(hs_gate_parse("any.count>=+2", cols, 3, &g, &e), 0);
    hs_gate_start(&r);
    hs_gate_entry(&g, "a", 5, 6, 10, &r);
    hs_gate_entry(&g, "b", 1, 4, 10, &r);
    assert_true(r.tripped);
    assert_string_equal(r.entry, "b");
    hs_render_gate_detail(det, sizeof det, &g, &r, "count");
    assert_string_equal(det, "entry b: count changed by +3 (1 -> 4)");
    /* total: 2048 -> 1024 bytes is -50% of BEFORE. */
    assert_int_equal(hs_gate_parse("total.retained<-40%", cols, 3, &g, &e), 0);
    hs_gate_total(&g, 2048, 1024, &r);
    assert_true(r.tripped);
    hs_render_gate_detail(det, sizeof det, &g, &r, "bytes");
    assert_string_equal(det, "total retained changed by -50.00% (2KiB -> 1KiB)");
    assert_int_equal(hs_gate_parse("total.count>+1KiB", cols, 3, &g, &e), 0);
    assert_int_equal(hs_gate_check_unit(&g, "count", &e), -1);
    assert_non_null(strstr(e.msg, "count column holds a plain number"));
}

static void test_size_parse(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(hs_size_parse("10MiB", &v), 0);
    assert_int_equal(v, 10u << 20);
    assert_int_equal(hs_size_parse("1.5 KB", &v), 0);
    assert_int_equal(v, 1536);
    assert_int_equal(hs_size_parse("2G", &v), 0);
    assert_int_equal(v, 2ull << 30);
    assert_int_equal(hs_size_parse(" 3 kib", &v), 0);
    assert_int_equal(v, 3072);
    assert_int_equal(hs_size_parse("1TB", &v), 0);
    assert_int_equal(v, 1ull << 40);
    assert_int_equal(hs_size_parse("64", &v), 0);
    assert_int_equal(v, 64);
    const char *bad[] = {"12Q", "-1", "+1", "5ms", "", "KiB", "1e30GiB"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (hs_size_parse(bad[i], &v) != -1) fail_msg("'%s' parsed", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_by_flat),
        cmocka_unit_test(test_diff_by_cum_ties_by_name),
        cmocka_unit_test(test_gate_parse_forms),
        cmocka_unit_test(test_gate_parse_errors),
        cmocka_unit_test(test_gate_eval_and_details),
        cmocka_unit_test(test_gate_unit_must_suit_profile),
        cmocka_unit_test(test_percent_of_empty_before),
        cmocka_unit_test(test_gate_columns),
        cmocka_unit_test(test_size_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
