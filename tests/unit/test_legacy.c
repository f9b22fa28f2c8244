/* The legacy formats pprof reads (formats/legacycpu.c, threadz.c,
 * javaprof.c, contention.c through gotext.c), built here byte by byte and
 * checked against their construction: the word layouts and pprof's
 * clean-ups of CPU records, edge cases the e2e fixtures do not reach
 * (records without a trailer, an empty stack, the address 2^64-1, a thread
 * profile without a memory map, a contention profile without cycles/second,
 * Go's mutex attributes), and one error per kind of damage with its offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/reader.h"

static int load(const void *data, size_t size, hs_model *m, hs_error *e)
{
    hs_error_clear(e);
    return hs_load_memory("t", data, size, NULL, m, e);
}

/* 64-bit little-endian words. */
static size_t put64(uint8_t *b, const uint64_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 8; k++)
            b[i * 8 + k] = (uint8_t)(w[i] >> (8 * k));
    return n * 8;
}

/* Sum of value column t over samples whose leaf is at address addr. */
static int64_t leaf_sum(const hs_profile *p, uint32_t t, uint64_t addr)
{
    int64_t s = 0;
    for (uint32_t i = 0; i < p->n_samples; i++) {
        const hs_sample *x = &p->samples[i];
        if (x->n_stack && p->locations[p->stacks[x->stack_start]].address == addr)
            s += p->values[(size_t)i * p->n_sample_types + t];
    }
    return s;
}

