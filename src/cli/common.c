/* Pieces the commands share: loading with the user's options (a heap where
 * the command needs one), choosing the sample type (-i), turning --by/--sort/
 * --focus/--ignore/--tag into profile or heap analysis options, the row
 * limit, the allowed formats and the "gate tripped" lines. Each prints its
 * own error in the CLI's one-line style, so a command just returns
 * HS_EXIT_USAGE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int hs_cli_load(const char *cmd, const char *path, const hs_cli_opts *o, hs_model *m)
{
    hs_load_options lo;
    hs_error err;
    hs_cli_load_options(o, &lo);
    hs_cli_loading(path);
    int rc = hs_load(path, &lo, m, &err);
    hs_cli_loading(NULL);
    hs_cli_progress_done(&lo);
    if (rc != 0) {
        hs_cli_fail(&err);
        return -1;
    }
    if (hs_cli_check_kind(cmd, o, m, path)) {
        hs_model_free(m);
        return -1;
    }
    return 0;
}

int hs_cli_sample_index(const hs_profile *p, const char *file, const char *want, uint32_t *out)
{
    if (p->n_sample_types == 0) {
        hs_cli_failf("%s: the profile has no sample types", file);
        return -1;
    }
    if (!want) {
        *out = hs_profile_default_sample_type(p);
        return 0;
    }
    uint32_t i = hs_profile_find_sample_type(p, want);
    if (i == HS_NONE) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(want, &end, 10);
        if (*want && !*end && !errno && n < p->n_sample_types) i = (uint32_t)n;
    }
    if (i == HS_NONE) {
        char names[1024] = "";
        size_t len = 0;
        for (uint32_t k = 0; k < p->n_sample_types && len < sizeof names - 1; k++) {
            int w = snprintf(names + len, sizeof names - len, "%s%s", k ? ", " : "",
                             hs_profile_str(p, p->sample_types[k].type));
            if (w < 0) break;
            len += (size_t)w;
        }
        hs_cli_failf("%s: no sample type '%s' (the profile has: %s)", file, want, names);
        return -1;
    }
    *out = i;
    return 0;
}

static void add_line(hs_cli_prof *out, const char *what, const char *value)
{
    uint32_t k = out->n_filter_lines++;
    snprintf(out->filter_text[k], sizeof out->filter_text[k], "%s=%s", what, value);
    out->filter_lines[k] = out->filter_text[k];
}

int hs_cli_prof_options(const char *cmd, const hs_cli_opts *o, hs_cli_prof *out)
{
    memset(out, 0, sizeof *out);
    if (o->by && hs_agg_parse_by(o->by, &out->by)) {
        hs_cli_failf("%s: unknown --by '%s' (function, file, line or address)", cmd, o->by);
        return -1;
    }
    if (o->sort && hs_agg_parse_order(o->sort, &out->order)) {
        hs_cli_failf("%s: unknown --sort '%s' (flat or cum)", cmd, o->sort);
        return -1;
    }
    out->filter.focus = o->focus;
    out->filter.ignore = o->ignore;
    out->filter.tags = o->tags;
    out->filter.n_tags = (uint32_t)o->n_tags;
    if (o->focus) add_line(out, "focus", o->focus);
    if (o->ignore) add_line(out, "ignore", o->ignore);
    for (int i = 0; i < o->n_tags; i++) add_line(out, "tag", o->tags[i]);
    return 0;
}

uint32_t hs_cli_limit(const hs_cli_opts *o)
{
    return o->limit > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)o->limit;
}

int hs_cli_load_heap(const hs_cli_opts *o, int i, const char *cmd, hs_model *m)
{
    if (hs_cli_load(cmd, o->args[i], o, m)) return HS_EXIT_USAGE;
    if (m->kind != HS_MODEL_HEAP) {
        hs_model_free(m);
        return hs_cli_failf("%s: %s is a profile; %s needs a heap dump or a core", cmd, o->args[i],
                            cmd);
    }
    return HS_EXIT_OK;
}

int hs_cli_heap_by_sort(const hs_cli_opts *o, const hs_heap *h, int prefer_type,
                        hs_group_by *by, hs_group_sort *sort)
{
    *by = hs_group_default_by(h, prefer_type);
    *sort = HS_SORT_RETAINED;
    if (o->by && hs_group_parse_by(o->by, by))
        return hs_cli_failf("unknown --by '%s' (site, type, root or object)", o->by);
    if (o->sort && hs_group_parse_sort(o->sort, sort))
        return hs_cli_failf("unknown --sort '%s' (retained, size or count)", o->sort);
    return HS_EXIT_OK;
}

int hs_cli_format_ok(const hs_cli_opts *o, const char *cmd, unsigned allowed_mask)
{
    static const char *names[] = {"text", "json", "csv", "dot", "svg", "html"};
    if (allowed_mask & HS_FMTBIT(o->format)) return HS_EXIT_OK;
    char list[64] = "";
    for (unsigned f = 0, n = 0; f < sizeof names / sizeof names[0]; f++)
        if (allowed_mask & HS_FMTBIT(f)) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", n++ ? ", " : "", names[f]);
        }
    return hs_cli_failf("%s: --format %s is not available for heap dumps and cores (%s)", cmd,
                        names[o->format], list);
}

int hs_cli_report_gates(const hs_gate *g, const hs_gate_result *r, uint32_t n)
{
    int tripped = 0;
    char det[512];
    for (uint32_t i = 0; i < n; i++) {
        if (!r[i].tripped) continue;
        hs_render_gate_detail(det, sizeof det, &g[i], &r[i], r[i].unit);
        hs_cli_failf("gate tripped: --fail-if '%s': %s", g[i].expr, det);
        tripped = 1;
    }
    return tripped ? HS_EXIT_GATE : HS_EXIT_OK;
}

int hs_cli_run_heap(const hs_cli_opts *o, const char *cmd,
                    int (*body)(const hs_cli_opts *o, hs_heap *h, FILE *fp))
{
    hs_model m;
    int rc = hs_cli_load_heap(o, 0, cmd, &m);
    if (rc) return rc;
    hs_output out;
    if (hs_output_open(&out, o->output)) {
        hs_model_free(&m);
        return HS_EXIT_USAGE;
    }
    rc = hs_output_finish(&out, body(o, &m.heap, out.fp));
    hs_model_free(&m);
    return rc;
}
