/* heapscan trend FILE...: what grows across snapshots, and how fast. Each
 * file is loaded, reduced to (entry, value) pairs (a profile aggregated as
 * `top` does, a heap grouped as `top` groups it) and freed before the next
 * one, so memory holds one model and the entries' series, not N models.
 * Every snapshot must be of the first one's kind, format and sample type;
 * one that is not, or does not load, stops the command (exit 2) unless
 * --skip-bad, which names it on stderr and leaves it out. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const char usage[] =
    "usage: heapscan trend [OPTIONS] FILE...\n"
    "\n"
    "Follow every entry across snapshots of one program (profiles, heap dumps or\n"
    "cores; files or http(s):// URLs) and say what grows: per entry the series of\n"
    "values, the least-squares slope per snapshot and per hour, and a class:\n"
    "  grows   up at every step (a value absent from a snapshot counts as 0)\n"
    "  new     absent from the first snapshot      gone    absent from the last\n"
    "  rises   ends more than 5% of its largest value higher (not at every step)\n"
    "  falls   ends more than 5% of its largest value lower\n"
    "  steady  otherwise\n"
    "Snapshots are put in time order when every one carries its time (pprof's\n"
    "time_nanos; per-hour slopes need it), else taken in argument order. Rows are\n"
    "sorted grows, rises, new, steady, falls, gone, then by slope.\n"
    "\n"
    "Options:\n"
    "  -i, --sample-index NAME  sample type (name or number; default: the profile's\n"
    "                           default); for heaps: size (default), count or retained\n"
    "  -n, --limit N            show N rows (default 20; 0 = all)\n"
    "  --by KEY                 function (default), file, line or address; for heaps\n"
    "                           site (default when the heap has allocation stacks),\n"
    "                           type or root\n"
    "  --cum                    follow cum instead of flat (profiles)\n"
    "  --focus REGEX, --ignore REGEX, --tag KEY=VALUE   sample filters, as for 'top'\n"
    "  --fail-if EXPR           exit 1 when EXPR holds (repeatable), e.g.\n"
    "                             grows>0            some entry grows at every step\n"
    "                             slope>+1MiB/h      some entry's slope is above 1 MiB\n"
    "                                                an hour (/min, /s, /snapshot)\n"
    "                             total.slope>10MiB/snapshot   the total's slope\n"
    "                             total>+15%         last total vs the first\n"
    "                           classes: grows rises new steady falls gone\n"
    "  --skip-bad               leave out (and name on stderr) snapshots that do not\n"
    "                           load or do not match the first\n"
    "  --format F               text (default), json, csv (one column per snapshot),\n"
    "                           svg (line charts of the total and the top entries)\n"
    "                           or html (the chart and a table)\n"
    HS_USAGE_COMMON
    "\n"
    "Exit status: 0 success, 1 a --fail-if gate tripped, 2 usage or input error\n"
    "(a file that does not load, or of another kind, format or sample type than\n"
    "the first, unless --skip-bad; fewer than 2 snapshots).\n";

static const char *const heap_columns[] = {"size", "count", "retained"};

/* What every snapshot must share with the first. */
typedef struct trend_ref {
    int set;
    hs_model_kind kind;
    char format[32], sample_type[128], unit[64];
} trend_ref;

typedef struct trend_job {
    const hs_cli_opts *o;
    hs_cli_prof po;
    hs_group_by gby;
    uint32_t column; /* heaps: index into heap_columns */
    trend_ref ref;
    hs_trend t;
    hs_gate gates[HS_CLI_MAX_MULTI];
    hs_gate_result results[HS_CLI_MAX_MULTI];
    uint32_t n_gates;
} trend_job;

/* A snapshot that cannot be used: named and skipped (--skip-bad), else an error. */
static int bad_snapshot(trend_job *j, uint32_t i, const char *msg)
{
    if (!j->o->skip_bad) return hs_cli_failf("trend: %s", msg);
    fprintf(stderr, "heapscan: trend: skipped: %s\n", msg);
    hs_trend_skip(&j->t, i);
    return 0;
}

/* Kind, format and sample type against the first usable snapshot. */
static int check_ref(trend_job *j, uint32_t i, hs_model_kind kind, const char *format,
                     const char *type, const char *unit, int *ok)
{
    const char *file = j->o->files[i];
    char msg[1400];
    *ok = 0;
    if (!j->ref.set) {
        j->ref.set = 1, j->ref.kind = kind;
        snprintf(j->ref.format, sizeof j->ref.format, "%s", format);
        snprintf(j->ref.sample_type, sizeof j->ref.sample_type, "%s", type);
        snprintf(j->ref.unit, sizeof j->ref.unit, "%s", unit);
    } else if (kind != j->ref.kind || strcmp(format, j->ref.format) != 0) {
        snprintf(msg, sizeof msg, "%s: its format is %s, but the first snapshot's is %s", file,
                 format, j->ref.format);
        return bad_snapshot(j, i, msg);
    } else if (strcmp(type, j->ref.sample_type) != 0 || strcmp(unit, j->ref.unit) != 0) {
        snprintf(msg, sizeof msg,
                 "%s: its sample type is '%s' (%s), but the first snapshot's is '%s' (%s); "
                 "pick one with -i",
                 file, type, unit, j->ref.sample_type, j->ref.unit);
        return bad_snapshot(j, i, msg);
    }
    *ok = 1;
    return 0;
}

