/* Dominator tree and retained sizes (src/analysis/dom.c) against a naive
 * reference: iterative data-flow dominators on 64-bit bitsets (Dom(v) = {v}
 * ∪ ⋂ Dom(p) over reached predecessors p, to a fixpoint), on thousands of
 * random graphs with several roots, unreachable objects, cycles, self-loops
 * and duplicate edges; 10^6-vertex chain and star (no recursion); and hand-built
 * heaps whose retained sizes are known by construction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "heapscan/heap.h"
#include "heapscan/heap_analysis.h"
#include "model/heap_build.h"

/* ---- random graphs and the reference ---------------------------------- */

enum { MAXV = 512, W = MAXV / 64 };

typedef struct rgraph {
    uint32_t n_roots, n_objects;
    uint32_t root_start[MAXV + 1], root_target[MAXV * 4];
    uint32_t obj_start[MAXV + 1], obj_target[MAXV * 8];
    uint64_t size[MAXV];
} rgraph;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return n ? (uint32_t)(rng_state % n) : 0;
}

/* Up to maxv vertices (super-root and roots included). */
static void random_graph(rgraph *g, uint32_t maxv)
{
    g->n_roots = 1 + rnd(4);
    g->n_objects = rnd(maxv - 1 - g->n_roots);
    uint32_t k = 0;
    g->root_start[0] = 0;
    for (uint32_t r = 0; r < g->n_roots; r++) {
        uint32_t deg = g->n_objects ? rnd(4) : 0;
        for (uint32_t j = 0; j < deg; j++)
            g->root_target[k++] = rnd(g->n_objects);
        g->root_start[r + 1] = k;
    }
    /* Sparse or dense, decided per graph: both shapes find different bugs. */
    uint32_t maxdeg = 1 + rnd(5);
    k = 0;
    g->obj_start[0] = 0;
    for (uint32_t i = 0; i < g->n_objects; i++) {
        uint32_t deg = rnd(maxdeg + 1);
        for (uint32_t j = 0; j < deg; j++) {
            uint32_t c = rnd(10);
            uint32_t t = c == 0                          ? i                    /* self-loop */
                         : c == 1 && j                   ? g->obj_target[k - 1] /* duplicate */
                         : c < 5 && i + 1 < g->n_objects ? i + 1                /* chains */
                         : c == 5 && i ? i - 1 - rnd(i < 8 ? i : 8)             /* back edges */
                                       : rnd(g->n_objects);
            g->obj_target[k++] = t;
        }
        g->obj_start[i + 1] = k;
        g->size[i] = 1 + rnd(1000);
    }
}

/* Mostly leaves (no successors), the shape the pruning in dom.c skips: each
 * leaf gets one predecessor (sometimes twice over, a duplicate edge), two or
 * more, or a self-loop besides its predecessor; roots point at leaves
 * directly, twice, or at nothing. Inner objects form a random graph. */
