/* Renderers: value/percent formatting, escaping, and golden outputs of
 * top (text/JSON/CSV), diff (text/JSON/CSV), info and the DOT graph, all on
 * the fixture profile whose numbers are worked out in fixture_profile.h.
 * Each golden string was written from that construction by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_profile.h"
#include "heapscan/analysis.h"
#include "heapscan/render.h"
#include "capture.h"


static void expect(capture *c, const char *want)
{
    const char *got = cap_close(c);
    if (strcmp(got, want) != 0) {
        print_error("---- got ----\n%s---- want ----\n%s----\n", got, want);
        fail();
    }
    free(c->buf);
}

static void test_values(void **state)
{
    char b[64];
    struct {
        int64_t v;
        const char *unit, *want;
    } cases[] = {
        {0, "bytes", "0"},           {512, "bytes", "512B"},          {1024, "bytes", "1KiB"},
        {1536, "bytes", "1.50KiB"},  {1572864, "bytes", "1.50MiB"},  {-512, "bytes", "-512B"},
        {3221225472, "bytes", "3GiB"}, {250000000, "nanoseconds", "250ms"},
        {1500000000, "nanoseconds", "1.50s"}, {90000000000, "nanoseconds", "1.50min"},
        {999, "nanoseconds", "999ns"}, {12345, "count", "12345"}, {-7, "count", "-7"},
        {42, "", "42"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hs_render_value(b, sizeof b, cases[i].v, cases[i].unit);
        assert_string_equal(b, cases[i].want);
    }
    hs_render_value_signed(b, sizeof b, 1572864, "bytes");
    assert_string_equal(b, "+1.50MiB");
    hs_render_value_signed(b, sizeof b, -512, "bytes");
    assert_string_equal(b, "-512B");
    hs_render_value_signed(b, sizeof b, 0, "bytes");
    assert_string_equal(b, "0");
    hs_render_value_signed(b, sizeof b, 3, "count");
    assert_string_equal(b, "+3");
}

static void test_percents(void **state)
{
    char b[32];
    hs_render_percent(b, sizeof b, 800, 1500);
    assert_string_equal(b, "53.33%");
    hs_render_percent(b, sizeof b, 1500, 1500);
    assert_string_equal(b, "  100%");
    hs_render_percent(b, sizeof b, 0, 1500);
    assert_string_equal(b, "    0%");
    hs_render_percent(b, sizeof b, 3, 1000); /* 0.3%: two significant digits */
    assert_string_equal(b, "  0.3%");
    hs_render_percent(b, sizeof b, -100, 1500); /* pprof shows the magnitude */
    assert_string_equal(b, " 6.67%");
    hs_render_percent_signed(b, sizeof b, 300, 1500);
    assert_string_equal(b, "+20.00%");
    hs_render_percent_signed(b, sizeof b, -3, 1000);
    assert_string_equal(b, "-0.3%");
    hs_render_percent_signed(b, sizeof b, 0, 0);
    assert_string_equal(b, "0%");
    hs_render_percent_signed(b, sizeof b, 5, 0);
    assert_string_equal(b, "n/a");
    hs_render_time(b, sizeof b, 1700000000ll * 1000000000ll);
    assert_string_equal(b, "Nov 14, 2023 at 10:13pm (UTC)");
    hs_render_time(b, sizeof b, 0);
    assert_string_equal(b, "Jan 1, 1970 at 12:00am (UTC)");
}

static void test_escaping(void **state)
{
    capture c;
    FILE *f = cap_open(&c);
    hs_render_json_string(f, "q\"\\\n\t\x01 \xc3\xa9 \xff");
    fputc('\n', f);
    hs_render_csv_field(f, "plain");
    fputc('|', f);
    hs_render_csv_field(f, "a,\"b\"");
    fputc('|', f);
    hs_render_csv_field(f, "line\nbreak");
    fputc('|', f);
    hs_render_csv_field(f, " padded");
    fputc('\n', f);
    hs_render_dot_string(f, "say \"hi\"\\n\nnext \xff");
    expect(&c, "\"q\\\"\\\\\\n\\t\\u0001 \xc3\xa9 \\ufffd\"\n"
               "plain|\"a,\"\"b\"\"\"|\"line\nbreak\"|\" padded\"\n"
               "\"say \\\"hi\\\"\\\\n\\nnext ?\"");
}

