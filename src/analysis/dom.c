/* Dominator tree and retained sizes by simple Lengauer-Tarjan (1979; the
 * variant of Eclipse MAT, Chrome DevTools and Go's viewcore), run only on the
 * vertices that need it. An iterative DFS from the super-root records each
 * reached vertex's DFS parent in idom[] and marks vertices with a second
 * distinct predecessor. A "leaf" (no successors, one predecessor: most small
 * heap blocks) is dominated by that predecessor and is nobody's ancestor or
 * predecessor, so the LT arrays hold only the other K vertices, numbered in
 * DFS preorder: semidominators by a reverse sweep with path-compressed eval
 * over the implicitly linked forest, relative dominators from buckets, a
 * forward fix-up. (Semi-NCA was tried first: its ancestor climb is quadratic
 * on a linked list whose elements are also indexed, i.e. every LRU cache.)
 * Explicit DFS stack, pointer-reversing path compression: no recursion on
 * data. O(m log n). Invariant after build: order[] is a preorder of the
 * dominator tree (every subtree contiguous, its root first), so idom(v)
 * precedes v and retained sizes are one reverse pass.
 * Memory, N vertices, R reached, K non-leaves, m_K references between them
 * (bytes; phases in order, each one's arrays freed before the next):
 *   DFS            4N idom + 4N order + N/8 bits + 8 per level of DFS depth
 *   numbering      in place: order[] becomes anc[] (4K)
 *   predecessors   4N idom + 8K (anc, pstart) + 4 m_K; then order again, 4K
 *   LT             24K + 4 m_K + N/8: nothing per vertex
 *   tree preorder  8N (idom, counts) + 4R + 4K
 *   result         12N (idom, retained) + 4R: kept; usually the peak.
 * On the 5.4-million-chunk core (K = 0.56 R) the result is the peak.
 * hs_dom_build_consume drops the heap's references (4N + 4 per reference)
 * once the predecessors are built and keeps idom (the leaves' DFS parents)
 * through LT instead of reading the references again for them (4N more in
 * LT): the later phases sit beside the objects' columns alone. On a
 * 10^7-object Go core (8.1 M objects, K = 0.35 N), the model included: DFS
 * and predecessors 182 MiB, result 178 MiB (the result was 288 MiB with the
 * references kept and order[] beside the predecessor rows). */
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "heapscan/heap_analysis.h"
#include "model/mem.h"

/* Successor cursor of the three-part graph: super-root, roots, objects. */
typedef struct graph_view {
    const hs_dom_graph *g;
    uint32_t n_roots;
} graph_view;

static void succ_range(const graph_view *gv, uint32_t v, uint32_t *b, uint32_t *e)
{
    const hs_dom_graph *g = gv->g;
    if (v == 0) {
        *b = 0, *e = g->n_roots;
    } else if (v <= g->n_roots) {
        *b = g->root_start[v - 1], *e = g->root_start[v];
    } else {
        uint32_t o = v - 1 - g->n_roots;
        *b = g->obj_start[o], *e = g->obj_start[o + 1];
    }
}

static uint32_t succ_at(const graph_view *gv, uint32_t v, uint32_t k)
{
    const hs_dom_graph *g = gv->g;
    if (v == 0) return 1 + k;
    if (v <= g->n_roots) return 1 + g->n_roots + g->root_target[k];
    return 1 + g->n_roots + g->obj_target[k];
}

static int bit(const uint64_t *b, uint32_t i)
{
    return (int)(b[i >> 6] >> (i & 63) & 1);
}

static void bit_set(uint64_t *b, uint32_t i)
{
    b[i >> 6] |= 1ull << (i & 63);
}

static void *alloc_n(uint32_t n, size_t elem)
{
    return hs_mem_alloc(n, elem);
}

/* Arrays up to glibc's (adaptive) mmap threshold come from the heap, where
 * free() keeps their pages resident; between phases that swap one set of
 * arrays for another, hand free pages back so the next set does not stack on
 * top of the holes (about 10 MiB per phase on the 5.4-million-chunk core). */
