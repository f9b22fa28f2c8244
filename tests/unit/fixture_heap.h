/* A small hand-built heap shared by the heap analysis and heap render tests;
 * every expected number in them is worked out from this construction:
 *   root main.a -> A(100,T,makeA) -> B(50,T) -> A (cycle)
 *                                 -> C(30,U[,makeC]) -> F
 *   roots main.g1, main.g2 -> F(40,T)
 *   unreachable: D(20) -> E(10,T);  G(8) <-> H(8) (a garbage cycle)
 * variant 1 drops C and adds W(500,V) under main.a. The flags add what only
 * one test needs, so the other's numbers stay as they are. */
#ifndef HS_FIXTURE_HEAP_H
#define HS_FIXTURE_HEAP_H

#include <string.h>

#include "model/heap_build.h"

enum {
    FIXTURE_HEAP_SITE_C = 1,     /* C allocated at makeC <- makeA (sampled) */
    FIXTURE_HEAP_STACK_ROOT = 2, /* main.a is a stack root, not a global */
    FIXTURE_HEAP_INFO = 4,       /* NumGC and goroutine info lines */
};

static void fixture_heap_build(hs_heap *h, const char *format, int variant, unsigned flags)
{
    hs_error e;
    hs_heap_init(h, format);
    uint32_t T = hs_heap_add_type(h, "T"), U = hs_heap_add_type(h, "U");
    uint32_t V = hs_heap_add_type(h, "V");
    uint32_t fa = hs_heap_intern(h, "main.makeA main.go:10", 21);
    uint32_t sa = hs_heap_add_site(h, &fa, 1), sc = HS_NONE;
    if (flags & FIXTURE_HEAP_SITE_C) {
        uint32_t fc[2] = {hs_heap_intern(h, "main.makeC", 10), fa};
        sc = hs_heap_add_site(h, fc, 2);
    }
    assert_int_equal(hs_heap_add_object(h, 0x1000, 100, T, sa, HS_OBJ_SAMPLED, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x2000, 50, T, HS_NONE, 0, &e), 0);
    if (variant == 0)
        assert_int_equal(hs_heap_add_object(h, 0x3000, 30, U, sc, sc == HS_NONE ? 0 : 1, &e), 0);
    else
        assert_int_equal(hs_heap_add_object(h, 0x3000, 500, V, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x4000, 20, HS_NONE, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x5000, 10, T, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x6000, 40, T, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x7000, 8, HS_NONE, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x8000, 8, HS_NONE, HS_NONE, 0, &e), 0);
    assert_int_equal(hs_heap_index(h, &e), 0);
    assert_int_equal(hs_heap_add_ref(h, 0, 0x2000, &e), 0);
    assert_int_equal(hs_heap_add_ref(h, 1, 0x1010, &e), 0);
    assert_int_equal(hs_heap_add_ref(h, 0, 0x3000, &e), 0);
    if (variant == 0) assert_int_equal(hs_heap_add_ref(h, 2, 0x6000, &e), 0);
    assert_int_equal(hs_heap_add_ref(h, 3, 0x5000, &e), 0);
    assert_int_equal(hs_heap_add_ref(h, 6, 0x8000, &e), 0);
    assert_int_equal(hs_heap_add_ref(h, 7, 0x7000, &e), 0);
    const char *labels[3] = {"main.a", "main.g1", "main.g2"};
    uint64_t ptrs[3] = {0x1000, 0x6000, 0x6008};
    for (int i = 0; i < 3; i++) {
        int stack = i == 0 && (flags & FIXTURE_HEAP_STACK_ROOT);
        uint32_t r = hs_heap_add_root(h, stack ? HS_ROOT_STACK : HS_ROOT_GLOBAL,
                                      hs_heap_intern(h, labels[i], strlen(labels[i])));
        assert_int_equal(hs_heap_add_root_ref(h, r, ptrs[i], &e), 0);
    }
    if (flags & FIXTURE_HEAP_INFO) {
        assert_int_equal(hs_heap_add_info(h, "NumGC", "7"), 0);
        assert_int_equal(hs_heap_add_info(h, "goroutines", "waiting 3"), 0);
        assert_int_equal(hs_heap_add_info(h, "goroutines", "running 1"), 0);
    }
    assert_int_equal(hs_heap_finish(h, &e), 0);
}

#endif
