/* The trend rules of analysis.h on series built by hand: classes at their
 * boundaries (every step up, the 5% tolerance, absent = 0 at either end),
 * least-squares slopes worked out on paper, time ordering with ties and
 * without times, skipped snapshots, sorting, and the trend gates. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/analysis.h"

typedef struct series {
    const char *name;
    int64_t v[4];
} series;

/* A trend of n inputs from rows (values by input), totals and times. */
static void build(hs_trend *t, uint32_t n, const series *rows, uint32_t n_rows,
                  const int64_t *times)
{
    hs_error err;
    assert_int_equal(hs_trend_init(t, n, &err), 0);
    for (uint32_t i = 0; i < n; i++) {
        int64_t total = 0;
        for (uint32_t r = 0; r < n_rows; r++) {
            if (rows[r].v[i]) assert_int_equal(hs_trend_add(t, i, rows[r].name, rows[r].v[i], &err), 0);
            total += rows[r].v[i];
        }
        hs_trend_set_snapshot(t, i, total, times ? times[i] : 0);
    }
}

static const hs_trend_row *row(const hs_trend *t, const char *name)
{
    for (uint32_t i = 0; i < t->n_rows; i++)
        if (strcmp(t->rows[i].name, name) == 0) return &t->rows[i];
    return NULL;
}

static void test_classes(void **state)
{
    (void)state;
    static const series rows[] = {
        {"up", {10, 20, 30, 40}},        /* grows */
        {"flat_step", {10, 20, 20, 40}}, /* not every step: rises */
        {"late", {0, 0, 5, 9}},          /* up from absent, but not every step: new */
        {"from0", {0, 1, 2, 3}},         /* up at every step from absent: grows */
        {"end0", {5, 6, 7, 0}},          /* gone */
        {"in5", {100, 90, 110, 105}},    /* +5 = 5% of 110 (4.5%): steady */
        {"out5", {100, 90, 110, 106}},   /* +6 > 5.5: rises */
        {"down", {100, 80, 60, 50}},     /* falls */
        {"zero", {0, 0, 0, 0}},          /* never present: no row */
    };
    hs_trend t;
    hs_error err;
    build(&t, 4, rows, 9, NULL);
    assert_int_equal(hs_trend_finish(&t, &err), 0);
    assert_int_equal(t.n_rows, 8);
    assert_null(row(&t, "zero"));
    assert_int_equal(row(&t, "up")->cls, HS_TREND_GROWS);
    assert_int_equal(row(&t, "flat_step")->cls, HS_TREND_RISES);
    assert_int_equal(row(&t, "late")->cls, HS_TREND_NEW);
    assert_int_equal(row(&t, "from0")->cls, HS_TREND_GROWS);
    assert_int_equal(row(&t, "end0")->cls, HS_TREND_GONE);
    assert_int_equal(row(&t, "in5")->cls, HS_TREND_STEADY);
    assert_int_equal(row(&t, "out5")->cls, HS_TREND_RISES);
    assert_int_equal(row(&t, "down")->cls, HS_TREND_FALLS);
    /* slope of 10,20,30,40 over 0..3 is 10; of 100,80,60,50 is -17 (by hand:
     * sum (i-1.5)(v-72.5) = -85, sum (i-1.5)^2 = 5) */
    assert_true(fabs(row(&t, "up")->slope_per_snapshot - 10) < 1e-9);
    assert_true(fabs(row(&t, "down")->slope_per_snapshot + 17) < 1e-9);
    /* sorted by class, then slope: up (10) before from0 (1.0) */
    assert_string_equal(t.rows[0].name, "up");
    assert_string_equal(t.rows[1].name, "from0");
    assert_int_equal(t.rows[t.n_rows - 1].cls, HS_TREND_GONE);
    assert_int_equal(t.n_class[HS_TREND_GROWS], 2);
    assert_false(t.has_times);
    hs_trend_free(&t);
}

