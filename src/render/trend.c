/* The `trend` report: text for people (first and last value, change, slopes,
 * class and a sparkline per entry), the JSON of issue 13, CSV with one
 * column per snapshot, and charts. The charts are a self-contained SVG (no
 * script, no external font or style) with two panels sharing one x axis:
 * the total, and the first entries of the report (growing first), each a
 * polyline in its own colour with a legend. Axis ticks are round numbers
 * of the unit the values reach (2MiB, 4MiB, ...; 30s, 1min, ...). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "render/internal.h"

#define CHART_MAX_LINES 10

static uint32_t shown_rows(const hs_trend *t, uint32_t limit)
{
    return limit && limit < t->n_rows ? limit : t->n_rows;
}

static uint32_t last_of(const hs_trend *t) { return t->n_snapshots - 1; }

static int64_t round64(double v)
{
    if (!isfinite(v)) return 0;
    if (v > 9.2e18) return INT64_MAX;
    if (v < -9.2e18) return -INT64_MAX;
    return (int64_t)llround(v);
}

/* ---- text ---- */

#define SPARK_MAX 40

static uint32_t spark_width(uint32_t n) { return n < SPARK_MAX ? n : SPARK_MAX; }

/* Eight block heights from the row's minimum to its maximum, one per
 * snapshot (at most SPARK_MAX, evenly picked, first and last included). */
static void sparkline(FILE *out, const int64_t *v, uint32_t n)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    int64_t lo = v[0], hi = v[0];
    for (uint32_t i = 1; i < n; i++)
        lo = v[i] < lo ? v[i] : lo, hi = v[i] > hi ? v[i] : hi;
    uint32_t w = spark_width(n);
    for (uint32_t c = 0; c < w; c++) {
        uint32_t i = w > 1 ? (uint32_t)((uint64_t)c * (n - 1) / (w - 1)) : 0;
        int k = hi > lo ? (int)(((double)v[i] - (double)lo) * 7.0 / ((double)hi - (double)lo) + 0.5)
                        : 3;
        fputs(blocks[k], out);
    }
}

static void text_row(FILE *out, const hs_trend_meta *m, const hs_trend *t, const hs_trend_row *r)
{
    char first[64], last[64], change[64], per_snap[64], per_hour[64];
    const int64_t *v = r->values;
    hs_render_value(first, sizeof first, v[0], m->unit);
    hs_render_value(last, sizeof last, v[last_of(t)], m->unit);
    hs_render_value_signed(change, sizeof change, v[last_of(t)] - v[0], m->unit);
    hs_render_value_signed(per_snap, sizeof per_snap, round64(r->slope_per_snapshot), m->unit);
    fprintf(out, "%10s %10s %10s %12s", first, last, change, per_snap);
    if (t->has_times) {
        hs_render_value_signed(per_hour, sizeof per_hour, round64(r->slope_per_hour), m->unit);
        fprintf(out, " %12s", per_hour);
    }
    fprintf(out, "  %-6s  ", hs_trend_class_name(r->cls));
    sparkline(out, v, t->n_snapshots);
    fprintf(out, "  %s\n", r->name);
}

static void text_header(FILE *out, const hs_trend_meta *m, const hs_trend *t)
{
    char a[96], b[96], d[64];
    fprintf(out, "Snapshots: %u, in %s order\n", t->n_snapshots,
            t->has_times ? "time" : "argument");
    for (uint32_t i = 0; i < t->n_snapshots; i++) {
        if (t->n_snapshots > 12 && i == 5) { /* the first and last five of a long series */
            fprintf(out, "  ... %u more\n", t->n_snapshots - 10);
            i = t->n_snapshots - 6;
            continue;
        }
        fprintf(out, "  %u  %s", i + 1, m->files[i]);
        if (t->times[i] > 0) {
            hs_render_time(a, sizeof a, t->times[i]);
            fprintf(out, "  (%s)", a);
        }
        fputc('\n', out);
    }
    if (t->has_times) {
        hs_render_duration(d, sizeof d, t->times[last_of(t)] - t->times[0]);
        fprintf(out, "Span: %s\n", d);
    }
    if (strcmp(m->value, m->sample_type) == 0) fprintf(out, "Type: %s (by %s)\n", m->sample_type, m->by);
    else fprintf(out, "Type: %s (%s, by %s)\n", m->sample_type, m->value, m->by);
    hs_render_value(a, sizeof a, t->total.values[0], m->unit);
    hs_render_value(b, sizeof b, t->total.values[last_of(t)], m->unit);
    hs_render_value_signed(d, sizeof d, round64(t->total.slope_per_snapshot), m->unit);
    fprintf(out, "Total: %s -> %s, %s, %s per snapshot", a, b, hs_trend_class_name(t->total.cls),
            d);
    if (t->has_times) {
        hs_render_value_signed(d, sizeof d, round64(t->total.slope_per_hour), m->unit);
        fprintf(out, ", %s per hour", d);
    }
    fputs("\nEntries:", out);
    for (int c = 0; c < HS_TREND_N_CLASSES; c++)
        fprintf(out, "%s %u %s", c ? "," : "", t->n_class[c], hs_trend_class_name(c));
    fputc('\n', out);
}

