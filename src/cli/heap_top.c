/* `heapscan top` for heap models: objects grouped by site, type, root or
 * object, sorted by retained size, shallow size or count, as a text table,
 * JSON (the schema of issue 3) or CSV. The dominator tree is built once;
 * the table writer is shared with `leaks`. */
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

static const char *plural_by(hs_group_by by)
{
    static const char *p[] = {"sites", "types", "root labels", "objects"};
    return p[by];
}

static void text_rows(FILE *fp, const hs_heapcli_table *t, uint32_t n)
{
    const hs_groups *g = t->g;
    char a[48], b[48], c[48], d[48];
    if (g->by == HS_GROUP_OBJECT) {
        fprintf(fp, "%18s %12s %12s %9s  %s\n", "address", "size", "retained", "retained%", "name");
        for (uint32_t i = 0; i < n; i++) {
            const hs_group_row *r = &g->rows[i];
            snprintf(d, sizeof d, "0x%llx", (unsigned long long)hs_heap_addr(t->h, r->object));
            fprintf(fp, "%18s %12s %12s %9s  %s\n", d, hs_render_bytes(a, sizeof a, r->size),
                    hs_render_bytes(b, sizeof b, r->retained),
                    hs_heapcli_pct(c, sizeof c, (double)r->retained, (double)t->pct_base),
                    hs_strtab_get(&g->names, r->name));
        }
        return;
    }
    fprintf(fp, "%10s %12s %7s %12s %9s  %s\n", "count", "size", "size%", "retained", "retained%",
            "name");
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_row *r = &g->rows[i];
        fprintf(fp, "%10llu %12s %7s %12s %9s  %s\n", (unsigned long long)r->count,
                hs_render_bytes(a, sizeof a, r->size),
                hs_heapcli_pct(b, sizeof b, (double)r->size, (double)g->total_size),
                hs_render_bytes(c, sizeof c, r->retained),
                hs_heapcli_pct(d, sizeof d, (double)r->retained, (double)t->pct_base),
                hs_strtab_get(&g->names, r->name));
    }
}

static void json_rows(FILE *fp, const hs_heapcli_table *t, uint32_t n)
{
    const hs_groups *g = t->g;
    fputs("{\"file\": ", fp);
    hs_render_json_string(fp, t->file);
    fputs(", \"format\": ", fp);
    hs_render_json_string(fp, t->h->format);
    fprintf(fp, ", \"by\": \"%s\", \"total\": {\"count\": %llu, \"size\": %llu}, \"rows\": [",
            hs_group_by_name(g->by), (unsigned long long)g->total_count,
            (unsigned long long)g->total_size);
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_row *r = &g->rows[i];
        fputs(i ? ",\n  {" : "\n  {", fp);
        if (g->by == HS_GROUP_OBJECT)
            fprintf(fp, "\"address\": \"0x%llx\", ", (unsigned long long)hs_heap_addr(t->h, r->object));
        fputs("\"name\": ", fp);
        hs_render_json_string(fp, hs_strtab_get(&g->names, r->name));
        if (g->by != HS_GROUP_OBJECT)
            fprintf(fp, ", \"count\": %llu", (unsigned long long)r->count);
        fprintf(fp, ", \"size\": %llu, \"retained\": %llu}", (unsigned long long)r->size,
                (unsigned long long)r->retained);
    }
    fputs(n ? "\n]" : "]", fp);
    if (t->extra_json) t->extra_json(fp, t->ctx);
    fputs("}\n", fp);
}

static void csv_rows(FILE *fp, const hs_heapcli_table *t, uint32_t n)
{
    const hs_groups *g = t->g;
    fputs(g->by == HS_GROUP_OBJECT ? "address,name,size,retained\n" : "name,count,size,retained\n",
          fp);
    for (uint32_t i = 0; i < n; i++) {
        const hs_group_row *r = &g->rows[i];
        if (g->by == HS_GROUP_OBJECT)
            fprintf(fp, "0x%llx,", (unsigned long long)hs_heap_addr(t->h, r->object));
        hs_render_csv_field(fp, hs_strtab_get(&g->names, r->name));
        if (g->by != HS_GROUP_OBJECT) fprintf(fp, ",%llu", (unsigned long long)r->count);
        fprintf(fp, ",%llu,%llu\n", (unsigned long long)r->size, (unsigned long long)r->retained);
    }
}

void hs_heapcli_write_groups(FILE *fp, hs_out_format fmt, const hs_heapcli_table *t)
{
    uint32_t n = t->g->n_rows;
    if (t->limit > 0 && (uint64_t)t->limit < n) n = (uint32_t)t->limit;
    if (fmt == HS_FMT_JSON) {
        json_rows(fp, t, n);
    } else if (fmt == HS_FMT_CSV) {
        csv_rows(fp, t, n);
    } else {
        if (t->title) fputs(t->title, fp);
        uint64_t all = t->g->by == HS_GROUP_OBJECT ? t->g->total_count : t->g->n_rows;
        fprintf(fp, "Showing %u of %llu %s\n", n, (unsigned long long)all, plural_by(t->g->by));
        text_rows(fp, t, n);
    }
}

int hs_heap_cmd_top(const hs_cli_opts *o, hs_model *m, hs_output *out)
{
    const hs_heap *h = &m->heap;
    int rc = hs_heapcli_format_ok(
        o, "top", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON) | HS_FMTBIT(HS_FMT_CSV));
    hs_group_by by;
    hs_group_sort sort;
    if (rc || (rc = hs_heapcli_by_sort(o, h, 0, &by, &sort))) return rc;
    hs_dom d;
    hs_groups g;
    hs_error e;
    if (hs_dom_build(h, &d, &e)) return hs_cli_fail(&e);
    hs_heap_drop_refs(&m->heap); /* nothing below follows references: memory for grouping */
    /* Objects: only the rows shown are ever made. */
    uint32_t lim = o->limit > 0 && o->limit < UINT32_MAX ? (uint32_t)o->limit : 0;
    if (by == HS_GROUP_OBJECT ? hs_group_top_objects(h, &d, NULL, sort, lim, &g, &e)
                              : hs_group_compute(h, &d, by, NULL, &g, &e)) {
        hs_dom_free(&d);
        return hs_cli_fail(&e);
    }
    hs_group_sort_rows(&g, sort);
    uint64_t live = d.n_reached - 1 - d.n_roots;
    char title[1024], a[48], b[48], c[48];
    snprintf(title, sizeof title,
             "File: %s\nFormat: %s\nObjects: %llu (%s); reachable %llu (%s); unreachable %llu "
             "(%s)\nSorted by %s; size%% of all objects, retained%% of reachable bytes\n",
             o->args[0], h->format, (unsigned long long)g.total_count,
             hs_render_bytes(a, sizeof a, g.total_size), (unsigned long long)live,
             hs_render_bytes(b, sizeof b, d.retained[0]),
             (unsigned long long)(g.total_count - live),
             hs_render_bytes(c, sizeof c, g.total_size - d.retained[0]),
             o->sort ? o->sort : "retained");
    hs_heapcli_table t = {o->args[0], h, &g, o->limit, d.retained[0], title, NULL, NULL};
    hs_heapcli_write_groups(out->fp, o->format, &t);
    hs_group_free(&g);
    hs_dom_free(&d);
    return HS_EXIT_OK;
}
