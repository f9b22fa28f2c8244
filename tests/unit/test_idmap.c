/* Id maps (formats/idmap.c): ids 1..n stay the identity and store nothing;
 * any other id moves them into a hash table that doubles when half full,
 * so a hint is only where it starts; a finished map of small ids becomes a
 * direct array. Checked against the insertion order the test chose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "heapscan/profile.h"
#include "idmap.h"

static void test_identity(void **state)
{
    hs_idmap m;
    uint32_t index = 7;
    hs_idmap_init(&m, 0);
    for (uint64_t id = 1; id <= 1000; id++)
        assert_int_equal(hs_idmap_add(&m, id), 0);
    assert_true(m.identity);
    assert_null(m.keys); /* nothing stored */
    assert_int_equal(hs_idmap_add_get(&m, 500, &index), 1);
    assert_int_equal(index, 499);
    assert_true(m.identity);
    assert_int_equal(hs_idmap_get(&m, 1000), 999);
    assert_int_equal(hs_idmap_get(&m, 1001), HS_NONE);
    assert_int_equal(hs_idmap_get(&m, 0), HS_NONE);
    hs_idmap_free(&m);
}

/* 200,000 scattered ids into a map hinted for 4: it grows, and every id
 * keeps the index it was added with. */
static void test_grows_past_the_hint(void **state)
{
    enum { N = 200000 };
    uint64_t *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    hs_idmap m;
    hs_idmap_init(&m, 4);
    for (uint32_t i = 0; i < N; i++) {
        ids[i] = 0x7f0000000000ull + (uint64_t)i * 0x9e37ull + 1; /* distinct, not 1..n */
        uint32_t index = HS_NONE;
        assert_int_equal(hs_idmap_add_get(&m, ids[i], &index), 0);
        assert_int_equal(index, i);
    }
    assert_int_equal(m.n, N);
    assert_true((uint64_t)m.mask + 1 >= 2ull * N);
    for (uint32_t i = 0; i < N; i += 7) {
        uint32_t index = HS_NONE;
        assert_int_equal(hs_idmap_add_get(&m, ids[i], &index), 1); /* present */
        assert_int_equal(index, i);
        assert_int_equal(hs_idmap_get(&m, ids[i]), i);
    }
    assert_int_equal(m.n, N);
    assert_int_equal(hs_idmap_get(&m, 0x42), HS_NONE);
    hs_idmap_free(&m);
    free(ids);
}

/* Ids 1..3 then 10: the identity moves into the table, then the table
 * becomes a direct array with the same answers. */
static void test_identity_to_hash_to_direct(void **state)
{
    hs_idmap m;
    hs_idmap_init(&m, 4);
    const uint64_t ids[] = {1, 2, 3, 10, 5};
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(hs_idmap_add(&m, ids[i]), 0);
    assert_false(m.identity);
    hs_idmap_make_direct(&m);
    assert_non_null(m.direct);
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(hs_idmap_get(&m, ids[i]), i);
    assert_int_equal(hs_idmap_get(&m, 4), HS_NONE);
    assert_int_equal(hs_idmap_get(&m, 11), HS_NONE);
    hs_idmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_grows_past_the_hint),
        cmocka_unit_test(test_identity_to_hash_to_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