static void trend_text(FILE *out, const hs_trend_meta *m, const hs_trend *t, uint32_t limit)
{
    uint32_t n = shown_rows(t, limit);
    text_header(out, m, t);
    if (n < t->n_rows) fprintf(out, "Showing %u of %u entries, growing first\n", n, t->n_rows);
    fprintf(out, "%10s %10s %10s %12s", "first", "last", "change", "per snapshot");
    if (t->has_times) fprintf(out, " %12s", "per hour");
    fprintf(out, "  %-6s  %-*s  %s\n", "class", (int)spark_width(t->n_snapshots), "trend", "name");
    for (uint32_t i = 0; i < n; i++)
        text_row(out, m, t, &t->rows[i]);
    if (m->n_gates) hs_render_gates_text(out, m->gates, m->results, m->n_gates);
}

/* ---- JSON and CSV ---- */

static void json_number(FILE *out, double v)
{
    if (!isfinite(v)) v = 0;
    if (v == (double)round64(v) && fabs(v) < 9e15) fprintf(out, "%" PRId64, round64(v));
    else fprintf(out, "%.12g", v);
}

static void json_values(FILE *out, const int64_t *v, uint32_t n)
{
    fputc('[', out);
    for (uint32_t i = 0; i < n; i++)
        fprintf(out, "%s%" PRId64, i ? "," : "", v[i]);
    fputc(']', out);
}

static void trend_json(FILE *out, const hs_trend_meta *m, const hs_trend *t, uint32_t limit)
{
    uint32_t n = shown_rows(t, limit);
    fputs("{\"files\":[", out);
    for (uint32_t i = 0; i < t->n_snapshots; i++) {
        if (i) fputc(',', out);
        hs_render_json_string(out, m->files[i]);
    }
    fputs("],\"times\":[", out);
    for (uint32_t i = 0; i < t->n_snapshots; i++) {
        if (i) fputc(',', out);
        if (t->times[i] > 0) fprintf(out, "%" PRId64, t->times[i]);
        else fputs("null", out);
    }
    fputs("],\"sample_type\":", out);
    hs_render_json_string(out, m->sample_type);
    fputs(",\"by\":", out);
    hs_render_json_string(out, m->by);
    fputs(",\"total\":", out);
    json_values(out, t->total.values, t->n_snapshots);
    fputs(",\"rows\":[", out);
    for (uint32_t i = 0; i < n; i++) {
        const hs_trend_row *r = &t->rows[i];
        fputs(i ? ",\n{\"name\":" : "\n{\"name\":", out);
        hs_render_json_string(out, r->name);
        fputs(",\"values\":", out);
        json_values(out, r->values, t->n_snapshots);
        fputs(",\"slope_per_snapshot\":", out);
        json_number(out, r->slope_per_snapshot);
        fputs(",\"slope_per_hour\":", out);
        if (t->has_times) json_number(out, r->slope_per_hour);
        else fputs("null", out);
        fprintf(out, ",\"class\":\"%s\"}", hs_trend_class_name(r->cls));
    }
    fputs(n ? "\n]}\n" : "]}\n", out);
}

static void trend_csv(FILE *out, const hs_trend_meta *m, const hs_trend *t, uint32_t limit)
{
    uint32_t n = shown_rows(t, limit);
    fputs("name,class,slope_per_snapshot,slope_per_hour", out);
    for (uint32_t i = 0; i < t->n_snapshots; i++) {
        fputc(',', out);
        hs_render_csv_field(out, m->files[i]);
    }
    fputc('\n', out);
    for (uint32_t i = 0; i < n; i++) {
        const hs_trend_row *r = &t->rows[i];
        hs_render_csv_field(out, r->name);
        fprintf(out, ",%s,", hs_trend_class_name(r->cls));
        json_number(out, r->slope_per_snapshot);
        fputc(',', out);
        if (t->has_times) json_number(out, r->slope_per_hour);
        for (uint32_t k = 0; k < t->n_snapshots; k++)
            fprintf(out, ",%" PRId64, r->values[k]);
        fputc('\n', out);
    }
}

/* ---- charts ---- */

static void xml_text(FILE *out, const char *s, size_t max_chars)
{
    size_t n = 0;
    for (; *s && n < max_chars; s++, n += ((unsigned char)*s & 0xc0) != 0x80) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t') fputc(*s, out);
        }
    }
    if (*s) fputs("…", out);
}