static int add_profile(trend_job *j, uint32_t i, const hs_profile *p)
{
    const char *file = j->o->files[i];
    uint32_t vi;
    char msg[1200];
    const char *want = j->o->sample_index;
    if (j->o->skip_bad && want && j->ref.set && want[strspn(want, "0123456789")] &&
        hs_profile_find_sample_type(p, want) == HS_NONE) { /* a name this snapshot lacks */
        snprintf(msg, sizeof msg, "%s: no sample type '%s'", file, j->o->sample_index);
        return bad_snapshot(j, i, msg);
    }
    if (hs_cli_sample_index(p, file, j->o->sample_index, &vi)) return HS_EXIT_USAGE;
    int ok;
    if (check_ref(j, i, HS_MODEL_PROFILE, p->format, hs_profile_str(p, p->sample_types[vi].type),
                  hs_profile_str(p, p->sample_types[vi].unit), &ok))
        return HS_EXIT_USAGE;
    if (!ok) return HS_EXIT_OK;
    hs_agg a;
    hs_error err;
    if (hs_agg_build(p, vi, j->po.by, &j->po.filter, &a, &err)) return hs_cli_fail(&err);
    int rc = hs_trend_add_agg(&j->t, i, &a, j->o->cum, &err);
    hs_trend_set_snapshot(&j->t, i, a.total, p->time_nanos);
    hs_agg_free(&a);
    return rc ? hs_cli_fail(&err) : HS_EXIT_OK;
}

static int64_t heap_value(uint32_t column, uint64_t count, uint64_t size, uint64_t retained)
{
    return (int64_t)(column == 0 ? size : column == 1 ? count : retained);
}

static int add_heap(trend_job *j, uint32_t i, const hs_heap *h)
{
    int ok;
    if (check_ref(j, i, HS_MODEL_HEAP, h->format, heap_columns[j->column],
                  j->column == 1 ? "count" : "bytes", &ok))
        return HS_EXIT_USAGE;
    if (!ok) return HS_EXIT_OK;
    hs_error err;
    hs_dom d;
    int need_dom = j->column == 2 || j->gby == HS_GROUP_ROOT;
    if (need_dom && hs_dom_build(h, &d, &err)) return hs_cli_fail(&err);
    hs_groups g;
    int rc = hs_group_compute(h, need_dom ? &d : NULL, j->gby, NULL, &g, &err);
    if (need_dom) hs_dom_free(&d);
    if (rc) return hs_cli_fail(&err);
    for (uint32_t r = 0; r < g.n_rows && rc == 0; r++) {
        const hs_group_row *row = &g.rows[r];
        rc = hs_trend_add(&j->t, i, hs_strtab_get(&g.names, row->name),
                          heap_value(j->column, row->count, row->size, row->retained), &err);
    }
    hs_trend_set_snapshot(&j->t, i,
                          heap_value(j->column, g.total_count, g.total_size, g.total_retained), 0);
    hs_group_free(&g);
    return rc ? hs_cli_fail(&err) : HS_EXIT_OK;
}

/* --by and -i for heaps, once the first heap is known. */
static int heap_options(trend_job *j, const hs_heap *h, const char *file)
{
    const hs_cli_opts *o = j->o;
    if (o->focus || o->ignore || o->n_tags || o->cum)
        return hs_cli_failf("trend: %s applies to profiles, not to heap dumps or cores (%s)",
                            o->cum ? "--cum" : "a sample filter (--focus, --ignore, --tag)", file);
    j->gby = hs_group_default_by(h, 0);
    if (o->by && hs_group_parse_by(o->by, &j->gby))
        return hs_cli_failf("trend: unknown --by '%s' (site, type or root)", o->by);
    if (j->gby == HS_GROUP_OBJECT)
        return hs_cli_failf("trend: --by object cannot be matched across heaps (site, type or root)");
    j->column = 0;
    if (o->sample_index) {
        for (j->column = 0; j->column < 3; j->column++)
            if (strcmp(o->sample_index, heap_columns[j->column]) == 0) break;
        if (j->column == 3)
            return hs_cli_failf("trend: -i '%s': heaps have size, count or retained",
                                o->sample_index);
    }
    return HS_EXIT_OK;
}

