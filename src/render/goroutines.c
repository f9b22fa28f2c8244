/* Goroutine groups (goroutine_analysis.h) as a report: text is a compact
 * table in the spirit of panicparse, one row per group (counts per
 * snapshot, class, state, wait, function, creator, why it is suspect) with
 * its stack under it; JSON is {"files", "totals", "groups"} with exactly
 * the fields the man page documents; CSV one row per group with a count
 * column per snapshot. The order is the report's (suspects first). When a
 * file is a core, the retained bytes of each group (in the last file that
 * is a core) are a column, and a "retained" array per file in JSON/CSV. */
#include <string.h>

#include "heapscan/goroutine_render.h"
#include "render/internal.h"

static const char *str(const hs_gr_report *r, uint32_t id)
{
    return id == HS_STR_NONE ? "" : hs_strtab_get(&r->strings, id);
}

static uint32_t shown(const hs_gr_render_meta *m, const hs_gr_report *r)
{
    return m->limit && m->limit < r->n_groups ? m->limit : r->n_groups;
}

/* "<1m", "7m", "3-12m", or "-" when unknown (a profile). */
static const char *wait_text(char *buf, size_t size, const hs_gr_group *g)
{
    if (g->wait_min == HS_GR_WAIT_UNKNOWN) snprintf(buf, size, "-");
    else if (g->wait_max == 0) snprintf(buf, size, "<1m");
    else if (g->wait_min == g->wait_max) snprintf(buf, size, "%um", g->wait_min);
    else snprintf(buf, size, "%u-%um", g->wait_min, g->wait_max);
    return buf;
}

static const char *why_text(const hs_gr_group *g)
{
    return g->why == HS_GR_GROWS_EVERY_STEP ? "suspect: grows at every step"
           : g->why == HS_GR_STUCK          ? "suspect: blocked too long"
                                            : "";
}

/* The counts of a group, "20 -> 40 -> 60" (one snapshot: "60"). */
static void counts_text(char *buf, size_t size, const hs_gr_report *r, uint32_t g)
{
    size_t used = 0;
    buf[0] = 0;
    for (uint32_t f = 0; f < r->n_files && used + 1 < size; f++)
        used += (size_t)snprintf(buf + used, size - used, "%s%llu", f ? " -> " : "",
                                 (unsigned long long)hs_gr_count(r, g, f));
}

/* The last file that is a core, or UINT32_MAX. */
static uint32_t retained_file(const hs_gr_report *r)
{
    for (uint32_t f = r->n_files; r->retained && f-- > 0;)
        if (r->retained[f] != HS_GR_RETAINED_NONE) return f;
    return UINT32_MAX;
}

static const char *retained_text(char *buf, size_t size, const hs_gr_report *r, uint32_t g)
{
    uint32_t f = retained_file(r);
    uint64_t v = f == UINT32_MAX ? HS_GR_RETAINED_NONE : r->retained[(uint64_t)g * r->n_files + f];
    if (v == HS_GR_RETAINED_NONE) snprintf(buf, size, "-");
    else hs_render_bytes(buf, size, v);
    return buf;
}

typedef struct widths {
    int counts, retained, state, wait, function, creator;
} widths;

static int imax(int a, int b) { return a > b ? a : b; }

static widths measure(const hs_gr_report *r, uint32_t n)
{
    widths w = {6, 8, 5, 4, 8, 10};
    char buf[256];
    for (uint32_t i = 0; i < n; i++) {
        const hs_gr_group *g = &r->groups[i];
        counts_text(buf, sizeof buf, r, i);
        w.counts = imax(w.counts, (int)strlen(buf));
        w.retained = imax(w.retained, (int)strlen(retained_text(buf, sizeof buf, r, i)));
        w.state = imax(w.state, (int)strlen(str(r, g->state)) + (g->locked ? 9 : 0));
        w.wait = imax(w.wait, (int)strlen(wait_text(buf, sizeof buf, g)));
        w.function = imax(w.function, (int)strlen(str(r, g->function)));
        w.creator = imax(w.creator, (int)strlen(g->created_by == HS_STR_NONE ? "-" : str(r, g->created_by)));
    }
    return w;
}