/* A round tick step giving about `ticks` intervals over span, in multiples
 * of base (1024^k for bytes, so labels read 2MiB, not 2.10MB). */
static double nice_step(double span, double base, int ticks)
{
    if (span <= 0) return base;
    double raw = span / base / ticks, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double k = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return k * mag * base;
}

static double unit_base(double hi, const char *unit)
{
    double base = 1;
    if (hs_unit_classify(unit ? unit : "") == HS_UNIT_BYTES)
        while (hi / base >= 1024) base *= 1024;
    return base;
}

typedef struct chart {
    double x0, x1, y0, y1; /* plot area in pixels (y0 top) */
    double vlo, vhi;       /* value range */
    double tmax;           /* x range: 0 .. tmax (seconds or snapshot index) */
} chart;

static double px_x(const chart *c, double x) { return c->x0 + (c->x1 - c->x0) * (c->tmax > 0 ? x / c->tmax : 0.5); }
static double px_y(const chart *c, double v)
{
    return c->y1 - (c->y1 - c->y0) * (v - c->vlo) / (c->vhi - c->vlo);
}

/* x of snapshot i: seconds since the first, or its index. */
static double snap_x(const hs_trend *t, uint32_t i)
{
    return t->has_times ? (double)(t->times[i] - t->times[0]) / 1e9 : (double)i;
}

static void axes(FILE *out, const chart *c, const hs_trend_meta *m, const hs_trend *t)
{
    char lab[64];
    double step = nice_step(c->vhi - c->vlo, unit_base(c->vhi, m->unit), 4);
    fprintf(out, "<g font-size=\"11\" fill=\"#333\">\n");
    for (double v = ceil(c->vlo / step) * step; v <= c->vhi + step * 1e-9; v += step) {
        double y = px_y(c, v);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                c->x0, y, c->x1, y);
        hs_render_value(lab, sizeof lab, round64(v), m->unit);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", c->x0 - 6,
                y + 4, lab);
    }
    double xs = t->has_times ? nice_step(c->tmax, 1, 6) : (c->tmax > 12 ? nice_step(c->tmax, 1, 6) : 1);
    if (xs < (t->has_times ? 1e-3 : 1)) xs = t->has_times ? 1e-3 : 1;
    for (double x = 0; x <= c->tmax + xs * 1e-9; x += xs) {
        double px = px_x(c, x);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
                px, c->y1, px, c->y1 + 4);
        if (t->has_times) hs_render_duration(lab, sizeof lab, round64(x * 1e9));
        else snprintf(lab, sizeof lab, "%.0f", x + 1);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px,
                c->y1 + 16, lab);
    }
    fprintf(out,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            "stroke=\"#333\"/>\n</g>\n",
            c->x0, c->y0, c->x1 - c->x0, c->y1 - c->y0);
}

static void polyline(FILE *out, const chart *c, const hs_trend *t, const int64_t *v,
                     const char *colour, double width)
{
    fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" points=\"", colour,
            width);
    for (uint32_t i = 0; i < t->n_snapshots; i++)
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", px_x(c, snap_x(t, i)), px_y(c, (double)v[i]));
    fputs("\"/>\n", out);
    if (t->n_snapshots > 60) return;
    for (uint32_t i = 0; i < t->n_snapshots; i++)
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
                px_x(c, snap_x(t, i)), px_y(c, (double)v[i]), colour);
}

static void value_range(const hs_trend *t, const int64_t *const *series, uint32_t n, chart *c)
{
    c->vlo = 0, c->vhi = 0;
    for (uint32_t s = 0; s < n; s++)
        for (uint32_t i = 0; i < t->n_snapshots; i++) {
            double v = (double)series[s][i];
            c->vlo = v < c->vlo ? v : c->vlo;
            c->vhi = v > c->vhi ? v : c->vhi;
        }
    if (c->vhi <= c->vlo) c->vhi = c->vlo + 1;
    c->vhi += (c->vhi - c->vlo) * 0.05; /* headroom above the highest point */
}

static void panel_title(FILE *out, const chart *c, const char *title)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" font-weight=\"bold\">", c->x0,
            c->y0 - 8);
    xml_text(out, title, 200);
    fputs("</text>\n", out);
}

static const char *const palette[CHART_MAX_LINES] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                     "#bcbd22", "#17becf"};

