/* heapscan info FILE: what a file is (format, sample types with totals,
 * period, time, duration, sizes, main binary, comments; for a heap the
 * objects, their reachability, roots and the reader's facts). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan info [OPTIONS] FILE\n"
    "\n"
    "Describe FILE: its format, sample types and their totals, period, time,\n"
    "duration, the number of samples, locations, functions and mappings, the main\n"
    "binary and comments. FILE may be compressed (gzip, zstd, xz, bzip2, lz4);\n"
    "'-' reads standard input.\n"
    "\n"
    "Options:\n"
    "  --format text|json|csv   output format (default text; heaps: text or json)\n"
    HS_USAGE_COMMON
    "\n"
    "For heap dumps and cores: object count and bytes, reachable vs unreachable,\n"
    "roots by kind, the reader's facts (Go version and memstats; process, threads,\n"
    "modules and mappings of a core) and the allocator summary (glibc arenas, used\n"
    "and free chunks, mmapped, top, tcache/fastbin/bin counts).\n"
    "\n"
    "Exit status: 0 success, 2 usage or input error.\n";

static int info_profile(const hs_cli_opts *o, hs_model *m)
{
    const hs_profile *p = &m->profile;
    int64_t *totals = calloc((size_t)p->n_sample_types + 1, sizeof *totals);
    if (!totals) return hs_cli_failf("info: out of memory");
    for (uint32_t i = 0; i < p->n_sample_types; i++) totals[i] = hs_agg_total(p, i);
    hs_output out;
    if (hs_output_open(&out, o->output)) {
        free(totals);
        return HS_EXIT_USAGE;
    }
    const char *name = o->args[0];
    if (o->format == HS_FMT_JSON) hs_render_info_json(out.fp, name, p, totals);
    else if (o->format == HS_FMT_CSV) hs_render_info_csv(out.fp, name, p, totals);
    else hs_render_info_text(out.fp, name, p, totals);
    free(totals);
    return hs_output_commit(&out) ? HS_EXIT_USAGE : HS_EXIT_OK;
}

static int info_heap(const hs_cli_opts *o, hs_model *m)
{
    if (hs_cli_format_ok(o, "info", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON)))
        return HS_EXIT_USAGE;
    hs_reach r;
    hs_error err;
    uint32_t sites;
    if (hs_heap_site_groups(&m->heap, &sites, &err) || hs_reach_compute(&m->heap, &r, &err))
        return hs_cli_fail(&err);
    hs_output out;
    int rc = HS_EXIT_USAGE;
    if (!hs_output_open(&out, o->output)) {
        hs_render_heap_info(out.fp, o->format, o->args[0], &m->heap, &r, sites);
        rc = hs_output_commit(&out) ? HS_EXIT_USAGE : HS_EXIT_OK;
    }
    hs_reach_free(&r);
    return rc;
}

int cmd_info(int argc, char **argv)
{
    hs_cli_opts o;
    int rc = hs_cli_parse(argc, argv, HS_OPT_FORMAT | HS_OPT_BINARY, usage, "FILE", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    if (o.format == HS_FMT_DOT) return hs_cli_failf("info: --format dot applies to 'graph' only");
    hs_model m;
    if (hs_cli_load("info", o.args[0], &o, &m)) return HS_EXIT_USAGE;
    if (m.kind == HS_MODEL_HEAP) rc = info_heap(&o, &m);
    else rc = info_profile(&o, &m);
    hs_model_free(&m);
    return rc;
}