static void give_back(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

typedef struct work {
    uint32_t nv, n, k; /* vertices, reached, in LT (reached non-leaves) */
    uint64_t *inlt;    /* bit per vertex: reached and not a leaf (set while the DFS runs) */
    uint32_t *idom;    /* vertex -> DFS parent (HS_NONE = unreached), then LT number */
    uint32_t *order;   /* DFS preorder, then compacted to LT number -> vertex */
    uint32_t *anc;     /* number -> DFS parent number, compressed during eval */
    uint32_t *semi;    /* number -> semidominator number */
    uint32_t *label;   /* number -> number of min semi on path */
    uint32_t *dom;     /* number -> idom number (first: bucket lists) */
    uint32_t *pstart, *pred;
} work;

static void work_free(work *w)
{
    free(w->inlt), free(w->idom), free(w->order), free(w->anc), free(w->semi);
    free(w->label), free(w->dom), free(w->pstart), free(w->pred);
    memset(w, 0, sizeof *w);
}

/* Iterative DFS with a growable stack of (vertex, edge cursor): preorder in
 * order[], DFS parent in idom[] (which also marks reached), and in inlt the
 * vertices with successors or with a second distinct predecessor. Every edge
 * out of a reached vertex is looked at exactly once. */
static int dfs(const graph_view *gv, work *w)
{
    uint32_t *idom = w->idom, *st, n = 0, b, e;
    size_t cap = 1024, top = 0;
    if (!(st = malloc(cap * 2 * sizeof *st))) return -1;
    for (uint32_t v = 0; v < w->nv; v++)
        idom[v] = HS_NONE;
    w->order[n++] = 0;
    bit_set(w->inlt, 0);
    succ_range(gv, 0, &b, &e);
    st[0] = 0, st[1] = b, top = 1;
    while (top) {
        uint32_t v = st[2 * top - 2], k = st[2 * top - 1], x = HS_NONE;
        succ_range(gv, v, &b, &e);
        for (; k < e; k++) {
            x = succ_at(gv, v, k);
            if (idom[x] == HS_NONE) break;
            if (idom[x] != v) bit_set(w->inlt, x); /* another predecessor than the parent */
        }
        if (k == e) {
            top--;
            continue;
        }
        st[2 * top - 1] = k + 1;
        idom[x] = v, w->order[n++] = x;
        succ_range(gv, x, &b, &e);
        if (b == e) continue; /* no successors: nothing to push */
        bit_set(w->inlt, x);
        if (top == cap) {
            uint32_t *ns = realloc(st, cap * 4 * sizeof *st);
            if (!ns) {
                free(st);
                return -1;
            }
            st = ns, cap *= 2;
        }
        st[2 * top] = x, st[2 * top + 1] = b, top++;
    }
    free(st);
    w->n = n;
    return 0;
}

/* LT numbers: the non-leaves in DFS preorder (a DFS parent always has a
 * successor, so the numbered vertices keep their DFS tree). idom[x] becomes
 * x's number, and order[] (read front to back, written behind the reading)
 * becomes anc[], the parents' numbers: a second array would stack on the
 * DFS arrays. order_again makes order[] once the predecessor rows are built. */
static int number(work *w)
{
    uint32_t k = 0, *o = w->order;
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t x = o[i];
        if (!bit(w->inlt, x)) continue;
        o[k] = x == 0 ? HS_NONE : w->idom[w->idom[x]]; /* the parent is numbered */
        w->idom[x] = k++;
    }
    w->k = k;
    w->anc = hs_mem_realloc(o, k, sizeof *o);
    if (!w->anc) w->anc = o; /* not smaller, still right */
    w->order = NULL;
    return 0;
}

/* Predecessor rows in number space. Leaves are nobody's predecessor and
 * need no row, so only edges between numbered vertices count. Sources are
 * taken in vertex order (the references read front to back), so a row's
 * predecessors are not in number order: LT does not need them to be. */