static void leafy_graph(rgraph *g, uint32_t maxv)
{
    g->n_roots = 1 + rnd(4);
    g->n_objects = rnd(maxv - 1 - g->n_roots);
    uint32_t n = g->n_objects, inner = n ? 1 + rnd(n < 8 ? n : n / 3) : 0, k = 0;
    if (inner > n) inner = n;
    g->root_start[0] = 0;
    for (uint32_t r = 0; r < g->n_roots; r++) {
        uint32_t deg = n ? rnd(4) : 0;
        for (uint32_t j = 0; j < deg; j++) {
            uint32_t c = rnd(4);
            g->root_target[k] = c == 0 || !inner ? rnd(n) : c == 1 && j ? g->root_target[k - 1]
                                                                        : rnd(inner);
            k++;
        }
        g->root_start[r + 1] = k;
    }
    /* Inner object i < inner points at inner objects and at leaves (>= inner). */
    uint32_t *pending = malloc((size_t)(n ? n : 1) * sizeof *pending), np = 0;
    for (uint32_t x = inner; x < n; x++)
        pending[np++] = x;
    k = 0;
    g->obj_start[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i < inner) {
            uint32_t deg = rnd(3);
            for (uint32_t j = 0; j < deg && k < MAXV * 8 - 16; j++)
                g->obj_target[k++] = rnd(inner);
            /* Hand out leaves: most to one owner, some shared or duplicated. */
            uint32_t take = np ? rnd(np < 6 ? np + 1 : 6) : 0;
            for (uint32_t j = 0; j < take && k < MAXV * 8 - 16; j++) {
                uint32_t x = pending[--np], c = rnd(8);
                g->obj_target[k++] = x;
                if (c == 0) g->obj_target[k++] = x;              /* duplicate: still one pred */
                if (c == 1) g->obj_target[k++] = inner + rnd(n - inner); /* another leaf */
            }
            if (i + 1 == inner) /* the rest: to random inner owners, some not at all */
                while (np && k < MAXV * 8 - 16) {
                    np--;
                    if (rnd(4)) g->obj_target[k++] = pending[np];
                }
        } else if (rnd(16) == 0 && k < MAXV * 8 - 16) {
            g->obj_target[k++] = i; /* self-loop: its own second predecessor */
        } else if (rnd(32) == 0 && inner && k < MAXV * 8 - 16) {
            g->obj_target[k++] = rnd(inner); /* not a leaf after all */
        }
        g->obj_start[i + 1] = k;
        g->size[i] = 1 + rnd(1000);
    }
    free(pending);
}

static hs_dom_graph view(const rgraph *g)
{
    return (hs_dom_graph){g->n_roots,   g->root_start, g->root_target, g->n_objects,
                          g->obj_start, g->obj_target, g->size,        NULL};
}

typedef struct bits {
    uint64_t w[W];
} bits;
static int has(const bits *b, uint32_t i)
{
    return (int)(b->w[i / 64] >> (i % 64) & 1);
}
static void set(bits *b, uint32_t i)
{
    b->w[i / 64] |= 1ull << (i % 64);
}
static int count(const bits *b)
{
    int c = 0;
    for (int i = 0; i < W; i++)
        c += __builtin_popcountll(b->w[i]);
    return c;
}

/* Reference: dominator sets by data-flow iteration over predecessor lists
 * (Dom(v) = {v} + intersection of Dom(p) over reached preds p, to a fixpoint);
 * idom = the strict dominator with the most dominators itself; retained(v) =
 * sum of the sizes of the objects whose Dom contains v. */
static void reference(const rgraph *g, uint32_t *idom, uint64_t *retained)
{
    static bits dom[MAXV];
    static uint32_t pstart[MAXV + 1], pred[MAXV * 16], from[MAXV * 16], to[MAXV * 16];
    static uint8_t reached[MAXV];
    uint32_t nv = 1 + g->n_roots + g->n_objects, base = 1 + g->n_roots, m = 0;
    for (uint32_t r = 0; r < g->n_roots; r++) {
        from[m] = 0, to[m++] = 1 + r;
        for (uint32_t k = g->root_start[r]; k < g->root_start[r + 1]; k++)
            from[m] = 1 + r, to[m++] = base + g->root_target[k];
    }
    for (uint32_t i = 0; i < g->n_objects; i++)
        for (uint32_t k = g->obj_start[i]; k < g->obj_start[i + 1]; k++)
            from[m] = base + i, to[m++] = base + g->obj_target[k];
    memset(pstart, 0, sizeof pstart);
    for (uint32_t e = 0; e < m; e++)
        pstart[to[e] + 1]++;
    for (uint32_t v = 0; v < nv; v++)
        pstart[v + 1] += pstart[v];
    for (uint32_t e = 0; e < m; e++)
        pred[pstart[to[e]]++] = from[e];
    for (uint32_t v = nv; v > 0; v--)
        pstart[v] = pstart[v - 1];
    pstart[0] = 0;
    memset(reached, 0, sizeof reached);
    reached[0] = 1;
    for (int changed = 1; changed;) { /* reachability, by fixpoint too */
        changed = 0;
        for (uint32_t e = 0; e < m; e++)
            if (reached[from[e]] && !reached[to[e]]) reached[to[e]] = 1, changed = 1;
    }
    bits all;
    memset(&all, 0, sizeof all);
    for (uint32_t v = 0; v < nv; v++)
        set(&all, v);
    for (uint32_t v = 0; v < nv; v++) {
        if (v == 0)
            memset(&dom[0], 0, sizeof dom[0]), set(&dom[0], 0);
        else
            dom[v] = all;
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t v = 1; v < nv; v++) {
            if (!reached[v]) continue;
            bits d = all;
            for (uint32_t k = pstart[v]; k < pstart[v + 1]; k++)
                if (reached[pred[k]])
                    for (int i = 0; i < W; i++)
                        d.w[i] &= dom[pred[k]].w[i];
            set(&d, v);
            if (memcmp(&d, &dom[v], sizeof d)) dom[v] = d, changed = 1;
        }
    }
    for (uint32_t v = 0; v < nv; v++) {
        idom[v] = HS_NONE;
        retained[v] = 0;
        if (v == 0 || !reached[v]) continue;
        int best = -1;
        for (uint32_t d = 0; d < nv; d++) {
            if (d == v || !has(&dom[v], d)) continue;
            if (best < 0 || count(&dom[d]) > count(&dom[best])) best = (int)d;
        }
        idom[v] = (uint32_t)best;
    }
    for (uint32_t u = base; u < nv; u++) {
        if (!reached[u]) continue;
        for (uint32_t v = 0; v < nv; v++)
            if (has(&dom[u], v)) retained[v] += g->size[u - base];
    }
}

