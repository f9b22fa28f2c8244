/* Heap analyses on a hand-built heap whose numbers are known by construction:
 * grouping by type, site, root and object (count, shallow size, and group
 * retained size under the "members not dominated by another member" rule),
 * shortest paths from roots and the count of roots reaching an object,
 * leak roots (including a garbage cycle), and the diff of two groupings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/heap.h"
#include "heapscan/heap_analysis.h"
#include "fixture_heap.h"

/*   root main.a -> A(100,T,makeA) -> B(50,T) -> A (cycle)
 *                                 -> C(30,U,makeC) -> F
 *   roots main.g1, main.g2 -> F(40,T)
 *   unreachable: D(20) -> E(10,T);  G(8) <-> H(8) (a garbage cycle)
 * variant 1 drops C and adds W(500,V) under main.a. */
static void build(hs_heap *h, int variant)
{
    fixture_heap_build(h, "test", variant, FIXTURE_HEAP_SITE_C);
}

static const hs_group_row *row(const hs_groups *g, const char *name)
{
    for (uint32_t i = 0; i < g->n_rows; i++)
        if (strcmp(hs_strtab_get(&g->names, g->rows[i].name), name) == 0) return &g->rows[i];
    fail_msg("no row '%s'", name);
    return NULL;
}

static void check_row(const hs_groups *g, const char *name, uint64_t count, uint64_t size,
                      uint64_t retained)
{
    const hs_group_row *r = row(g, name);
    if (r->count != count || r->size != size || r->retained != retained)
        fail_msg("%s: count %llu size %llu retained %llu, want %llu %llu %llu", name,
                 (unsigned long long)r->count, (unsigned long long)r->size,
                 (unsigned long long)r->retained, (unsigned long long)count,
                 (unsigned long long)size, (unsigned long long)retained);
}

static void test_group_by_type(void **state)
{
    hs_heap h;
    hs_dom d;
    hs_groups g;
    hs_error e;
    build(&h, 0);
    assert_int_equal(hs_dom_build(&h, &d, &e), 0);
    assert_int_equal(hs_group_compute(&h, &d, HS_GROUP_TYPE, NULL, &g, &e), 0);
    /* T: A, B, E, F. A retains A+B+C+? (F is shared by the globals) = 180;
     * B is under A (same group) so not added; F retained by no one = 40. */
    check_row(&g, "T", 4, 200, 220);
    check_row(&g, "U", 1, 30, 30);
    check_row(&g, "unknown 20B", 1, 20, 0);
    check_row(&g, "unknown 8B", 2, 16, 0);
    assert_int_equal(g.n_rows, 4);
    assert_int_equal(g.total_count, 8);
    assert_int_equal(g.total_size, 266);
    assert_int_equal(g.total_retained, 220);
    assert_string_equal(hs_strtab_get(&g.names, g.rows[0].name), "T"); /* sorted by retained */
    hs_group_sort_rows(&g, HS_SORT_COUNT);
    assert_string_equal(hs_strtab_get(&g.names, g.rows[0].name), "T");
    assert_string_equal(hs_strtab_get(&g.names, g.rows[1].name), "unknown 8B");
    hs_group_free(&g);
    hs_dom_free(&d);
    hs_heap_free(&h);
}

