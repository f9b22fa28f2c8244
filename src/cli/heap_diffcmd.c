/* `heapscan diff` for heap models: both heaps grouped by site, type or root,
 * matched by group name, signed count/size/retained deltas as text, JSON (the
 * shape of the profile diff: {before, after, total, rows, gates}) or CSV, and
 * --fail-if gates on the deltas. A gate is METRIC OP VALUE: METRIC is total or
 * any, optionally .size (default), .count or .retained; OP is >, >=, < or <=;
 * VALUE is, as for profile diffs, a signed change (+10MiB, -100, or +15% of
 * BEFORE's total) or an unsigned limit on the AFTER value (1GiB). */
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

typedef struct gate {
    const char *expr;
    int any;    /* any single row, else the total */
    int column; /* 0 size, 1 count, 2 retained */
    int op;     /* 0 >, 1 >=, 2 <, 3 <= */
    int pct;
    int absolute; /* unsigned VALUE: compare AFTER's value, not the delta */
    double value;
    int tripped;
    char detail[512];
} gate;

static const char *col_names[] = {"size", "count", "retained"};

static int parse_gate(const char *s, gate *g)
{
    memset(g, 0, sizeof *g);
    g->expr = s;
    if (strncmp(s, "total", 5) == 0)
        s += 5;
    else if (strncmp(s, "any", 3) == 0)
        s += 3, g->any = 1;
    else
        return -1;
    if (*s == '.') {
        s++;
        int k = -1;
        for (int i = 0; i < 3; i++)
            if (strncmp(s, col_names[i], strlen(col_names[i])) == 0) k = i;
        if (k < 0) return -1;
        g->column = k;
        s += strlen(col_names[k]);
    }
    if (s[0] == '>' && s[1] == '=')
        g->op = 1, s += 2;
    else if (s[0] == '<' && s[1] == '=')
        g->op = 3, s += 2;
    else if (s[0] == '>')
        g->op = 0, s += 1;
    else if (s[0] == '<')
        g->op = 2, s += 1;
    else
        return -1;
    int neg = 0;
    g->absolute = !(*s == '+' || *s == '-');
    if (*s == '+' || *s == '-') neg = *s == '-', s++;
    size_t len = strlen(s);
    if (len && s[len - 1] == '%') {
        if (g->absolute) return -1; /* a percentage is always a change */
        char *end;
        g->pct = 1;
        g->value = strtod(s, &end);
        if (end != s + len - 1) return -1;
    } else {
        uint64_t v;
        if (hs_render_heap_parse_size(s, &v)) return -1;
        g->value = (double)v;
    }
    if (neg) g->value = -g->value;
    return 0;
}

static const hs_group_delta *column(const hs_group_diff_row *r, int c)
{
    return c == 0 ? &r->size : c == 1 ? &r->count : &r->retained;
}

static int compare(int op, double x, double limit)
{
    return op == 0 ? x > limit : op == 1 ? x >= limit : op == 2 ? x < limit : x <= limit;
}

static void fmt_value(char *buf, size_t n, int column, double v)
{
    if (column == 1)
        snprintf(buf, n, "%+.0f", v);
    else
        hs_render_heap_sbytes(buf, n, (int64_t)v);
}

/* An AFTER value or absolute limit: no sign. */
static void unsigned_value(char *buf, size_t n, int column, double v)
{
    fmt_value(buf, n, column, v);
    if (buf[0] == '+') memmove(buf, buf + 1, strlen(buf));
}