/* Reached objects with no successors and one distinct reached predecessor
 * (the leaves dom.c leaves out of Lengauer-Tarjan), by the definition. */
static uint64_t n_leaves, n_reached_all;
static void count_leaves(const rgraph *g, const uint32_t *idom)
{
    static uint32_t pred[MAXV];
    uint32_t base = 1 + g->n_roots, nv = base + g->n_objects;
    for (uint32_t v = 0; v < nv; v++)
        pred[v] = HS_NONE;
    for (uint32_t v = 1; v < nv; v++) {
        if (idom[v] == HS_NONE) continue;
        n_reached_all++;
        uint32_t b = v < base ? g->root_start[v - 1] : g->obj_start[v - base];
        uint32_t e = v < base ? g->root_start[v] : g->obj_start[v - base + 1];
        for (uint32_t k = b; k < e; k++) {
            uint32_t x = base + (v < base ? g->root_target[k] : g->obj_target[k]);
            pred[x] = pred[x] == HS_NONE || pred[x] == v ? v : HS_NONE - 1;
        }
    }
    for (uint32_t r = 1; r < base; r++)
        pred[r] = 0;
    for (uint32_t v = 1; v < nv; v++) {
        uint32_t b = v < base ? g->root_start[v - 1] : g->obj_start[v - base];
        uint32_t e = v < base ? g->root_start[v] : g->obj_start[v - base + 1];
        n_leaves += idom[v] != HS_NONE && b == e && pred[v] < HS_NONE - 1;
    }
}

static void compare_random(int iterations, uint32_t maxv, void (*gen)(rgraph *, uint32_t))
{
    static rgraph g;
    static uint32_t idom[MAXV];
    static uint64_t ret[MAXV];
    for (int iter = 0; iter < iterations; iter++) {
        gen(&g, maxv);
        reference(&g, idom, ret);
        count_leaves(&g, idom);
        hs_dom_graph gv = view(&g);
        hs_dom d;
        hs_error e;
        assert_int_equal(hs_dom_build_graph(&gv, &d, &e), 0);
        uint32_t nv = 1 + g.n_roots + g.n_objects, reached = 0;
        assert_int_equal(d.n_vertices, nv);
        for (uint32_t v = 0; v < nv; v++) {
            if (v == 0 || idom[v] != HS_NONE) reached++;
            if (d.idom[v] != idom[v] || d.retained[v] != ret[v])
                fail_msg("graph %d vertex %u: idom %u want %u, retained %llu want %llu", iter, v,
                         d.idom[v], idom[v], (unsigned long long)d.retained[v],
                         (unsigned long long)ret[v]);
        }
        assert_int_equal(d.n_reached, reached);
        /* A preorder of the dominator tree: order[0] is the super-root and
         * the idom of each next vertex is the previous vertex or one of its
         * dominators (so idom(v) precedes v and subtrees are contiguous). */
        assert_int_equal(d.order[0], 0);
        for (uint32_t i = 1; i < d.n_reached; i++) {
            uint32_t p = d.idom[d.order[i]], a = d.order[i - 1];
            while (a != p && a != 0)
                a = d.idom[a];
            if (a != p) fail_msg("graph %d: order[%u] is not a dominator-tree preorder", iter, i);
        }
        hs_dom_free(&d);
    }
}