static void text_header(FILE *fp, const hs_gr_render_meta *m, const hs_gr_report *r)
{
    if (r->n_files == 1) {
        fprintf(fp, "File: %s (%s)\n", m->files[0], m->formats[0]);
        fprintf(fp, "Goroutines: %llu in %u groups\n", (unsigned long long)r->totals[0],
                r->n_groups);
    } else {
        fputs("Files:", fp);
        for (uint32_t f = 0; f < r->n_files; f++)
            fprintf(fp, " %s%s", m->files[f], f + 1 < r->n_files ? "," : "\n");
        fputs("Goroutines:", fp);
        for (uint32_t f = 0; f < r->n_files; f++)
            fprintf(fp, " %s%llu", f ? "-> " : "", (unsigned long long)r->totals[f]);
        fprintf(fp, " (%+lld) in %u groups\n",
                (long long)(r->totals[r->n_files - 1] - r->totals[0]), r->n_groups);
    }
    if (m->stuck_minutes)
        fprintf(fp, "Suspects: %u (growing at every step, or blocked for %um or longer)\n",
                r->n_suspects, m->stuck_minutes);
    else
        fprintf(fp, "Suspects: %u (growing at every step)\n", r->n_suspects);
}

static void text_stack(FILE *fp, const hs_gr_report *r, const hs_gr_group *g)
{
    if (g->labels != HS_STR_NONE) fprintf(fp, "      labels: %s\n", str(r, g->labels));
    for (uint32_t k = 0; k < g->n_frames; k++) {
        const hs_gr_frame *f = &r->frames[g->frame_start + k];
        if (f->line) fprintf(fp, "      %s %s:%u\n", str(r, f->function), str(r, f->file), f->line);
        else fprintf(fp, "      %s\n", str(r, f->function));
    }
}

/* The class column only when there is more than one snapshot. */
static void text_row(FILE *fp, const widths *w, const hs_gr_report *r, uint32_t i)
{
    const hs_gr_group *g = &r->groups[i];
    char counts[256], wait[48], state[160], retained[48];
    counts_text(counts, sizeof counts, r, i);
    snprintf(state, sizeof state, "%s%s", str(r, g->state), g->locked ? ", locked" : "");
    fprintf(fp, "%*s  ", w->counts, counts);
    if (r->retained) fprintf(fp, "%*s  ", w->retained, retained_text(retained, sizeof retained, r, i));
    if (r->n_files > 1) fprintf(fp, "%-7s  ", hs_gr_class_names[g->cls]);
    fprintf(fp, "%-*s  %*s  %-*s  ", w->state, state, w->wait, wait_text(wait, sizeof wait, g),
            w->function, str(r, g->function));
    if (g->why)
        fprintf(fp, "%-*s  %s\n", w->creator, g->created_by == HS_STR_NONE ? "-" : str(r, g->created_by),
                why_text(g));
    else fprintf(fp, "%s\n", g->created_by == HS_STR_NONE ? "-" : str(r, g->created_by));
}

static void render_text(FILE *fp, const hs_gr_render_meta *m, const hs_gr_report *r)
{
    uint32_t n = shown(m, r);
    widths w = measure(r, n);
    text_header(fp, m, r);
    fprintf(fp, "Showing %u of %u groups\n\n", n, r->n_groups);
    fprintf(fp, "%*s  ", w.counts, r->n_files > 1 ? "counts" : "count");
    if (r->retained) fprintf(fp, "%*s  ", w.retained, "retained");
    if (r->n_files > 1) fprintf(fp, "%-7s  ", "class");
    fprintf(fp, "%-*s  %*s  %-*s  %s\n", w.state, "state", w.wait, "wait", w.function, "function",
            "created by");
    for (uint32_t i = 0; i < n; i++) {
        text_row(fp, &w, r, i);
        if (m->stacks) text_stack(fp, r, &r->groups[i]);
    }
    hs_render_gates_text(fp, m->gates, m->results, m->n_gates);
}