static void meta_for(const hs_profile *p, const hs_agg *a, hs_report_meta *m)
{
    memset(m, 0, sizeof *m);
    m->file = "fx.pb";
    m->format = "pprof";
    m->profile = p;
    m->sample_type = a->sample_type;
    m->unit = a->unit;
}

static void build(hs_profile *p, hs_agg *a)
{
    hs_error e;
    fx_build(p);
    assert_int_equal(hs_agg_build(p, 1, HS_BY_FUNCTION, NULL, a, &e), 0);
    assert_int_equal(hs_agg_mark_inline(a, p, 1, HS_BY_FUNCTION, NULL, UINT32_MAX, &e), 0);
}

static void test_top_text(void **state)
{
    hs_profile p;
    hs_agg a;
    build(&p, &a);
    hs_report_meta m;
    meta_for(&p, &a, &m);
    capture c;
    hs_render_top_text(cap_open(&c), &m, &a, 0);
    expect(&c, "File: prog\n"
               "Build ID: abc123\n"
               "Type: space\n"
               "Showing nodes accounting for 1.46KiB, 100% of 1.46KiB total\n"
               "      flat  flat%   sum%        cum   cum%\n"
               "      800B 53.33% 53.33%       800B 53.33%  c\n"
               "      400B 26.67% 80.00%       700B 46.67%  a\n"
               "      200B 13.33% 93.33%       600B 40.00%  b\n"
               "      100B  6.67%   100%       100B  6.67%  inl (inline)\n"
               "         0     0%   100%       700B 46.67%  main\n");
    /* limit, time, duration, comments and active filters */
    p.time_nanos = 1700000000ll * 1000000000ll;
    p.duration_nanos = 30000000000ll;
    uint32_t com[2] = {hs_profile_intern(&p, "built by a test"), hs_profile_intern(&p, "#hidden")};
    p.comments = com;
    p.n_comments = 2;
    const char *filters[] = {"focus=main"};
    m.filters = filters;
    m.n_filters = 1;
    hs_render_top_text(cap_open(&c), &m, &a, 2);
    expect(&c, "File: prog\n"
               "Build ID: abc123\n"
               "built by a test\n"
               "Type: space\n"
               "Time: Nov 14, 2023 at 10:13pm (UTC)\n"
               "Duration: 30s, Total samples = 1.46KiB\n"
               "Active filters:\n"
               "   focus=main\n"
               "Showing nodes accounting for 1.17KiB, 80.00% of 1.46KiB total\n"
               "Showing top 2 nodes out of 5\n"
               "      flat  flat%   sum%        cum   cum%\n"
               "      800B 53.33% 53.33%       800B 53.33%  c\n"
               "      400B 26.67% 80.00%       700B 46.67%  a\n");
    p.comments = NULL;
    p.n_comments = 0;
    hs_agg_free(&a);
    hs_profile_free(&p);
}

static void test_top_json_and_csv(void **state)
{
    hs_profile p;
    hs_agg a;
    build(&p, &a);
    hs_agg_sort(&a, HS_SORT_CUM);
    hs_report_meta m;
    meta_for(&p, &a, &m);
    capture c;
    hs_render_top_json(cap_open(&c), &m, &a, 3);
    expect(&c, "{\"file\":\"fx.pb\",\"format\":\"pprof\",\"sample_type\":\"space\",\"unit\":\"bytes\","
               "\"total\":1500,\"rows\":[\n"
               "{\"name\":\"c\",\"flat\":800,\"cum\":800},\n"
               "{\"name\":\"a\",\"flat\":400,\"cum\":700},\n"
               "{\"name\":\"main\",\"flat\":0,\"cum\":700}\n"
               "]}\n");
    hs_render_top_csv(cap_open(&c), &m, &a, 0);
    expect(&c, "name,flat,cum\nc,800,800\na,400,700\nmain,0,700\nb,200,600\ninl,100,100\n");
    /* names needing quotes, and an empty report */
    hs_agg_entry odd = {.name = "f(a, \"b\")", .flat = -5, .cum = 9};
    hs_agg o = a;
    o.entries = &odd;
    o.n_entries = 1;
    hs_render_top_csv(cap_open(&c), &m, &o, 0);
    expect(&c, "name,flat,cum\n\"f(a, \"\"b\"\")\",-5,9\n");
    o.n_entries = 0;
    hs_render_top_json(cap_open(&c), &m, &o, 0);
    expect(&c, "{\"file\":\"fx.pb\",\"format\":\"pprof\",\"sample_type\":\"space\",\"unit\":\"bytes\","
               "\"total\":1500,\"rows\":[]}\n");
    hs_agg_free(&a);
    hs_profile_free(&p);
}