static void test_random_graphs_match_reference(void **state)
{
    compare_random(5000, 64, random_graph);
}

static void test_random_larger_graphs_match_reference(void **state)
{
    compare_random(400, MAXV, random_graph);
}

static void test_leafy_graphs_match_reference(void **state)
{
    n_leaves = n_reached_all = 0;
    compare_random(3000, 64, leafy_graph);
    compare_random(300, MAXV, leafy_graph);
    printf("# leaves: %llu of %llu reached vertices\n", (unsigned long long)n_leaves,
           (unsigned long long)n_reached_all);
    assert_true(n_leaves * 3 > n_reached_all); /* the pruned path is what is tested */
}

/* ---- large graphs: chain, star, random (no recursion, speed) ----------- */

enum { BIG = 1000000 };

static void big_alloc(uint32_t n, uint32_t m, uint32_t **start, uint32_t **target, uint64_t **size)
{
    *start = malloc(((size_t)n + 1) * sizeof **start);
    *target = malloc(((size_t)m + 1) * sizeof **target);
    *size = malloc((size_t)n * sizeof **size);
    assert_non_null(*start);
    assert_non_null(*target);
    assert_non_null(*size);
}

static void test_chain_million(void **state)
{
    uint32_t *start, *target, rs[2] = {0, 1}, rt[1] = {0};
    uint64_t *size;
    big_alloc(BIG, BIG + BIG / 3 + 1, &start, &target, &size);
    uint32_t k = 0;
    for (uint32_t i = 0; i < BIG; i++) {
        start[i] = k;
        if (i + 1 < BIG) target[k++] = i + 1;
        if (i > 0 && i % 3 == 0) target[k++] = i - 1; /* back edges: dominators unchanged */
        size[i] = 8;
    }
    start[BIG] = k;
    hs_dom_graph g = {1, rs, rt, BIG, start, target, size, NULL};
    hs_dom d;
    hs_error e;
    assert_int_equal(hs_dom_build_graph(&g, &d, &e), 0);
    assert_int_equal(d.n_reached, BIG + 2);
    assert_int_equal(d.retained[0], 8ull * BIG);
    assert_int_equal(d.retained[1], 8ull * BIG);
    assert_int_equal(d.idom[2], 1);
    for (uint32_t i = 1; i < BIG; i++) {
        uint32_t v = hs_dom_vertex_of_object(&d, i);
        if (d.idom[v] != v - 1) fail_msg("chain %u: idom %u", i, d.idom[v]);
        if (d.retained[v] != 8ull * (BIG - i)) fail_msg("chain %u retained", i);
    }
    hs_dom_free(&d);
    free(start), free(target), free(size);
}

