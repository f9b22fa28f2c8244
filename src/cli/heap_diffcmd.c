/* `heapscan diff` for heap models: both heaps grouped by site, type or root,
 * matched by group name, signed count/size/retained deltas as text, JSON (the
 * shape of the profile diff: {before, after, total, rows, gates}) or CSV, and
 * --fail-if gates on the deltas: the shared gate grammar of analysis.h with the
 * columns .size (default), .count and .retained. */
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

/* The gate columns of a heap diff, in hs_gate.column order (size is the default). */
const char *const hs_heapcli_gate_columns[3] = {"size", "count", "retained"};

typedef struct gate {
    hs_gate g;
    hs_gate_result r;
    char detail[512];
} gate;

static const hs_group_delta *column(const hs_group_diff_row *r, uint32_t c)
{
    return c == 0 ? &r->size : c == 1 ? &r->count : &r->retained;
}

static const char *column_unit(uint32_t c) { return c == 1 ? "count" : "bytes"; }

/* Measure one gate on the diff and word the verdict; -1 with e on a unit mismatch. */
static int eval_gate(gate *g, const hs_group_diff *df, hs_error *e)
{
    const char *unit = column_unit(g->g.column);
    if (hs_gate_check_unit(&g->g, unit, e)) return -1;
    const hs_group_delta *tot = g->g.column == 0   ? &df->total_size
                                : g->g.column == 1 ? &df->total_count
                                                   : &df->total_retained;
    if (g->g.subject == HS_GATE_TOTAL) {
        hs_gate_total(&g->g, tot->before, tot->after, &g->r);
    } else {
        hs_gate_start(&g->r);
        for (uint32_t i = 0; i < df->n_rows; i++) {
            const hs_group_delta *c = column(&df->rows[i], g->g.column);
            hs_gate_entry(&g->g, hs_strtab_get(&df->names, df->rows[i].name), c->before, c->after,
                          tot->before, &g->r);
        }
    }
    hs_render_gate_detail(g->detail, sizeof g->detail, &g->g, &g->r, unit);
    return 0;
}

/* "count": {...}, "size": {...}, "retained": {...} with before, after and delta. */
static void json_deltas(FILE *fp, const hs_group_delta *count, const hs_group_delta *size,
                        const hs_group_delta *retained)
{
    const hs_group_delta *d[3] = {count, size, retained};
    static const char *const keys[3] = {"count", "size", "retained"};
    for (int i = 0; i < 3; i++)
        fprintf(fp, "%s\"%s\": {\"before\": %lld, \"after\": %lld, \"delta\": %lld}",
                i ? ", " : "", keys[i], (long long)d[i]->before, (long long)d[i]->after,
                (long long)d[i]->delta);
}

static void diff_json(FILE *fp, const hs_cli_opts *o, const char *format, hs_group_by by,
                      const hs_group_diff *df, uint32_t n, const gate *gates, int ng)
{
    fputs("{\"before\": ", fp);
    hs_render_json_string(fp, o->args[0]);
    fputs(", \"after\": ", fp);
    hs_render_json_string(fp, o->args[1]);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, format);
    fprintf(fp, ", \"by\": \"%s\", \"total\": {", hs_group_by_name(by));
    json_deltas(fp, &df->total_count, &df->total_size, &df->total_retained);
    fputs("}, \"rows\": [", fp);
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_diff_row *r = &df->rows[i];
        fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", fp);
        hs_render_json_string(fp, hs_strtab_get(&df->names, r->name));
        fputs(", ", fp);
        json_deltas(fp, &r->count, &r->size, &r->retained);
        fputs("}", fp);
    }
    fputs(n ? "\n], \"gates\": [" : "], \"gates\": [", fp);
    for (int i = 0; i < ng; i++) {
        fputs(i ? ", {\"expr\": " : "{\"expr\": ", fp);
        hs_render_json_string(fp, gates[i].g.expr);
        fprintf(fp, ", \"tripped\": %s, \"detail\": ", gates[i].r.tripped ? "true" : "false");
        hs_render_json_string(fp, gates[i].detail);
        fputs("}", fp);
    }
    fputs("]}\n", fp);
}

static void diff_csv(FILE *fp, const hs_group_diff *df, uint32_t n)
{
    fputs("name,count_before,count_after,count_delta,size_before,size_after,size_delta,"
          "retained_before,retained_after,retained_delta\n",
          fp);
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_diff_row *r = &df->rows[i];
        hs_render_csv_field(fp, hs_strtab_get(&df->names, r->name));
        const hs_group_delta *c[3] = {&r->count, &r->size, &r->retained};
        for (int k = 0; k < 3; k++)
            fprintf(fp, ",%lld,%lld,%lld", (long long)c[k]->before, (long long)c[k]->after,
                    (long long)c[k]->delta);
        fputc('\n', fp);
    }
}