static void test_time_order_and_hours(void **state)
{
    (void)state;
    /* inputs given as t=2h, t=0, t=1h (tie-free), values 30, 10, 20 */
    static const series rows[] = {{"x", {30, 10, 20}}};
    const int64_t h = 3600LL * 1000000000LL;
    const int64_t times[] = {1000 + 2 * h, 1000, 1000 + h};
    hs_trend t;
    hs_error err;
    build(&t, 3, rows, 1, times);
    assert_int_equal(hs_trend_finish(&t, &err), 0);
    assert_true(t.has_times);
    assert_int_equal(t.input_of[0], 1);
    assert_int_equal(t.input_of[1], 2);
    assert_int_equal(t.input_of[2], 0);
    assert_int_equal(t.rows[0].values[0], 10);
    assert_int_equal(t.rows[0].values[2], 30);
    assert_int_equal(t.times[0], 1000);
    assert_int_equal(t.rows[0].cls, HS_TREND_GROWS);
    assert_true(fabs(t.rows[0].slope_per_hour - 10) < 1e-9);
    assert_true(fabs(t.total.slope_per_hour - 10) < 1e-9);

    /* one snapshot without a time: argument order, no per-hour slope */
    hs_trend u;
    const int64_t some[] = {1000 + 2 * h, 0, 1000 + h};
    build(&u, 3, rows, 1, some);
    assert_int_equal(hs_trend_finish(&u, &err), 0);
    assert_false(u.has_times);
    assert_int_equal(u.input_of[0], 0);
    assert_int_equal(u.rows[0].values[0], 30);
    hs_trend_free(&t);
    hs_trend_free(&u);
}

static void test_skip_and_too_few(void **state)
{
    (void)state;
    static const series rows[] = {{"x", {1, 99, 3}}};
    hs_trend t;
    hs_error err;
    build(&t, 3, rows, 1, NULL);
    hs_trend_skip(&t, 1);
    assert_int_equal(hs_trend_finish(&t, &err), 0);
    assert_int_equal(t.n_snapshots, 2);
    assert_int_equal(t.rows[0].values[1], 3);
    hs_trend_free(&t);
    build(&t, 3, rows, 1, NULL);
    hs_trend_skip(&t, 0);
    hs_trend_skip(&t, 2);
    assert_int_equal(hs_trend_finish(&t, &err), -1);
    assert_non_null(strstr(err.msg, "at least 2"));
    hs_trend_free(&t);
}

static void test_gates(void **state)
{
    (void)state;
    static const series rows[] = {{"leak", {0, 1048576, 2097152}}, {"flat", {5, 5, 5}}};
    const int64_t h = 3600LL * 1000000000LL;
    const int64_t times[] = {h, 2 * h, 3 * h}; /* 1 MiB per hour */
    hs_trend t;
    hs_error err;
    hs_gate g;
    hs_gate_result r;
    build(&t, 3, rows, 2, times);
    assert_int_equal(hs_trend_finish(&t, &err), 0);
    struct {
        const char *expr;
        int tripped;
    } cases[] = {
        {"grows>0", 1},          {"grows>1", 0},
        {"steady>=1", 1},        {"slope>+1MiB/h", 0},
        {"slope>=1MiB/h", 1},    {"slope>1000KiB/h", 1},
        {"slope>18KiB/min", 0}, {"slope>17KiB/min", 1},  {"slope>1MiB/snapshot", 0},
        {"slope>=1MiB", 1},      {"total.slope>=1MiB/h", 1},
        {"total>+1MiB", 1},      {"any>+3MiB", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(hs_gate_parse_trend(cases[i].expr, &g, &err), 0);
        assert_int_equal(hs_gate_eval_trend(&g, &t, "bytes", &r, &err), 0);
        if (r.tripped != cases[i].tripped) fail_msg("%s: tripped %d", cases[i].expr, r.tripped);
    }
    assert_int_equal(hs_gate_parse_trend("grows>1KiB", &g, &err), -1);
    assert_int_equal(hs_gate_parse_trend("slope>1%", &g, &err), -1);
    assert_int_equal(hs_gate_parse_trend("slope>1MiB/week", &g, &err), -1);
    assert_int_equal(hs_gate_parse_trend("shrinks>0", &g, &err), -1);
    assert_int_equal(hs_gate_parse_trend("slope>1ms/h", &g, &err), 0);
    assert_int_equal(hs_gate_eval_trend(&g, &t, "bytes", &r, &err), -1); /* time vs bytes */
    hs_trend_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_time_order_and_hours),
        cmocka_unit_test(test_skip_and_too_few),
        cmocka_unit_test(test_gates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
