/* Heap model builder: address sorting, interior-pointer lookup, overlap
 * rejection, and the compressed sparse rows of references and roots; the
 * narrow columns: sizes of 4 GiB and more in the side table, site/flags
 * columns only when set, types as pairs or a column, addresses as low halves
 * plus 4 GiB segments, reference offsets dropped on request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "heapscan/heap.h"
#include "model/heap_build.h"

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
    assert_int_equal(hs_heap_addr(&h, 0), 0x1000);
    assert_int_equal(hs_heap_size(&h, 0), 16);
    assert_int_equal(hs_heap_addr(&h, 2), 0x3000);
    assert_int_equal(hs_heap_size(&h, 2), 64);
    assert_int_equal(hs_heap_type(&h, 1), HS_NONE);
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

/* hs_heap_find against a linear scan, on clustered objects with gaps (the
 * shape of a core: a dense heap, then mmapped chunks far away). */
static void test_find_matches_linear_scan(void **state)
{
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    uint64_t seed = 42, a = 0x10000;
    for (int i = 0; i < 5000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t size = 16 + (seed >> 60) * 16;
        if (i == 4000) a = 0x7f0000000000ull;
        a += (seed >> 33) % 3 == 0 ? 64 : 0;
        assert_int_equal(hs_heap_add_object(&h, a, size, HS_NONE, HS_NONE, 0, &e), 0);
        a += size;
    }
    assert_int_equal(hs_heap_index(&h, &e), 0);
    for (int k = 0; k < 20000; k++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t j = (uint32_t)((seed >> 20) % h.n_objects);
        uint64_t p = hs_heap_addr(&h, j) - 64 + (seed >> 50) % (hs_heap_size(&h, j) + 128);
        uint32_t want = HS_NONE;
        for (uint32_t i = 0; i < h.n_objects; i++)
            if (p >= hs_heap_addr(&h, i) && p < hs_heap_addr(&h, i) + hs_heap_size(&h, i)) want = i;
        assert_int_equal(hs_heap_find(&h, p), want);
    }
    assert_int_equal(hs_heap_find(&h, 0x7fffffffffffull), HS_NONE);
    assert_int_equal(hs_heap_find(&h, 5), HS_NONE);
    hs_heap_free(&h);
}

/* Streamed rows (hs_heap_begin_refs_of / hs_heap_add_ref_next) against the
 * references they were built from: rows in ascending source order, objects
 * with no reference (the first, the last, runs in between) get empty rows,
 * and each row keeps its references in the order given, with offsets. */
static void test_streamed_rows(void **state)
{
    enum { N = 2000, MAXREF = 5 };
    static uint32_t want_to[N][MAXREF], want_off[N][MAXREF], want_n[N];
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(hs_heap_add_object(&h, 0x1000 + 64ull * i, 64, HS_NONE, HS_NONE, 0, &e),
                         0);
    assert_int_equal(hs_heap_index(&h, &e), 0);
    uint64_t seed = 7, total = 0;
    for (uint32_t i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        want_n[i] = (i == 0 || i == N - 1 || (seed >> 61) < 3) ? 0 : (uint32_t)(seed >> 40) % MAXREF;
        if (!want_n[i]) continue;
        assert_int_equal(hs_heap_begin_refs_of(&h, i, &e), 0);
        for (uint32_t k = 0; k < want_n[i]; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            want_to[i][k] = (uint32_t)(seed >> 33) % N;
            want_off[i][k] = 8 * k;
            assert_int_equal(hs_heap_add_ref_next(&h, 8 * k, want_to[i][k], &e), 0);
            total++;
        }
    }
    uint32_t r = hs_heap_add_root(&h, HS_ROOT_GLOBAL, hs_heap_intern(&h, "g", 1));
    assert_int_equal(hs_heap_add_root_ref(&h, r, 0x1000 + 64 * 5 + 8, &e), 0);
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    assert_int_equal(h.n_edges, total);
    assert_int_equal(h.edge_start[0], 0);
    assert_int_equal(h.edge_start[N], total);
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(h.edge_start[i + 1] - h.edge_start[i], want_n[i]);
        for (uint32_t k = 0; k < want_n[i]; k++) {
            assert_int_equal(h.edge_target[h.edge_start[i] + k], want_to[i][k]);
            assert_int_equal(h.edge_offset[h.edge_start[i] + k], want_off[i][k]);
        }
    }
    assert_int_equal(h.n_root_edges, 1);
    assert_int_equal(h.root_edge_target[0], 5);
    hs_heap_free(&h);
    (void)state;
}

