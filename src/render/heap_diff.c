/* Heap `diff`: two groupings matched by name, in the words of the profile
 * diff (diffreport.c): only changed rows, signed deltas and signed
 * percentages of BEFORE's total size, (new) and (vanished) marks, the gate
 * verdicts under "Gates:". JSON {before, after, format, by, total, rows,
 * gates} with before/after/delta triples; CSV with a status column. */
#include "render/internal.h"

static uint32_t shown(const hs_group_diff *df, uint32_t limit)
{
    return limit && limit < df->n_changed ? limit : df->n_changed;
}

static const char *status_word(const hs_group_diff_row *r)
{
    return r->is_new ? "new" : r->is_gone ? "vanished" : "changed";
}

static const char *plural_by(hs_group_by by)
{
    return by == HS_GROUP_ROOT ? "root labels" : by == HS_GROUP_TYPE ? "types" : "sites";
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

static void diff_json(FILE *fp, const hs_heap_diff_meta *m, const hs_group_diff *df, uint32_t n)
{
    fputs("{\"before\": ", fp);
    hs_render_json_string(fp, m->before);
    fputs(", \"after\": ", fp);
    hs_render_json_string(fp, m->after);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, m->format);
    fprintf(fp, ", \"by\": \"%s\", \"total\": {", hs_group_by_name(m->by));
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
    fputs(n ? "\n], " : "], ", fp);
    hs_render_gates_json(fp, m->gates, m->results, m->n_gates);
    fputs("}\n", fp);
}

static void diff_csv(FILE *fp, const hs_group_diff *df, uint32_t n)
{
    fputs("name,count_before,count_after,count_delta,size_before,size_after,size_delta,"
          "retained_before,retained_after,retained_delta,status\n",
          fp);
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_diff_row *r = &df->rows[i];
        hs_render_csv_field(fp, hs_strtab_get(&df->names, r->name));
        const hs_group_delta *c[3] = {&r->count, &r->size, &r->retained};
        for (int k = 0; k < 3; k++)
            fprintf(fp, ",%lld,%lld,%lld", (long long)c[k]->before, (long long)c[k]->after,
                    (long long)c[k]->delta);
        fprintf(fp, ",%s\n", status_word(r));
    }
}

static void text_header(FILE *fp, const hs_heap_diff_meta *m, const hs_group_diff *df)
{
    char a[48], b[48], c[48], p[48];
    const hs_group_delta *sz = &df->total_size, *rt = &df->total_retained;
    fprintf(fp, "Before: %s\nAfter: %s\n", m->before, m->after);
    fprintf(fp, "Objects: %lld -> %lld (%+lld)\n", (long long)df->total_count.before,
            (long long)df->total_count.after, (long long)df->total_count.delta);
    hs_render_percent_signed(p, sizeof p, sz->delta, sz->before);
    fprintf(fp, "Size: %s -> %s (%s, %s)\n", hs_render_bytes(a, sizeof a, (uint64_t)sz->before),
            hs_render_bytes(b, sizeof b, (uint64_t)sz->after),
            hs_render_bytes_signed(c, sizeof c, sz->delta), p);
    fprintf(fp, "Retained: %s -> %s (%s) reachable\n",
            hs_render_bytes(a, sizeof a, (uint64_t)rt->before),
            hs_render_bytes(b, sizeof b, (uint64_t)rt->after),
            hs_render_bytes_signed(c, sizeof c, rt->delta));
    fprintf(fp, "Values are AFTER - BEFORE; percentages are of BEFORE's total size (%s)\n",
            hs_render_bytes(a, sizeof a, (uint64_t)sz->before));
}

static void diff_text(FILE *fp, const hs_heap_diff_meta *m, const hs_group_diff *df, uint32_t n)
{
    char a[48], b[48], p[48];
    text_header(fp, m, df);
    if (n < df->n_changed)
        fprintf(fp, "Showing top %u of %u changed %s", n, df->n_changed, plural_by(m->by));
    else fprintf(fp, "Showing all %u changed %s", df->n_changed, plural_by(m->by));
    fprintf(fp, " (%u new, %u vanished)\n", df->n_new, df->n_gone);
    fprintf(fp, "%10s %12s %8s %12s  %s\n", "count", "size", "size%", "retained", "name");
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_diff_row *r = &df->rows[i];
        hs_render_percent_signed(p, sizeof p, r->size.delta, df->total_size.before);
        fprintf(fp, "%+10lld %12s %8s %12s  %s%s\n", (long long)r->count.delta,
                hs_render_bytes_signed(a, sizeof a, r->size.delta), p,
                hs_render_bytes_signed(b, sizeof b, r->retained.delta),
                hs_strtab_get(&df->names, r->name),
                r->is_new ? " (new)" : r->is_gone ? " (vanished)" : "");
    }
    hs_render_gates_text(fp, m->gates, m->results, m->n_gates);
}

void hs_render_heap_diff(FILE *out, hs_render_format f, const hs_heap_diff_meta *m,
                         const hs_group_diff *df, uint32_t limit)
{
    uint32_t n = shown(df, limit);
    if (f == HS_FMT_JSON) diff_json(out, m, df, n);
    else if (f == HS_FMT_CSV) diff_csv(out, df, n);
    else diff_text(out, m, df, n);
}
