/* The `diff` report: text with signed deltas and signed percentages of
 * BEFORE's total (the header says so), new/vanished marks and the gate
 * verdicts; JSON in issue 2's exact schema; CSV with before/after/delta
 * columns. Only the changed rows (d->rows[0 .. n_changed)) are shown. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "render/internal.h"

static uint32_t shown(const hs_diff *d, uint32_t limit)
{
    return limit && limit < d->n_changed ? limit : d->n_changed;
}

static const char *status_mark(uint8_t status)
{
    return status == HS_DIFF_NEW ? " (new)" : status == HS_DIFF_VANISHED ? " (vanished)" : "";
}

static void fmt_percent(char *buf, size_t size, double pct)
{
    if (isinf(pct)) snprintf(buf, size, "%sinf%%", pct > 0 ? "+" : "-");
    else snprintf(buf, size, "%+.2f%%", pct);
}

/* Trend gates: a class count, or a slope ("main.leak grows by +1.20MiB/h"). */
static void trend_gate_detail(char *buf, size_t size, const hs_gate *g, const hs_gate_result *r,
                              const char *unit)
{
    if (g->subject == HS_GATE_CLASS) {
        uint32_t n = (uint32_t)r->measured;
        const char *cls = hs_trend_class_name((hs_trend_class)g->trend_class);
        if (r->entry) snprintf(buf, size, "class %s: %u entr%s (first: %s)", cls, n, n == 1 ? "y" : "ies", r->entry);
        else snprintf(buf, size, "class %s: no entries", cls);
        return;
    }
    char m[64];
    const char *per = g->per_nanos >= 3600e9 ? "h" : g->per_nanos >= 60e9 ? "min" : g->per_nanos > 0 ? "s" : "snapshot";
    double x = r->measured;
    hs_render_value_signed(m, sizeof m, (int64_t)(x < 0 ? x - 0.5 : x + 0.5), unit);
    if (g->subject == HS_GATE_TOTAL) snprintf(buf, size, "total's slope is %s/%s", m, per);
    else if (!r->entry) snprintf(buf, size, "no entries to compare");
    else snprintf(buf, size, "%s %s: slope %s/%s", r->tripped ? "entry" : "closest entry", r->entry, m, per);
}

void hs_render_gate_detail(char *buf, size_t size, const hs_gate *g, const hs_gate_result *r,
                           const char *unit)
{
    char m[64], b[64], a[64], total[64];
    hs_render_value(b, sizeof b, r->before, unit);
    hs_render_value(a, sizeof a, r->after, unit);
    if (g->kind == HS_GATE_PERCENT) fmt_percent(m, sizeof m, r->measured);
    else if (g->kind == HS_GATE_DELTA) hs_render_value_signed(m, sizeof m, (int64_t)r->measured, unit);
    else hs_render_value(m, sizeof m, (int64_t)r->measured, unit);
    if (g->subject == HS_GATE_CLASS || g->slope) {
        trend_gate_detail(buf, size, g, r, unit);
        return;
    }
    /* Profiles have no columns: "total", and an entry's "flat". */
    const char *col = g->column_name ? g->column_name : "flat";
    if (g->subject == HS_GATE_TOTAL) {
        snprintf(total, sizeof total, "total%s%s", g->column_name ? " " : "",
                 g->column_name ? g->column_name : "");
        if (g->kind == HS_GATE_LEVEL) snprintf(buf, size, "%s is %s (was %s)", total, a, b);
        else snprintf(buf, size, "%s changed by %s (%s -> %s)", total, m, b, a);
        return;
    }
    if (!r->entry) {
        snprintf(buf, size, "no entries to compare");
        return;
    }
    const char *what = r->tripped ? "entry" : "closest entry";
    if (g->kind == HS_GATE_LEVEL)
        snprintf(buf, size, "%s %s: %s is %s (was %s)", what, r->entry, col, a, b);
    else snprintf(buf, size, "%s %s: %s changed by %s (%s -> %s)", what, r->entry, col, m, b, a);
}