static void test_cpu_without_trailer(void **state)
{
    (void)state;
    /* header (period 1000 us); a record with an empty stack; one whose leaf
     * is 2^64-1 and whose caller 0x2001 is adjusted to 0x2000; no trailer */
    const uint64_t w[] = {0, 3, 0, 1000, 0, 5, 0, 2, 2, UINT64_MAX, 0x2001};
    uint8_t b[sizeof w];
    hs_model m;
    hs_error e;
    assert_int_equal(load(b, put64(b, w, 11), &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_string_equal(p->format, "legacy-cpu");
    assert_int_equal(p->period, 1000000);
    assert_int_equal(p->n_samples, 2);
    assert_int_equal(p->samples[0].n_stack, 0);
    assert_int_equal(p->values[0], 5);
    assert_int_equal(p->values[1], 5000000);
    assert_int_equal(leaf_sum(p, 0, UINT64_MAX), 2);
    assert_int_equal(p->locations[p->stacks[p->samples[1].stack_start + 1]].address, 0x2000);
    hs_model_free(&m);
}

static void test_cpu_handler_frames(void **state)
{
    (void)state;
    /* 34 records of [leaf, 0x9001 (the handler), 0x5001]: 0x9000 is second
     * in all of them (at least 34 - 34/32), so it goes; pprof looks again and
     * 0x5000 is now second in all, so it goes too: each keeps its leaf. */
    uint64_t w[5 + 34 * 5 + 3] = {0, 3, 0, 100, 0};
    size_t n = 5;
    for (int i = 0; i < 34; i++) {
        const uint64_t r[] = {1, 3, 0x1000 + (uint64_t)i * 16, 0x9001, 0x5001};
        memcpy(w + n, r, sizeof r);
        n += 5;
    }
    w[n++] = 0, w[n++] = 1, w[n++] = 0;
    static uint8_t b[sizeof w];
    hs_model m;
    hs_error e;
    assert_int_equal(load(b, put64(b, w, n), &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_int_equal(p->n_samples, 34);
    for (uint32_t i = 0; i < p->n_samples; i++)
        assert_int_equal(p->samples[i].n_stack, 1);
    hs_model_free(&m);
}

static void test_cpu_errors(void **state)
{
    (void)state;
    hs_model m;
    hs_error e;
    const uint64_t deep[] = {0, 3, 0, 100, 0, 1, 1000, 0x1};
    uint8_t b[sizeof deep];
    assert_int_not_equal(load(b, put64(b, deep, 8), &m, &e), 0);
    assert_int_equal(e.offset, 48); /* the depth word */
    assert_non_null(strstr(e.msg, "stack depth 1000 runs past the end"));
    assert_int_not_equal(load(b, put64(b, deep, 5) + 4, &m, &e), 0);
    assert_int_equal(e.offset, 40);
    assert_non_null(strstr(e.msg, "record cut short"));
}

static void test_threadz_without_map(void **state)
{
    (void)state;
    static const char t[] = "--- Thread 7f00 (name: a/b/12) stack: ---\n"
                            "  PC: 0x1000: leaf\n"
                            "  0x2001: caller 0xabc\n"
                            "--- Thread 7f01 (name: w/13) stack: ---\n"
                            "  [same as previous thread]\n";
    hs_model m;
    hs_error e;
    assert_int_equal(load(t, sizeof t - 1, &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_string_equal(p->format, "threadz");
    assert_int_equal(p->n_samples, 1);
    assert_int_equal(p->values[0], 2);
    assert_int_equal(p->samples[0].n_stack, 3); /* 0x1000, 0x2000, 0xabb */
    assert_int_equal(p->locations[p->stacks[2]].address, 0xabb);
    hs_model_free(&m);
}

static void test_contention(void **state)
{
    (void)state;
    /* no cycles/second: the delay stays as written, times the period */
    static const char c[] = "--- contentionz 1 ---\n"
                            "sampling period = 10\n"
                            "\n"
                            "# a comment\n"
                            "  70 3 @ 0x1001 0x2001\n";
    hs_model m;
    hs_error e;
    assert_int_equal(load(c, sizeof c - 1, &m, &e), 0);
    assert_string_equal(m.profile.format, "contention-text");
    assert_int_equal(m.profile.values[0], 30);
    assert_int_equal(m.profile.values[1], 70);
    hs_model_free(&m);
    /* Go's mutex profile: cycles/second 2e9, sampling period 5 */
    static const char g[] = "--- mutex:\ncycles/second=2000000000\nsampling period=5\n"
                            "4000 2 @ 0x1001\n#\t0x1000\tmain.f+0x10\t/m.go:3\n";
    assert_int_equal(load(g, sizeof g - 1, &m, &e), 0);
    assert_string_equal(m.profile.format, "go-text");
    assert_int_equal(m.profile.values[0], 10);
    assert_int_equal(m.profile.values[1], 10000); /* 4000 * 5 / 2 */
    hs_model_free(&m);
    static const char bad[] = "--- mutex:\ncycles/second=2000000000\nwhat = 3\n4000 2 @ 0x1001\n";
    assert_int_not_equal(load(bad, sizeof bad - 1, &m, &e), 0);
    assert_int_equal(e.offset, 36);
    assert_non_null(strstr(e.msg, "line 3: malformed contention attribute"));
}

static void test_java(void **state)
{
    (void)state;
    static const char h[] = "--- heapz 1 ---\nformat = java\nresolution = bytes\n"
                            "  100 0 @ 0x1\n";
    hs_model m;
    hs_error e;
    assert_int_not_equal(load(h, sizeof h - 1, &m, &e), 0);
    assert_non_null(strstr(e.msg, "line 4: heap record with a count of 0"));
    static const char c[] = "--- contentionz 1 ---\nformat = java\nresolution = microseconds\n"
                            "  7 1 @ 0x1 0x2\n\n 0x1 a.B.c (B.java:3)\n 0x2 GC\n 0x9 unused\n";
    assert_int_equal(load(c, sizeof c - 1, &m, &e), 0);
    const hs_profile *p = &m.profile;
    assert_string_equal(p->format, "java-contention");
    assert_int_equal(p->n_functions, 2); /* only the ids in use, as pprof */
    assert_string_equal(hs_profile_str(p, p->sample_types[1].unit), "microseconds");
    assert_int_equal(p->locations[p->stacks[0]].address, 0);
    hs_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_without_trailer), cmocka_unit_test(test_cpu_handler_frames),
        cmocka_unit_test(test_cpu_errors),          cmocka_unit_test(test_threadz_without_map),
        cmocka_unit_test(test_contention),          cmocka_unit_test(test_java),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