/* The streaming API refuses rows out of order, a reference with no open row,
 * and mixing with the pending-triple API (either way round). */
static void test_streamed_rows_misuse(void **state)
{
    hs_heap h;
    hs_error e;
    build_three(&h);
    assert_int_equal(hs_heap_add_ref_next(&h, 0, 1, &e), -1); /* no row open */
    assert_int_equal(hs_heap_begin_refs_of(&h, 1, &e), 0);
    assert_int_equal(hs_heap_add_ref_next(&h, 0, 3, &e), -1); /* no object 3 */
    assert_int_equal(hs_heap_add_ref_next(&h, 0, 2, &e), 0);
    assert_int_equal(hs_heap_begin_refs_of(&h, 1, &e), -1); /* not ascending */
    assert_int_equal(hs_heap_begin_refs_of(&h, 0, &e), -1);
    assert_int_equal(hs_heap_add_ref_id(&h, 2, 0, 0, &e), -1); /* mixing */
    assert_int_equal(hs_heap_add_ref(&h, 2, 0x1000, &e), -1);
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    assert_int_equal(h.n_edges, 1);
    assert_int_equal(h.edge_start[1], 0);
    assert_int_equal(h.edge_start[2], 1);
    assert_int_equal(h.edge_start[3], 1);
    hs_heap_free(&h);

    build_three(&h);
    assert_int_equal(hs_heap_add_ref_id(&h, 0, 0, 1, &e), 0);
    assert_int_equal(hs_heap_begin_refs_of(&h, 1, &e), -1); /* mixing, the other way */
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    assert_int_equal(h.n_edges, 1);
    hs_heap_free(&h);
    (void)state;
}

static uint64_t next_rand(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    return *seed >> 11;
}

/* Sizes from 2^32 - 1 up go to the side table and come back exact, also
 * after sorting; hs_heap_find sees the whole of a huge object, into 4 GiB
 * windows where no object starts. */
static void test_big_sizes(void **state)
{
    static const struct {
        uint64_t addr, size;
    } obj[] = {{0x40000000000ull, (1ull << 32) - 1}, {0x1000, 16},
               {0x10000000000ull, 1ull << 40},       {0x50000000000ull, (1ull << 32) - 2},
               {0x30000000000ull, 1ull << 32},       {0x60000000000ull, 48}};
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(hs_heap_add_object(&h, obj[i].addr, obj[i].size, HS_NONE, HS_NONE, 0, &e),
                         0);
    assert_int_equal(hs_heap_index(&h, &e), 0);
    assert_int_equal(h.n_size_big, 3); /* 2^32 - 1, 2^32, 2^40 */
    for (unsigned i = 0; i < 6; i++) {
        uint32_t id = hs_heap_find(&h, obj[i].addr);
        assert_int_not_equal(id, HS_NONE);
        assert_int_equal(hs_heap_addr(&h, id), obj[i].addr);
        assert_int_equal(hs_heap_size(&h, id), obj[i].size);
        assert_int_equal(hs_heap_find(&h, obj[i].addr + obj[i].size - 1), id);
        assert_int_equal(hs_heap_find(&h, obj[i].addr + obj[i].size), HS_NONE);
    }
    assert_int_equal(hs_heap_size(&h, 1), 1ull << 40); /* ids are in address order */
    assert_int_equal(hs_heap_find(&h, 0x10000000000ull + (1ull << 39) + 12345), 1);
    assert_int_equal(hs_heap_find(&h, 0x20000000000ull + 5), HS_NONE);
    hs_heap_free(&h);
    (void)state;
}

/* No site or flags column until one is set: in phase 1 (the column starts
 * mid-way, earlier objects at their defaults) or later by the setters. */