/* BEFORE = fixture (1500); AFTER = fixture + [L5 c] 300 + new d:1000 (2800). */
static void diff_pair(hs_profile *b, hs_profile *a, hs_agg *ab, hs_agg *aa, hs_diff *d)
{
    hs_error e;
    fx_build(b);
    fx_build(a);
    uint32_t c_only[] = {4};
    fx_sample(a, 1, 300, c_only, 1, NULL, 0);
    uint32_t f = fx_fn(a, "d", "d.go");
    uint32_t L = hs_profile_add_location(a, 99, 0, HS_NONE, &f, NULL, 1);
    fx_sample(a, 1, 1000, &L, 1, NULL, 0);
    assert_int_equal(hs_agg_build(b, 1, HS_BY_FUNCTION, NULL, ab, &e), 0);
    assert_int_equal(hs_agg_build(a, 1, HS_BY_FUNCTION, NULL, aa, &e), 0);
    assert_int_equal(hs_diff_build(ab, aa, HS_SORT_FLAT, d, &e), 0);
}

static void test_diff_outputs(void **state)
{
    hs_profile b, a;
    hs_agg ab, aa;
    hs_diff d;
    diff_pair(&b, &a, &ab, &aa, &d);
    hs_gate g[2];
    hs_gate_result r[2];
    hs_error e;
    assert_int_equal(hs_gate_parse("total>+50%", NULL, 0, &g[0], &e), 0);
    assert_int_equal(hs_gate_parse("any>+1KiB", NULL, 0, &g[1], &e), 0);
    assert_int_equal(hs_gate_eval(&g[0], &d, "bytes", &r[0], &e), 0);
    assert_int_equal(hs_gate_eval(&g[1], &d, "bytes", &r[1], &e), 0);
    hs_diff_meta m = {"before.pb", "after.pb", &a, "space", "bytes", NULL, 0, g, r, 2};
    capture c;
    /* total 1500 -> 2800: +1300 = +86.67%; d +1000 = +66.67%, c +300 = +20% */
    hs_render_diff_text(cap_open(&c), &m, &d, 0);
    expect(&c, "Before: before.pb\n"
               "After: after.pb\n"
               "Type: space\n"
               "Total: 1.46KiB -> 2.73KiB (+1.27KiB, +86.67%)\n"
               "Values are AFTER - BEFORE; percentages are of BEFORE's total (1.46KiB)\n"
               "Showing all 2 changed entries (1 new, 0 vanished)\n"
               "       flat    flat%         cum     cum%\n"
               "     +1000B  +66.67%      +1000B  +66.67%  d (new)\n"
               "      +300B  +20.00%       +300B  +20.00%  c\n"
               "Gates:\n"
               "  TRIPPED total>+50%: total changed by +86.67% (1.46KiB -> 2.73KiB)\n"
               "  ok any>+1KiB: closest entry d: flat changed by +1000B (0 -> 1000B)\n");
    hs_render_diff_json(cap_open(&c), &m, &d, 1);
    expect(&c, "{\"before\":\"before.pb\",\"after\":\"after.pb\",\"sample_type\":\"space\","
               "\"unit\":\"bytes\",\"total\":{\"before\":1500,\"after\":2800,\"delta\":1300},"
               "\"rows\":[\n"
               "{\"name\":\"d\",\"flat\":{\"before\":0,\"after\":1000,\"delta\":1000},"
               "\"cum\":{\"before\":0,\"after\":1000,\"delta\":1000}}\n"
               "],\"gates\":[\n"
               "{\"expr\":\"total>+50%\",\"tripped\":true,"
               "\"detail\":\"total changed by +86.67% (1.46KiB -> 2.73KiB)\"},\n"
               "{\"expr\":\"any>+1KiB\",\"tripped\":false,"
               "\"detail\":\"closest entry d: flat changed by +1000B (0 -> 1000B)\"}\n"
               "]}\n");
    m.n_gates = 0;
    hs_render_diff_csv(cap_open(&c), &m, &d, 0);
    expect(&c, "name,flat_before,flat_after,flat_delta,cum_before,cum_after,cum_delta,status\n"
               "d,0,1000,1000,0,1000,1000,new\n"
               "c,800,1100,300,800,1100,300,changed\n");
    hs_render_diff_json(cap_open(&c), &m, &d, 0);
    const char *got = cap_close(&c);
    assert_non_null(strstr(got, "],\"gates\":[]}\n"));
    free(c.buf);
    hs_diff_free(&d);
    hs_agg_free(&ab);
    hs_agg_free(&aa);
    hs_profile_free(&a);
    hs_profile_free(&b);
}

