/* The body of `heapscan leaks`: objects no root reaches, grouped by type (or
 * site when the heap has no types) with count, bytes and retained size, then
 * the leak roots: unreachable objects no other unreachable object points to,
 * plus one object per unreachable cycle, largest first. Retained sizes come
 * from one dominator tree in which the leak roots are extra roots, so each
 * leak root's retained size is what it alone holds among the garbage. */
#include <stdlib.h>
#include <string.h>

#include "heap_cli.h"

typedef struct leaks {
    const hs_heap *h;
    const hs_dom *d;
    uint32_t *roots, n, n_pure;
    uint32_t shown;
} leaks;

static int cmp_leak(const void *x, const void *y, void *ctx)
{
    const leaks *l = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    uint64_t ra = l->d->retained[hs_dom_vertex_of_root(l->d, l->h->n_roots + a)];
    uint64_t rb = l->d->retained[hs_dom_vertex_of_root(l->d, l->h->n_roots + b)];
    if (ra != rb) return ra > rb ? -1 : 1;
    return a < b ? -1 : 1;
}

static void json_roots(FILE *fp, void *ctx)
{
    const leaks *l = ctx;
    char name[512];
    uint32_t *ix = l->roots + l->n; /* sorted indices, stored after the roots */
    fputs(", \"leak_roots\": [", fp);
    for (uint32_t i = 0; i < l->shown; i++) {
        uint32_t j = ix[i], o = l->roots[j];
        fprintf(fp, "%s{\"address\": \"0x%llx\", \"name\": ", i ? ",\n  " : "\n  ",
                (unsigned long long)hs_heap_addr(l->h, o));
        hs_render_json_string(fp,
                                hs_group_object_name(l->h, o, HS_GROUP_OBJECT, name, sizeof name));
        fprintf(fp, ", \"size\": %llu, \"retained\": %llu, \"cycle\": %s}",
                (unsigned long long)hs_heap_size(l->h, o),
                (unsigned long long)l->d->retained[hs_dom_vertex_of_root(l->d, l->h->n_roots + j)],
                j >= l->n_pure ? "true" : "false");
    }
    fputs(l->shown ? "\n]" : "]", fp);
}

static void text_roots(FILE *fp, const leaks *l)
{
    char name[512], a[48], b[48];
    uint32_t *ix = l->roots + l->n;
    fprintf(fp, "\nLeak roots: %u (%u in unreachable cycles); showing %u, largest first\n", l->n,
            l->n - l->n_pure, l->shown);
    fprintf(fp, "%18s %12s %12s  %s\n", "address", "size", "retained", "name");
    for (uint32_t i = 0; i < l->shown; i++) {
        uint32_t j = ix[i], o = l->roots[j];
        snprintf(name, sizeof name, "0x%llx", (unsigned long long)hs_heap_addr(l->h, o));
        fprintf(fp, "%18s %12s %12s  ", name, hs_render_bytes(a, sizeof a, hs_heap_size(l->h, o)),
                hs_render_bytes(b, sizeof b,
                                l->d->retained[hs_dom_vertex_of_root(l->d, l->h->n_roots + j)]));
        fprintf(fp, "%s%s\n", hs_group_object_name(l->h, o, HS_GROUP_OBJECT, name, sizeof name),
                j >= l->n_pure ? " (cycle)" : "");
    }
}

int hs_heapcli_leaks(const hs_cli_opts *o, hs_model *m, hs_output *out)
{
    const hs_heap *h = &m->heap;
    int rc = hs_heapcli_format_ok(
        o, "leaks", HS_FMTBIT(HS_FMT_TEXT) | HS_FMTBIT(HS_FMT_JSON) | HS_FMTBIT(HS_FMT_CSV));
    hs_group_by by;
    hs_group_sort sort;
    if (rc || (rc = hs_heapcli_by_sort(o, h, 1, &by, &sort))) return rc;
    if (by == HS_GROUP_ROOT)
        return hs_cli_failf("leaks: --by root makes no sense: nothing reaches a leak");
    hs_reach r;
    hs_error e;
    hs_dom d = {0};
    hs_groups g = {0};
    leaks l = {h, &d, NULL, 0, 0, 0};
    if (hs_reach_compute(h, &r, &e)) return hs_cli_fail(&e);
    rc = hs_reach_leak_roots(h, &r, &l.roots, &l.n, &l.n_pure, &e);
    if (!rc) {
        uint32_t *grown = realloc(l.roots, ((size_t)l.n * 2 + 1) * sizeof *grown);
        if (!grown) rc = hs_error_set(&e, NULL, HS_NO_OFFSET, "out of memory");
        if (grown) l.roots = grown;
    }
    if (!rc) rc = hs_dom_build_with(h, l.roots, l.n, &d, &e);
    if (!rc) {
        hs_heap_drop_refs(&m->heap); /* nothing below follows references */
        uint8_t *dead = r.live;      /* turned into its complement: the filter for grouping */
        for (uint32_t i = 0; i < h->n_objects; i++)
            dead[i] = !dead[i];
        uint32_t lim = o->limit > 0 && o->limit < UINT32_MAX ? (uint32_t)o->limit : 0;
        rc = by == HS_GROUP_OBJECT ? hs_group_top_objects(h, &d, dead, sort, lim, &g, &e)
                                   : hs_group_compute(h, &d, by, dead, &g, &e);
    }
    if (rc) {
        free(l.roots), hs_reach_free(&r), hs_dom_free(&d);
        return hs_cli_fail(&e);
    }
    hs_group_sort_rows(&g, sort);
    uint32_t *ix = l.roots + l.n;
    for (uint32_t j = 0; j < l.n; j++)
        ix[j] = j;
    if (l.n > 1) qsort_r(ix, l.n, sizeof *ix, cmp_leak, &l);
    l.shown = o->limit > 0 && (uint64_t)o->limit < l.n ? (uint32_t)o->limit : l.n;
    char title[1024], a[48], b[48];
    snprintf(title, sizeof title,
             "File: %s\nFormat: %s\nUnreachable: %llu objects (%s) of %u (%s)\n"
             "retained%% is of the unreachable bytes\n",
             o->args[0], h->format, (unsigned long long)r.dead_count,
             hs_render_bytes(a, sizeof a, r.dead_size), h->n_objects,
             hs_render_bytes(b, sizeof b, r.dead_size + r.live_size));
    hs_heapcli_table t = {o->args[0], h, &g, o->limit, r.dead_size, title, json_roots, &l};
    hs_heapcli_write_groups(out->fp, o->format, &t);
    if (o->format == HS_FMT_TEXT) text_roots(out->fp, &l);
    hs_group_free(&g);
    hs_dom_free(&d);
    hs_reach_free(&r);
    free(l.roots);
    return HS_EXIT_OK;
}