static int add_file(trend_job *j, uint32_t i, int *options_done)
{
    const char *file = j->o->files[i];
    hs_load_options lo;
    hs_error err;
    hs_model m;
    char msg[1400];
    hs_cli_load_options(j->o, &lo);
    hs_cli_loading(file);
    int rc = hs_load(file, &lo, &m, &err);
    hs_cli_loading(NULL);
    hs_cli_progress_done(&lo);
    if (rc) {
        if (!j->o->skip_bad) return hs_cli_fail(&err);
        return bad_snapshot(j, i, hs_error_format(&err, msg, sizeof msg));
    }
    if (!*options_done) {
        *options_done = 1;
        rc = m.kind == HS_MODEL_HEAP ? heap_options(j, &m.heap, file)
                                     : (hs_cli_prof_options("trend", j->o, &j->po) ? HS_EXIT_USAGE
                                                                                   : HS_EXIT_OK);
    }
    if (rc == HS_EXIT_OK)
        rc = m.kind == HS_MODEL_HEAP ? add_heap(j, i, &m.heap) : add_profile(j, i, &m.profile);
    hs_model_free(&m);
    return rc;
}

static int parse_gates(trend_job *j)
{
    hs_error err;
    for (int i = 0; i < j->o->n_fail_if; i++)
        if (hs_gate_parse_trend(j->o->fail_if[i], &j->gates[j->n_gates++], &err))
            return hs_cli_fail(&err);
    return HS_EXIT_OK;
}

static int report(trend_job *j)
{
    const hs_cli_opts *o = j->o;
    hs_trend *t = &j->t;
    hs_error err;
    for (uint32_t i = 0; i < j->n_gates; i++)
        if (hs_gate_eval_trend(&j->gates[i], t, j->ref.unit, &j->results[i], &err))
            return hs_cli_fail(&err);
    const char *files[4096];
    const char **names = t->n_snapshots <= 4096 ? files : calloc(t->n_snapshots, sizeof *names);
    if (!names) return hs_cli_failf("trend: out of memory");
    for (uint32_t p = 0; p < t->n_snapshots; p++)
        names[p] = o->files[t->input_of[p]];
    int heap = j->ref.kind == HS_MODEL_HEAP;
    static const char *const by_names[] = {"function", "file", "line", "address"};
    hs_trend_meta meta = {names, j->ref.sample_type, j->ref.unit,
                          heap ? hs_group_by_name(j->gby) : by_names[j->po.by],
                          heap ? heap_columns[j->column] : (o->cum ? "cum" : "flat"),
                          j->gates, j->results, j->n_gates};
    hs_output out;
    int rc = HS_EXIT_USAGE;
    if (!hs_output_open(&out, o->output)) {
        hs_render_trend(out.fp, o->format, &meta, t, hs_cli_limit(o));
        rc = hs_output_commit(&out) ? HS_EXIT_USAGE
                                    : hs_cli_report_gates(j->gates, j->results, j->n_gates);
    }
    if (names != files) free(names);
    return rc;
}

int cmd_trend(int argc, char **argv)
{
    hs_cli_opts o;
    unsigned allowed = HS_OPT_SAMPLE_INDEX | HS_OPT_LIMIT | HS_OPT_BY | HS_OPT_FILTER |
                       HS_OPT_FORMAT | HS_OPT_FAIL_IF | HS_OPT_BINARY | HS_OPT_TREND;
    int rc = hs_cli_parse(argc, argv, allowed, usage, "FILE...", &o);
    if (rc) return rc > 0 ? HS_EXIT_OK : HS_EXIT_USAGE;
    if (o.format == HS_FMT_DOT) return hs_cli_failf("trend: --format dot applies to 'graph' only");
    trend_job *j = calloc(1, sizeof *j);
    if (!j) return hs_cli_failf("trend: out of memory");
    j->o = &o;
    hs_error err;
    rc = parse_gates(j);
    if (rc == HS_EXIT_OK && hs_trend_init(&j->t, (uint32_t)o.n_files, &err))
        rc = hs_cli_fail(&err);
    int options_done = 0, progress = hs_cli_progress_wanted();
    for (int i = 0; i < o.n_files && rc == HS_EXIT_OK; i++) {
        if (progress) fprintf(stderr, "\rheapscan: trend: snapshot %d of %d\033[K", i + 1, o.n_files);
        rc = add_file(j, (uint32_t)i, &options_done);
    }
    if (progress) fputs("\r\033[K", stderr);
    if (rc == HS_EXIT_OK && hs_trend_finish(&j->t, &err)) rc = hs_cli_failf("trend: %s", err.msg);
    if (rc == HS_EXIT_OK) rc = report(j);
    hs_trend_free(&j->t);
    free(j);
    return rc;
}
