/* heapscan graph FILE: the call graph of a profile as Graphviz DOT (or
 * JSON/CSV), pruned like pprof's; with --base BEFORE, the graph of the change.
 * For a heap: the dominator tree's largest vertices, or with --paths the
 * path from a root to one object, as DOT. */
#include <string.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan graph [OPTIONS] FILE\n"
    "       heapscan graph --base BEFORE [OPTIONS] AFTER\n"
    "\n"
    "Write the call graph of FILE in Graphviz DOT: one box per entry labelled with\n"
    "its flat and cum values (bigger font = more flat), edges caller -> callee as\n"
    "thick as the value flowing through them (dotted when they pass over dropped\n"
    "nodes). Small nodes and edges are pruned as pprof does, and a legend box says\n"
    "what was dropped. Render with e.g. 'heapscan graph FILE | dot -Tsvg >g.svg'.\n"
    "\n"
    "Options:\n"
    "  --base BEFORE            draw AFTER - BEFORE: growth red, shrinkage green\n"
    "  --nodecount N            keep at most N nodes (default 80; 0 = no limit); nodes\n"
    "                           under 0.5% and edges under 0.1% of the flat sum are dropped\n"
    "  -i, --sample-index NAME  sample type (default: the profile's default)\n"
    "  --by KEY                 function (default), file, line or address\n"
    "  --focus REGEX, --ignore REGEX, --tag KEY=VALUE   sample filters, as for 'top'\n"
    "  --format dot|json|csv    output format (default dot; 'text' also means dot)\n"
    "  --dot                    same as --format dot\n"
    HS_USAGE_COMMON
    "\n"
    "For heap dumps and cores: the dominator tree's largest vertices by retained\n"
    "size (--nodecount N), or with --paths ADDR|NAME the shortest path from a root\n"
    "to that object.\n"
    "  --paths ADDR|NAME        draw the path to this object instead of the tree\n"
    "\n"
    "For a goroutine dump: the call tree of its goroutine groups, as 'heapscan\n"
    "goroutines --format dot' draws it (--nodecount N groups, default 20).\n"
    "\n"
    "-i, --focus, --ignore and --tag apply to profiles only: with a heap, exit 2.\n"
    "\n"
    "Exit status: 0 success, 2 usage or input error.\n";

static int render(const hs_cli_opts *o, const hs_report_meta *meta, const hs_graph *g)
{
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    if (o->format == HS_FMT_JSON) hs_render_graph_json(out.fp, meta, g);
    else if (o->format == HS_FMT_CSV) hs_render_graph_csv(out.fp, meta, g);
    else hs_render_graph_dot(out.fp, meta, g);
    return hs_output_commit(&out) ? HS_EXIT_USAGE : HS_EXIT_OK;
}

static int graph_profile(const hs_cli_opts *o, const hs_cli_prof *po, const hs_profile *p,
                         const hs_profile *base)
{
    const char *file = o->args[0];
    uint32_t vi, bi = 0;
    if (hs_cli_sample_index(p, file, o->sample_index, &vi)) return HS_EXIT_USAGE;
    if (base && hs_cli_sample_index(base, o->base, o->sample_index, &bi)) return HS_EXIT_USAGE;
    const char *type = hs_profile_str(p, p->sample_types[vi].type);
    const char *unit = hs_profile_str(p, p->sample_types[vi].unit);
    if (base && (strcmp(type, hs_profile_str(base, base->sample_types[bi].type)) ||
                 strcmp(unit, hs_profile_str(base, base->sample_types[bi].unit))))
        return hs_cli_failf("graph: different sample types: %s has '%s' but %s has '%s'; "
                            "pick one both have with -i",
                            o->base, hs_profile_str(base, base->sample_types[bi].type), file, type);
    hs_graph_options go;
    hs_graph_default_options(&go);
    go.nodecount = o->nodecount > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)o->nodecount;
    hs_graph g;
    hs_error err;
    int rc = base ? hs_graph_build_diff(base, bi, p, vi, po->by, &po->filter, &go, &g, &err)
                  : hs_graph_build(p, vi, po->by, &po->filter, &go, &g, &err);
    if (rc) return hs_cli_fail(&err);
    hs_report_meta meta = {file, p->format, p, type, unit, po->filter_lines, po->n_filter_lines};
    rc = render(o, &meta, &g);
    hs_graph_free(&g);
    return rc;
}