static void test_info(void **state)
{
    hs_profile p;
    fx_build(&p);
    p.period = 524288;
    p.period_type.type = hs_profile_intern(&p, "space");
    p.period_type.unit = hs_profile_intern(&p, "bytes");
    p.duration_nanos = 1500000000;
    int64_t totals[2] = {8, 1500}; /* objects 1+2+3+1+1, space 100+200+400+800 */
    capture c;
    hs_render_info_text(cap_open(&c), "fx.pb", &p, totals);
    expect(&c, "File: fx.pb\n"
               "Format: pprof\n"
               "Sample types:\n"
               "  objects              count        total 8\n"
               "  space                bytes        total 1.46KiB (1500)  [default]\n"
               "Period: 512KiB (space/bytes)\n"
               "Duration: 1.50s\n"
               "Samples: 5\n"
               "Locations: 5\n"
               "Functions: 5\n"
               "Mappings: 1\n"
               "Main binary: /usr/bin/prog (build id abc123)\n");
    hs_render_info_json(cap_open(&c), "fx.pb", &p, totals);
    expect(&c, "{\"file\":\"fx.pb\",\"format\":\"pprof\",\"sample_types\":["
               "{\"type\":\"objects\",\"unit\":\"count\",\"total\":8},"
               "{\"type\":\"space\",\"unit\":\"bytes\",\"total\":1500}],"
               "\"default_sample_type\":\"space\","
               "\"period_type\":{\"type\":\"space\",\"unit\":\"bytes\"},\"period\":524288,"
               "\"time_nanos\":0,\"duration_nanos\":1500000000,"
               "\"samples\":5,\"locations\":5,\"functions\":5,\"mappings\":1,"
               "\"main_binary\":{\"file\":\"/usr/bin/prog\",\"build_id\":\"abc123\"},"
               "\"comments\":[]}\n");
    hs_render_info_csv(cap_open(&c), "fx.pb", &p, totals);
    const char *got = cap_close(&c);
    assert_non_null(strstr(got, "key,value\nfile,fx.pb\nformat,pprof\n"
                                "sample_type.objects.unit,count\nsample_type.objects.total,8\n"));
    assert_non_null(strstr(got, "\nmain_binary,/usr/bin/prog\nbuild_id,abc123\n"));
    free(c.buf);
    hs_profile_free(&p);
}

/* Fixture graph (space): nodes by cum c 800, a 700, main 700, b 600, inl 100
 * -> N1..N5. Edges: main->a 100+200+400 = 700, a->b 200+400 = 600,
 * b->a 400 (S3's recursion), a->inl 100 (inlined in L3). */
