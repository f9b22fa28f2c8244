/* The heap side of the CLI (src/cli/heap_*.c) on a heap built here, since no
 * heap reader exists on this branch: top/info/diff/graph/dominators/paths/leaks
 * bodies write to a temporary file whose text is checked against numbers known
 * by construction (the heap of test_heap_analysis.c), and the JSON against the
 * exact schemas of issues 3 and 4. Links the CLI library (heapscan_cli). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "heap_cli.h"

/* Same shape as test_heap_analysis.c's heap; variant 1 drops C, adds W(500, V). */
static void build(hs_model *m, int variant)
{
    hs_heap *h = &m->heap;
    hs_error e;
    memset(m, 0, sizeof *m);
    m->kind = HS_MODEL_HEAP;
    hs_heap_init(h, "go-heapdump");
    uint32_t T = hs_heap_add_type(h, "T"), U = hs_heap_add_type(h, "U");
    uint32_t V = hs_heap_add_type(h, "V");
    uint32_t fa = hs_heap_intern(h, "main.makeA main.go:10", 21);
    uint32_t sa = hs_heap_add_site(h, &fa, 1);
    assert_int_equal(hs_heap_add_object(h, 0x1000, 100, T, sa, HS_OBJ_SAMPLED, &e), 0);
    assert_int_equal(hs_heap_add_object(h, 0x2000, 50, T, HS_NONE, 0, &e), 0);
    if (variant == 0)
        assert_int_equal(hs_heap_add_object(h, 0x3000, 30, U, HS_NONE, 0, &e), 0);
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
        uint32_t r = hs_heap_add_root(h, i ? HS_ROOT_GLOBAL : HS_ROOT_STACK,
                                      hs_heap_intern(h, labels[i], strlen(labels[i])));
        assert_int_equal(hs_heap_add_root_ref(h, r, ptrs[i], &e), 0);
    }
    assert_int_equal(hs_heap_add_info(h, "NumGC", "7"), 0);
    assert_int_equal(hs_heap_add_info(h, "goroutines", "waiting 3"), 0);
    assert_int_equal(hs_heap_add_info(h, "goroutines", "running 1"), 0);
    assert_int_equal(hs_heap_finish(h, &e), 0);
}

typedef int (*body_fn)(const hs_cli_opts *, hs_model *, hs_output *);

/* Parse args (argv[0] = the command), run body on the heap, return the output. */
static char *run(body_fn body, int variant, int *rc, const char *cmd, ...)
{
    char *argv[32] = {(char *)cmd};
    int argc = 1;
    va_list ap;
    va_start(ap, cmd);
    for (const char *a; (a = va_arg(ap, const char *));)
        argv[argc++] = (char *)a;
    va_end(ap);
    hs_cli_opts o;
    assert_int_equal(hs_cli_parse(argc, argv, ~0u, "usage\n", 1, 2, &o), 0);
    hs_model m;
    build(&m, variant);
    hs_output out = {0};
    out.fp = tmpfile();
    assert_non_null(out.fp);
    *rc = body(&o, &m, &out);
    long n = ftell(out.fp);
    char *buf = calloc((size_t)n + 1, 1);
    rewind(out.fp);
    assert_int_equal(fread(buf, 1, (size_t)n, out.fp), (size_t)n);
    fclose(out.fp);
    hs_heap_free(&m.heap);
    return buf;
}

static void expect(const char *out, const char *needle)
{
    if (!strstr(out, needle)) fail_msg("missing '%s' in:\n%s", needle, out);
}

static void test_top_json_schema(void **state)
{
    int rc;
    char *s =
        run(hs_heap_cmd_top, 0, &rc, "top", "heap.dump", "--by", "type", "--format", "json", NULL);
    assert_int_equal(rc, 0);
    assert_string_equal(
        s, "{\"file\": \"heap.dump\", \"format\": \"go-heapdump\", \"by\": \"type\", "
           "\"total\": {\"count\": 8, \"size\": 266}, \"rows\": [\n"
           "  {\"name\": \"T\", \"count\": 4, \"size\": 200, \"retained\": 220},\n"
           "  {\"name\": \"U\", \"count\": 1, \"size\": 30, \"retained\": 30},\n"
           "  {\"name\": \"unknown 20B\", \"count\": 1, \"size\": 20, \"retained\": 0},\n"
           "  {\"name\": \"unknown 8B\", \"count\": 2, \"size\": 16, \"retained\": 0}\n"
           "]}\n");
    free(s);
    s = run(hs_heap_cmd_top, 0, &rc, "top", "heap.dump", "--by", "object", "-n", "1", "--format",
            "json", NULL);
    expect(s, "\"by\": \"object\"");
    expect(s, "\"rows\": [\n  {\"address\": \"0x1000\", \"name\": \"T\", \"size\": 100, "
              "\"retained\": 180}\n]}");
    free(s);
}