static void test_group_by_site_root_object(void **state)
{
    hs_heap h;
    hs_dom d;
    hs_groups g;
    hs_error e;
    build(&h, 0);
    assert_int_equal(hs_dom_build(&h, &d, &e), 0);
    assert_int_equal(hs_group_compute(&h, &d, HS_GROUP_SITE, NULL, &g, &e), 0);
    check_row(&g, "main.makeA", 1, 100, 180); /* file:line stripped */
    check_row(&g, "main.makeC", 1, 30, 30);   /* innermost frame */
    check_row(&g, "unknown 50B", 1, 50, 50);  /* B's own retained, not under a 50B member */
    check_row(&g, "unknown 40B", 1, 40, 40);
    hs_group_free(&g);

    assert_int_equal(hs_group_compute(&h, &d, HS_GROUP_ROOT, NULL, &g, &e), 0);
    check_row(&g, "main.a", 3, 100, 180); /* dominates A, B, C; points at A */
    check_row(&g, "main.g1", 0, 40, 0);
    check_row(&g, "main.g2", 0, 40, 0);
    assert_int_equal(g.n_rows, 3);
    hs_group_free(&g);

    assert_int_equal(hs_group_compute(&h, &d, HS_GROUP_OBJECT, NULL, &g, &e), 0);
    assert_int_equal(g.n_rows, 8);
    assert_int_equal(g.rows[0].object, 0); /* A retains most */
    assert_int_equal(g.rows[0].retained, 180);
    assert_string_equal(hs_strtab_get(&g.names, g.rows[0].name), "T");
    hs_group_free(&g);

    /* Top-k selection agrees with sorting every object row. */
    for (int sort = 0; sort < 3; sort++) {
        hs_groups all, top;
        assert_int_equal(hs_group_compute(&h, &d, HS_GROUP_OBJECT, NULL, &all, &e), 0);
        hs_group_sort_rows(&all, (hs_group_sort)sort);
        for (uint32_t k = 1; k <= 9; k++) {
            assert_int_equal(hs_group_top_objects(&h, &d, NULL, (hs_group_sort)sort, k, &top, &e),
                             0);
            assert_int_equal(top.n_rows, k < 8 ? k : 8);
            assert_int_equal(top.total_count, 8);
            for (uint32_t i = 0; i < top.n_rows; i++)
                assert_int_equal(top.rows[i].object, all.rows[i].object);
            hs_group_free(&top);
        }
        hs_group_free(&all);
    }

    char buf[64];
    assert_string_equal(hs_group_object_name(&h, 2, HS_GROUP_SITE, buf, sizeof buf), "main.makeC");
    assert_string_equal(hs_group_object_name(&h, 3, HS_GROUP_TYPE, buf, sizeof buf), "unknown 20B");
    hs_dom_free(&d);
    hs_heap_free(&h);
}

static void test_group_without_dom_and_filter(void **state)
{
    hs_heap h;
    hs_reach r;
    hs_groups g;
    hs_error e;
    build(&h, 0);
    assert_int_equal(hs_reach_compute(&h, &r, &e), 0);
    assert_int_equal(r.live_count, 4);
    assert_int_equal(r.live_size, 220);
    assert_int_equal(r.dead_count, 4);
    assert_int_equal(r.dead_size, 46);
    uint8_t dead[8];
    for (int i = 0; i < 8; i++)
        dead[i] = !r.live[i];
    assert_int_equal(hs_group_compute(&h, NULL, HS_GROUP_TYPE, dead, &g, &e), 0);
    check_row(&g, "T", 1, 10, 0);
    check_row(&g, "unknown 20B", 1, 20, 0);
    check_row(&g, "unknown 8B", 2, 16, 0);
    assert_int_equal(g.total_count, 4);
    assert_int_equal(g.total_size, 46);
    hs_group_free(&g);
    hs_reach_free(&r);
    hs_heap_free(&h);
}

static void test_leak_roots(void **state)
{
    hs_heap h;
    hs_reach r;
    hs_error e;
    build(&h, 0);
    assert_int_equal(hs_reach_compute(&h, &r, &e), 0);
    uint32_t *lr, n, pure;
    assert_int_equal(hs_reach_leak_roots(&h, &r, &lr, &n, &pure, &e), 0);
    assert_int_equal(pure, 1);
    assert_int_equal(n, 2);
    assert_int_equal(lr[0], 3); /* D: nothing unreachable points at it */
    assert_int_equal(lr[1], 6); /* G: lowest address of the G<->H cycle */
    hs_dom d;
    assert_int_equal(hs_dom_build_with(&h, lr, n, &d, &e), 0);
    assert_int_equal(d.retained[hs_dom_vertex_of_root(&d, 3)], 30); /* D + E */
    assert_int_equal(d.retained[hs_dom_vertex_of_root(&d, 4)], 16); /* G + H */
    assert_int_equal(d.retained[hs_dom_vertex_of_root(&d, 0)], 180);
    uint8_t dead[8];
    for (int i = 0; i < 8; i++)
        dead[i] = !r.live[i];
    hs_groups g;
    assert_int_equal(hs_group_compute(&h, &d, HS_GROUP_TYPE, dead, &g, &e), 0);
    check_row(&g, "unknown 20B", 1, 20, 30);
    check_row(&g, "T", 1, 10, 10); /* E is under D, another group: T still counts it */
    hs_group_free(&g);
    hs_dom_free(&d);
    free(lr);
    hs_reach_free(&r);
    hs_heap_free(&h);
}