static void eval_gate(gate *g, const hs_group_diff *df)
{
    const hs_group_delta *tot = g->column == 0   ? &df->total_size
                                : g->column == 1 ? &df->total_count
                                                 : &df->total_retained;
    double base = (double)tot->before;
    static const char *ops[] = {">", ">=", "<", "<="};
    char a[64], lim[64];
    if (g->pct)
        snprintf(lim, sizeof lim, "%+.2f%%", g->value);
    else
        fmt_value(lim, sizeof lim, g->column, g->value);
    if (g->absolute) unsigned_value(lim, sizeof lim, g->column, g->value);
    if (!g->any && g->absolute) {
        g->tripped = compare(g->op, (double)tot->after, g->value);
        unsigned_value(a, sizeof a, g->column, (double)tot->after);
        snprintf(g->detail, sizeof g->detail, "total %s after %s; limit %s %s",
                 col_names[g->column], a, ops[g->op], lim);
        return;
    }
    if (!g->any) {
        double x = g->pct ? (base ? 100.0 * (double)tot->delta / base : 0) : (double)tot->delta;
        g->tripped = compare(g->op, x, g->value);
        fmt_value(a, sizeof a, g->column, (double)tot->delta);
        snprintf(g->detail, sizeof g->detail, "total %s delta %s (%+.2f%% of before); limit %s %s",
                 col_names[g->column], a, base ? 100.0 * (double)tot->delta / base : 0.0,
                 ops[g->op], lim);
        return;
    }
    const hs_group_diff_row *worst = NULL;
    for (uint32_t i = 0; i < df->n_rows; i++) {
        const hs_group_delta *c = column(&df->rows[i], g->column);
        double d = g->absolute ? (double)c->after : (double)c->delta;
        double x = g->pct ? (base ? 100.0 * d / base : 0) : d;
        if (!compare(g->op, x, g->value)) continue;
        const hs_group_delta *w = worst ? column(worst, g->column) : NULL;
        double wd = !w ? 0 : g->absolute ? (double)w->after : (double)w->delta;
        if (!worst || (g->op < 2 ? d > wd : d < wd)) worst = &df->rows[i];
    }
    g->tripped = worst != NULL;
    if (worst) {
        const hs_group_delta *w = column(worst, g->column);
        if (g->absolute) unsigned_value(a, sizeof a, g->column, (double)w->after);
        else fmt_value(a, sizeof a, g->column, (double)w->delta);
        snprintf(g->detail, sizeof g->detail, "%s: %s %s %s %s %s",
                 hs_strtab_get(&df->names, worst->name), col_names[g->column],
                 g->absolute ? "after" : "delta", a, ops[g->op], lim);
    } else {
        snprintf(g->detail, sizeof g->detail, "no entry's %s %s %s %s", col_names[g->column],
                 g->absolute ? "after" : "delta", ops[g->op], lim);
    }
}

static void json_delta(FILE *fp, const char *key, const hs_group_delta *d)
{
    fprintf(fp, "\"%s\": {\"before\": %lld, \"after\": %lld, \"delta\": %lld}", key,
            (long long)d->before, (long long)d->after, (long long)d->delta);
}

