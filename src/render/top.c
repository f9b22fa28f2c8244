/* The `top` report: pprof -top's text layout (header lines, then
 * "flat flat% sum% cum cum% name" rows), the JSON schema of issue 2, and
 * CSV. Rows are printed in the aggregation's order; `limit` cuts the list
 * and the header says how many were shown. sum% runs over the shown rows.
 * Text marks entries pprof marks "(inline)" / "(partial-inline)". */
#include <inttypes.h>
#include <string.h>

#include "render/internal.h"

static uint32_t shown(uint32_t n, uint32_t limit) { return limit && limit < n ? limit : n; }

void hs_render_top_text(FILE *out, const hs_report_meta *m, const hs_agg *a, uint32_t limit)
{
    uint32_t n = shown(a->n_entries, limit);
    int64_t flat_sum = 0;
    for (uint32_t i = 0; i < n; i++) flat_sum += a->entries[i].flat;
    hs_render_profile_labels(m, a->total, hs_render_put_line, out);
    char v1[64], v2[64], p1[32], p2[32], p3[32];
    hs_render_value(v1, sizeof v1, flat_sum, m->unit);
    hs_render_value(v2, sizeof v2, a->total, m->unit);
    hs_render_percent(p1, sizeof p1, flat_sum, a->total);
    fprintf(out, "Showing nodes accounting for %s, %s of %s total\n", v1, p1 + strspn(p1, " "), v2);
    if (n < a->n_entries) fprintf(out, "Showing top %u nodes out of %u\n", n, a->n_entries);
    fprintf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
    int64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        const hs_agg_entry *e = &a->entries[i];
        sum += e->flat;
        hs_render_value(v1, sizeof v1, e->flat, m->unit);
        hs_render_value(v2, sizeof v2, e->cum, m->unit);
        hs_render_percent(p1, sizeof p1, e->flat, a->total);
        hs_render_percent(p2, sizeof p2, sum, a->total);
        hs_render_percent(p3, sizeof p3, e->cum, a->total);
        const char *mark = e->inlined == HS_AGG_INLINE           ? " (inline)"
                           : e->inlined == HS_AGG_PARTIAL_INLINE ? " (partial-inline)"
                                                                 : "";
        fprintf(out, "%10s %s %s %10s %s  %s%s\n", v1, p1, p2, v2, p3, e->name, mark);
    }
}

void hs_render_top_json(FILE *out, const hs_report_meta *m, const hs_agg *a, uint32_t limit)
{
    uint32_t n = shown(a->n_entries, limit);
    fputs("{\"file\":", out);
    hs_render_json_string(out, m->file);
    fputs(",\"format\":", out);
    hs_render_json_string(out, m->format ? m->format : "pprof");
    fputs(",\"sample_type\":", out);
    hs_render_json_string(out, m->sample_type);
    fputs(",\"unit\":", out);
    hs_render_json_string(out, m->unit);
    fprintf(out, ",\"total\":%" PRId64 ",\"rows\":[", a->total);
    for (uint32_t i = 0; i < n; i++) {
        const hs_agg_entry *e = &a->entries[i];
        fputs(i ? ",\n{\"name\":" : "\n{\"name\":", out);
        hs_render_json_string(out, e->name);
        fprintf(out, ",\"flat\":%" PRId64 ",\"cum\":%" PRId64 "}", e->flat, e->cum);
    }
    fputs(n ? "\n]}\n" : "]}\n", out);
}

void hs_render_top_csv(FILE *out, const hs_report_meta *m, const hs_agg *a, uint32_t limit)
{
    uint32_t n = shown(a->n_entries, limit);
    fputs("name,flat,cum\n", out);
    for (uint32_t i = 0; i < n; i++) {
        hs_render_csv_field(out, a->entries[i].name);
        fprintf(out, ",%" PRId64 ",%" PRId64 "\n", a->entries[i].flat, a->entries[i].cum);
    }
}
