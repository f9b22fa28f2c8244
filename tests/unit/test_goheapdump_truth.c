/* Retained sizes of the real Go heap dump (testdata/heapdumps/tree.dump.gz)
 * against what is known by construction (testdata/gen/heapdump/main.go and
 * its JSON sidecar): the dominator code and grouping of the heap analysis run
 * on what the Go heap dump reader built. Needs the heap analyses
 * (heapscan/heap_analysis.h); until they are on the branch this file only
 * checks that the fixture loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "heapscan/reader.h"
#if defined(__has_include)
#if __has_include("heapscan/heap_analysis.h")
#include "heapscan/heap_analysis.h"
#define HAVE_HEAP_ANALYSIS 1
#endif
#endif

static const char *sidecar(void)
{
    static char buf[1 << 16];
    FILE *f = fopen(HS_SOURCE_DIR "/testdata/heapdumps/tree.json", "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static uint64_t json_num(const char *js, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(js, pat);
    assert_non_null(p);
    p += strlen(pat);
    if (*p == '"') p++;
    return strtoull(p, NULL, 0);
}

static void load_fixture(hs_model *m)
{
    char bin[] = "/tmp/hs_truthbin_XXXXXX";
    int fd = mkstemp(bin);
    assert_true(fd >= 0);
    hs_source src;
    hs_error err;
    assert_int_equal(hs_source_open(&src, HS_SOURCE_DIR "/testdata/heapdumps/tree.bin.gz", &err),
                     0);
    assert_int_equal(write(fd, src.data, src.size), (ssize_t)src.size);
    close(fd);
    hs_source_close(&src);
    hs_load_options o;
    memset(&o, 0, sizeof o);
    o.binary = bin;
    int rc = hs_load(HS_SOURCE_DIR "/testdata/heapdumps/tree.dump.gz", &o, m, &err);
    unlink(bin);
    assert_int_equal(rc, 0);
}

static uint32_t root_named(const hs_heap *h, const char *label)
{
    for (uint32_t r = 0; r < h->n_roots; r++)
        if (strcmp(hs_heap_str(h, h->root_label[r]), label) == 0) return r;
    return HS_NONE;
}

#ifdef HAVE_HEAP_ANALYSIS
static uint64_t root_retained(const hs_heap *h, const hs_dom *d, const char *label)
{
    uint32_t r = root_named(h, label);
    assert_int_not_equal(r, HS_NONE);
    return d->retained[hs_dom_vertex_of_root(d, r)];
}

static void test_retained(void **state)
{
    const char *js = sidecar();
    hs_model m;
    hs_error err;
    hs_dom d;
    load_fixture(&m);
    const hs_heap *h = &m.heap;
    assert_int_equal(hs_dom_build(h, &d, &err), 0);
    uint64_t tree = json_num(js, "tree_retained");
    assert_int_equal(tree, 1023 * 64);
    assert_int_equal(root_retained(h, &d, "main.treeRoot"), tree);
    uint32_t top = hs_heap_find(h, json_num(js, "tree_root"));
    assert_int_equal(d.retained[hs_dom_vertex_of_object(&d, top)], tree);
    /* Two globals share one object: neither retains it, the super-root dominates it. */
    assert_int_equal(root_retained(h, &d, "main.sharedA"), 0);
    assert_int_equal(root_retained(h, &d, "main.sharedB"), 0);
    uint32_t shared = hs_heap_find(h, json_num(js, "shared"));
    assert_int_equal(d.idom[hs_dom_vertex_of_object(&d, shared)], 0);
    assert_int_equal(d.retained[hs_dom_vertex_of_object(&d, shared)], 1024);
    /* 800 bytes of pointers in the 896-byte class + 100 leaves of 32 bytes. */
    assert_int_equal(root_retained(h, &d, "main.leafSlice"),
                     896 + json_num(js, "leaf_count") * json_num(js, "leaf_size"));
    /* The worker's 20000-byte buffer (20480-byte class) is dominated by its frame. */
    char label[64];
    snprintf(label, sizeof label, "goroutine %llu main.worker",
             (unsigned long long)json_num(js, "goid"));
    uint32_t wr = root_named(h, label);
    uint32_t buf = hs_heap_find(h, json_num(js, "buf_addr"));
    assert_int_equal(d.idom[hs_dom_vertex_of_object(&d, buf)], hs_dom_vertex_of_root(&d, wr));
    assert_int_equal(d.retained[hs_dom_vertex_of_object(&d, buf)], 20480);
    assert_true(d.retained[hs_dom_vertex_of_root(&d, wr)] >= 20480);
    /* Grouped by root label, as `top --by root` shows it. */
    hs_groups g;
    assert_int_equal(hs_group_compute(h, &d, HS_GROUP_ROOT, NULL, &g, &err), 0);
    int found = 0;
    for (uint32_t i = 0; i < g.n_rows; i++)
        if (strcmp(hs_strtab_get(&g.names, g.rows[i].name), "main.treeRoot") == 0) {
            assert_int_equal(g.rows[i].retained, tree);
            assert_int_equal(g.rows[i].count, json_num(js, "tree_nodes"));
            found = 1;
        }
    assert_true(found);
    assert_int_equal(g.total_count, json_num(js, "HeapObjects"));
    assert_int_equal(g.total_size, json_num(js, "HeapAlloc"));
    hs_group_free(&g);
    hs_dom_free(&d);
    hs_model_free(&m);
}
#else
/* Without the analyses: the roots the retained-size checks need exist. */
static void test_retained(void **state)
{
    const char *js = sidecar();
    hs_model m;
    load_fixture(&m);
    uint32_t r = root_named(&m.heap, "main.treeRoot");
    assert_int_not_equal(r, HS_NONE);
    assert_int_equal(m.heap.root_edge_start[r + 1] - m.heap.root_edge_start[r], 1);
    assert_int_equal(hs_heap_addr(&m.heap, m.heap.root_edge_target[m.heap.root_edge_start[r]]),
                     json_num(js, "tree_root"));
    assert_int_not_equal(root_named(&m.heap, "main.sharedA"), HS_NONE);
    assert_int_not_equal(root_named(&m.heap, "main.leafSlice"), HS_NONE);
    hs_model_free(&m);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_retained)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