static void diff_json(FILE *fp, const hs_cli_opts *o, const char *format, hs_group_by by,
                      const hs_group_diff *df, uint32_t n, const gate *gates, int ng)
{
    fputs("{\"before\": ", fp);
    hs_render_heap_json_str(fp, o->args[0]);
    fputs(", \"after\": ", fp);
    hs_render_heap_json_str(fp, o->args[1]);
    fputs(", \"format\": ", fp);
    hs_render_heap_json_str(fp, format);
    fprintf(fp, ", \"by\": \"%s\", \"total\": {", hs_group_by_name(by));
    json_delta(fp, "count", &df->total_count);
    fputs(", ", fp);
    json_delta(fp, "size", &df->total_size);
    fputs(", ", fp);
    json_delta(fp, "retained", &df->total_retained);
    fputs("}, \"rows\": [", fp);
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_diff_row *r = &df->rows[i];
        fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", fp);
        hs_render_heap_json_str(fp, hs_strtab_get(&df->names, r->name));
        fputs(", ", fp);
        json_delta(fp, "count", &r->count);
        fputs(", ", fp);
        json_delta(fp, "size", &r->size);
        fputs(", ", fp);
        json_delta(fp, "retained", &r->retained);
        fputs("}", fp);
    }
    fputs(n ? "\n], \"gates\": [" : "], \"gates\": [", fp);
    for (int i = 0; i < ng; i++) {
        fputs(i ? ", {\"expr\": " : "{\"expr\": ", fp);
        hs_render_heap_json_str(fp, gates[i].expr);
        fprintf(fp, ", \"tripped\": %s, \"detail\": ", gates[i].tripped ? "true" : "false");
        hs_render_heap_json_str(fp, gates[i].detail);
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
        hs_render_heap_csv_str(fp, hs_strtab_get(&df->names, r->name));
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
        hs_render_heap_bytes(a, sizeof a, (uint64_t)df->total_size.before),
        hs_render_heap_bytes(b, sizeof b, (uint64_t)df->total_size.after),
        hs_render_heap_sbytes(c, sizeof c, df->total_size.delta),
        hs_heapcli_pct(p, sizeof p, (double)df->total_size.delta, (double)df->total_size.before));
    fprintf(fp, "Retained: %s -> %s (%s) reachable\n",
            hs_render_heap_bytes(a, sizeof a, (uint64_t)df->total_retained.before),
            hs_render_heap_bytes(b, sizeof b, (uint64_t)df->total_retained.after),
            hs_render_heap_sbytes(c, sizeof c, df->total_retained.delta));
    fprintf(fp, "Showing %u of %u %s; size%% is of BEFORE's total size\n", n, df->n_rows,
            by == HS_GROUP_ROOT   ? "root labels"
            : by == HS_GROUP_TYPE ? "types"
                                  : "sites");
    fprintf(fp, "%10s %12s %8s %12s  %s\n", "count", "size", "size%", "retained", "name");
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_diff_row *r = &df->rows[i];
        fprintf(fp, "%+10lld %12s %8s %12s  %s%s\n", (long long)r->count.delta,
                hs_render_heap_sbytes(a, sizeof a, r->size.delta),
                hs_heapcli_pct(p, sizeof p, (double)r->size.delta, (double)df->total_size.before),
                hs_render_heap_sbytes(b, sizeof b, r->retained.delta),
                hs_strtab_get(&df->names, r->name),
                r->is_new    ? " (new)"
                : r->is_gone ? " (gone)"
                             : "");
    }
    for (int i = 0; i < ng; i++)
        fprintf(fp, "gate %s: %s: %s\n", gates[i].expr, gates[i].tripped ? "TRIPPED" : "ok",
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

int hs_heapcli_gate_ok(const char *expr)
{
    gate g;
    return parse_gate(expr, &g) == 0;
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
    for (int i = 0; i < o->n_fail_if; i++)
        if (parse_gate(o->fail_if[i], &gates[i]))
            return hs_cli_failf("diff: bad --fail-if '%s' (e.g. total>+10MiB, any.retained>+5MiB, "
                                "total.count>+15%%)",
                                o->fail_if[i]);
    hs_groups ga, gb;
    hs_group_diff df;
    hs_error e;
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
    for (int i = 0; i < o->n_fail_if; i++)
        eval_gate(&gates[i], &df), tripped |= gates[i].tripped;
    if (o->format == HS_FMT_JSON)
        diff_json(out->fp, o, a->heap.format, by, &df, n, gates, o->n_fail_if);
    else if (o->format == HS_FMT_CSV)
        diff_csv(out->fp, &df, n);
    else
        diff_text(out->fp, o, by, &df, n, gates, o->n_fail_if);
    hs_group_diff_free(&df);
    for (int i = 0; i < o->n_fail_if; i++)
        if (gates[i].tripped)
            fprintf(stderr, "heapscan: gate tripped: %s: %s\n", gates[i].expr, gates[i].detail);
    return tripped ? HS_EXIT_GATE : HS_EXIT_OK;
}
