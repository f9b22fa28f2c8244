/* Every word of a chunk (testdata/gen/lastword/lastword.c, gcore'd): blocks
 * of 24, 40, 48, 1032 and 200000 (mmapped) bytes linked only through the last
 * word their user may write, and one block whose only reference is a thread
 * register holding its chunk header. Expected values from construction (the
 * sidecar's sizes, chain length and leaks) and glibc's chunk rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_fixture.h"

enum { N_SIZES = 5 };
static const uint64_t SIZES[N_SIZES] = {24, 40, 48, 1032, 200000};

/* glibc's chunk for malloc(n) on 64-bit Linux: in an arena below the mmap
 * threshold (128 KiB), else an mmapped run of 4 KiB pages. */
static uint64_t chunk_of(uint64_t n)
{
    if (n >= 128 * 1024) return (n + 8 + 4095) & ~4095ull;
    uint64_t c = (n + 8 + 15) & ~15ull;
    return c < 32 ? 32 : c;
}
/* Offset of the last word malloc_usable_size() gives the user. */
static uint64_t last_word(uint64_t n)
{
    return chunk_of(n) - (n >= 128 * 1024 ? 16 : 8) - 8;
}

static uint32_t root_id(const hs_heap *h, const char *label)
{
    for (uint32_t r = 0; r < h->n_roots; r++)
        if (strcmp(hs_heap_str(h, h->root_label[r]), label) == 0) return r;
    return HS_NONE;
}

static void load(fixture *f, hs_model *m)
{
    hs_error e;
    fixture_open(f, "lastword");
    assert_int_equal(sidecar(f, "chain"), 4);
    assert_int_equal(fixture_load(f, f->core.data, f->core.size, m, &e), 0);
}

/* g_chain[k] -> block -> (last word) block -> ... CHAIN blocks of one size. */
static void test_chains_through_last_word(void **state)
{
    fixture f;
    hs_model m;
    load(&f, &m);
    const hs_heap *h = &m.heap;
    uint32_t r = root_id(h, "g_chain");
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(h->root_edge_start[r + 1] - h->root_edge_start[r], N_SIZES);
    int seen[N_SIZES] = {0};
    for (uint32_t k = h->root_edge_start[r]; k < h->root_edge_start[r + 1]; k++) {
        uint32_t obj = h->root_edge_target[k];
        int s = 0;
        while (s < N_SIZES && chunk_of(SIZES[s]) != hs_heap_size(h, obj))
            s++;
        assert_true(s < N_SIZES);
        seen[s]++;
        long len = 1;
        while (h->edge_start[obj + 1] > h->edge_start[obj]) {
            assert_int_equal(h->edge_start[obj + 1] - h->edge_start[obj], 1);
            uint32_t next = h->edge_target[h->edge_start[obj]];
            assert_int_equal(hs_heap_ref_offset(h, obj, next), last_word(SIZES[s]));
            assert_int_equal(hs_heap_size(h, next), chunk_of(SIZES[s]));
            obj = next, len++;
        }
        assert_int_equal(len, sidecar(&f, "chain"));
    }
    for (int s = 0; s < N_SIZES; s++)
        assert_int_equal(seen[s], 1);
    hs_model_free(&m);
    fixture_close(&f);
}

/* Exactly the constructed leaks: one pair per size, nothing else. */
static void test_exactly_the_constructed_leaks(void **state)
{
    fixture f;
    hs_model m;
    load(&f, &m);
    const hs_heap *h = &m.heap;
    uint8_t *mark = reachable(h);
    long long unreachable = 0;
    int per_size[N_SIZES] = {0};
    for (uint32_t i = 0; i < h->n_objects; i++) {
        if (mark[i]) continue;
        unreachable++;
        int s = 0;
        while (s < N_SIZES && chunk_of(SIZES[s]) != hs_heap_size(h, i))
            s++;
        assert_true(s < N_SIZES);
        per_size[s]++;
    }
    assert_int_equal(unreachable, sidecar(&f, "leaked"));
    for (int s = 0; s < N_SIZES; s++)
        assert_int_equal(per_size[s], 2);
    free(mark);
    hs_model_free(&m);
    fixture_close(&f);
}

/* The objects are the process's blocks: mallinfo2() agrees (see test_glibc.c
 * for how its fields map onto chunks). */
static void test_mallinfo2(void **state)
{
    fixture f;
    hs_model m;
    load(&f, &m);
    const hs_heap *h = &m.heap;
    const hs_heap_alloc_stats *s = &h->alloc;
    unsigned long long tcache = strtoull(info_value(h, "glibc tcache bytes"), NULL, 10);
    unsigned long long overhead = strtoull(info_value(h, "glibc overhead bytes"), NULL, 10);
    assert_int_equal(s->mmapped_count, sidecar(&f, "hblks"));
    assert_int_equal(s->mmapped_bytes, sidecar(&f, "hblkhd"));
    assert_int_equal(s->used_bytes - s->mmapped_bytes + tcache + overhead, sidecar(&f, "uordblks"));
    assert_int_equal(h->n_objects, s->used_count);
    hs_model_free(&m);
    fixture_close(&f);
}

/* The parked thread's r12 holds a chunk header: that block is referenced. */
static void test_register_at_chunk_header(void **state)
{
    fixture f;
    hs_model m;
    load(&f, &m);
    const hs_heap *h = &m.heap;
    uint32_t r = root_id(h, "thread 2 registers");
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(h->root_edge_start[r + 1] - h->root_edge_start[r], sidecar(&f, "register_only"));
    uint32_t obj = h->root_edge_target[h->root_edge_start[r]];
    assert_int_equal(hs_heap_size(h, obj), chunk_of((uint64_t)sidecar(&f, "register_only_size")));
    hs_model_free(&m);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chains_through_last_word),
        cmocka_unit_test(test_exactly_the_constructed_leaks),
        cmocka_unit_test(test_register_at_chunk_header),
        cmocka_unit_test(test_mallinfo2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
