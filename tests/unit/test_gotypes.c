/* The Go walker's object record (formats/gotypes.h): 16 bytes, its 30-bit
 * size field holding sizes below 512 MiB as they are and larger ones (a
 * large object: one span of whole 8 KiB pages) in pages, up to 4 TiB; the
 * type and the two flags beside it unchanged. Sizes it cannot hold are
 * the walker's damaged spans, so hs_go_size_fits must say no to them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gotypes.h"

_Static_assert(sizeof(hs_go_obj) == 16, "the walker's table is 16 bytes per object");

static void test_sizes_round_trip(void **state)
{
    static const uint64_t sizes[] = {
        0, 8, 16, 4096, 32768, 1ull << 20, (1ull << 29) - 8,     /* as they are */
        1ull << 29, (1ull << 29) + 8192, 5ull << 30, 1ull << 40, /* in pages */
        ((1ull << 29) - 1) * 8192,                               /* the largest */
    };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        for (int flags = 0; flags < 4; flags++) {
            assert_true(hs_go_size_fits(sizes[k]));
            hs_go_obj o = hs_go_obj_make(0xc000123450ull, sizes[k], 1234567u + (uint32_t)k,
                                         flags & 1, flags >> 1);
            assert_int_equal(hs_go_obj_size(&o), sizes[k]);
            assert_int_equal(o.addr, 0xc000123450ull);
            assert_int_equal(o.type, 1234567u + (uint32_t)k);
            assert_int_equal(o.untyped, flags & 1);
            assert_int_equal(o.header, flags >> 1);
        }
    }
    hs_go_obj none = hs_go_obj_make(0x1000, 64, UINT32_MAX, 1, 0);
    assert_int_equal(none.type, UINT32_MAX); /* HS_NONE survives */
    (void)state;
}

static void test_sizes_that_do_not_fit(void **state)
{
    assert_false(hs_go_size_fits((1ull << 29) + 8));    /* past 512 MiB, not whole pages */
    assert_false(hs_go_size_fits((5ull << 30) + 4096)); /* half a page */
    assert_false(hs_go_size_fits((1ull << 29) * 8192)); /* 4 TiB: too many pages */
    assert_false(hs_go_size_fits(UINT64_MAX));
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_round_trip),
        cmocka_unit_test(test_sizes_that_do_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
