/* heapscan top FILE: the entries holding the most. A profile is aggregated
 * into flat/cum per function, file, line or address (pprof -top); a heap
 * (dump or core) into groups of objects with count, size and retained size.
 * Both are computed by the library and rendered by src/render/. */
#include <string.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan top [OPTIONS] FILE\n"
    "\n"
    "List the entries of FILE with the largest values, as 'go tool pprof -top' does:\n"
    "flat is what a sample's innermost frame holds, cum what every entry on the\n"
    "stack holds (counted once per sample).\n"
    "\n"
    "Options:\n"
    "  -i, --sample-index NAME  sample type (name or number; default: the profile's\n"
    "                           default_sample_type, else the last type)\n"
    "  -n, --limit N            show N rows (default 20; 0 = all)\n"
    "  --by KEY                 function (default), file, line or address\n"
    "  --sort KEY               flat (default) or cum\n"
    "  --focus REGEX            keep samples with a frame matching REGEX (function,\n"
    "                           file or binary name; POSIX extended regex)\n"
    "  --ignore REGEX           drop samples with a frame matching REGEX\n"
    "  --tag KEY=VALUE          keep samples labelled KEY=VALUE (repeatable; all must match)\n"
    "  --format text|json|csv   output format (default text)\n"
    HS_USAGE_COMMON
    "\n"
    "Percentages are of the whole profile's total, even with filters (as pprof).\n"
    "\n"
    "For heap dumps and cores (object graphs) the rows are groups of objects with\n"
    "their count, shallow size and retained size (what freeing them would free):\n"
    "  --by KEY                 site (default when the heap has allocation stacks),\n"
    "                           type (default otherwise, e.g. cores), root or object\n"
    "  --sort KEY               retained (default), size or count\n"
    "-i, --focus, --ignore and --tag apply to profiles only: with a heap, exit 2.\n"
    "\n"
    "Exit status: 0 success, 2 usage or input error.\n";

static int top_profile(const hs_cli_opts *o, const hs_cli_prof *po, hs_model *m)
{
    const hs_profile *p = &m->profile;
    const char *file = o->args[0];
    uint32_t vi;
    if (hs_cli_sample_index(p, file, o->sample_index, &vi)) return HS_EXIT_USAGE;
    hs_agg a;
    hs_error err;
    if (hs_agg_build(p, vi, po->by, &po->filter, &a, &err)) return hs_cli_fail(&err);
    hs_agg_sort(&a, po->order);
    uint32_t limit = hs_cli_limit(o);
    /* Only the text report shows pprof's inline marks, and only its rows need them. */
    if (o->format == HS_FMT_TEXT &&
        hs_agg_mark_inline(&a, p, vi, po->by, &po->filter, limit ? limit : UINT32_MAX, &err)) {
        hs_agg_free(&a);
        return hs_cli_fail(&err);
    }
    hs_report_meta meta = {file, p->format, p, a.sample_type, a.unit, po->filter_lines,
                           po->n_filter_lines};
    hs_output out;
    if (hs_output_open(&out, o->output)) {
        hs_agg_free(&a);
        return HS_EXIT_USAGE;
    }
    if (o->format == HS_FMT_JSON) hs_render_top_json(out.fp, &meta, &a, limit);
    else if (o->format == HS_FMT_CSV) hs_render_top_csv(out.fp, &meta, &a, limit);
    else hs_render_top_text(out.fp, &meta, &a, limit);
    hs_agg_free(&a);
    return hs_output_commit(&out) ? HS_EXIT_USAGE : HS_EXIT_OK;
}

static int top_heap(const hs_cli_opts *o, hs_model *m)
{
    hs_group_by by;
    hs_group_sort sort;
    if (hs_cli_heap_by_sort(o, &m->heap, 0, &by, &sort)) return HS_EXIT_USAGE;
    hs_heap_top t;
    hs_error err;
    uint32_t limit = hs_cli_limit(o);
    if (hs_heap_top_compute(&m->heap, by, sort, limit, &t, &err)) return hs_cli_fail(&err);
    hs_output out;
    int rc = HS_EXIT_USAGE;
    if (!hs_output_open(&out, o->output)) {
        hs_render_heap_top(out.fp, o->format, o->args[0], &m->heap, &t, sort, limit);
        rc = hs_output_commit(&out) ? HS_EXIT_USAGE : HS_EXIT_OK;
    }
    hs_heap_top_free(&t);
    return rc;
}

int cmd_top(int argc, char **argv)
{
    hs_cli_opts o;
    unsigned allowed = HS_OPT_SAMPLE_INDEX | HS_OPT_LIMIT | HS_OPT_BY | HS_OPT_SORT |
                       HS_OPT_FILTER | HS_OPT_FORMAT | HS_OPT_BINARY;
    int rc = hs_cli_parse(argc, argv, allowed, usage, "FILE", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    if (o.format == HS_FMT_DOT) return hs_cli_failf("top: --format dot applies to 'graph' only");
    hs_model m;
    if (hs_cli_load("top", o.args[0], &o, &m)) return HS_EXIT_USAGE;
    hs_cli_prof po; /* --by/--sort values differ between profiles and heaps */
    if (m.kind == HS_MODEL_HEAP) rc = top_heap(&o, &m);
    else if (hs_cli_prof_options("top", &o, &po)) rc = HS_EXIT_USAGE;
    else rc = top_profile(&o, &po, &m);
    hs_model_free(&m);
    return rc;
}