static void test_paths(void **state)
{
    hs_heap h;
    hs_path p;
    hs_error e;
    build(&h, 0);
    uint32_t base = 1 + h.n_roots;
    assert_int_equal(hs_path_find(&h, 1, &p, &e), 0); /* B */
    assert_int_equal(p.root, 0);
    assert_int_equal(p.n_roots_reaching, 1);
    assert_int_equal(p.n_hops, 3);
    assert_int_equal(p.hops[0], 1);
    assert_int_equal(p.hops[1], base + 0);
    assert_int_equal(p.hops[2], base + 1);
    hs_path_free(&p);
    assert_int_equal(hs_path_find(&h, 5, &p, &e), 0); /* F: three roots (main.a via A, C) */
    assert_int_equal(p.n_roots_reaching, 3);
    assert_int_equal(p.n_hops, 2);
    assert_int_equal(p.root, 1);
    hs_path_free(&p);
    assert_int_equal(hs_path_find(&h, 4, &p, &e), 0); /* E: unreachable */
    assert_int_equal(p.root, HS_NONE);
    assert_int_equal(p.n_roots_reaching, 0);
    assert_int_equal(p.n_hops, 0);
    hs_path_free(&p);
    assert_int_equal(hs_path_find(&h, 99, &p, &e), -1);
    hs_heap_free(&h);
}

static void test_diff(void **state)
{
    hs_heap h0, h1;
    hs_dom d0, d1;
    hs_groups g0, g1;
    hs_group_diff df;
    hs_error e;
    build(&h0, 0);
    build(&h1, 1);
    assert_int_equal(hs_dom_build(&h0, &d0, &e), 0);
    assert_int_equal(hs_dom_build(&h1, &d1, &e), 0);
    assert_int_equal(hs_group_compute(&h0, &d0, HS_GROUP_TYPE, NULL, &g0, &e), 0);
    assert_int_equal(hs_group_compute(&h1, &d1, HS_GROUP_TYPE, NULL, &g1, &e), 0);
    assert_int_equal(hs_group_diff_compute(&g0, &g1, HS_SORT_SIZE, &df, &e), 0);
    /* V appears (+500), U vanishes (-30); T loses nothing in size; F is now
     * unreferenced by C, still held by the globals. */
    const hs_group_diff_row *r = &df.rows[0];
    assert_string_equal(hs_strtab_get(&df.names, r->name), "V");
    assert_true(r->is_new);
    assert_int_equal(r->size.delta, 500);
    assert_int_equal(r->count.delta, 1);
    r = &df.rows[1];
    assert_string_equal(hs_strtab_get(&df.names, r->name), "U");
    assert_true(r->is_gone);
    assert_int_equal(r->size.delta, -30);
    assert_int_equal(r->retained.before, 30);
    assert_int_equal(r->retained.after, 0);
    assert_int_equal(df.total_size.before, 266);
    assert_int_equal(df.total_size.after, 736);
    assert_int_equal(df.total_size.delta, 470);
    assert_int_equal(df.n_rows, 5);
    hs_group_diff_free(&df);
    hs_group_free(&g0), hs_group_free(&g1);
    hs_dom_free(&d0), hs_dom_free(&d1);
    hs_heap_free(&h0), hs_heap_free(&h1);
}

/* Group retained sizes against a naive rule check on random heaps: a member
 * counts when no strict dominator (walked up idom) is a member of its group.
 * Sizes are spread wide so "unknown NB" names share slots of the size cache;
 * some sites have no frames, some objects no type or site; some runs filter. */