static int build_preds(const graph_view *gv, work *w)
{
    uint32_t k = w->k, b, e;
    if (!(w->pstart = hs_mem_zalloc((size_t)k + 1, sizeof *w->pstart))) return -1;
    uint64_t m = 0;
    for (uint32_t v = 0; v < w->nv; v++) {
        if (!bit(w->inlt, v)) continue;
        succ_range(gv, v, &b, &e);
        for (uint32_t q = b; q < e; q++) {
            uint32_t x = succ_at(gv, v, q);
            if (bit(w->inlt, x)) w->pstart[w->idom[x] + 1]++, m++;
        }
    }
    if (m >= UINT32_MAX) return -1;
    if (!(w->pred = alloc_n((uint32_t)m, 4))) return -1;
    for (uint32_t j = 0; j < k; j++)
        w->pstart[j + 1] += w->pstart[j];
    for (uint32_t v = 0; v < w->nv; v++) {
        if (!bit(w->inlt, v)) continue;
        succ_range(gv, v, &b, &e);
        for (uint32_t q = b; q < e; q++) {
            uint32_t x = succ_at(gv, v, q);
            if (bit(w->inlt, x)) w->pred[w->pstart[w->idom[x]]++] = w->idom[v];
        }
    }
    for (uint32_t j = k; j > 0; j--)
        w->pstart[j] = w->pstart[j - 1];
    w->pstart[0] = 0;
    return 0;
}

/* order[] number -> vertex again, from the numbers in idom[]: not needed
 * beside the references and predecessor rows, so made after them. */
static int order_again(work *w)
{
    if (!(w->order = alloc_n(w->k, 4))) return -1;
    for (uint32_t v = 0; v < w->nv; v++)
        if (bit(w->inlt, v)) w->order[w->idom[v]] = v;
    return 0;
}

/* eval(v) while processing cur: vertices numbered > cur are linked to anc.
 * Returns the number with minimum semi on v's forest path. Path compression
 * without a stack: the walk up reverses the anc pointers, the walk down
 * restores them to the forest root while carrying the minimum label down. */
static uint32_t eval(work *w, uint32_t v, uint32_t cur)
{
    uint32_t *anc = w->anc, *label = w->label, *semi = w->semi;
    if (v <= cur || anc[v] <= cur) return label[v];
    uint32_t prev = HS_NONE, x = v;
    while (anc[x] > cur) {
        uint32_t up = anc[x];
        anc[x] = prev;
        prev = x;
        x = up;
    }
    uint32_t root = anc[x], a = x;
    while (prev != HS_NONE) {
        uint32_t down = anc[prev];
        if (semi[label[a]] < semi[label[prev]]) label[prev] = label[a];
        anc[prev] = root;
        a = prev;
        prev = down;
    }
    return label[v];
}

/* Simple Lengauer-Tarjan, steps 2-4, in number space. Buckets are linked
 * lists threaded through dom[]: slot x is first the head of bucket(x) (empty
 * again once x's last child is done), then x's link in bucket(semi(x)), then
 * x's relative and final idom; the phases never overlap, so buckets cost no
 * memory. Unlike Semi-NCA's ancestor climb this stays O(m log n) on the
 * list-plus-index shape of an LRU cache. */
static void simple_lt(work *w)
{
    uint32_t n = w->k, *anc = w->anc, *semi = w->semi, *label = w->label, *dom = w->dom;
    for (uint32_t i = 0; i < n; i++)
        semi[i] = i, label[i] = i, dom[i] = 0;
    for (uint32_t cur = n - 1; cur > 0; cur--) {
        uint32_t p = anc[cur], s = semi[cur]; /* anc[cur] is still the DFS parent */
        for (uint32_t k = w->pstart[cur]; k < w->pstart[cur + 1]; k++) {
            uint32_t u = eval(w, w->pred[k], cur);
            if (semi[u] < s) s = semi[u];
        }
        semi[cur] = s;
        dom[cur] = dom[s], dom[s] = cur; /* into bucket(semi) */
        /* cur is linked now: eval treats numbers >= cur as linked. */
        for (uint32_t v = dom[p]; v != 0;) {
            uint32_t next = dom[v], u = eval(w, v, cur - 1);
            dom[v] = semi[u] < semi[v] ? u : p;
            v = next;
        }
        dom[p] = 0;
    }
    for (uint32_t i = 1; i < n; i++)
        if (dom[i] != semi[i]) dom[i] = dom[dom[i]];
}

/* Vertex-space idoms: numbered vertices from dom[], each leaf its one
 * predecessor, which is its DFS parent: still in idom[] when it was kept
 * through LT, else found again on the numbered vertices' edges. */