static void test_optional_columns(void **state)
{
    hs_heap h;
    hs_error e;
    build_three(&h);
    assert_null(h.site);
    assert_null(h.flags);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(hs_heap_site(&h, i), HS_NONE);
        assert_int_equal(hs_heap_flags(&h, i), 0);
    }
    assert_int_equal(hs_heap_set_site(&h, 1, HS_NONE, &e), 0);
    assert_int_equal(hs_heap_add_flags(&h, 1, 0, &e), 0);
    assert_null(h.site); /* defaults allocate nothing */
    assert_null(h.flags);
    uint32_t f = hs_heap_intern(&h, "main.f", 6);
    uint32_t s = hs_heap_add_site(&h, &f, 1);
    assert_int_equal(hs_heap_set_site(&h, 1, s, &e), 0);
    assert_int_equal(hs_heap_add_flags(&h, 1, HS_OBJ_SAMPLED, &e), 0);
    assert_int_equal(hs_heap_site(&h, 1), s);
    assert_int_equal(hs_heap_flags(&h, 1), HS_OBJ_SAMPLED);
    assert_int_equal(hs_heap_site(&h, 0), HS_NONE);
    assert_int_equal(hs_heap_flags(&h, 2), 0);
    assert_int_equal(hs_heap_set_site(&h, 3, s, &e), -1); /* no object 3 */
    hs_heap_free(&h);

    hs_heap_init(&h, "test");
    f = hs_heap_intern(&h, "main.g", 6);
    s = hs_heap_add_site(&h, &f, 1);
    for (uint32_t i = 0; i < 1000; i++) /* descending addresses: sorting reverses ids */
        assert_int_equal(hs_heap_add_object(&h, 0x100000 - 32ull * i, 16, HS_NONE,
                                            i == 700 ? s : HS_NONE, i == 900 ? 4 : 0, &e),
                         0);
    assert_int_equal(hs_heap_index(&h, &e), 0);
    for (uint32_t i = 0; i < 1000; i++) {
        assert_int_equal(hs_heap_site(&h, i), i == 999 - 700 ? s : HS_NONE);
        assert_int_equal(hs_heap_flags(&h, i), i == 999 - 900 ? 4 : 0);
    }
    hs_heap_free(&h);
    (void)state;
}

/* Types stay (id, type) pairs while few objects have one and become a column
 * past 4096 pairs and half the objects; both read the same after sorting. */
static void test_sparse_types(void **state)
{
    for (int dense = 0; dense < 2; dense++) {
        hs_heap h;
        hs_error e;
        hs_heap_init(&h, "test");
        uint32_t ta = hs_heap_add_type(&h, "A"), tb = hs_heap_add_type(&h, "B");
        enum { N = 10000 };
        for (uint32_t i = 0; i < N; i++) {
            uint32_t t = dense ? (i % 2 ? ta : tb) : i % 7 == 0 ? ta : i == 5 ? tb : HS_NONE;
            assert_int_equal(hs_heap_add_object(&h, 0x7f0000000000ull - 64ull * i, 64, t, HS_NONE,
                                                0, &e),
                             0);
        }
        assert_int_equal(hs_heap_index(&h, &e), 0);
        if (dense)
            assert_non_null(h.type);
        else
            assert_null(h.type), assert_int_equal(h.n_type_sparse, (N + 6) / 7 + 1);
        for (uint32_t id = 0; id < N; id++) {
            uint32_t i = N - 1 - id; /* insertion index of object id */
            uint32_t want = dense ? (i % 2 ? ta : tb) : i % 7 == 0 ? ta : i == 5 ? tb : HS_NONE;
            assert_int_equal(hs_heap_type(&h, id), want);
        }
        hs_heap_free(&h);
    }
    (void)state;
}

/* Sizes are codes into the distinct sizes, 1 byte up to 255 of them, 2 up
 * to 65535, then the sizes themselves; the type column as wide as its
 * largest id. Objects added in descending address order, so the sort
 * moves every column; a 5 GiB object keeps its size through the codes. */
static void test_column_widths(void **state)
{
    static const uint32_t kinds[3] = {3, 300, 70000};
    static const uint8_t want_width[3] = {1, 2, 4};
    enum { N = 140000 };
    for (int r = 0; r < 3; r++) {
        hs_heap h;
        hs_error e;
        hs_heap_init(&h, "test");
        uint32_t k = kinds[r], t0 = 0;
        char name[16];
        for (uint32_t j = 0; j < k; j++) {
            snprintf(name, sizeof name, "t%u", j);
            uint32_t t = hs_heap_add_type(&h, name);
            if (j == 0) t0 = t;
        }
        const uint64_t top = 0x7f0000000000ull, big = 5ull << 30;
        assert_int_equal(hs_heap_add_object(&h, top, big, HS_NONE, HS_NONE, 0, &e), 0);
        for (uint32_t i = 0; i < N; i++)
            assert_int_equal(hs_heap_add_object(&h, top - (2ull << 20) * (i + 1), 16 + 16ull * (i % k),
                                                i % 5 ? t0 + i % k : HS_NONE, HS_NONE, 0, &e),
                             0);
        assert_int_equal(hs_heap_index(&h, &e), 0);
        assert_int_equal(h.size_width, want_width[r]);
        assert_int_equal(h.type_width, want_width[r]);
        assert_int_equal(hs_heap_size(&h, N), big);
        assert_int_equal(hs_heap_addr(&h, N), top);
        for (uint32_t id = 0; id < N; id++) {
            uint32_t i = N - 1 - id; /* insertion order, descending addresses */
            assert_int_equal(hs_heap_size(&h, id), 16 + 16ull * (i % k));
            assert_int_equal(hs_heap_type(&h, id), i % 5 ? t0 + i % k : HS_NONE);
        }
        assert_int_equal(hs_heap_finish(&h, &e), 0);
        /* a naming pass's column, written into the column there is */
        uint32_t *col = malloc((N + 1) * sizeof *col);
        for (uint32_t id = 0; id <= N; id++)
            col[id] = id % 3 ? t0 + id % 7 : HS_NONE;
        assert_int_equal(hs_heap_give_types_dense(&h, col, &e), 0);
        assert_int_equal(h.type_width, want_width[r]);
        for (uint32_t id = 0; id <= N; id++) {
            uint32_t i = N - 1 - id, was = id == N || i % 5 == 0 ? HS_NONE : t0 + i % k;
            assert_int_equal(hs_heap_type(&h, id), id % 3 ? t0 + id % 7 : was);
        }
        hs_heap_free(&h);
    }
    (void)state;
}