static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rn(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void check_groups_naive(const hs_heap *h, const hs_dom *d, hs_group_by by,
                               const uint8_t *only)
{
    hs_groups g;
    hs_error e;
    char a[64], b[64];
    assert_int_equal(hs_group_compute(h, d, by, only, &g, &e), 0);
    for (uint32_t r = 0; r < g.n_rows; r++) {
        const char *name = hs_strtab_get(&g.names, g.rows[r].name);
        uint64_t want = 0, count = 0;
        for (uint32_t i = 0; i < h->n_objects; i++) {
            if ((only && !only[i]) || strcmp(hs_group_object_name(h, i, by, a, sizeof a), name))
                continue;
            count++;
            uint32_t v = hs_dom_vertex_of_object(d, i), u = d->idom[v];
            if (u == HS_NONE) continue; /* unreached */
            for (; u != 0; u = d->idom[u])
                if (hs_dom_is_object(d, u) && (!only || only[hs_dom_object_of(d, u)]) &&
                    !strcmp(hs_group_object_name(h, hs_dom_object_of(d, u), by, b, sizeof b), name))
                    break;
            if (u == 0) want += d->retained[v];
        }
        if (g.rows[r].retained != want || g.rows[r].count != count)
            fail_msg("%s: retained %llu count %llu, want %llu %llu", name,
                     (unsigned long long)g.rows[r].retained, (unsigned long long)g.rows[r].count,
                     (unsigned long long)want, (unsigned long long)count);
    }
    hs_group_free(&g);
}

static void test_group_retained_random(void **state)
{
    for (int iter = 0; iter < 200; iter++) {
        hs_heap h;
        hs_error e;
        hs_heap_init(&h, "test");
        uint32_t types[3], sites[4], f[2];
        types[0] = hs_heap_add_type(&h, "T0"), types[1] = hs_heap_add_type(&h, "T1");
        types[2] = hs_heap_add_type(&h, "");
        f[0] = hs_heap_intern(&h, "main.a a.go:1", 13), f[1] = hs_heap_intern(&h, "main.b", 6);
        sites[0] = hs_heap_add_site(&h, f, 1), sites[1] = hs_heap_add_site(&h, f + 1, 1);
        sites[2] = hs_heap_add_site(&h, f, 0), sites[3] = hs_heap_add_site(&h, f, 2);
        uint32_t n = 1 + rn(400);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t t = rn(5), s = rn(6);
            uint64_t size = rn(3) ? 1 + rn(20000) : 16 * (1 + rn(4));
            assert_int_equal(hs_heap_add_object(&h, 0x100000 + 0x10000ull * i, size,
                                                t < 3 ? types[t] : HS_NONE,
                                                s < 4 ? sites[s] : HS_NONE, 0, &e),
                             0);
        }
        assert_int_equal(hs_heap_index(&h, &e), 0);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t deg = rn(4) ? rn(2) : rn(5);
            for (uint32_t j = 0; j < deg; j++) {
                uint32_t to = rn(3) ? (i + 1 + rn(8)) % n : rn(n);
                assert_int_equal(hs_heap_add_ref(&h, i, 0x100000 + 0x10000ull * to, &e), 0);
            }
        }
        for (uint32_t r = 0, nr = 1 + rn(4); r < nr; r++) {
            uint32_t root = hs_heap_add_root(&h, HS_ROOT_GLOBAL, hs_heap_intern(&h, "r", 1));
            for (uint32_t j = 0, k = 1 + rn(3); j < k; j++)
                assert_int_equal(hs_heap_add_root_ref(&h, root, 0x100000 + 0x10000ull * rn(n), &e),
                                 0);
        }
        assert_int_equal(hs_heap_finish(&h, &e), 0);
        hs_dom d;
        assert_int_equal(hs_dom_build(&h, &d, &e), 0);
        uint8_t *only = malloc(n);
        for (uint32_t i = 0; i < n; i++)
            only[i] = (uint8_t)(rn(3) != 0);
        check_groups_naive(&h, &d, HS_GROUP_TYPE, NULL);
        check_groups_naive(&h, &d, HS_GROUP_SITE, NULL);
        check_groups_naive(&h, &d, HS_GROUP_TYPE, only);
        check_groups_naive(&h, &d, HS_GROUP_SITE, only);
        free(only);
        hs_dom_free(&d);
        hs_heap_free(&h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_by_type),
        cmocka_unit_test(test_group_by_site_root_object),
        cmocka_unit_test(test_group_retained_random),
        cmocka_unit_test(test_group_without_dom_and_filter),
        cmocka_unit_test(test_leak_roots),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
