/* The heap reports (analysis in src/analysis/heap_report.c and domtree.c,
 * rendering in src/render/heap_*.c) on a heap built here: top, info, diff,
 * graph, dominators, paths and leaks write to a memory stream whose text is
 * checked against numbers known by construction (the heap of
 * test_heap_analysis.c), and the JSON against the exact schemas of issues 3
 * and 4. Only the public API is used, as an embedder would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "heapscan/heap_analysis.h"
#include "heapscan/heapscan.h"
#include "heapscan/render.h"
#include "capture.h"
#include "fixture_heap.h"

/* test_heap_analysis.c's heap (fixture_heap.h) as a Go heap dump model. */
static void build(hs_model *m, int variant)
{
    memset(m, 0, sizeof *m);
    m->kind = HS_MODEL_HEAP;
    fixture_heap_build(&m->heap, "go-heapdump", variant, FIXTURE_HEAP_STACK_ROOT | FIXTURE_HEAP_INFO);
}

static char *top(int variant, hs_group_by by, hs_group_sort sort, uint32_t limit,
                 hs_render_format f)
{
    hs_model m;
    hs_heap_top t;
    hs_error e;
    capture c;
    build(&m, variant);
    assert_int_equal(hs_heap_top_compute(&m.heap, by, sort, limit, &t, &e), 0);
    hs_render_heap_top(cap_open(&c), f, "heap.dump", &m.heap, &t, sort, limit);
    hs_heap_top_free(&t);
    hs_heap_free(&m.heap);
    return cap_close(&c);
}

static void expect(const char *out, const char *needle)
{
    if (!strstr(out, needle)) fail_msg("missing '%s' in:\n%s", needle, out);
}

static void test_top_json_schema(void **state)
{
    char *s = top(0, HS_GROUP_TYPE, HS_SORT_RETAINED, 20, HS_FMT_JSON);
    assert_string_equal(
        s, "{\"file\": \"heap.dump\", \"format\": \"go-heapdump\", \"by\": \"type\", "
           "\"total\": {\"count\": 8, \"size\": 266}, \"rows\": [\n"
           "  {\"name\": \"T\", \"count\": 4, \"size\": 200, \"retained\": 220},\n"
           "  {\"name\": \"U\", \"count\": 1, \"size\": 30, \"retained\": 30},\n"
           "  {\"name\": \"unknown 20B\", \"count\": 1, \"size\": 20, \"retained\": 0},\n"
           "  {\"name\": \"unknown 8B\", \"count\": 2, \"size\": 16, \"retained\": 0}\n"
           "]}\n");
    free(s);
    s = top(0, HS_GROUP_OBJECT, HS_SORT_RETAINED, 1, HS_FMT_JSON);
    expect(s, "\"by\": \"object\"");
    expect(s, "\"rows\": [\n  {\"address\": \"0x1000\", \"name\": \"T\", \"size\": 100, "
              "\"retained\": 180}\n]}");
    free(s);
}

static void test_top_text_csv(void **state)
{
    char *s = top(0, HS_GROUP_SITE, HS_SORT_RETAINED, 20, HS_FMT_TEXT);
    expect(s, "Showing 7 of 7 sites");
    expect(s, "main.makeA");
    expect(s, "180B");
    expect(s, "81.8%"); /* 180 of 220 reachable bytes */
    assert_true(strstr(s, "main.makeA") < strstr(s, "unknown 50B"));
    free(s);
    s = top(0, HS_GROUP_ROOT, HS_SORT_RETAINED, 20, HS_FMT_CSV);
    expect(s, "name,count,size,retained\nmain.a,3,100,180\n");
    free(s);
    s = top(0, HS_GROUP_TYPE, HS_SORT_COUNT, 1, HS_FMT_CSV);
    assert_string_equal(s, "name,count,size,retained\nT,4,200,220\n");
    free(s);
    hs_group_by by;
    assert_int_equal(hs_group_parse_by("nope", &by), -1);
}

static char *info(hs_render_format f)
{
    hs_model m;
    hs_reach r;
    hs_error e;
    capture c;
    uint32_t sites;
    build(&m, 0);
    assert_int_equal(hs_heap_site_groups(&m.heap, &sites, &e), 0);
    /* main.makeA, and "unknown NB" for the 6 sizes of the 7 site-less objects */
    assert_int_equal(sites, 7);
    assert_int_equal(hs_reach_compute(&m.heap, &r, &e), 0);
    hs_render_heap_info(cap_open(&c), f, "heap.dump", &m.heap, &r, sites);
    hs_reach_free(&r);
    hs_heap_free(&m.heap);
    return cap_close(&c);
}