static void trend_svg(FILE *out, const hs_trend_meta *m, const hs_trend *t, uint32_t limit)
{
    const double W = 1000, H = 640;
    uint32_t k = shown_rows(t, limit);
    k = k < CHART_MAX_LINES ? k : CHART_MAX_LINES;
    double tmax = snap_x(t, last_of(t));
    chart top = {90, 700, 60, 250, 0, 0, tmax}, low = {90, 700, 310, 580, 0, 0, tmax};
    const int64_t *tot[1] = {t->total.values};
    value_range(t, tot, 1, &top);
    const int64_t *rows[CHART_MAX_LINES];
    for (uint32_t i = 0; i < k; i++)
        rows[i] = t->rows[i].values;
    value_range(t, rows, k, &low);
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            W, H, W, H);
    char title[512], unit_note[128];
    snprintf(title, sizeof title, "heapscan trend: %s (%s, by %s), %u snapshots", m->sample_type,
             m->value, m->by, t->n_snapshots);
    fprintf(out, "<text x=\"90\" y=\"28\" font-size=\"16\" font-weight=\"bold\">");
    xml_text(out, title, 200);
    fputs("</text>\n", out);
    snprintf(unit_note, sizeof unit_note, "Total (%s)", m->unit);
    panel_title(out, &top, unit_note);
    axes(out, &top, m, t);
    polyline(out, &top, t, t->total.values, "#000", 2.5);
    snprintf(unit_note, sizeof unit_note, "Top %u entries, growing first (%s)", k, m->unit);
    panel_title(out, &low, unit_note);
    axes(out, &low, m, t);
    for (uint32_t i = 0; i < k; i++)
        polyline(out, &low, t, rows[i], palette[i], 2);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
            (low.x0 + low.x1) / 2, low.y1 + 36,
            t->has_times ? "time since the first snapshot" : "snapshot");
    fputs("<g font-size=\"11\">\n", out);
    for (uint32_t i = 0; i < k; i++) {
        double y = low.y0 + 8 + 24.0 * i;
        fprintf(out,
                "<line x1=\"715\" y1=\"%.1f\" x2=\"740\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"3\"/>\n<text x=\"746\" y=\"%.1f\">",
                y, y, palette[i], y + 4);
        xml_text(out, t->rows[i].name, 38);
        fprintf(out, "</text>\n<text x=\"746\" y=\"%.1f\" fill=\"#555\">%s</text>\n", y + 15,
                hs_trend_class_name(t->rows[i].cls));
    }
    fprintf(out,
            "<line x1=\"715\" y1=\"%.1f\" x2=\"740\" y2=\"%.1f\" stroke=\"#000\" "
            "stroke-width=\"3\"/>\n<text x=\"746\" y=\"%.1f\">total (%s)</text>\n</g>\n</svg>\n",
            top.y0 + 8, top.y0 + 8, top.y0 + 12, hs_trend_class_name(t->total.cls));
}

static void html_cell(FILE *out, const char *s)
{
    fputs("<td>", out);
    xml_text(out, s, 10000);
    fputs("</td>", out);
}

static void trend_html(FILE *out, const hs_trend_meta *m, const hs_trend *t, uint32_t limit)
{
    uint32_t n = shown_rows(t, limit);
    char buf[96];
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>heapscan trend</title>\n"
          "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
          "td:first-child{text-align:left}</style></head><body>\n",
          out);
    trend_svg(out, m, t, limit);
    fputs("<table>\n<tr><th>name</th><th>class</th><th>per snapshot</th>", out);
    if (t->has_times) fputs("<th>per hour</th>", out);
    for (uint32_t i = 0; i < t->n_snapshots; i++) {
        fputs("<th>", out);
        xml_text(out, m->files[i], 200);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (uint32_t r = 0; r <= n; r++) {
        const hs_trend_row *row = r ? &t->rows[r - 1] : &t->total;
        fputs("<tr>", out);
        html_cell(out, r ? row->name : "total");
        html_cell(out, hs_trend_class_name(row->cls));
        html_cell(out, hs_render_value_signed(buf, sizeof buf, round64(row->slope_per_snapshot),
                                              m->unit));
        if (t->has_times)
            html_cell(out, hs_render_value_signed(buf, sizeof buf, round64(row->slope_per_hour),
                                                  m->unit));
        for (uint32_t i = 0; i < t->n_snapshots; i++)
            html_cell(out, hs_render_value(buf, sizeof buf, row->values[i], m->unit));
        fputs("</tr>\n", out);
    }
    fputs("</table>\n</body></html>\n", out);
}

void hs_render_trend(FILE *out, hs_render_format f, const hs_trend_meta *m, const hs_trend *t,
                     uint32_t limit)
{
    switch (f) {
    case HS_FMT_JSON: trend_json(out, m, t, limit); break;
    case HS_FMT_CSV: trend_csv(out, m, t, limit); break;
    case HS_FMT_SVG: trend_svg(out, m, t, limit); break;
    case HS_FMT_HTML: trend_html(out, m, t, limit); break;
    default: trend_text(out, m, t, limit); break;
    }
}
