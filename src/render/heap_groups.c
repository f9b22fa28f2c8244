/* Heap `top` and `leaks`: rows of a grouping (site, type, root or object)
 * with count, shallow size and retained size, as a text table under a
 * header, JSON ({"file","format","by","total","rows"}, leaks adding
 * "leak_roots") or CSV; leaks then lists its leak roots. The two reports
 * share the table; only the header and the percentage base differ. */
#include "render/internal.h"

typedef struct table {
    const char *file;
    const hs_heap *h;
    const hs_groups *g;
    uint32_t n;        /* rows shown */
    uint64_t pct_base; /* denominator of retained% */
} table;

static const char *plural_by(hs_group_by by)
{
    static const char *p[] = {"sites", "types", "root labels", "objects"};
    return p[by];
}

static void text_object_rows(FILE *fp, const table *t)
{
    char a[48], b[48], c[48], d[48];
    fprintf(fp, "%18s %12s %12s %9s  %s\n", "address", "size", "retained", "retained%", "name");
    for (uint32_t i = 0; i < t->n; i++) {
        const hs_group_row *r = &t->g->rows[i];
        snprintf(d, sizeof d, "0x%llx", (unsigned long long)hs_heap_addr(t->h, r->object));
        fprintf(fp, "%18s %12s %12s %9s  %s\n", d, hs_render_bytes(a, sizeof a, r->size),
                hs_render_bytes(b, sizeof b, r->retained),
                hs_render_share(c, sizeof c, (double)r->retained, (double)t->pct_base),
                hs_strtab_get(&t->g->names, r->name));
    }
}

static void text_rows(FILE *fp, const table *t)
{
    const hs_groups *g = t->g;
    char a[48], b[48], c[48], d[48];
    uint64_t all = g->by == HS_GROUP_OBJECT ? g->total_count : g->n_rows;
    fprintf(fp, "Showing %u of %llu %s\n", t->n, (unsigned long long)all, plural_by(g->by));
    if (g->by == HS_GROUP_OBJECT) {
        text_object_rows(fp, t);
        return;
    }
    fprintf(fp, "%10s %12s %7s %12s %9s  %s\n", "count", "size", "size%", "retained", "retained%",
            "name");
    for (uint32_t i = 0; i < t->n; i++) {
        const hs_group_row *r = &g->rows[i];
        fprintf(fp, "%10llu %12s %7s %12s %9s  %s\n", (unsigned long long)r->count,
                hs_render_bytes(a, sizeof a, r->size),
                hs_render_share(b, sizeof b, (double)r->size, (double)g->total_size),
                hs_render_bytes(c, sizeof c, r->retained),
                hs_render_share(d, sizeof d, (double)r->retained, (double)t->pct_base),
                hs_strtab_get(&g->names, r->name));
    }
}

/* Everything of the JSON object but its closing brace. */
static void json_rows(FILE *fp, const table *t)
{
    const hs_groups *g = t->g;
    fputs("{\"file\": ", fp);
    hs_render_json_string(fp, t->file);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, t->h->format);
    fprintf(fp, ", \"by\": \"%s\", ", hs_group_by_name(g->by));
    hs_render_json_count_size(fp, "total", g->total_count, g->total_size);
    fputs(", \"rows\": [", fp);
    for (uint32_t i = 0; i < t->n; i++) {
        const hs_group_row *r = &g->rows[i];
        fputs(i ? ",\n  {" : "\n  {", fp);
        if (g->by == HS_GROUP_OBJECT)
            fprintf(fp, "\"address\": \"0x%llx\", ", (unsigned long long)hs_heap_addr(t->h, r->object));
        fputs("\"name\": ", fp);
        hs_render_json_string(fp, hs_strtab_get(&g->names, r->name));
        if (g->by != HS_GROUP_OBJECT) fprintf(fp, ", \"count\": %llu", (unsigned long long)r->count);
        fprintf(fp, ", \"size\": %llu, \"retained\": %llu}", (unsigned long long)r->size,
                (unsigned long long)r->retained);
    }
    fputs(t->n ? "\n]" : "]", fp);
}

static void csv_rows(FILE *fp, const table *t)
{
    const hs_groups *g = t->g;
    fputs(g->by == HS_GROUP_OBJECT ? "address,name,size,retained\n" : "name,count,size,retained\n",
          fp);
    for (uint32_t i = 0; i < t->n; i++) {
        const hs_group_row *r = &g->rows[i];
        if (g->by == HS_GROUP_OBJECT)
            fprintf(fp, "0x%llx,", (unsigned long long)hs_heap_addr(t->h, r->object));
        hs_render_csv_field(fp, hs_strtab_get(&g->names, r->name));
        if (g->by != HS_GROUP_OBJECT) fprintf(fp, ",%llu", (unsigned long long)r->count);
        fprintf(fp, ",%llu,%llu\n", (unsigned long long)r->size, (unsigned long long)r->retained);
    }
}

