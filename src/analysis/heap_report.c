/* What the heap commands compute before anything is printed: the names of
 * dominator vertices, ADDR|NAME arguments resolved to objects, the --by
 * default, and the two grouped reports (top: every object; leaks: the
 * unreachable ones plus their leak roots). Both reports drop the heap's
 * references once their dominator tree is built: grouping never follows a
 * reference, and on a large core the references are most of the memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapscan/heap_analysis.h"

const char *hs_heap_root_kind_name(unsigned kind)
{
    static const char *names[] = {"global", "stack", "register", "finalizer", "other"};
    return kind < 5 ? names[kind] : "other";
}

const char *hs_group_sort_name(hs_group_sort sort)
{
    static const char *names[] = {"retained", "size", "count"};
    return (unsigned)sort < 3 ? names[sort] : "?";
}

hs_group_by hs_group_default_by(const hs_heap *h, int prefer_type)
{
    return (prefer_type || h->n_sites == 0) && h->n_types ? HS_GROUP_TYPE : HS_GROUP_SITE;
}

int hs_heap_site_groups(const hs_heap *h, uint32_t *n, hs_error *err)
{
    *n = 0;
    if (!h->n_sites) return 0;
    hs_groups g;
    if (hs_group_compute(h, NULL, HS_GROUP_SITE, NULL, &g, err)) return -1;
    *n = g.n_rows;
    hs_group_free(&g);
    return 0;
}

const char *hs_dom_vertex_name(const hs_heap *h, uint32_t v, char *buf, unsigned size)
{
    if (v == 0) {
        snprintf(buf, size, "<all roots>");
    } else if (v <= h->n_roots) {
        snprintf(buf, size, "%s (%s)", hs_heap_str(h, h->root_label[v - 1]),
                 hs_heap_root_kind_name(h->root_kind[v - 1]));
    } else if (v - 1 - h->n_roots < h->n_objects) {
        uint32_t o = v - 1 - h->n_roots;
        char name[256];
        hs_group_object_name(h, o, HS_GROUP_OBJECT, name, sizeof name);
        snprintf(buf, size, "0x%llx %s", (unsigned long long)hs_heap_addr(h, o), name);
    } else {
        snprintf(buf, size, "leak root %u", v - 1 - h->n_roots); /* pseudo-roots */
    }
    return buf;
}

static int resolve_address(const hs_heap *h, const char *file, const char *arg, uint32_t *obj,
                           hs_error *err)
{
    char *end;
    errno = 0;
    unsigned long long p = strtoull(arg + 2, &end, 16);
    if (errno || end == arg + 2 || *end)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "bad address '%s'", arg);
    *obj = hs_heap_find(h, p);
    if (*obj == HS_NONE)
        return hs_error_set(err, file, HS_NO_OFFSET, "no object contains address %s", arg);
    return 0;
}

int hs_heap_resolve(const hs_heap *h, const hs_dom *d, const char *file, const char *arg,
                    uint32_t *obj, hs_error *err)
{
    if (strncmp(arg, "0x", 2) == 0 || strncmp(arg, "0X", 2) == 0)
        return resolve_address(h, file, arg, obj, err);
    uint32_t best = HS_NONE;
    char buf[256];
    for (uint32_t i = 0; i < h->n_objects; i++) {
        int match = strcmp(hs_group_object_name(h, i, HS_GROUP_TYPE, buf, sizeof buf), arg) == 0 ||
                    strcmp(hs_group_object_name(h, i, HS_GROUP_SITE, buf, sizeof buf), arg) == 0;
        if (!match) continue;
        if (best == HS_NONE || (d && d->retained[hs_dom_vertex_of_object(d, i)] >
                                         d->retained[hs_dom_vertex_of_object(d, best)]))
            best = i;
    }
    *obj = best;
    if (best == HS_NONE)
        return hs_error_set(err, file, HS_NO_OFFSET, "no object at address or named '%s'", arg);
    return 0;
}

/* Object rows: only the rows shown are ever made; other groupings are whole. */
static int group(const hs_heap *h, const hs_dom *d, hs_group_by by, const uint8_t *only,
                 hs_group_sort sort, uint32_t limit, hs_groups *g, hs_error *err)
{
    int rc = by == HS_GROUP_OBJECT ? hs_group_top_objects(h, d, only, sort, limit, g, err)
                                   : hs_group_compute(h, d, by, only, g, err);
    if (!rc) hs_group_sort_rows(g, sort);
    return rc;
}

int hs_heap_top_compute(hs_heap *h, hs_group_by by, hs_group_sort sort, uint32_t limit,
                        hs_heap_top *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (hs_dom_build_consume(h, &out->dom, err)) return -1;
    if (group(h, &out->dom, by, NULL, sort, limit, &out->groups, err)) {
        hs_dom_free(&out->dom);
        return -1;
    }
    out->live_count = out->dom.n_reached - 1 - out->dom.n_roots;
    return 0;
}

void hs_heap_top_free(hs_heap_top *t)
{
    hs_group_free(&t->groups);
    hs_dom_free(&t->dom);
}

uint64_t hs_leaks_retained(const hs_leaks *l, const hs_heap *h, uint32_t j)
{
    return l->dom.retained[hs_dom_vertex_of_root(&l->dom, h->n_roots + j)];
}

typedef struct leak_order {
    const hs_leaks *l;
    const hs_heap *h;
} leak_order;

static int cmp_leak(const void *x, const void *y, void *ctx)
{
    const leak_order *c = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    uint64_t ra = hs_leaks_retained(c->l, c->h, a), rb = hs_leaks_retained(c->l, c->h, b);
    if (ra != rb) return ra > rb ? -1 : 1;
    return a < b ? -1 : 1;
}

static int order_leak_roots(hs_leaks *l, const hs_heap *h, hs_error *err)
{
    l->order = malloc(((size_t)l->n + 1) * sizeof *l->order);
    if (!l->order) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    for (uint32_t j = 0; j < l->n; j++)
        l->order[j] = j;
    leak_order c = {l, h};
    if (l->n > 1) qsort_r(l->order, l->n, sizeof *l->order, cmp_leak, &c);
    return 0;
}

int hs_leaks_compute(hs_heap *h, hs_group_by by, hs_group_sort sort, uint32_t limit,
                     hs_leaks *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (hs_reach_compute(h, &out->reach, err)) return -1;
    int rc = hs_reach_leak_roots(h, &out->reach, &out->roots, &out->n, &out->n_pure, err);
    if (!rc) rc = hs_dom_build_with(h, out->roots, out->n, &out->dom, err);
    if (!rc) {
        hs_heap_drop_refs(h);
        uint8_t *dead = out->reach.live; /* turned into its complement: the filter for grouping */
        for (uint32_t i = 0; i < h->n_objects; i++)
            dead[i] = !dead[i];
        rc = group(h, &out->dom, by, dead, sort, limit, &out->groups, err);
        for (uint32_t i = 0; i < h->n_objects; i++)
            dead[i] = !dead[i];
    }
    if (!rc) rc = order_leak_roots(out, h, err);
    if (rc) hs_leaks_free(out);
    return rc;
}

void hs_leaks_free(hs_leaks *l)
{
    hs_group_free(&l->groups);
    hs_dom_free(&l->dom);
    hs_reach_free(&l->reach);
    free(l->roots);
    free(l->order);
    memset(l, 0, sizeof *l);
}
