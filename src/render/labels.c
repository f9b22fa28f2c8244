/* pprof's profile header lines (File, Build ID, comments, Type, Time,
 * Duration, Active filters), shared by the text reports and the DOT legend.
 * Lines go to a callback one at a time, so every output uses the same words;
 * "File" is the main binary's base name (pprof's meaning), or the input
 * name when the profile has no named mapping. */
#include <string.h>

#include "render/internal.h"

void hs_render_put_line(void *ctx, const char *line)
{
    fputs(line, (FILE *)ctx);
    fputc('\n', (FILE *)ctx);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b && b[1] ? b + 1 : path;
}

void hs_render_profile_labels(const hs_report_meta *m, int64_t total, hs_render_line_fn fn,
                              void *ctx)
{
    char line[1200], a[64], b[64];
    const hs_profile *p = m->profile;
    int named = 0;
    if (p && p->n_mappings) {
        const char *bin = hs_profile_str(p, p->mappings[0].filename);
        const char *bid = hs_profile_str(p, p->mappings[0].build_id);
        if (bin[0]) {
            snprintf(line, sizeof line, "File: %s", base_name(bin));
            fn(ctx, line);
            named = 1;
        }
        if (bid[0]) {
            snprintf(line, sizeof line, "Build ID: %s", bid);
            fn(ctx, line);
        }
    }
    if (!named && m->file) {
        snprintf(line, sizeof line, "File: %s", m->file);
        fn(ctx, line);
    }
    for (uint32_t i = 0; p && i < p->n_comments; i++) {
        const char *c = hs_profile_str(p, p->comments[i]);
        if (c[0] != '#') fn(ctx, c);
    }
    if (m->sample_type && m->sample_type[0]) {
        snprintf(line, sizeof line, "Type: %s", m->sample_type);
        fn(ctx, line);
    }
    if (p && p->time_nanos) {
        hs_render_time(a, sizeof a, p->time_nanos);
        snprintf(line, sizeof line, "Time: %s", a);
        fn(ctx, line);
    }
    if (p && p->duration_nanos) {
        hs_render_duration(a, sizeof a, p->duration_nanos);
        hs_render_value(b, sizeof b, total, m->unit);
        int n = snprintf(line, sizeof line, "Duration: %s, Total samples = %s", a, b);
        if (hs_unit_classify(m->unit ? m->unit : "") == HS_UNIT_NANOS && total) {
            char pct[32];
            hs_render_percent(pct, sizeof pct, total, p->duration_nanos);
            snprintf(line + n, sizeof line - (size_t)n, " (%s)", pct + strspn(pct, " "));
        }
        fn(ctx, line);
    }
    if (m->n_filters) {
        fn(ctx, "Active filters:");
        for (uint32_t i = 0; i < m->n_filters; i++) {
            snprintf(line, sizeof line, "   %s", m->filters[i]);
            fn(ctx, line);
        }
    }
}