static table make_table(const char *file, const hs_heap *h, const hs_groups *g, uint32_t limit,
                        uint64_t pct_base)
{
    table t = {file, h, g, g->n_rows, pct_base};
    if (limit && limit < t.n) t.n = limit;
    return t;
}

void hs_render_heap_top(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                        const hs_heap_top *t, hs_group_sort sort, uint32_t limit)
{
    const hs_groups *g = &t->groups;
    uint64_t reachable = t->dom.retained[0];
    table tb = make_table(file, h, g, limit, reachable);
    if (f == HS_FMT_JSON) {
        json_rows(out, &tb);
        fputs("}\n", out);
        return;
    }
    if (f == HS_FMT_CSV) {
        csv_rows(out, &tb);
        return;
    }
    char a[48], b[48], c[48];
    fprintf(out,
            "File: %s\nFormat: %s\nObjects: %llu (%s); reachable %llu (%s); unreachable %llu "
            "(%s)\nSorted by %s; size%% of all objects, retained%% of reachable bytes\n",
            file, h->format, (unsigned long long)g->total_count,
            hs_render_bytes(a, sizeof a, g->total_size), (unsigned long long)t->live_count,
            hs_render_bytes(b, sizeof b, reachable),
            (unsigned long long)(g->total_count - t->live_count),
            hs_render_bytes(c, sizeof c, g->total_size - reachable), hs_group_sort_name(sort));
    text_rows(out, &tb);
}

static uint32_t roots_shown(const hs_leaks *l, uint32_t limit)
{
    return limit && limit < l->n ? limit : l->n;
}

static void json_leak_roots(FILE *fp, const hs_heap *h, const hs_leaks *l, uint32_t shown)
{
    char name[512];
    fputs(", \"leak_roots\": [", fp);
    for (uint32_t i = 0; i < shown; i++) {
        uint32_t j = l->order[i], o = l->roots[j];
        fprintf(fp, "%s{\"address\": \"0x%llx\", \"name\": ", i ? ",\n  " : "\n  ",
                (unsigned long long)hs_heap_addr(h, o));
        hs_render_json_string(fp, hs_group_object_name(h, o, HS_GROUP_OBJECT, name, sizeof name));
        fprintf(fp, ", \"size\": %llu, \"retained\": %llu, \"cycle\": %s}",
                (unsigned long long)hs_heap_size(h, o),
                (unsigned long long)hs_leaks_retained(l, h, j), j >= l->n_pure ? "true" : "false");
    }
    fputs(shown ? "\n]" : "]", fp);
}

static void text_leak_roots(FILE *fp, const hs_heap *h, const hs_leaks *l, uint32_t shown)
{
    char name[512], a[48], b[48];
    fprintf(fp, "\nLeak roots: %u (%u in unreachable cycles); showing %u, largest first\n", l->n,
            l->n - l->n_pure, shown);
    fprintf(fp, "%18s %12s %12s  %s\n", "address", "size", "retained", "name");
    for (uint32_t i = 0; i < shown; i++) {
        uint32_t j = l->order[i], o = l->roots[j];
        snprintf(name, sizeof name, "0x%llx", (unsigned long long)hs_heap_addr(h, o));
        fprintf(fp, "%18s %12s %12s  ", name, hs_render_bytes(a, sizeof a, hs_heap_size(h, o)),
                hs_render_bytes(b, sizeof b, hs_leaks_retained(l, h, j)));
        fprintf(fp, "%s%s\n", hs_group_object_name(h, o, HS_GROUP_OBJECT, name, sizeof name),
                j >= l->n_pure ? " (cycle)" : "");
    }
}

void hs_render_heap_leaks(FILE *out, hs_render_format f, const char *file, const hs_heap *h,
                          const hs_leaks *l, uint32_t limit)
{
    const hs_reach *r = &l->reach;
    table tb = make_table(file, h, &l->groups, limit, r->dead_size);
    uint32_t shown = roots_shown(l, limit);
    if (f == HS_FMT_JSON) {
        json_rows(out, &tb);
        json_leak_roots(out, h, l, shown);
        fputs("}\n", out);
        return;
    }
    if (f == HS_FMT_CSV) {
        csv_rows(out, &tb);
        return;
    }
    char a[48], b[48];
    fprintf(out,
            "File: %s\nFormat: %s\nUnreachable: %llu objects (%s) of %u (%s)\n"
            "retained%% is of the unreachable bytes\n",
            file, h->format, (unsigned long long)r->dead_count,
            hs_render_bytes(a, sizeof a, r->dead_size), h->n_objects,
            hs_render_bytes(b, sizeof b, r->dead_size + r->live_size));
    text_rows(out, &tb);
    text_leak_roots(out, h, l, shown);
}
