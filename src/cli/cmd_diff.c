/* heapscan diff BEFORE AFTER: what grew and what shrank, entry by entry,
 * with --fail-if gates for CI. Two profiles are aggregated the same way and
 * matched by entry name; two heaps are grouped (site, type or root) and
 * matched by group name. Gates are parsed once, before loading, with the
 * heap columns; a profile diff then refuses a gate that names a column. */
#include <string.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan diff [OPTIONS] BEFORE AFTER\n"
    "\n"
    "Compare two profiles entry by entry: signed changes of flat and cum, with\n"
    "percentages of BEFORE's total, sorted by the size of the change; entries only\n"
    "in AFTER are marked (new), entries only in BEFORE (vanished).\n"
    "\n"
    "Options:\n"
    "  -i, --sample-index NAME  sample type (default: each profile's default; both\n"
    "                           profiles must end up with the same type)\n"
    "  -n, --limit N            show N rows (default 20; 0 = all)\n"
    "  --by KEY                 function (default), file, line or address\n"
    "  --sort KEY               order by the change of flat (default) or cum\n"
    "  --focus REGEX, --ignore REGEX, --tag KEY=VALUE   sample filters, as for 'top'\n"
    "  --fail-if EXPR           exit 1 when EXPR holds (repeatable), e.g.\n"
    "                             total>+15%    total grew by more than 15% of BEFORE\n"
    "                             total>+10MiB  total grew by more than 10 MiB\n"
    "                             any>+5MiB     some entry's flat grew by more than 5 MiB\n"
    "                             total>1GiB    AFTER's total is above 1 GiB\n"
    "                           operators > >= < <=; units B KiB MiB GiB TiB (KB, MB ...\n"
    "                           mean the same), ns us ms s min h, or none for counts\n"
    "  --format text|json|csv   output format (default text)\n"
    HS_USAGE_COMMON
    "\n"
    "For two heap dumps or cores: groups (--by site|type|root, --sort retained|size|\n"
    "count) with signed count/size/retained deltas; gates like total>+10MiB,\n"
    "any.retained>+1MiB, total.count>+1000. -i, --focus, --ignore and --tag apply to\n"
    "profiles only: with heaps, exit 2. '-' (standard input) can be only one of them.\n"
    "\n"
    "Exit status: 0 success, 1 a --fail-if gate tripped, 2 usage or input error\n"
    "(including profiles of different sample types).\n";

typedef struct diff_job {
    const hs_cli_opts *o;
    const hs_cli_prof *po;
    hs_gate gates[HS_CLI_MAX_MULTI];
    hs_gate_result results[HS_CLI_MAX_MULTI];
    uint32_t n_gates;
} diff_job;

static int same_type(const hs_profile *b, uint32_t bi, const hs_profile *a, uint32_t ai,
                     const char *bname, const char *aname)
{
    const char *bt = hs_profile_str(b, b->sample_types[bi].type);
    const char *bu = hs_profile_str(b, b->sample_types[bi].unit);
    const char *at = hs_profile_str(a, a->sample_types[ai].type);
    const char *au = hs_profile_str(a, a->sample_types[ai].unit);
    if (strcmp(bt, at) == 0 && strcmp(bu, au) == 0) return 0;
    hs_cli_failf("diff: different sample types: %s has '%s' (%s) but %s has '%s' (%s); "
                 "pick one both have with -i",
                 bname, bt, bu, aname, at, au);
    return -1;
}

static int render(diff_job *j, const hs_profile *after, const hs_diff *d, const hs_agg *aa)
{
    const hs_cli_opts *o = j->o;
    hs_diff_meta meta = {o->args[0], o->args[1], after, aa->sample_type, aa->unit,
                         j->po->filter_lines, j->po->n_filter_lines, j->gates, j->results,
                         j->n_gates};
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    uint32_t limit = hs_cli_limit(o);
    if (o->format == HS_FMT_JSON) hs_render_diff_json(out.fp, &meta, d, limit);
    else if (o->format == HS_FMT_CSV) hs_render_diff_csv(out.fp, &meta, d, limit);
    else hs_render_diff_text(out.fp, &meta, d, limit);
    if (hs_output_commit(&out)) return HS_EXIT_USAGE;
    return hs_cli_report_gates(j->gates, j->results, j->n_gates);
}

static int diff_profiles(diff_job *j, const hs_profile *b, const hs_profile *a)
{
    const hs_cli_opts *o = j->o;
    uint32_t bi, ai;
    if (hs_cli_sample_index(b, o->args[0], o->sample_index, &bi) ||
        hs_cli_sample_index(a, o->args[1], o->sample_index, &ai) ||
        same_type(b, bi, a, ai, o->args[0], o->args[1]))
        return HS_EXIT_USAGE;
    hs_agg ab, aa;
    hs_diff d;
    hs_error err;
    if (hs_agg_build(b, bi, j->po->by, &j->po->filter, &ab, &err)) return hs_cli_fail(&err);
    if (hs_agg_build(a, ai, j->po->by, &j->po->filter, &aa, &err)) {
        hs_agg_free(&ab);
        return hs_cli_fail(&err);
    }
    int rc = HS_EXIT_USAGE;
    if (hs_diff_build(&ab, &aa, j->po->order, &d, &err)) {
        hs_cli_fail(&err);
        goto done;
    }
    for (uint32_t i = 0; i < j->n_gates; i++) {
        if (hs_gate_eval(&j->gates[i], &d, aa.unit, &j->results[i], &err)) {
            hs_cli_fail(&err);
            goto done_diff;
        }
    }
    rc = render(j, a, &d, &aa);
done_diff:
    hs_diff_free(&d);
done:
    hs_agg_free(&ab);
    hs_agg_free(&aa);
    return rc;
}

