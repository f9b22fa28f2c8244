/* Retained memory of goroutine groups (src/analysis/gr_retained.c) on a
 * hand-built heap whose answer is known by construction: goroutines 1 and
 * 2 form one group (same state and stack), goroutine 3 another; an object
 * only 1 reaches and one that 1 and 2 share count for their group; one that
 * 1 and 3 share, or 3 and a global, for neither group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/goroutine_analysis.h"
#include "heapscan/heap.h"
#include "model/heap_build.h"

static uint32_t stack_root(hs_heap *h, const char *label, const uint64_t *ptrs, int n)
{
    hs_error e;
    uint32_t r = hs_heap_add_root(h, HS_ROOT_STACK, hs_heap_intern(h, label, strlen(label)));
    for (int i = 0; i < n; i++)
        assert_int_equal(hs_heap_add_root_ref(h, r, ptrs[i], &e), 0);
    return r;
}

static void add_g(hs_goroutines *m, uint64_t id, const char *fn, uint32_t root)
{
    uint32_t state = hs_strtab_intern(&m->strings, "chan receive", 12);
    hs_goroutine g = {.id = id, .count = 1, .state = state, .created_by = {HS_STR_NONE, 0, 0}};
    uint32_t i = hs_goroutines_add(m, &g);
    assert_int_not_equal(i, HS_NONE_GR);
    hs_gr_frame f = {hs_strtab_intern(&m->strings, fn, strlen(fn)),
                     hs_strtab_intern(&m->strings, "main.go", 7), 10};
    assert_int_equal(hs_goroutines_add_frame(m, f), 0);
    assert_int_equal(hs_goroutines_add_root(m, i, root), 0);
}

static uint64_t retained_of(const hs_gr_report *r, const char *fn)
{
    for (uint32_t g = 0; g < r->n_groups; g++)
        if (strcmp(hs_strtab_get(&r->strings, r->groups[g].function), fn) == 0)
            return r->retained[g];
    fail_msg("no group %s", fn);
    return 0;
}

static void test_group_retained(void **state)
{
    (void)state;
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    /* A only g1; S g1 and g2; T g1 and g3; G g3 and a global; B only g3. */
    const uint64_t A = 0x1000, S = 0x2000, T = 0x3000, G = 0x4000, B = 0x5000, C = 0x6000;
    uint64_t sizes[] = {100, 1000, 500, 50, 7, 30};
    for (int i = 0; i < 6; i++)
        assert_int_equal(hs_heap_add_object(&h, 0x1000 * (uint64_t)(i + 1), sizes[i], HS_NONE,
                                            HS_NONE, 0, &e),
                         0);
    assert_int_equal(hs_heap_index(&h, &e), 0);
    assert_int_equal(hs_heap_add_ref(&h, 0, C, &e), 0); /* A -> C: C only through g1 */
    uint32_t global = hs_heap_add_root(&h, HS_ROOT_GLOBAL, hs_heap_intern(&h, "main.g", 6));
    assert_int_equal(hs_heap_add_root_ref(&h, global, G, &e), 0);
    const uint64_t p1[] = {A, S, T}, p2[] = {S}, p3[] = {T, G, B, B};
    uint32_t r1 = stack_root(&h, "goroutine 1", p1, 3), r2 = stack_root(&h, "goroutine 2", p2, 1);
    uint32_t r3 = stack_root(&h, "goroutine 3", p3, 4);
    assert_int_equal(hs_heap_finish(&h, &e), 0);

    hs_goroutines m;
    hs_goroutines_init(&m, "go-core");
    add_g(&m, 1, "main.worker", r1);
    add_g(&m, 2, "main.worker", r2);
    add_g(&m, 3, "main.other", r3);
    const hs_goroutines *snaps[] = {&m};
    hs_gr_options o = {0};
    hs_gr_report r;
    assert_int_equal(hs_gr_report_build(snaps, 1, &o, &r, &e), 0);
    assert_int_equal(r.n_groups, 2);
    assert_int_equal(hs_gr_report_add_retained(&r, 0, &h, &m, &e), 0);
    assert_int_equal(retained_of(&r, "main.worker"), 100 + 1000 + 30);
    assert_int_equal(retained_of(&r, "main.other"), 7);
    hs_gr_report_free(&r);
    hs_goroutines_free(&m);
    hs_heap_free(&h);
}

/* A goroutine model without stack roots (a dump): every group retains 0. */
static void test_no_roots(void **state)
{
    (void)state;
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    assert_int_equal(hs_heap_index(&h, &e), 0);
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    hs_goroutines m;
    hs_goroutines_init(&m, "go-goroutine-dump");
    hs_goroutine g = {.id = 1, .count = 1, .created_by = {HS_STR_NONE, 0, 0}};
    g.state = hs_strtab_intern(&m.strings, "select", 6);
    assert_int_not_equal(hs_goroutines_add(&m, &g), HS_NONE_GR);
    const hs_goroutines *snaps[] = {&m};
    hs_gr_options o = {0};
    hs_gr_report r;
    assert_int_equal(hs_gr_report_build(snaps, 1, &o, &r, &e), 0);
    assert_int_equal(hs_gr_report_add_retained(&r, 0, &h, &m, &e), 0);
    assert_int_equal(r.retained[0], 0);
    hs_gr_report_free(&r);
    hs_goroutines_free(&m);
    hs_heap_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_retained),
        cmocka_unit_test(test_no_roots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