static void test_top_text_csv(void **state)
{
    int rc;
    char *s = run(hs_heap_cmd_top, 0, &rc, "top", "heap.dump", NULL); /* default: site, retained */
    expect(s, "Showing 7 of 7 sites");
    expect(s, "main.makeA");
    expect(s, "180B");
    expect(s, "81.8%"); /* 180 of 220 reachable bytes */
    assert_true(strstr(s, "main.makeA") < strstr(s, "unknown 50B"));
    free(s);
    s = run(hs_heap_cmd_top, 0, &rc, "top", "heap.dump", "--by", "root", "--format", "csv", NULL);
    expect(s, "name,count,size,retained\nmain.a,3,100,180\n");
    free(s);
    s = run(hs_heap_cmd_top, 0, &rc, "top", "heap.dump", "--sort", "count", "-n", "1", "--by",
            "type", "--format", "csv", NULL);
    assert_string_equal(s, "name,count,size,retained\nT,4,200,220\n");
    free(s);
    s = run(hs_heap_cmd_top, 0, &rc, "top", "heap.dump", "--by", "nope", NULL);
    assert_int_equal(rc, HS_EXIT_USAGE);
    free(s);
}

static void test_info(void **state)
{
    int rc;
    char *s = run(hs_heap_cmd_info, 0, &rc, "info", "heap.dump", "--format", "json", NULL);
    assert_int_equal(rc, 0);
    expect(s, "{\"file\": \"heap.dump\", \"format\": \"go-heapdump\", \"objects\": {\"count\": 8, "
              "\"size\": 266}, \"reachable\": {\"count\": 4, \"size\": 220}, \"unreachable\": "
              "{\"count\": 4, \"size\": 46}");
    expect(s, "\"heap\": {\"used\": {\"count\": 8, \"size\": 266}, \"free\": {\"count\": 0, "
              "\"size\": 0}");
    expect(s, "\"info\": {\"NumGC\": \"7\", \"goroutines\": \"waiting 3\", \"goroutines (2)\": "
              "\"running 1\"}}");
    expect(s, "\"roots\": {\"count\": 3, \"global\": 2, \"stack\": 1");
    free(s);
    s = run(hs_heap_cmd_info, 0, &rc, "info", "heap.dump", NULL);
    expect(s, "Unreachable:   4 (46B)");
    expect(s, "  NumGC: 7");
    free(s);
}