static void test_info(void **state)
{
    char *s = info(HS_FMT_JSON);
    expect(s, "{\"file\": \"heap.dump\", \"format\": \"go-heapdump\", \"objects\": {\"count\": 8, "
              "\"size\": 266}, \"reachable\": {\"count\": 4, \"size\": 220}, \"unreachable\": "
              "{\"count\": 4, \"size\": 46}");
    expect(s, "\"heap\": {\"used\": {\"count\": 8, \"size\": 266}, \"free\": {\"count\": 0, "
              "\"size\": 0}");
    expect(s, "\"info\": {\"NumGC\": \"7\", \"goroutines\": \"waiting 3\", \"goroutines (2)\": "
              "\"running 1\"}}");
    expect(s, "\"roots\": {\"count\": 3, \"global\": 2, \"stack\": 1");
    free(s);
    s = info(HS_FMT_TEXT);
    expect(s, "Unreachable:   4 (46B)");
    expect(s, "  NumGC: 7");
    free(s);
}

static int group_one(const hs_heap *h, hs_groups *g)
{
    hs_dom d;
    hs_error e;
    assert_int_equal(hs_dom_build(h, &d, &e), 0);
    int rc = hs_group_compute(h, &d, HS_GROUP_TYPE, NULL, g, &e);
    hs_dom_free(&d);
    return rc;
}

/* The diff of variant 0 -> 1 by type with gates, rendered in f; *tripped
 * counts the tripped gates, -1 when a gate could not be parsed or evaluated. */
static char *diff(const char *const *exprs, uint32_t n, hs_render_format f, int *tripped)
{
    hs_model a, b;
    hs_groups ga, gb;
    hs_group_diff df;
    hs_gate g[4];
    hs_gate_result r[4];
    hs_error e;
    capture c;
    build(&a, 0), build(&b, 1);
    assert_int_equal(group_one(&a.heap, &ga), 0);
    assert_int_equal(group_one(&b.heap, &gb), 0);
    assert_int_equal(hs_group_diff_compute(&ga, &gb, HS_SORT_RETAINED, &df, &e), 0);
    *tripped = 0;
    for (uint32_t i = 0; i < n && *tripped >= 0; i++) {
        if (hs_gate_parse(exprs[i], hs_group_gate_columns, HS_GROUP_GATE_COLUMNS, &g[i], &e) ||
            hs_gate_eval_groups(&g[i], &df, &r[i], &e))
            *tripped = -1;
        else *tripped += r[i].tripped;
    }
    hs_heap_diff_meta meta = {"a.dump", "b.dump", a.heap.format, HS_GROUP_TYPE, g, r, n};
    hs_render_heap_diff(cap_open(&c), f, &meta, &df, 0);
    hs_group_diff_free(&df);
    hs_group_free(&ga), hs_group_free(&gb);
    hs_heap_free(&a.heap), hs_heap_free(&b.heap);
    return cap_close(&c);
}

static void test_diff_and_gates(void **state)
{
    int tripped;
    const char *gates[] = {"total>+400B", "any.retained<-100B"};
    char *s = diff(gates, 2, HS_FMT_JSON, &tripped);
    assert_int_equal(tripped, 1); /* size grew by 470 bytes */
    expect(s, "{\"before\": \"a.dump\", \"after\": \"b.dump\", \"format\": \"go-heapdump\", "
              "\"by\": \"type\", \"total\": {\"count\": {\"before\": 8, \"after\": 8, "
              "\"delta\": 0}, \"size\": {\"before\": 266, \"after\": 736, \"delta\": 470}");
    expect(s, "{\"name\": \"V\", \"count\": {\"before\": 0, \"after\": 1, \"delta\": 1}, "
              "\"size\": {\"before\": 0, \"after\": 500, \"delta\": 500}, \"retained\": "
              "{\"before\": 0, \"after\": 500, \"delta\": 500}}");
    expect(s, "\"gates\":[\n{\"expr\":\"total>+400B\",\"tripped\":true,\"detail\":"
              "\"total size changed by +470B (266B -> 736B)\"}");
    expect(s, "{\"expr\":\"any.retained<-100B\",\"tripped\":false");
    free(s);
    /* Text: the words of a profile diff. U (30B) vanished, V (500B) is new;
     * T keeps its size but its A now retains V too (+470B = 500 - 30); the
     * unknown 20B and 8B objects are unchanged and not shown. Percentages
     * are of BEFORE's 266 bytes: 470/266 = 176.69%, 500/266 = 187.97%. */
    s = diff(gates, 2, HS_FMT_TEXT, &tripped);
    expect(s, "Before: a.dump\nAfter: b.dump\n");
    expect(s, "Size: 266B -> 736B (+470B, +176.69%)\n");
    expect(s, "Showing all 3 changed types (1 new, 1 vanished)\n");
    expect(s, "        +1        +500B +187.97%        +500B  V (new)\n");
    expect(s, "        +0            0       0%        +470B  T\n");
    expect(s, "        -1         -30B  -11.28%         -30B  U (vanished)\n");
    assert_null(strstr(s, "unknown 8B"));
    expect(s, "Gates:\n  TRIPPED total>+400B: total size changed by +470B (266B -> 736B)\n");
    free(s);
    s = diff(gates, 2, HS_FMT_CSV, &tripped);
    expect(s, "V,0,1,1,0,500,500,0,500,500,new\n");
    expect(s, "U,1,0,-1,30,0,-30,30,0,-30,vanished\n");
    free(s);
    /* A gate that does not trip, a malformed one, and a byte unit on the count column. */
    const char *ok[] = {"total>+200%"}, *bad[] = {"sideways>1"}, *unit[] = {"total.count>+1KiB"};
    free(diff(ok, 1, HS_FMT_TEXT, &tripped)); /* +176.69% */
    assert_int_equal(tripped, 0);
    free(diff(bad, 1, HS_FMT_TEXT, &tripped));
    assert_int_equal(tripped, -1);
    free(diff(unit, 1, HS_FMT_TEXT, &tripped));
    assert_int_equal(tripped, -1);
}