static int graph_heap_body(const hs_cli_opts *o, const hs_heap *h, const hs_dom *d, FILE *fp)
{
    hs_error err;
    if (o->paths) {
        uint32_t obj;
        hs_path p;
        if (hs_heap_resolve(h, d, o->args[0], o->paths, &obj, &err) ||
            hs_path_find(h, obj, &p, &err))
            return hs_cli_fail(&err);
        hs_render_heap_path_dot(fp, o->args[0], h, d, o->paths, obj, &p);
        hs_path_free(&p);
        return HS_EXIT_OK;
    }
    hs_dom_top t;
    uint32_t k = o->nodecount > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)o->nodecount;
    if (hs_dom_top_build(d, k, &t, &err)) return hs_cli_fail(&err);
    hs_render_heap_tree_dot(fp, o->args[0], h, d, &t);
    hs_dom_top_free(&t);
    return HS_EXIT_OK;
}

static int graph_heap(const hs_cli_opts *o, hs_model *m, int have_base)
{
    if (have_base)
        return hs_cli_failf("graph: --base compares profiles; for heaps use 'heapscan diff'");
    if (hs_cli_format_ok(o, "graph", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_DOT)))
        return HS_EXIT_USAGE;
    hs_dom d;
    hs_error err;
    if (hs_dom_build(&m->heap, &d, &err)) return hs_cli_fail(&err);
    hs_output out;
    int rc = HS_EXIT_USAGE;
    if (!hs_output_open(&out, o->output))
        rc = hs_output_finish(&out, graph_heap_body(o, &m->heap, &d, out.fp));
    hs_dom_free(&d);
    return rc;
}

int cmd_graph(int argc, char **argv)
{
    hs_cli_opts o;
    unsigned allowed = HS_OPT_SAMPLE_INDEX | HS_OPT_BY | HS_OPT_FILTER | HS_OPT_FORMAT |
                       HS_OPT_GRAPH | HS_OPT_BINARY;
    int rc = hs_cli_parse(argc, argv, allowed, usage, "FILE", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    if (o.dot) o.format = HS_FMT_DOT;
    if (hs_cli_is_goroutine_dump(o.args[0])) {
        if (o.base || o.paths || o.sample_index || o.focus || o.ignore || o.n_tags)
            return hs_cli_failf("graph: %s is a goroutine dump: --base, --paths, -i and the sample "
                                "filters do not apply (see 'heapscan goroutines')",
                                o.args[0]);
        return hs_cli_goroutines_graph(&o);
    }
    hs_cli_prof po;
    hs_model m, base;
    int have_base = o.base != NULL;
    if (have_base && hs_cli_load("graph", o.base, &o, &base)) return HS_EXIT_USAGE;
    if (hs_cli_load("graph", o.args[0], &o, &m)) {
        if (have_base) hs_model_free(&base);
        return HS_EXIT_USAGE;
    }
    if (m.kind == HS_MODEL_HEAP || (have_base && base.kind == HS_MODEL_HEAP)) {
        if (have_base && base.kind != m.kind)
            rc = hs_cli_failf("graph: cannot compare a heap dump with a profile (%s, %s)", o.base,
                              o.args[0]);
        else rc = graph_heap(&o, &m, have_base);
    } else if (hs_cli_prof_options("graph", &o, &po)) {
        rc = HS_EXIT_USAGE;
    } else {
        rc = graph_profile(&o, &po, &m.profile, have_base ? &base.profile : NULL);
    }
    hs_model_free(&m);
    if (have_base) hs_model_free(&base);
    return rc;
}
