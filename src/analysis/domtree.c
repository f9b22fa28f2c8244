/* The dominator tree as reports show it. hs_domtree: the tree in display
 * order (preorder, largest child first) down to a depth, children under a
 * size threshold summed in one "more" node. The walk is an explicit stack of
 * (vertex, depth) entries, no recursion; children come from the tree's
 * preorder (d->order) and subtree sizes: the first child of the vertex at
 * position p is at p + 1, the next one after the subtree of the previous one,
 * so the tree costs 4 bytes per vertex. hs_dom_top: the k vertices retaining
 * most, each hung under its nearest selected dominator, for a graph. */
#include <stdlib.h>
#include <string.h>

#include "heapscan/heap_analysis.h"

typedef struct entry {
    uint32_t v, pos, depth; /* v's position in d->order */
    uint64_t more_count, more_bytes;
} entry;

typedef struct walk {
    entry *st;
    size_t top, cap;
    uint32_t *tmp; /* positions of the children being sorted */
    uint32_t *sub; /* vertex -> size of its dominator subtree */
} walk;

static int push(walk *w, entry e)
{
    if (w->top == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        entry *n = realloc(w->st, ncap * sizeof *n);
        if (!n) return -1;
        w->st = n, w->cap = ncap;
    }
    w->st[w->top++] = e;
    return 0;
}

static int emit(hs_domtree *t, const entry *e)
{
    if (t->n == t->cap) {
        uint32_t ncap = t->cap ? t->cap * 2 : 64;
        hs_domtree_node *n = realloc(t->nodes, (size_t)ncap * sizeof *n);
        if (!n) return -1;
        t->nodes = n, t->cap = ncap;
    }
    t->nodes[t->n++] = (hs_domtree_node){e->v, e->depth, e->more_count, e->more_bytes};
    return 0;
}

static int cmp_child(const void *x, const void *y, void *ctx)
{
    const hs_dom *d = ctx;
    uint32_t u = d->order[*(const uint32_t *)x], v = d->order[*(const uint32_t *)y];
    uint64_t a = d->retained[u], b = d->retained[v];
    if (a != b) return a > b ? -1 : 1;
    return u < v ? -1 : 1;
}

/* Push the children of e->v that are shown (largest popped first) and the "more" node. */
static int expand(walk *w, const hs_dom *d, const entry *e, uint64_t min)
{
    uint32_t n = 0, shown = 0, end = e->pos + w->sub[e->v];
    for (uint32_t p = e->pos + 1; p < end; p += w->sub[d->order[p]])
        w->tmp[n++] = p;
    if (n > 1) qsort_r(w->tmp, n, sizeof *w->tmp, cmp_child, (void *)d);
    entry more = {HS_NONE, 0, e->depth + 1, 0, 0};
    while (shown < n && d->retained[d->order[w->tmp[shown]]] >= min &&
           d->retained[d->order[w->tmp[shown]]])
        shown++;
    for (uint32_t i = shown; i < n; i++)
        more.more_count++, more.more_bytes += d->retained[d->order[w->tmp[i]]];
    if (more.more_count && push(w, more)) return -1;
    for (uint32_t i = shown; i-- > 0;)
        if (push(w, (entry){d->order[w->tmp[i]], w->tmp[i], e->depth + 1, 0, 0})) return -1;
    return 0;
}

/* Subtree sizes, children first (reverse preorder). */
static uint32_t *subtree_sizes(const hs_dom *d)
{
    uint32_t *sub = calloc(d->n_vertices ? d->n_vertices : 1, sizeof *sub);
    if (!sub) return NULL;
    for (uint32_t i = d->n_reached; i-- > 1;)
        sub[d->order[i]]++, sub[d->idom[d->order[i]]] += sub[d->order[i]];
    sub[0]++;
    return sub;
}

int hs_domtree_build(const hs_dom *d, uint32_t depth, uint64_t min_retained, hs_domtree *out,
                     hs_error *err)
{
    memset(out, 0, sizeof *out);
    out->depth = depth;
    out->min_retained = min_retained;
    walk w = {0};
    w.sub = subtree_sizes(d);
    w.tmp = malloc((size_t)(d->n_reached ? d->n_reached : 1) * sizeof *w.tmp);
    int rc = !w.tmp || !w.sub || push(&w, (entry){0, 0, 0, 0, 0});
    while (!rc && w.top) {
        entry e = w.st[--w.top];
        rc = emit(out, &e);
        if (!rc && e.v != HS_NONE && e.depth < depth) rc = expand(&w, d, &e, min_retained);
    }
    free(w.st), free(w.tmp), free(w.sub);
    if (!rc) return 0;
    hs_domtree_free(out);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory walking the dominator tree");
}

void hs_domtree_free(hs_domtree *t)
{
    free(t->nodes);
    memset(t, 0, sizeof *t);
}

int hs_domtree_parse_min(const char *s, uint64_t reachable, uint64_t *min)
{
    size_t len = strlen(s);
    if (len && s[len - 1] == '%') {
        char *end;
        double pct = strtod(s, &end);
        if (end != s + len - 1 || pct < 0 || pct > 100) return -1;
        *min = (uint64_t)((double)reachable * pct / 100.0);
        return 0;
    }
    return hs_size_parse(s, min);
}

static int cmp_retained(const void *x, const void *y, void *ctx)
{
    const uint64_t *r = ctx;
    uint64_t a = r[*(const uint32_t *)x], b = r[*(const uint32_t *)y];
    if (a != b) return a > b ? -1 : 1;
    return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

int hs_dom_top_build(const hs_dom *d, uint32_t k, hs_dom_top *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    uint32_t n = d->n_reached - 1;
    out->n_all = n;
    out->n = k && k < n ? k : n;
    out->v = malloc((size_t)(n ? n : 1) * sizeof *out->v);
    out->parent = malloc((size_t)(n ? n : 1) * sizeof *out->parent);
    out->direct = malloc(n ? n : 1);
    uint8_t *sel = calloc(d->n_vertices ? d->n_vertices : 1, 1);
    if (!out->v || !out->parent || !out->direct || !sel) {
        free(sel);
        hs_dom_top_free(out);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory selecting graph nodes");
    }
    memcpy(out->v, d->order + 1, (size_t)n * sizeof *out->v);
    if (n > 1) qsort_r(out->v, n, sizeof *out->v, cmp_retained, d->retained);
    sel[0] = 1;
    for (uint32_t i = 0; i < out->n; i++)
        sel[out->v[i]] = 1;
    for (uint32_t i = 0; i < out->n; i++) {
        uint32_t p = d->idom[out->v[i]];
        while (!sel[p])
            p = d->idom[p];
        out->parent[i] = p;
        out->direct[i] = p == d->idom[out->v[i]];
    }
    free(sel);
    return 0;
}

void hs_dom_top_free(hs_dom_top *t)
{
    free(t->v), free(t->parent), free(t->direct);
    memset(t, 0, sizeof *t);
}