static void test_diff_and_gates(void **state)
{
    int rc;
    hs_model a, b;
    hs_cli_opts o;
    char *argv[] = {"diff",
                    "a.dump",
                    "b.dump",
                    "--by",
                    "type",
                    "--format",
                    "json",
                    "--fail-if",
                    "total>+400B",
                    "--fail-if",
                    "any.retained<-100B",
                    NULL};
    assert_int_equal(hs_cli_parse(11, argv, ~0u, "u\n", 2, 2, &o), 0);
    build(&a, 0), build(&b, 1);
    hs_output out = {tmpfile(), {0}, {0}};
    rc = hs_heap_cmd_diff(&o, &a, &b, &out);
    assert_int_equal(rc, HS_EXIT_GATE); /* size grew by 470 bytes */
    char buf[8192] = {0};
    rewind(out.fp);
    assert_true(fread(buf, 1, sizeof buf - 1, out.fp) > 0);
    fclose(out.fp);
    expect(buf, "{\"before\": \"a.dump\", \"after\": \"b.dump\", \"format\": \"go-heapdump\", "
                "\"by\": \"type\", \"total\": {\"count\": {\"before\": 8, \"after\": 8, "
                "\"delta\": 0}, \"size\": {\"before\": 266, \"after\": 736, \"delta\": 470}");
    expect(buf, "{\"name\": \"V\", \"count\": {\"before\": 0, \"after\": 1, \"delta\": 1}, "
                "\"size\": {\"before\": 0, \"after\": 500, \"delta\": 500}, \"retained\": "
                "{\"before\": 0, \"after\": 500, \"delta\": 500}}");
    expect(buf, "\"gates\": [{\"expr\": \"total>+400B\", \"tripped\": true, \"detail\": "
                "\"total size changed by +470B (266B -> 736B)\"}");
    expect(buf, "{\"expr\": \"any.retained<-100B\", \"tripped\": false");
    hs_heap_free(&a.heap), hs_heap_free(&b.heap);
    /* A gate that does not trip, and a malformed one. */
    char *argv2[] = {"diff", "a.dump", "b.dump", "--fail-if", "total>+200%", NULL};
    assert_int_equal(hs_cli_parse(5, argv2, ~0u, "u\n", 2, 2, &o), 0);
    build(&a, 0), build(&b, 1);
    out.fp = tmpfile();
    assert_int_equal(hs_heap_cmd_diff(&o, &a, &b, &out), HS_EXIT_OK); /* +176.7% */
    fclose(out.fp);
    char *argv3[] = {"diff", "a.dump", "b.dump", "--fail-if", "sideways>1", NULL};
    assert_int_equal(hs_cli_parse(5, argv3, ~0u, "u\n", 2, 2, &o), 0);
    out.fp = tmpfile();
    assert_int_equal(hs_heap_cmd_diff(&o, &a, &b, &out), HS_EXIT_USAGE);
    fclose(out.fp);
    /* A byte unit on the count column cannot be compared. */
    char *argv4[] = {"diff", "a.dump", "b.dump", "--fail-if", "total.count>+1KiB", NULL};
    assert_int_equal(hs_cli_parse(5, argv4, ~0u, "u\n", 2, 2, &o), 0);
    out.fp = tmpfile();
    assert_int_equal(hs_heap_cmd_diff(&o, &a, &b, &out), HS_EXIT_USAGE);
    fclose(out.fp);
    hs_heap_free(&a.heap), hs_heap_free(&b.heap);
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

static void test_graph_dot(void **state)
{
    int rc;
    char *s = run(hs_heap_cmd_graph, 0, &rc, "graph", "heap.dump", "--nodecount", "3", NULL);
    assert_int_equal(rc, 0);
    expect(s, "digraph heapscan {");
    expect(s, "3 of 7 vertices"); /* 3 roots + 4 live objects */
    expect(s, "v0 -> v1;");       /* super-root -> root main.a */
    expect(s, "v1 -> v4;");       /* main.a -> A (vertex 1 + 3 + 0) */
    render_with_dot(s);
    free(s);
    s = run(hs_heap_cmd_graph, 0, &rc, "graph", "heap.dump", "--paths", "0x2008", NULL);
    expect(s, "v1 -> v4;");
    expect(s, "v4 -> v5;");
    expect(s, "1 root reach it");
    render_with_dot(s);
    free(s);
}

static void test_dominators(void **state)
{
    int rc;
    char *s =
        run(hs_heapcli_dominators, 0, &rc, "dominators", "heap.dump", "--min-retained", "0", NULL);
    assert_int_equal(rc, 0);
    expect(s, "showing 6 levels, nodes retaining >= 0\n");
    expect(s, "220B 100.0%  <all roots>\n");
    expect(s, "180B  81.8%    main.a (stack)\n");
    expect(s, "180B  81.8%      0x1000 T [100B]\n");
    expect(s,
           " 40B  18.2%    0x6000 T [40B]\n"); /* shared by the globals: under the super-root */
    free(s);
    s = run(hs_heapcli_dominators, 0, &rc, "dominators", "heap.dump", "--depth", "1",
            "--min-retained", "100B", "--format", "json", NULL);
    expect(s, "\"nodes\": [\n  {\"depth\": 0, \"kind\": \"super-root\", \"name\": \"<all roots>\", "
              "\"retained\": 220},\n  {\"depth\": 1, \"kind\": \"root\", \"root_kind\": \"stack\", "
              "\"name\": \"main.a\", \"retained\": 180},\n  {\"depth\": 1, \"kind\": \"more\", "
              "\"count\": 3, \"retained\": 40}\n]}");
    free(s);
}

static void test_paths(void **state)
{
    int rc;
    char *s = run(hs_heapcli_paths, 0, &rc, "paths", "heap.dump", "0x6010", NULL);
    assert_int_equal(rc, 0);
    expect(s, "  root main.g1 (global)\n  -> 0x6000 T [40B]\n");
    expect(s, "Roots reaching it: 3 (2 others)");
    free(s);
    s = run(hs_heapcli_paths, 0, &rc, "paths", "heap.dump", "U", "--format", "json", NULL);
    expect(s, "\"hops\": [\n  {\"kind\": \"root\", \"root_kind\": \"stack\", \"name\": \"main.a\"},"
              "\n  {\"kind\": \"object\", \"address\": \"0x1000\"");
    expect(s, "\"roots_reaching\": 1, \"other_roots\": 0}");
    free(s);
    s = run(hs_heapcli_paths, 0, &rc, "paths", "heap.dump", "0x5000", NULL);
    expect(s, "Unreachable");
    free(s);
    s = run(hs_heapcli_paths, 0, &rc, "paths", "heap.dump", "0x9999", NULL);
    assert_int_equal(rc, HS_EXIT_USAGE);
    free(s);
}

static void test_leaks(void **state)
{
    int rc;
    char *s = run(hs_heapcli_leaks, 0, &rc, "leaks", "heap.dump", "--format", "json", NULL);
    assert_int_equal(rc, 0);
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
    s = run(hs_heapcli_leaks, 0, &rc, "leaks", "heap.dump", NULL);
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