static int vertex_idoms(const graph_view *gv, work *w)
{
    int kept = w->idom != NULL;
    if (!kept && !(w->idom = alloc_n(w->nv, 4))) return -1;
    if (!kept)
        for (uint32_t v = 0; v < w->nv; v++)
            w->idom[v] = HS_NONE;
    w->idom[0] = HS_NONE; /* numbered 0 when kept */
    for (uint32_t j = 1; j < w->k; j++)
        w->idom[w->order[j]] = w->order[w->dom[j]];
    free(w->dom), w->dom = NULL;
    for (uint32_t j = 0; j < w->k && !kept; j++) {
        uint32_t v = w->order[j], b, e;
        succ_range(gv, v, &b, &e);
        for (uint32_t q = b; q < e; q++) {
            uint32_t x = succ_at(gv, v, q);
            if (!bit(w->inlt, x)) w->idom[x] = v;
        }
    }
    return 0;
}

static int is_leaf(const work *w, uint32_t v)
{
    return w->idom[v] != HS_NONE && !bit(w->inlt, v);
}

/* A preorder of the dominator tree from subtree sizes: each vertex, taken
 * parents first, gets the next free slot of its parent's range and reserves
 * its own subtree's. Children come in DFS preorder, then leaves by vertex. */
static uint32_t *tree_preorder(work *w)
{
    uint32_t *cnt = alloc_n(w->nv, 4), *pre = alloc_n(w->n, 4), *idom = w->idom;
    if (!cnt || !pre) {
        free(cnt), free(pre);
        return NULL;
    }
    for (uint32_t v = 0; v < w->nv; v++)
        cnt[v] = v == 0 || idom[v] != HS_NONE;
    for (uint32_t v = 1; v < w->nv; v++)
        if (is_leaf(w, v)) cnt[idom[v]]++;
    for (uint32_t j = w->k; j-- > 1;)
        cnt[idom[w->order[j]]] += cnt[w->order[j]];
    cnt[0] = 1, pre[0] = 0; /* cnt[x]: next free slot under x once x is placed */
    for (uint32_t j = 1; j < w->k; j++) {
        uint32_t x = w->order[j], pos = cnt[idom[x]];
        cnt[idom[x]] += cnt[x], cnt[x] = pos + 1, pre[pos] = x;
    }
    for (uint32_t v = 1; v < w->nv; v++)
        if (is_leaf(w, v)) pre[cnt[idom[v]]++] = v;
    free(cnt);
    return pre;
}

/* With drop set (its references are g's objects' rows), they are dropped
 * once the predecessor rows are built, and idom[] keeps the leaves' DFS
 * parents through LT instead of a second pass over the references. */
static int build(const hs_dom_graph *g, hs_heap *drop, hs_dom *d, hs_error *err)
{
    memset(d, 0, sizeof *d);
    uint64_t nv64 = 1ull + g->n_roots + g->n_objects;
    if (nv64 >= UINT32_MAX)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "too many vertices for the dominator tree");
    give_back(); /* what the load freed (a core reader's tables) */
    graph_view gv = {g, g->n_roots};
    work w = {0};
    int consume = drop != NULL;
    w.nv = (uint32_t)nv64;
    w.inlt = calloc(((size_t)w.nv + 63) / 64, sizeof *w.inlt);
    w.idom = alloc_n(w.nv, 4), w.order = alloc_n(w.nv, 4);
    if (!w.inlt || !w.idom || !w.order || dfs(&gv, &w) || number(&w) || build_preds(&gv, &w))
        goto oom;
    if (drop) hs_heap_drop_refs(drop), drop = NULL, gv.g = NULL;
    if (order_again(&w)) goto oom;
    if (!consume) free(w.idom), w.idom = NULL; /* nothing per vertex is alive during LT */
    give_back();
    w.semi = alloc_n(w.k, 4), w.label = alloc_n(w.k, 4), w.dom = alloc_n(w.k, 4);
    if (!w.semi || !w.label || !w.dom) goto oom;
    simple_lt(&w);
    free(w.pred), free(w.pstart), free(w.label), free(w.anc), free(w.semi);
    w.pred = w.pstart = w.label = w.anc = w.semi = NULL;
    give_back();
    if (vertex_idoms(&gv, &w) || !(d->order = tree_preorder(&w))) goto oom;
    free(w.order), free(w.inlt), w.order = NULL, w.inlt = NULL;
    d->idom = w.idom, w.idom = NULL;
    give_back();
    d->retained = hs_mem_zalloc(w.nv, sizeof *d->retained);
    if (!d->retained) goto oom;
    uint32_t base = 1 + g->n_roots;
    for (uint32_t i = 1; i < w.n; i++) {
        uint32_t v = d->order[i];
        if (v >= base)
            d->retained[v] = g->size ? g->size[v - base] : hs_heap_size(g->heap, v - base);
    }
    for (uint32_t i = w.n - 1; i > 0; i--)
        d->retained[d->idom[d->order[i]]] += d->retained[d->order[i]];
    d->n_vertices = w.nv, d->n_reached = w.n;
    d->n_roots = g->n_roots, d->n_objects = g->n_objects;
    work_free(&w);
    return 0;