static void test_graph_dot(void **state)
{
    hs_profile p;
    fx_build(&p);
    hs_graph g;
    hs_error e;
    assert_int_equal(hs_graph_build(&p, 1, HS_BY_FUNCTION, NULL, NULL, &g, &e), 0);
    assert_int_equal(g.n_nodes, 5);
    assert_int_equal(g.n_edges, 4);
    const char *names[] = {"c", "a", "main", "b", "inl"};
    for (int i = 0; i < 5; i++) assert_string_equal(g.nodes[i].name, names[i]);
    struct {
        uint32_t src, dst;
        int64_t w;
        int inl;
    } edges[] = {{2, 1, 700, 0}, {1, 3, 600, 0}, {3, 1, 400, 0}, {1, 4, 100, 1}};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(g.edges[i].src, edges[i].src);
        assert_int_equal(g.edges[i].dst, edges[i].dst);
        assert_int_equal(g.edges[i].weight, edges[i].w);
        assert_int_equal(g.edges[i].inlined, edges[i].inl);
        assert_int_equal(g.edges[i].residual, 0);
    }
    hs_report_meta m = {"fx.pb", "pprof", &p, "space", "bytes", NULL, 0};
    capture c;
    hs_render_graph_dot(cap_open(&c), &m, &g);
    const char *dot = cap_close(&c);
    const char *want[] = {
        "digraph \"heapscan\" {\n",
        ("label=\"File: prog\\lBuild ID: abc123\\lType: space\\l"
         "Showing nodes accounting for 1.46KiB, 100% of 1.46KiB total\\l\""),
        /* fontsize 8 + ceil(16 * sqrt(|flat| / max flat)) */
        "N1 [label=\"c\\n800B (53.33%)\" id=\"node1\" fontsize=24 ",
        "N2 [label=\"a\\n400B (26.67%)\\nof 700B (46.67%)\" id=\"node2\" fontsize=20 ",
        "N3 [label=\"main\\n0 of 700B (46.67%)\" id=\"node3\" fontsize=8 ",
        /* weight 1 + 100 * w / total, penwidth 1 + 5 * w / total */
        "N3 -> N2 [label=\" 700B\" weight=47 penwidth=3 ",
        "N2 -> N4 [label=\" 600B\" weight=41 penwidth=3 ",
        "N4 -> N2 [label=\" 400B\" weight=27 penwidth=2 ",
        "N2 -> N5 [label=\" 100B (inline)\" weight=7 penwidth=1 ",
        "tooltip=\"main -> a (700B)\"",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(dot, want[i])) fail_msg("missing %s in\n%s", want[i], dot);
    assert_int_equal(dot[strlen(dot) - 2], '}');
    /* Graphviz accepts it (dot is a declared tool of the build machine). */
    FILE *tmp = fopen("test_render_graph.dot", "w");
    assert_non_null(tmp);
    fputs(dot, tmp);
    fclose(tmp);
    if (system("command -v dot >/dev/null 2>&1") == 0)
        assert_int_equal(system("dot -Tsvg test_render_graph.dot >/dev/null"), 0);
    else
        print_message("dot not installed: rendering not checked\n");
    remove("test_render_graph.dot");
    free(c.buf);
    hs_graph_free(&g);
    hs_profile_free(&p);
}

/* main -> mid -> leaf, all cum 100: by name the top two are "leaf" and
 * "main", so the kept edge main -> leaf passes over mid: residual. */
static void test_graph_prune_residual(void **state)
{
    hs_profile p;
    hs_profile_init(&p);
    fx_types(&p, "n", "count", "space", "bytes");
    uint32_t fm = fx_fn(&p, "main", "m.go"), fi = fx_fn(&p, "mid", "m.go"), fl = fx_fn(&p, "leaf", "m.go");
    uint32_t L[3];
    L[0] = hs_profile_add_location(&p, 1, 0, HS_NONE, &fl, NULL, 1);
    L[1] = hs_profile_add_location(&p, 2, 0, HS_NONE, &fi, NULL, 1);
    L[2] = hs_profile_add_location(&p, 3, 0, HS_NONE, &fm, NULL, 1);
    fx_sample(&p, 1, 100, L, 3, NULL, 0);
    hs_graph_options o;
    hs_graph_default_options(&o);
    o.nodecount = 2;
    hs_graph g;
    hs_error e;
    assert_int_equal(hs_graph_build(&p, 1, HS_BY_FUNCTION, NULL, &o, &g, &e), 0);
    assert_int_equal(g.n_nodes, 2);
    assert_int_equal(g.n_orig, 3);
    assert_string_equal(g.nodes[0].name, "leaf");
    assert_string_equal(g.nodes[1].name, "main");
    assert_int_equal(g.n_edges, 1);
    assert_int_equal(g.edges[0].src, 1);
    assert_int_equal(g.edges[0].dst, 0);
    assert_int_equal(g.edges[0].residual, 1);
    hs_report_meta m = {"x", "pprof", NULL, "space", "bytes", NULL, 0};
    capture c;
    hs_render_graph_dot(cap_open(&c), &m, &g);
    const char *dot = cap_close(&c);
    assert_non_null(strstr(dot, "Showing top 2 nodes out of 3\\l"));
    assert_non_null(strstr(dot, "style=\"dotted\""));
    free(c.buf);
    hs_graph_free(&g);
    /* node_fraction: 100 of total 100 with fraction 2 -> cutoff 200 drops all */
    o.node_fraction = 2;
    assert_int_equal(hs_graph_build(&p, 1, HS_BY_FUNCTION, NULL, &o, &g, &e), 0);
    assert_int_equal(g.n_nodes, 0);
    assert_int_equal(g.dropped_nodes, 3);
    hs_graph_free(&g);
    hs_profile_free(&p);
}