static void test_star_million(void **state)
{
    uint32_t *start, *target, rs[2] = {0, 1}, rt[1] = {0};
    uint64_t *size;
    big_alloc(BIG, BIG, &start, &target, &size);
    start[0] = 0;
    for (uint32_t i = 1; i < BIG; i++)
        target[i - 1] = i;
    for (uint32_t i = 1; i <= BIG; i++)
        start[i] = BIG - 1;
    for (uint32_t i = 0; i < BIG; i++)
        size[i] = i == 0 ? 100 : 16;
    hs_dom_graph g = {1, rs, rt, BIG, start, target, size, NULL};
    hs_dom d;
    hs_error e;
    assert_int_equal(hs_dom_build_graph(&g, &d, &e), 0);
    uint32_t hub = hs_dom_vertex_of_object(&d, 0);
    assert_int_equal(d.retained[hub], 100 + 16ull * (BIG - 1));
    for (uint32_t i = 1; i < BIG; i++) {
        uint32_t v = hs_dom_vertex_of_object(&d, i);
        if (d.idom[v] != hub || d.retained[v] != 16) fail_msg("star %u", i);
    }
    hs_dom_children c;
    assert_int_equal(hs_dom_children_build(&d, &c, &e), 0);
    assert_int_equal(c.start[hub + 1] - c.start[hub], BIG - 1);
    hs_dom_children_free(&c);
    hs_dom_free(&d);
    free(start), free(target), free(size);
}

/* An LRU cache: a head H with a list L1 -> ... -> Lk whose nodes point at
 * payloads Pi, and an index I that also points at every Pi. The DFS reaches
 * each Pi deep under its list node while its dominator is H: quadratic for an
 * ancestor-climbing Semi-NCA, linear here. Objects: 0 H, 1 I, 2.. L, k+2.. P. */