oom:
    work_free(&w);
    hs_dom_free(d);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory building the dominator tree");
}

int hs_dom_build_graph(const hs_dom_graph *g, hs_dom *d, hs_error *err)
{
    return build(g, NULL, d, err);
}

static hs_dom_graph heap_graph(const hs_heap *h)
{
    static const uint32_t zero = 0;
    return (hs_dom_graph){
        .n_roots = h->n_roots,
        .root_start = h->root_edge_start ? h->root_edge_start : &zero,
        .root_target = h->root_edge_target,
        .n_objects = h->n_objects,
        .obj_start = h->edge_start ? h->edge_start : &zero,
        .obj_target = h->edge_target,
        .heap = h,
    };
}

int hs_dom_build(const hs_heap *h, hs_dom *d, hs_error *err)
{
    hs_dom_graph g = heap_graph(h);
    return build(&g, NULL, d, err);
}

int hs_dom_build_consume(hs_heap *h, hs_dom *d, hs_error *err)
{
    hs_dom_graph g = heap_graph(h);
    int rc = build(&g, h, d, err);
    hs_heap_drop_refs(h); /* already, unless the build failed early */
    return rc;
}

int hs_dom_build_with(const hs_heap *h, const uint32_t *extra, uint32_t n_extra, hs_dom *d,
                      hs_error *err)
{
    uint64_t nr = (uint64_t)h->n_roots + n_extra, ne = (uint64_t)h->n_root_edges + n_extra;
    if (nr >= UINT32_MAX || ne >= UINT32_MAX)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "too many roots for the dominator tree");
    uint32_t *rs = alloc_n((uint32_t)nr + 1, 4), *rt = alloc_n((uint32_t)ne, 4);
    if (!rs || !rt) {
        free(rs), free(rt);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory building the dominator tree");
    }
    for (uint32_t r = 0; r <= h->n_roots; r++)
        rs[r] = h->root_edge_start ? h->root_edge_start[r] : 0;
    if (h->n_root_edges) memcpy(rt, h->root_edge_target, (size_t)h->n_root_edges * 4);
    for (uint32_t j = 0; j < n_extra; j++) {
        rt[h->n_root_edges + j] = extra[j];
        rs[h->n_roots + j + 1] = h->n_root_edges + j + 1;
    }
    static const uint32_t zero = 0;
    hs_dom_graph g = {(uint32_t)nr,   rs,   rt, h->n_objects, h->edge_start ? h->edge_start : &zero,
                      h->edge_target, NULL, h};
    int rc = hs_dom_build_graph(&g, d, err);
    free(rs), free(rt);
    return rc;
}

void hs_dom_free(hs_dom *d)
{
    free(d->idom), free(d->retained), free(d->order);
    memset(d, 0, sizeof *d);
}

int hs_dom_children_build(const hs_dom *d, hs_dom_children *c, hs_error *err)
{
    c->start = calloc((size_t)d->n_vertices + 1, sizeof *c->start);
    c->child = alloc_n(d->n_reached, 4);
    if (!c->start || !c->child) {
        hs_dom_children_free(c);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory building the tree");
    }
    for (uint32_t i = 1; i < d->n_reached; i++)
        c->start[d->idom[d->order[i]] + 1]++;
    for (uint32_t v = 0; v < d->n_vertices; v++)
        c->start[v + 1] += c->start[v];
    for (uint32_t i = 1; i < d->n_reached; i++)
        c->child[c->start[d->idom[d->order[i]]]++] = d->order[i];
    for (uint32_t v = d->n_vertices; v > 0; v--)
        c->start[v] = c->start[v - 1];
    c->start[0] = 0;
    return 0;
}

void hs_dom_children_free(hs_dom_children *c)
{
    free(c->start), free(c->child);
    c->start = c->child = NULL;
}