/* S1 main->mid->leaf 200, S2 main->x->leaf 10; nodecount 3 drops x, so
 * main->leaf is residual (10) and redundant: main reaches leaf via mid. */
static void test_graph_redundant_residual_edge(void **state)
{
    hs_profile p;
    hs_profile_init(&p);
    fx_types(&p, "n", "count", "space", "bytes");
    uint32_t fm = fx_fn(&p, "main", "m.go"), fi = fx_fn(&p, "mid", "m.go"),
             fx = fx_fn(&p, "x", "m.go"), fl = fx_fn(&p, "leaf", "m.go");
    uint32_t Lm = hs_profile_add_location(&p, 1, 0, HS_NONE, &fm, NULL, 1);
    uint32_t Li = hs_profile_add_location(&p, 2, 0, HS_NONE, &fi, NULL, 1);
    uint32_t Lx = hs_profile_add_location(&p, 3, 0, HS_NONE, &fx, NULL, 1);
    uint32_t Ll = hs_profile_add_location(&p, 4, 0, HS_NONE, &fl, NULL, 1);
    uint32_t s1[] = {Ll, Li, Lm}, s2[] = {Ll, Lx, Lm};
    fx_sample(&p, 1, 200, s1, 3, NULL, 0);
    fx_sample(&p, 1, 10, s2, 3, NULL, 0);
    hs_graph_options o;
    hs_graph_default_options(&o);
    o.nodecount = 3;
    hs_graph g;
    hs_error e;
    assert_int_equal(hs_graph_build(&p, 1, HS_BY_FUNCTION, NULL, &o, &g, &e), 0);
    assert_int_equal(g.n_nodes, 3); /* leaf 210, main 210, mid 200 */
    assert_string_equal(g.nodes[2].name, "mid");
    assert_int_equal(g.n_edges, 2);
    for (uint32_t i = 0; i < g.n_edges; i++) {
        assert_int_equal(g.edges[i].weight, 200);
        assert_int_equal(g.edges[i].residual, 0);
    }
    hs_graph_free(&g);
    /* with x kept (no limit) nothing is residual: 4 edges of 200, 200, 10, 10 */
    o.nodecount = 0;
    assert_int_equal(hs_graph_build(&p, 1, HS_BY_FUNCTION, NULL, &o, &g, &e), 0);
    assert_int_equal(g.n_edges, 4);
    hs_graph_free(&g);
    hs_profile_free(&p);
}

/* Diff graph: AFTER = fixture + [L2 a, L1 main] 50; only a and main change. */
static void test_graph_diff(void **state)
{
    hs_profile b, a;
    fx_build(&b);
    fx_build(&a);
    uint32_t am[] = {1, 0};
    fx_sample(&a, 1, 50, am, 2, NULL, 0);
    hs_graph g;
    hs_error e;
    assert_int_equal(hs_graph_build_diff(&b, 1, &a, 1, HS_BY_FUNCTION, NULL, NULL, &g, &e), 0);
    assert_int_equal(g.total, 1500);
    assert_int_equal(g.n_nodes, 2);
    assert_string_equal(g.nodes[0].name, "a");
    assert_int_equal(g.nodes[0].flat, 50);
    assert_string_equal(g.nodes[1].name, "main");
    assert_int_equal(g.nodes[1].cum, 50);
    assert_int_equal(g.n_edges, 1);
    assert_int_equal(g.edges[0].weight, 50);
    hs_report_meta m = {"after", "pprof", NULL, "space", "bytes", NULL, 0};
    capture c;
    hs_render_graph_dot(cap_open(&c), &m, &g);
    const char *dot = cap_close(&c);
    assert_non_null(strstr(dot, "N1 [label=\"a\\n+50B (+3.33%)\" "));
    assert_non_null(strstr(dot, "Values are AFTER - BEFORE"));
    free(c.buf);
    hs_graph_free(&g);
    hs_profile_free(&a);
    hs_profile_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_percents),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_top_text),
        cmocka_unit_test(test_top_json_and_csv),
        cmocka_unit_test(test_diff_outputs),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_graph_dot),
        cmocka_unit_test(test_graph_prune_residual),
        cmocka_unit_test(test_graph_redundant_residual_edge),
        cmocka_unit_test(test_graph_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
