/* Heap model builder: address sorting, interior-pointer lookup, overlap
 * rejection, and the compressed sparse rows of references and roots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/heap.h"

static void build_three(hs_heap *h)
{
    hs_error e;
    hs_heap_init(h, "test");
    uint32_t t = hs_heap_add_type(h, "node");
    assert_int_equal(hs_heap_add_type(h, "node"), t);
    /* Added out of address order on purpose. */
    assert_int_equal(hs_heap_add_object(h, 0x3000, 64, t, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x1000, 16, t, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x2000, 32, HS_NONE, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_index(h, &e), 0);
}

static void test_sorted_and_find(void **state)
{
    hs_heap h;
    build_three(&h);
    assert_int_equal(h.addr[0], 0x1000);
    assert_int_equal(h.size[0], 16);
    assert_int_equal(h.addr[2], 0x3000);
    assert_int_equal(h.size[2], 64);
    assert_int_equal(h.type[1], HS_NONE);
    assert_int_equal(hs_heap_find(&h, 0x0fff), HS_NONE);
    assert_int_equal(hs_heap_find(&h, 0x1000), 0);
    assert_int_equal(hs_heap_find(&h, 0x100f), 0);
    assert_int_equal(hs_heap_find(&h, 0x1010), HS_NONE);
    assert_int_equal(hs_heap_find(&h, 0x203f - 0x20), 1);
    assert_int_equal(hs_heap_find(&h, 0x303f), 2);
    assert_int_equal(hs_heap_find(&h, 0x3040), HS_NONE);
    hs_heap_free(&h);
}

static void test_rows(void **state)
{
    hs_heap h;
    hs_error e;
    build_three(&h);
    assert_int_equal(hs_heap_add_ref(&h, 2, 0x1008, &e), 0); /* interior -> 0 */
    assert_int_equal(hs_heap_add_ref(&h, 0, 0x2000, &e), 0);
    assert_int_equal(hs_heap_add_ref(&h, 2, 0x2010, &e), 0);
    assert_int_equal(hs_heap_add_ref(&h, 2, 0x9999, &e), 0); /* dangling: dropped */
    uint32_t r = hs_heap_add_root(&h, HS_ROOT_GLOBAL, hs_heap_intern(&h, "main.g", 6));
    assert_int_equal(hs_heap_add_root_ref(&h, r, 0x3000, &e), 0);
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    assert_int_equal(h.n_edges, 3);
    assert_int_equal(h.edge_start[0], 0);
    assert_int_equal(h.edge_start[1], 1);
    assert_int_equal(h.edge_target[0], 1);
    assert_int_equal(h.edge_start[2], 1);
    assert_int_equal(h.edge_start[3], 3);
    assert_int_equal(h.edge_target[1], 0);
    assert_int_equal(h.edge_target[2], 1);
    assert_int_equal(h.n_roots, 1);
    assert_int_equal(h.root_edge_start[1], 1);
    assert_int_equal(h.root_edge_target[0], 2);
    assert_string_equal(hs_heap_str(&h, h.root_label[0]), "main.g");
    hs_heap_free(&h);
}

static void test_overlap_and_duplicate(void **state)
{
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    hs_heap_add_object(&h, 0x1000, 32, HS_NONE, HS_NONE, 0, &e);
    hs_heap_add_object(&h, 0x1010, 32, HS_NONE, HS_NONE, 0, &e);
    assert_int_equal(hs_heap_index(&h, &e), -1);
    assert_non_null(strstr(e.msg, "overlap"));
    hs_heap_free(&h);
    hs_heap_init(&h, "test");
    hs_heap_add_object(&h, 0x1000, 32, HS_NONE, HS_NONE, 0, &e);
    hs_heap_add_object(&h, 0x1000, 32, HS_NONE, HS_NONE, 0, &e);
    assert_int_equal(hs_heap_index(&h, &e), -1);
    assert_non_null(strstr(e.msg, "duplicate"));
    hs_heap_free(&h);
}

static void test_sites_and_info(void **state)
{
    hs_heap h;
    hs_heap_init(&h, "test");
    uint32_t f[2] = {hs_heap_intern(&h, "main.leaf", 9), hs_heap_intern(&h, "main.main", 9)};
    assert_int_equal(hs_heap_add_site(&h, f, 2), 0);
    assert_int_equal(hs_heap_add_site(&h, f + 1, 1), 1);
    assert_int_equal(h.site_start[0], 0);
    assert_int_equal(h.site_start[1], 2);
    assert_int_equal(h.site_start[2], 3);
    assert_string_equal(hs_heap_str(&h, h.site_frames[2]), "main.main");
    assert_int_equal(hs_heap_add_info(&h, "NumGC", "3"), 0);
    assert_string_equal(hs_heap_str(&h, h.info[0].value), "3");
    hs_heap_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_and_find),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_overlap_and_duplicate),
        cmocka_unit_test(test_sites_and_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