void hs_render_diff_text(FILE *out, const hs_diff_meta *m, const hs_diff *d, uint32_t limit)
{
    char v1[64], v2[64], v3[64], p1[32], p2[32];
    uint32_t n = shown(d, limit);
    fprintf(out, "Before: %s\nAfter: %s\n", m->before, m->after);
    if (m->sample_type) fprintf(out, "Type: %s\n", m->sample_type);
    int64_t dt = d->total_after - d->total_before;
    hs_render_value(v1, sizeof v1, d->total_before, m->unit);
    hs_render_value(v2, sizeof v2, d->total_after, m->unit);
    hs_render_value_signed(v3, sizeof v3, dt, m->unit);
    hs_render_percent_signed(p1, sizeof p1, dt, d->total_before);
    fprintf(out, "Total: %s -> %s (%s, %s)\n", v1, v2, v3, p1);
    fprintf(out, "Values are AFTER - BEFORE; percentages are of BEFORE's total (%s)\n", v1);
    if (m->n_filters) {
        fputs("Active filters:\n", out);
        for (uint32_t i = 0; i < m->n_filters; i++) fprintf(out, "   %s\n", m->filters[i]);
    }
    if (n < d->n_changed) fprintf(out, "Showing top %u of %u changed entries", n, d->n_changed);
    else fprintf(out, "Showing all %u changed entries", d->n_changed);
    fprintf(out, " (%u new, %u vanished)\n", d->n_new, d->n_vanished);
    fprintf(out, "%11s %8s %11s %8s\n", "flat", "flat%", "cum", "cum%");
    for (uint32_t i = 0; i < n; i++) {
        const hs_diff_row *r = &d->rows[i];
        hs_render_value_signed(v1, sizeof v1, hs_diff_flat_delta(r), m->unit);
        hs_render_value_signed(v2, sizeof v2, hs_diff_cum_delta(r), m->unit);
        hs_render_percent_signed(p1, sizeof p1, hs_diff_flat_delta(r), d->total_before);
        hs_render_percent_signed(p2, sizeof p2, hs_diff_cum_delta(r), d->total_before);
        fprintf(out, "%11s %8s %11s %8s  %s%s\n", v1, p1, v2, p2, r->name, status_mark(r->status));
    }
    hs_render_gates_text(out, m->gates, m->results, m->n_gates);
}

void hs_render_gates_text(FILE *out, const hs_gate *g, const hs_gate_result *r, uint32_t n)
{
    if (n) fputs("Gates:\n", out);
    char det[512];
    for (uint32_t i = 0; i < n; i++) {
        hs_render_gate_detail(det, sizeof det, &g[i], &r[i], r[i].unit);
        fprintf(out, "  %s %s: %s\n", r[i].tripped ? "TRIPPED" : "ok", g[i].expr, det);
    }
}

void hs_render_gates_json(FILE *out, const hs_gate *g, const hs_gate_result *r, uint32_t n)
{
    char det[512];
    fputs("\"gates\":[", out);
    for (uint32_t i = 0; i < n; i++) {
        hs_render_gate_detail(det, sizeof det, &g[i], &r[i], r[i].unit);
        fputs(i ? ",\n{\"expr\":" : "\n{\"expr\":", out);
        hs_render_json_string(out, g[i].expr);
        fprintf(out, ",\"tripped\":%s,\"detail\":", r[i].tripped ? "true" : "false");
        hs_render_json_string(out, det);
        fputc('}', out);
    }
    fputs(n ? "\n]" : "]", out);
}

static void json_triple(FILE *out, const char *key, int64_t before, int64_t after)
{
    fprintf(out, "\"%s\":{\"before\":%" PRId64 ",\"after\":%" PRId64 ",\"delta\":%" PRId64 "}",
            key, before, after, after - before);
}

void hs_render_diff_json(FILE *out, const hs_diff_meta *m, const hs_diff *d, uint32_t limit)
{
    uint32_t n = shown(d, limit);
    fputs("{\"before\":", out);
    hs_render_json_string(out, m->before);
    fputs(",\"after\":", out);
    hs_render_json_string(out, m->after);
    fputs(",\"sample_type\":", out);
    hs_render_json_string(out, m->sample_type);
    fputs(",\"unit\":", out);
    hs_render_json_string(out, m->unit);
    fputc(',', out);
    json_triple(out, "total", d->total_before, d->total_after);
    fputs(",\"rows\":[", out);
    for (uint32_t i = 0; i < n; i++) {
        const hs_diff_row *r = &d->rows[i];
        fputs(i ? ",\n{\"name\":" : "\n{\"name\":", out);
        hs_render_json_string(out, r->name);
        fputc(',', out);
        json_triple(out, "flat", r->flat_before, r->flat_after);
        fputc(',', out);
        json_triple(out, "cum", r->cum_before, r->cum_after);
        fputc('}', out);
    }
    fputs(n ? "\n]," : "],", out);
    hs_render_gates_json(out, m->gates, m->results, m->n_gates);
    fputs("}\n", out);
}

void hs_render_diff_csv(FILE *out, const hs_diff_meta *m, const hs_diff *d, uint32_t limit)
{
    uint32_t n = shown(d, limit);
    fputs("name,flat_before,flat_after,flat_delta,cum_before,cum_after,cum_delta,status\n", out);
    for (uint32_t i = 0; i < n; i++) {
        const hs_diff_row *r = &d->rows[i];
        hs_render_csv_field(out, r->name);
        fprintf(out,
                ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%s\n",
                r->flat_before, r->flat_after, hs_diff_flat_delta(r), r->cum_before, r->cum_after,
                hs_diff_cum_delta(r),
                r->status == HS_DIFF_NEW ? "new" : r->status == HS_DIFF_VANISHED ? "vanished" : "changed");
    }
}