static void render_json(FILE *fp, const hs_gr_render_meta *m, const hs_gr_report *r)
{
    fputs("{\"files\": [", fp);
    for (uint32_t f = 0; f < r->n_files; f++) {
        if (f) fputs(", ", fp);
        hs_render_json_string(fp, m->files[f]);
    }
    fputs("], \"totals\": [", fp);
    for (uint32_t f = 0; f < r->n_files; f++)
        fprintf(fp, "%s%llu", f ? ", " : "", (unsigned long long)r->totals[f]);
    fputs("], \"groups\": [", fp);
    uint32_t n = shown(m, r);
    for (uint32_t i = 0; i < n; i++) {
        const hs_gr_group *g = &r->groups[i];
        fputs(i ? ",\n  {\"function\": " : "\n  {\"function\": ", fp);
        hs_render_json_string(fp, str(r, g->function));
        fputs(", \"state\": ", fp);
        hs_render_json_string(fp, str(r, g->state));
        fputs(", \"created_by\": ", fp);
        if (g->created_by == HS_STR_NONE) fputs("null", fp);
        else hs_render_json_string(fp, str(r, g->created_by));
        fputs(", \"labels\": ", fp);
        if (g->labels == HS_STR_NONE) fputs("null", fp);
        else hs_render_json_string(fp, str(r, g->labels));
        fputs(", \"counts\": [", fp);
        for (uint32_t f = 0; f < r->n_files; f++)
            fprintf(fp, "%s%llu", f ? ", " : "", (unsigned long long)hs_gr_count(r, i, f));
        fprintf(fp, "], \"class\": \"%s\", \"suspect\": %s, \"wait_minutes\": ",
                hs_gr_class_names[g->cls], g->why ? "true" : "false");
        if (g->wait_min == HS_GR_WAIT_UNKNOWN) fputs("null", fp);
        else fprintf(fp, "{\"min\": %u, \"max\": %u}", g->wait_min, g->wait_max);
        fputs(", \"stack\": [", fp);
        for (uint32_t k = 0; k < g->n_frames; k++) {
            const hs_gr_frame *f = &r->frames[g->frame_start + k];
            fputs(k ? ", {\"function\": " : "{\"function\": ", fp);
            hs_render_json_string(fp, str(r, f->function));
            fputs(", \"file\": ", fp);
            hs_render_json_string(fp, str(r, f->file));
            fprintf(fp, ", \"line\": %u}", f->line);
        }
        fputc(']', fp);
        for (uint32_t f = 0; r->retained && f < r->n_files; f++) {
            uint64_t v = r->retained[(uint64_t)i * r->n_files + f];
            fputs(f ? ", " : ", \"retained\": [", fp);
            if (v == HS_GR_RETAINED_NONE) fputs("null", fp);
            else fprintf(fp, "%llu", (unsigned long long)v);
            if (f + 1 == r->n_files) fputc(']', fp);
        }
        fputc('}', fp);
    }
    fputs(n ? "\n]}\n" : "]}\n", fp);
}

static void render_csv(FILE *fp, const hs_gr_render_meta *m, const hs_gr_report *r)
{
    fputs("function,state,created_by,labels,class,suspect,wait_min,wait_max", fp);
    for (uint32_t f = 0; f < r->n_files; f++)
        fprintf(fp, ",count_%u", f + 1);
    for (uint32_t f = 0; r->retained && f < r->n_files; f++)
        fprintf(fp, ",retained_%u", f + 1);
    fputc('\n', fp);
    uint32_t n = shown(m, r);
    for (uint32_t i = 0; i < n; i++) {
        const hs_gr_group *g = &r->groups[i];
        hs_render_csv_field(fp, str(r, g->function));
        fputc(',', fp);
        hs_render_csv_field(fp, str(r, g->state));
        fputc(',', fp);
        hs_render_csv_field(fp, str(r, g->created_by));
        fputc(',', fp);
        hs_render_csv_field(fp, str(r, g->labels));
        fprintf(fp, ",%s,%s", hs_gr_class_names[g->cls], g->why ? "true" : "false");
        if (g->wait_min == HS_GR_WAIT_UNKNOWN) fputs(",,", fp);
        else fprintf(fp, ",%u,%u", g->wait_min, g->wait_max);
        for (uint32_t f = 0; f < r->n_files; f++)
            fprintf(fp, ",%llu", (unsigned long long)hs_gr_count(r, i, f));
        for (uint32_t f = 0; r->retained && f < r->n_files; f++) {
            uint64_t v = r->retained[(uint64_t)i * r->n_files + f];
            if (v == HS_GR_RETAINED_NONE) fputc(',', fp);
            else fprintf(fp, ",%llu", (unsigned long long)v);
        }
        fputc('\n', fp);
    }
}

void hs_render_goroutines(FILE *fp, hs_render_format fmt, const hs_gr_render_meta *m,
                          const hs_gr_report *r)
{
    if (fmt == HS_FMT_JSON) render_json(fp, m, r);
    else if (fmt == HS_FMT_CSV) render_csv(fp, m, r);
    else render_text(fp, m, r);
}