/* Types set after finish (a naming pass), as pairs or as a column:
 * merged into the sparse pairs (replacing, adding), or written into the
 * column once the pairs would pass half the objects; bad pairs are an
 * error. */
static void test_set_types(void **state)
{
    for (int run = 0; run < 6; run++) {
        /* dense 1: hs_heap_set_types_dense, 2: hs_heap_give_types_dense */
        int many = run & 1, dense = run >> 1;
        hs_heap h;
        hs_error e;
        hs_heap_init(&h, "test");
        uint32_t ta = hs_heap_add_type(&h, "A"), tb = hs_heap_add_type(&h, "B");
        enum { N = 10000 };
        for (uint32_t i = 0; i < N; i++)
            assert_int_equal(hs_heap_add_object(&h, 0x1000 + 32ull * i, 32, i % 10 == 0 ? ta : HS_NONE,
                                                HS_NONE, 0, &e),
                             0);
        assert_int_equal(hs_heap_index(&h, &e), 0);
        assert_int_equal(hs_heap_finish(&h, &e), 0);
        /* every third object gets B (many: every object but the tenths) */
        hs_heap_id_value *p = malloc(N * sizeof *p);
        uint32_t n = 0;
        for (uint32_t i = 0; i < N; i++)
            if (many ? i % 10 != 0 : i % 3 == 0) p[n++] = (hs_heap_id_value){i, tb};
        if (dense) {
            uint32_t *col = malloc(N * sizeof *col);
            memset(col, 0xff, N * sizeof *col);
            for (uint32_t k = 0; k < n; k++)
                col[p[k].id] = p[k].value;
            if (dense == 1) {
                assert_int_equal(hs_heap_set_types_dense(&h, col, &e), 0);
                free(col);
            } else
                assert_int_equal(hs_heap_give_types_dense(&h, col, &e), 0);
        } else
            assert_int_equal(hs_heap_set_types(&h, p, n, &e), 0);
        if (many)
            assert_non_null(h.type);
        else
            assert_null(h.type);
        if (many && dense == 2) assert_int_equal(h.type_width, 1); /* the array, narrowed */
        for (uint32_t i = 0; i < N; i++) {
            uint32_t want = (many ? i % 10 != 0 : i % 3 == 0) ? tb : i % 10 == 0 ? ta : HS_NONE;
            assert_int_equal(hs_heap_type(&h, i), want);
        }
        p[0] = (hs_heap_id_value){5, ta}, p[1] = (hs_heap_id_value){5, ta}; /* not ascending */
        assert_int_equal(hs_heap_set_types(&h, p, 2, &e), -1);
        p[0] = (hs_heap_id_value){N, ta}; /* no such object */
        assert_int_equal(hs_heap_set_types(&h, p, 1, &e), -1);
        free(p);
        hs_heap_free(&h);
    }
    (void)state;
}

/* Addresses in several 4 GiB windows, objects straddling a window boundary,
 * added in random order: hs_heap_addr is exact and hs_heap_find agrees with
 * a linear scan near every boundary. */