static void test_lru_shape(void **state)
{
    uint32_t k = BIG / 2, n = 2 * k + 2, m = 0, *start, *target, rs[2] = {0, 1}, rt[1] = {0};
    uint64_t *size;
    big_alloc(n, 2 * n + 4, &start, &target, &size);
    for (uint32_t i = 0; i < n; i++) {
        start[i] = m;
        size[i] = i < 2 ? 1000 : 16;
        if (i == 0)
            target[m++] = 2, target[m++] = 1;
        else if (i == 1)
            for (uint32_t j = 0; j < k; j++)
                target[m++] = k + 2 + j;
        else if (i < k + 2) {
            if (i + 1 < k + 2) target[m++] = i + 1;
            target[m++] = i + k;
        }
    }
    start[n] = m;
    hs_dom_graph g = {1, rs, rt, n, start, target, size, NULL};
    hs_dom d;
    hs_error e;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(hs_dom_build_graph(&g, &d, &e), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("# dominators of a %u-entry LRU shape: %.3f s\n", k, s);
    uint32_t H = hs_dom_vertex_of_object(&d, 0);
    assert_int_equal(d.retained[H], 2000 + 32ull * k);
    assert_int_equal(d.retained[hs_dom_vertex_of_object(&d, 1)], 1000); /* I holds no P alone */
    for (uint32_t j = 0; j < k; j++) {
        uint32_t L = hs_dom_vertex_of_object(&d, 2 + j), P = hs_dom_vertex_of_object(&d, k + 2 + j);
        if (d.idom[P] != H || d.idom[L] != (j ? L - 1 : H)) fail_msg("lru entry %u", j);
        if (d.retained[L] != 16ull * (k - j)) fail_msg("lru list node %u retained", j);
    }
    hs_dom_free(&d);
    free(start), free(target), free(size);
}

/* Random 10^6 objects x 3 references over 1000 roots: must be quick. The
 * check is against the vertex count and the preorder property only. */
static void test_random_million_speed(void **state)
{
    uint32_t *start, *target, nr = 1000, *rs = malloc((nr + 1) * sizeof *rs),
                              *rt = malloc(nr * sizeof *rt);
    uint64_t *size;
    big_alloc(BIG, 3 * BIG, &start, &target, &size);
    for (uint32_t r = 0; r <= nr; r++)
        rs[r] = r;
    for (uint32_t r = 0; r < nr; r++)
        rt[r] = rnd(BIG);
    for (uint32_t i = 0; i < BIG; i++) {
        start[i] = 3 * i;
        for (int j = 0; j < 3; j++)
            target[3 * i + j] = rnd(BIG);
        size[i] = 32;
    }
    start[BIG] = 3 * BIG;
    hs_dom_graph g = {nr, rs, rt, BIG, start, target, size, NULL};
    hs_dom d;
    hs_error e;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(hs_dom_build_graph(&g, &d, &e), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("# dominators of 10^6 objects x 3 refs: %.3f s\n", s);
    uint64_t reached_bytes = 0;
    for (uint32_t i = 0; i < BIG; i++)
        if (d.idom[hs_dom_vertex_of_object(&d, i)] != HS_NONE) reached_bytes += 32;
    assert_int_equal(d.retained[0], reached_bytes);
    hs_dom_free(&d);
    free(start), free(target), free(size), free(rs), free(rt);
}

/* ---- hand-built heaps with known retained sizes ------------------------ */

static void add_obj(hs_heap *h, uint64_t addr, uint64_t size)
{
    hs_error e;
    assert_int_equal(hs_heap_add_object(h, addr, size, HS_NONE, HS_NONE, 0, &e), 0);
}

static uint32_t add_root(hs_heap *h, const char *label, uint64_t ptr)
{
    hs_error e;
    uint32_t r = hs_heap_add_root(h, HS_ROOT_GLOBAL, hs_heap_intern(h, label, strlen(label)));
    assert_int_equal(hs_heap_add_root_ref(h, r, ptr, &e), 0);
    return r;
}

static void test_binary_tree_1023(void **state)
{
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    for (uint32_t i = 0; i < 1023; i++)
        add_obj(&h, 0x10000 + 64ull * i, 64);
    add_obj(&h, 0x90000, 4096); /* unreachable */
    assert_int_equal(hs_heap_index(&h, &e), 0);
    for (uint32_t i = 0; i < 1023; i++) /* children of i: 2i+1, 2i+2 (interior pointers) */
        for (uint32_t c = 2 * i + 1; c <= 2 * i + 2 && c < 1023; c++)
            assert_int_equal(hs_heap_add_ref(&h, i, 0x10000 + 64ull * c + 8, &e), 0);
    uint32_t r = add_root(&h, "main.tree", 0x10000);
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    hs_dom d;
    assert_int_equal(hs_dom_build(&h, &d, &e), 0);
    assert_int_equal(d.retained[hs_dom_vertex_of_root(&d, r)], 65472);
    assert_int_equal(d.retained[hs_dom_vertex_of_object(&d, 0)], 65472);
    assert_int_equal(d.retained[hs_dom_vertex_of_object(&d, 1)], 511 * 64);
    assert_int_equal(d.retained[0], 65472);
    assert_int_equal(d.idom[hs_dom_vertex_of_object(&d, 1023)], HS_NONE);
    assert_int_equal(d.retained[hs_dom_vertex_of_object(&d, 1023)], 0);
    hs_reach rc;
    assert_int_equal(hs_reach_compute(&h, &rc, &e), 0);
    assert_int_equal(rc.live_count, 1023);
    assert_int_equal(rc.live_size, 65472);
    assert_int_equal(rc.dead_count, 1);
    assert_int_equal(rc.dead_size, 4096);
    hs_reach_free(&rc);
    hs_dom_free(&d);
    hs_heap_free(&h);
}

static void test_two_roots_share(void **state)
{
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    add_obj(&h, 0x1000, 100); /* shared */
    add_obj(&h, 0x2000, 10);  /* only a */
    add_obj(&h, 0x3000, 20);  /* only b, points at shared */
    assert_int_equal(hs_heap_index(&h, &e), 0);
    assert_int_equal(hs_heap_add_ref(&h, 2, 0x1000, &e), 0);
    assert_int_equal(hs_heap_add_ref(&h, 1, 0x1000, &e), 0);
    uint32_t a = add_root(&h, "a", 0x2000), b = add_root(&h, "b", 0x3000);
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    hs_dom d;
    assert_int_equal(hs_dom_build(&h, &d, &e), 0);
    assert_int_equal(d.retained[hs_dom_vertex_of_root(&d, a)], 10);
    assert_int_equal(d.retained[hs_dom_vertex_of_root(&d, b)], 20);
    assert_int_equal(d.idom[hs_dom_vertex_of_object(&d, 0)], 0);
    assert_int_equal(d.retained[0], 130);
    hs_dom_free(&d);
    hs_heap_free(&h);
}

/* A random graph as a heap: object i at 0x10000 + 1024 i (sizes are below
 * 1024), references and roots in the graph's order. */
static void heap_of(const rgraph *g, hs_heap *h)
{
    hs_error e;
    hs_heap_init(h, "test");
    for (uint32_t i = 0; i < g->n_objects; i++)
        add_obj(h, 0x10000 + 1024ull * i, g->size[i]);
    assert_int_equal(hs_heap_index(h, &e), 0);
    for (uint32_t i = 0; i < g->n_objects; i++)
        for (uint32_t k = g->obj_start[i]; k < g->obj_start[i + 1]; k++)
            assert_int_equal(hs_heap_add_ref(h, i, 0x10000 + 1024ull * g->obj_target[k], &e), 0);
    for (uint32_t r = 0; r < g->n_roots; r++) {
        uint32_t id = hs_heap_add_root(h, HS_ROOT_GLOBAL, hs_heap_intern(h, "r", 1));
        for (uint32_t k = g->root_start[r]; k < g->root_start[r + 1]; k++)
            assert_int_equal(hs_heap_add_root_ref(h, id, 0x10000 + 1024ull * g->root_target[k], &e), 0);
    }
    assert_int_equal(hs_heap_finish(h, &e), 0);
}

/* hs_dom_build_consume (leaves' idoms kept through LT, references dropped
 * early) gives hs_dom_build's tree, order and sizes, and no references. */
static void test_consume_matches_build(void **state)
{
    static rgraph g;
    for (int iter = 0; iter < 600; iter++) {
        if (iter % 2) leafy_graph(&g, iter < 500 ? 64 : MAXV);
        else random_graph(&g, iter < 500 ? 64 : MAXV);
        hs_heap h;
        hs_dom a, b;
        hs_error e;
        heap_of(&g, &h);
        assert_int_equal(hs_dom_build(&h, &a, &e), 0);
        assert_int_equal(hs_dom_build_consume(&h, &b, &e), 0);
        assert_null(h.edge_start);
        assert_int_equal(h.n_edges, 0);
        assert_int_equal(a.n_vertices, b.n_vertices);
        assert_int_equal(a.n_reached, b.n_reached);
        assert_memory_equal(a.idom, b.idom, (size_t)a.n_vertices * sizeof *a.idom);
        assert_memory_equal(a.retained, b.retained, (size_t)a.n_vertices * sizeof *a.retained);
        assert_memory_equal(a.order, b.order, (size_t)a.n_reached * sizeof *a.order);
        hs_dom_free(&a), hs_dom_free(&b);
        hs_heap_free(&h);
    }
}

static void test_empty_and_rootless(void **state)
{
    hs_heap h;
    hs_error e;
    hs_heap_init(&h, "test");
    add_obj(&h, 0x1000, 8);
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    hs_dom d;
    assert_int_equal(hs_dom_build(&h, &d, &e), 0);
    assert_int_equal(d.n_reached, 1);
    assert_int_equal(d.retained[0], 0);
    assert_int_equal(d.idom[1], HS_NONE);
    hs_dom_free(&d);
    hs_heap_free(&h);
    hs_heap_init(&h, "test");
    assert_int_equal(hs_heap_finish(&h, &e), 0);
    assert_int_equal(hs_dom_build(&h, &d, &e), 0);
    assert_int_equal(d.n_vertices, 1);
    hs_dom_free(&d);
    hs_heap_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_graphs_match_reference),
        cmocka_unit_test(test_random_larger_graphs_match_reference),
        cmocka_unit_test(test_leafy_graphs_match_reference),
        cmocka_unit_test(test_chain_million),
        cmocka_unit_test(test_star_million),
        cmocka_unit_test(test_random_million_speed),
        cmocka_unit_test(test_lru_shape),
        cmocka_unit_test(test_binary_tree_1023),
        cmocka_unit_test(test_two_roots_share),
        cmocka_unit_test(test_consume_matches_build),
        cmocka_unit_test(test_empty_and_rootless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