static void diff_text(FILE *fp, const hs_cli_opts *o, hs_group_by by, const hs_group_diff *df,
                      uint32_t n, const gate *gates, int ng)
{
    char a[48], b[48], c[48], p[48];
    fprintf(fp, "Before: %s\nAfter:  %s\n", o->args[0], o->args[1]);
    fprintf(fp, "Objects:  %lld -> %lld (%+lld)\n", (long long)df->total_count.before,
            (long long)df->total_count.after, (long long)df->total_count.delta);
    fprintf(
        fp, "Size:     %s -> %s (%s, %s of before)\n",
        hs_render_bytes(a, sizeof a, (uint64_t)df->total_size.before),
        hs_render_bytes(b, sizeof b, (uint64_t)df->total_size.after),
        hs_render_bytes_signed(c, sizeof c, df->total_size.delta),
        hs_heapcli_pct(p, sizeof p, (double)df->total_size.delta, (double)df->total_size.before));
    fprintf(fp, "Retained: %s -> %s (%s) reachable\n",
            hs_render_bytes(a, sizeof a, (uint64_t)df->total_retained.before),
            hs_render_bytes(b, sizeof b, (uint64_t)df->total_retained.after),
            hs_render_bytes_signed(c, sizeof c, df->total_retained.delta));
    fprintf(fp, "Showing %u of %u %s; size%% is of BEFORE's total size\n", n, df->n_rows,
            by == HS_GROUP_ROOT   ? "root labels"
            : by == HS_GROUP_TYPE ? "types"
                                  : "sites");
    fprintf(fp, "%10s %12s %8s %12s  %s\n", "count", "size", "size%", "retained", "name");
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_diff_row *r = &df->rows[i];
        fprintf(fp, "%+10lld %12s %8s %12s  %s%s\n", (long long)r->count.delta,
                hs_render_bytes_signed(a, sizeof a, r->size.delta),
                hs_heapcli_pct(p, sizeof p, (double)r->size.delta, (double)df->total_size.before),
                hs_render_bytes_signed(b, sizeof b, r->retained.delta),
                hs_strtab_get(&df->names, r->name),
                r->is_new    ? " (new)"
                : r->is_gone ? " (gone)"
                             : "");
    }
    for (int i = 0; i < ng; i++)
        fprintf(fp, "gate %s: %s: %s\n", gates[i].g.expr, gates[i].r.tripped ? "TRIPPED" : "ok",
                gates[i].detail);
}

static int group_one(const hs_heap *h, hs_group_by by, hs_groups *g, hs_error *e)
{
    hs_dom d;
    if (hs_dom_build(h, &d, e)) return -1;
    int rc = hs_group_compute(h, &d, by, NULL, g, e);
    hs_dom_free(&d);
    return rc;
}

int hs_heap_cmd_diff(const hs_cli_opts *o, hs_model *a, hs_model *b, hs_output *out)
{
    int rc = hs_heapcli_format_ok(
        o, "diff", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON) | HS_FMTBIT(HS_FMT_CSV));
    hs_group_by by;
    hs_group_sort sort;
    if (rc || (rc = hs_heapcli_by_sort(o, &a->heap, 0, &by, &sort))) return rc;
    if (by == HS_GROUP_OBJECT)
        return hs_cli_failf(
            "diff: --by object cannot be matched across heaps (site, type or root)");
    gate gates[HS_CLI_MAX_MULTI];
    hs_error e;
    for (int i = 0; i < o->n_fail_if; i++)
        if (hs_gate_parse(o->fail_if[i], hs_heapcli_gate_columns, 3, &gates[i].g, &e))
            return hs_cli_fail(&e);
    hs_groups ga, gb;
    hs_group_diff df;
    if (group_one(&a->heap, by, &ga, &e)) return hs_cli_fail(&e);
    if (group_one(&b->heap, by, &gb, &e)) {
        hs_group_free(&ga);
        return hs_cli_fail(&e);
    }
    rc = hs_group_diff_compute(&ga, &gb, sort, &df, &e);
    hs_group_free(&ga), hs_group_free(&gb);
    if (rc) return hs_cli_fail(&e);
    uint32_t n = df.n_rows;
    if (o->limit > 0 && (uint64_t)o->limit < n) n = (uint32_t)o->limit;
    int tripped = 0;
    for (int i = 0; i < o->n_fail_if; i++) {
        if (eval_gate(&gates[i], &df, &e)) {
            hs_group_diff_free(&df);
            return hs_cli_fail(&e);
        }
        tripped |= gates[i].r.tripped;
    }
    if (o->format == HS_FMT_JSON)
        diff_json(out->fp, o, a->heap.format, by, &df, n, gates, o->n_fail_if);
    else if (o->format == HS_FMT_CSV)
        diff_csv(out->fp, &df, n);
    else
        diff_text(out->fp, o, by, &df, n, gates, o->n_fail_if);
    hs_group_diff_free(&df);
    for (int i = 0; i < o->n_fail_if; i++)
        if (gates[i].r.tripped)
            hs_cli_failf("gate tripped: --fail-if '%s': %s", gates[i].g.expr, gates[i].detail);
    return tripped ? HS_EXIT_GATE : HS_EXIT_OK;
}