static void test_address_segments(void **state)
{
    enum { N = 3000 };
    static uint64_t want_addr[N], want_size[N];
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    uint64_t seed = 99, a = 0xffff0000ull;
    for (uint32_t i = 0; i < N; i++) {
        if (i % 500 == 0) a = (a & ~0xffffffffull) + (3ull << 32) - 0x8000; /* next window, late */
        want_addr[i] = a, want_size[i] = 16 + next_rand(&seed) % 8 * 16;
        a += want_size[i] + (next_rand(&seed) % 2) * 16;
    }
    uint32_t perm[N];
    for (uint32_t i = 0; i < N; i++)
        perm[i] = i;
    for (uint32_t i = N - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(next_rand(&seed) % (i + 1)), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(hs_heap_add_object(&h, want_addr[perm[i]], want_size[perm[i]], HS_NONE,
                                            HS_NONE, 0, &e),
                         0);
    assert_int_equal(hs_heap_index(&h, &e), 0);
    assert_true(h.n_addr_seg >= 12); /* 6 runs, each across a 4 GiB boundary */
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(hs_heap_addr(&h, i), want_addr[i]);
        assert_int_equal(hs_heap_size(&h, i), want_size[i]);
    }
    for (uint32_t k = 0; k < 20000; k++) {
        uint32_t j = (uint32_t)(next_rand(&seed) % N);
        uint64_t p = want_addr[j] - 40 + next_rand(&seed) % (want_size[j] + 80);
        if (k % 4 == 0) p = (want_addr[j] & ~0xffffffffull) + (next_rand(&seed) % 64) - 32;
        uint32_t want = HS_NONE;
        for (uint32_t i = 0; i < N; i++)
            if (p >= want_addr[i] && p - want_addr[i] < want_size[i]) want = i;
        assert_int_equal(hs_heap_find(&h, p), want);
    }
    hs_heap_free(&h);
    (void)state;
}

/* drop_ref_offsets: the same rows, no offset arrays, hs_heap_ref_offset()
 * says HS_NONE; kept, they come back as given. Pending and streamed rows. */
static void test_ref_offsets_dropped(void **state)
{
    for (int drop = 0; drop < 2; drop++)
        for (int stream = 0; stream < 2; stream++) {
            hs_heap h;
            hs_error e;
            build_three(&h);
            h.drop_ref_offsets = drop;
            if (stream) {
                assert_int_equal(hs_heap_begin_refs_of(&h, 0, &e), 0);
                assert_int_equal(hs_heap_add_ref_next(&h, 8, 2, &e), 0);
                assert_int_equal(hs_heap_begin_refs_of(&h, 2, &e), 0);
                assert_int_equal(hs_heap_add_ref_next(&h, 24, 1, &e), 0);
            } else {
                assert_int_equal(hs_heap_add_ref_at(&h, 2, 24, 0x2000, &e), 0);
                assert_int_equal(hs_heap_add_ref_id(&h, 0, 8, 2, &e), 0);
            }
            uint32_t r = hs_heap_add_root(&h, HS_ROOT_STACK, hs_heap_intern(&h, "f", 1));
            assert_int_equal(hs_heap_add_root_ref_at(&h, r, 40, 0x1004, &e), 0);
            assert_int_equal(hs_heap_finish(&h, &e), 0);
            assert_int_equal(h.n_edges, 2);
            assert_int_equal(h.edge_target[h.edge_start[0]], 2);
            assert_int_equal(h.edge_target[h.edge_start[2]], 1);
            assert_int_equal(h.root_edge_target[0], 0);
            if (drop) {
                assert_null(h.edge_offset);
                assert_null(h.root_edge_offset);
            }
            assert_int_equal(hs_heap_ref_offset(&h, 0, 2), drop ? HS_NONE : 8);
            assert_int_equal(hs_heap_ref_offset(&h, 2, 1), drop ? HS_NONE : 24);
            assert_int_equal(hs_heap_root_ref_offset(&h, r, 0), drop ? HS_NONE : 40);
            assert_int_equal(hs_heap_ref_offset(&h, 1, 0), HS_NONE); /* no such reference */
            hs_heap_drop_refs(&h); /* after which roots keep their rows */
            assert_null(h.edge_start);
            assert_int_equal(h.n_edges, 0);
            assert_int_equal(hs_heap_ref_offset(&h, 0, 2), HS_NONE);
            assert_int_equal(h.n_root_edges, 1);
            assert_int_equal(h.root_edge_target[0], 0);
            hs_heap_free(&h);
        }
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_and_find),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_overlap_and_duplicate),
        cmocka_unit_test(test_sites_and_info),
        cmocka_unit_test(test_find_matches_linear_scan),
        cmocka_unit_test(test_streamed_rows),
        cmocka_unit_test(test_streamed_rows_misuse),
        cmocka_unit_test(test_big_sizes),
        cmocka_unit_test(test_optional_columns),
        cmocka_unit_test(test_sparse_types),
        cmocka_unit_test(test_set_types),
        cmocka_unit_test(test_column_widths),
        cmocka_unit_test(test_address_segments),
        cmocka_unit_test(test_ref_offsets_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