/* Every gate made a profile gate (an error when one names a heap column). */
static int profile_gates(diff_job *j)
{
    hs_error err;
    for (uint32_t i = 0; i < j->n_gates; i++)
        if (hs_gate_for_profile(&j->gates[i], &err)) return hs_cli_fail(&err);
    return 0;
}

static int group_one(const hs_heap *h, hs_group_by by, hs_groups *g, hs_error *e)
{
    hs_dom d;
    if (hs_dom_build(h, &d, e)) return -1;
    int rc = hs_group_compute(h, &d, by, NULL, g, e);
    hs_dom_free(&d);
    return rc;
}

static int heap_group_diff(const hs_heap *a, const hs_heap *b, hs_group_by by, hs_group_sort sort,
                           hs_group_diff *df, hs_error *e)
{
    hs_groups ga, gb;
    if (group_one(a, by, &ga, e)) return -1;
    if (group_one(b, by, &gb, e)) {
        hs_group_free(&ga);
        return -1;
    }
    int rc = hs_group_diff_compute(&ga, &gb, sort, df, e);
    hs_group_free(&ga), hs_group_free(&gb);
    return rc;
}

static int render_heap(diff_job *j, const char *format, hs_group_by by, const hs_group_diff *df)
{
    const hs_cli_opts *o = j->o;
    hs_heap_diff_meta meta = {o->args[0], o->args[1], format, by, j->gates, j->results,
                              j->n_gates};
    hs_output out;
    if (hs_output_open(&out, o->output)) return HS_EXIT_USAGE;
    hs_render_heap_diff(out.fp, o->format, &meta, df, hs_cli_limit(o));
    if (hs_output_commit(&out)) return HS_EXIT_USAGE;
    return hs_cli_report_gates(j->gates, j->results, j->n_gates);
}

static int diff_heaps(diff_job *j, const hs_heap *a, const hs_heap *b)
{
    hs_group_by by;
    hs_group_sort sort;
    if (hs_cli_heap_by_sort(j->o, a, 0, &by, &sort)) return HS_EXIT_USAGE;
    if (by == HS_GROUP_OBJECT)
        return hs_cli_failf(
            "diff: --by object cannot be matched across heaps (site, type or root)");
    hs_group_diff df;
    hs_error e;
    if (heap_group_diff(a, b, by, sort, &df, &e)) return hs_cli_fail(&e);
    int rc = HS_EXIT_OK;
    for (uint32_t i = 0; i < j->n_gates && rc == HS_EXIT_OK; i++)
        if (hs_gate_eval_groups(&j->gates[i], &df, &j->results[i], &e)) rc = hs_cli_fail(&e);
    if (rc == HS_EXIT_OK) rc = render_heap(j, a->format, by, &df);
    hs_group_diff_free(&df);
    return rc;
}

/* All gates, parsed with the heap columns: a typo is reported before two
 * large files are loaded. */
static int parse_gates(diff_job *j)
{
    hs_error err;
    for (int i = 0; i < j->o->n_fail_if; i++)
        if (hs_gate_parse(j->o->fail_if[i], hs_group_gate_columns, HS_GROUP_GATE_COLUMNS,
                          &j->gates[j->n_gates++], &err))
            return hs_cli_fail(&err);
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    hs_cli_opts o;
    unsigned allowed = HS_OPT_SAMPLE_INDEX | HS_OPT_LIMIT | HS_OPT_BY | HS_OPT_SORT |
                       HS_OPT_FILTER | HS_OPT_FORMAT | HS_OPT_FAIL_IF | HS_OPT_BINARY;
    int rc = hs_cli_parse(argc, argv, allowed, usage, "BEFORE AFTER", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    if (o.format == HS_FMT_DOT)
        return hs_cli_failf("diff: --format dot applies to 'graph' (try 'graph --base')");
    diff_job j;
    memset(&j, 0, sizeof j);
    j.o = &o;
    hs_cli_prof po;
    j.po = &po;
    if (parse_gates(&j)) return HS_EXIT_USAGE;
    hs_model before, after;
    if (hs_cli_load("diff", o.args[0], &o, &before)) return HS_EXIT_USAGE;
    if (hs_cli_load("diff", o.args[1], &o, &after)) {
        hs_model_free(&before);
        return HS_EXIT_USAGE;
    }
    if (before.kind == HS_MODEL_HEAP || after.kind == HS_MODEL_HEAP) {
        if (before.kind != after.kind)
            rc = hs_cli_failf("diff: cannot compare a heap dump with a profile (%s, %s)",
                              o.args[0], o.args[1]);
        else rc = diff_heaps(&j, &before.heap, &after.heap);
    } else if (hs_cli_prof_options("diff", &o, &po) || profile_gates(&j)) {
        rc = HS_EXIT_USAGE;
    } else {
        rc = diff_profiles(&j, &before.profile, &after.profile);
    }
    hs_model_free(&before);
    hs_model_free(&after);
    return rc;
}