/* The DOT must be accepted by Graphviz (installed by scripts/deps.sh). */
static void render_with_dot(const char *dot)
{
    char path[] = "/tmp/heapscan-graph-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs(dot, fp);
    fclose(fp);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "dot -Tsvg %s -o /dev/null", path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

/* What the heap commands build on: the model, its dominator tree, an output. */
typedef struct fixture {
    hs_model m;
    hs_dom d;
    capture c;
} fixture;

static FILE *setup(fixture *x)
{
    hs_error e;
    build(&x->m, 0);
    assert_int_equal(hs_dom_build(&x->m.heap, &x->d, &e), 0);
    return cap_open(&x->c);
}

static char *teardown(fixture *x)
{
    hs_dom_free(&x->d);
    hs_heap_free(&x->m.heap);
    return cap_close(&x->c);
}

static char *graph(uint32_t nodecount, const char *target)
{
    fixture x;
    FILE *fp = setup(&x);
    hs_error e;
    if (target) {
        uint32_t obj;
        hs_path p;
        assert_int_equal(hs_heap_resolve(&x.m.heap, &x.d, "heap.dump", target, &obj, &e), 0);
        assert_int_equal(hs_path_find(&x.m.heap, obj, &p, &e), 0);
        hs_render_heap_path_dot(fp, "heap.dump", &x.m.heap, &x.d, target, obj, &p);
        hs_path_free(&p);
    } else {
        hs_dom_top t;
        assert_int_equal(hs_dom_top_build(&x.d, nodecount, &t, &e), 0);
        hs_render_heap_tree_dot(fp, "heap.dump", &x.m.heap, &x.d, &t);
        hs_dom_top_free(&t);
    }
    return teardown(&x);
}

static void test_graph_dot(void **state)
{
    char *s = graph(3, NULL);
    expect(s, "digraph heapscan {");
    expect(s, "3 of 7 vertices"); /* 3 roots + 4 live objects */
    expect(s, "v0 -> v1;");       /* super-root -> root main.a */
    expect(s, "v1 -> v4;");       /* main.a -> A (vertex 1 + 3 + 0) */
    render_with_dot(s);
    free(s);
    s = graph(0, "0x2008");
    expect(s, "v1 -> v4;");
    expect(s, "v4 -> v5;");
    expect(s, "1 root reach it");
    render_with_dot(s);
    free(s);
}

static char *dominators(uint32_t depth, const char *min, hs_render_format f)
{
    fixture x;
    FILE *fp = setup(&x);
    hs_error e;
    uint64_t bytes;
    hs_domtree t;
    assert_int_equal(hs_domtree_parse_min(min, x.d.retained[0], &bytes), 0);
    assert_int_equal(hs_domtree_build(&x.d, depth, bytes, &t, &e), 0);
    hs_render_heap_dominators(fp, f, "heap.dump", &x.m.heap, &x.d, &t);
    hs_domtree_free(&t);
    return teardown(&x);
}

static void test_dominators(void **state)
{
    char *s = dominators(6, "0", HS_FMT_TEXT);
    expect(s, "showing 6 levels, nodes retaining >= 0\n");
    expect(s, "220B 100.0%  <all roots>\n");
    expect(s, "180B  81.8%    main.a (stack)\n");
    expect(s, "180B  81.8%      0x1000 T [100B]\n");
    expect(s,
           " 40B  18.2%    0x6000 T [40B]\n"); /* shared by the globals: under the super-root */
    free(s);
    s = dominators(1, "100B", HS_FMT_JSON);
    expect(s, "\"nodes\": [\n  {\"depth\": 0, \"kind\": \"super-root\", \"name\": \"<all roots>\", "
              "\"retained\": 220},\n  {\"depth\": 1, \"kind\": \"root\", \"root_kind\": \"stack\", "
              "\"name\": \"main.a\", \"retained\": 180},\n  {\"depth\": 1, \"kind\": \"more\", "
              "\"count\": 3, \"retained\": 40}\n]}");
    free(s);
    uint64_t bytes;
    assert_int_equal(hs_domtree_parse_min("50%", 220, &bytes), 0);
    assert_int_equal(bytes, 110);
    assert_int_equal(hs_domtree_parse_min("101%", 220, &bytes), -1);
}

/* paths to target; NULL when it names nothing (err then names the file). */
static char *paths(const char *target, hs_render_format f, hs_error *e)
{
    fixture x;
    FILE *fp = setup(&x);
    uint32_t obj;
    hs_path p;
    int found = hs_heap_resolve(&x.m.heap, &x.d, "heap.dump", target, &obj, e) == 0;
    if (found) {
        assert_int_equal(hs_path_find(&x.m.heap, obj, &p, e), 0);
        hs_render_heap_paths(fp, f, "heap.dump", &x.m.heap, &x.d, obj, &p);
        hs_path_free(&p);
    }
    char *s = teardown(&x);
    if (found) return s;
    free(s);
    return NULL;
}

static void test_paths(void **state)
{
    hs_error e;
    char *s = paths("0x6010", HS_FMT_TEXT, &e);
    expect(s, "  root main.g1 (global)\n  -> 0x6000 T [40B]\n");
    expect(s, "Roots reaching it: 3 (2 others)");
    free(s);
    s = paths("U", HS_FMT_JSON, &e);
    expect(s, "\"hops\": [\n  {\"kind\": \"root\", \"root_kind\": \"stack\", \"name\": \"main.a\"},"
              "\n  {\"kind\": \"object\", \"address\": \"0x1000\"");
    expect(s, "\"roots_reaching\": 1, \"other_roots\": 0}");
    free(s);
    s = paths("0x5000", HS_FMT_TEXT, &e);
    expect(s, "Unreachable");
    free(s);
    assert_null(paths("0x9999", HS_FMT_TEXT, &e));
    char msg[1200];
    assert_string_equal(hs_error_format(&e, msg, sizeof msg),
                        "heap.dump: no object contains address 0x9999");
}

static char *leaks(hs_render_format f)
{
    hs_model m;
    hs_leaks l;
    hs_error e;
    capture c;
    build(&m, 0);
    assert_int_equal(hs_leaks_compute(&m.heap, HS_GROUP_TYPE, HS_SORT_RETAINED, 20, &l, &e), 0);
    hs_render_heap_leaks(cap_open(&c), f, "heap.dump", &m.heap, &l, 20);
    hs_leaks_free(&l);
    hs_heap_free(&m.heap);
    return cap_close(&c);
}

static void test_leaks(void **state)
{
    char *s = leaks(HS_FMT_JSON);
    assert_string_equal(
        s, "{\"file\": \"heap.dump\", \"format\": \"go-heapdump\", \"by\": \"type\", "
           "\"total\": {\"count\": 4, \"size\": 46}, \"rows\": [\n"
           "  {\"name\": \"unknown 20B\", \"count\": 1, \"size\": 20, \"retained\": 30},\n"
           "  {\"name\": \"unknown 8B\", \"count\": 2, \"size\": 16, \"retained\": 16},\n"
           "  {\"name\": \"T\", \"count\": 1, \"size\": 10, \"retained\": 10}\n"
           "], \"leak_roots\": [\n"
           "  {\"address\": \"0x4000\", \"name\": \"unknown 20B\", \"size\": 20, \"retained\": 30, "
           "\"cycle\": false},\n"
           "  {\"address\": \"0x7000\", \"name\": \"unknown 8B\", \"size\": 8, \"retained\": 16, "
           "\"cycle\": true}\n]}\n");
    free(s);
    s = leaks(HS_FMT_TEXT);
    expect(s, "Unreachable: 4 objects (46B) of 8 (266B)");
    expect(s, "Leak roots: 2 (1 in unreachable cycles)");
    free(s);
}

static void test_formatting(void **state)
{
    char b[48];
    assert_string_equal(hs_render_bytes(b, sizeof b, 1023), "1023B");
    assert_string_equal(hs_render_bytes(b, sizeof b, 65472), "63.94KiB");
    assert_string_equal(hs_render_bytes(b, sizeof b, 3u << 20), "3MiB");
    assert_string_equal(hs_render_bytes_signed(b, sizeof b, -1536), "-1.50KiB");
    /* Size parsing is tested with the gates (test_diff_gate.c). */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_json_schema),
        cmocka_unit_test(test_top_text_csv),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_diff_and_gates),
        cmocka_unit_test(test_graph_dot),
        cmocka_unit_test(test_dominators),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_leaks),
        cmocka_unit_test(test_formatting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
