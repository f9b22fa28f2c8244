/* Call graph of a profile (or of AFTER - BEFORE), pruned the way pprof
 * prunes its dot output: drop nodes whose |cum| is below node_fraction of
 * the total, keep the `nodecount` largest by |cum| (pprof ranks by an
 * entropy score; we rank by cum, then name), then walk every sample again
 * from root to leaf over the kept nodes only: an edge caller -> callee gets
 * the sample's value once per sample, and is "residual" when dropped frames
 * sat between the two. Edges below edge_fraction are dropped, then residual
 * edges that another path already explains (pprof's RemoveRedundantEdges).
 * Edges live in an open-addressing table keyed by the (src, dst) node pair;
 * a per-edge stamp enforces the once-per-sample rule. */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

void hs_graph_default_options(hs_graph_options *o)
{
    o->nodecount = 80;
    o->node_fraction = 0.005;
    o->edge_fraction = 0.001;
}

typedef struct edge_table {
    hs_pairmap ids; /* (src, dst) -> index into edges */
    hs_graph_edge *edges;
    uint32_t *stamp;
    uint32_t n, cap; /* n == ids.n */
} edge_table;

/* Id of edge src->dst, created with weight 0 if new; HS_NONE on OOM. */
static uint32_t et_get(edge_table *t, uint32_t src, uint32_t dst)
{
    int added;
    uint32_t id = hs_pairmap_get(&t->ids, src, dst, &added);
    if (id == HS_NONE || !added) return id;
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        hs_graph_edge *e = realloc(t->edges, (size_t)cap * sizeof *e);
        if (!e) return HS_NONE;
        t->edges = e;
        uint32_t *st = realloc(t->stamp, (size_t)cap * sizeof *st);
        if (!st) return HS_NONE;
        t->stamp = st;
        t->cap = cap;
    }
    hs_graph_edge *e = &t->edges[t->n];
    memset(e, 0, sizeof *e);
    e->src = src;
    e->dst = dst;
    e->inlined = 1;
    t->stamp[t->n] = 0;
    return t->n++;
}

static void et_free(edge_table *t)
{
    hs_pairmap_free(&t->ids);
    free(t->edges);
    free(t->stamp);
    memset(t, 0, sizeof *t);
}

/* One side of the graph: a profile, its frames and its filter. */
typedef struct side {
    const hs_profile *p;
    uint32_t vi;
    hs_frames fr;
    hs_filter flt;
    int sign;
} side;

/* Walk samples root to leaf over kept nodes (node_of[entry] != HS_NONE). */
static int add_edges(const side *sd, const uint32_t *node_of, edge_table *t, uint32_t *gen)
{
    const hs_profile *p = sd->p;
    for (uint32_t si = 0; si < p->n_samples; si++) {
        int64_t v = p->values[(size_t)si * p->n_sample_types + sd->vi];
        if (v == 0) continue;
        const hs_sample *s = &p->samples[si];
        if (sd->flt.active && !hs_filter_keep(&sd->flt, p, s)) continue;
        if (sd->sign < 0) v = -v;
        if (++*gen == 0) {
            memset(t->stamp, 0, (size_t)t->n * sizeof *t->stamp);
            *gen = 1;
        }
        const uint32_t *st = p->stacks + s->stack_start;
        uint32_t parent = HS_NONE;
        int residual = 0;
        for (uint32_t k = s->n_stack; k-- > 0;) {
            uint32_t loc = st[k];
            if (loc >= sd->fr.n_locations) continue;
            uint32_t lo = sd->fr.loc_start[loc], hi = sd->fr.loc_start[loc + 1];
            for (uint32_t j = hi; j-- > lo;) {
                uint32_t n = node_of[sd->fr.entry[j]];
                if (n == HS_NONE) {
                    residual = 1;
                    continue;
                }
                if (parent != HS_NONE && n != parent) {
                    uint32_t id = et_get(t, parent, n);
                    if (id == HS_NONE) return -1;
                    if (t->stamp[id] != *gen) {
                        t->stamp[id] = *gen;
                        hs_graph_edge *e = &t->edges[id];
                        e->weight += v;
                        if (residual) e->residual = 1;
                        if (j == hi - 1) e->inlined = 0; /* outermost line: a real call */
                    }
                }
                parent = n;
                residual = 0;
            }
        }
    }
    return 0;
}

typedef struct ranked {
    hs_graph_node node;
    uint32_t id; /* entry id */
} ranked;

static int cmp_nodes(const void *x, const void *y)
{
    const hs_graph_node *l = &((const ranked *)x)->node, *r = &((const ranked *)y)->node;
    return hs_order_abs_name(l->cum, r->cum, l->name, r->name, l->flat, r->flat);
}

static int cmp_edges(const void *x, const void *y)
{
    const hs_graph_edge *l = x, *r = y;
    int64_t a = hs_abs64(l->weight), b = hs_abs64(r->weight);
    if (a != b) return a > b ? -1 : 1;
    if (l->src != r->src) return l->src < r->src ? -1 : 1;
    return l->dst < r->dst ? -1 : l->dst > r->dst;
}

static int64_t cutoff(int64_t total, double fraction)
{
    return hs_abs64((int64_t)((double)total * fraction));
}

/* Nodes from accumulated values; prune; fills the entry -> node map. */
static int select_nodes(hs_graph *g, const hs_accum *acc, const hs_graph_options *o,
                        uint32_t **node_of_out)
{
    uint32_t n_names = g->names.n;
    ranked *rk = malloc(((size_t)n_names + 1) * sizeof *rk);
    uint32_t *node_of = malloc(((size_t)n_names + 1) * sizeof *node_of);
    if (!rk || !node_of) {
        free(rk);
        free(node_of);
        return -1;
    }
    /* pprof cuts at a fraction of the graph's flat sum (for a diff, the net
     * change), not of the report total. */
    int64_t flat_sum = 0;
    for (uint32_t id = 1; id < n_names; id++) flat_sum += acc->flat[id];
    g->node_cutoff = cutoff(flat_sum, o->node_fraction);
    g->edge_cutoff = cutoff(flat_sum, o->edge_fraction);
    uint32_t n_all = 0, n = 0;
    for (uint32_t id = 1; id < n_names; id++) {
        if (!acc->flat[id] && !acc->cum[id]) continue;
        n_all++;
        if (hs_abs64(acc->cum[id]) < g->node_cutoff) continue;
        rk[n].node.name = hs_strtab_get(&g->names, id);
        rk[n].node.flat = acc->flat[id];
        rk[n].node.cum = acc->cum[id];
        rk[n++].id = id;
    }
    g->dropped_nodes = n_all - n;
    g->n_orig = n;
    if (n > 1) qsort(rk, n, sizeof *rk, cmp_nodes);
    if (o->nodecount && n > o->nodecount) n = o->nodecount;
    g->nodes = malloc(((size_t)n + 1) * sizeof *g->nodes);
    if (!g->nodes) {
        free(rk);
        free(node_of);
        return -1;
    }
    g->n_nodes = n;
    memset(node_of, 0xff, ((size_t)n_names + 1) * sizeof *node_of);
    for (uint32_t i = 0; i < n; i++) {
        g->nodes[i] = rk[i].node;
        node_of[rk[i].id] = i;
        g->shown_flat += rk[i].node.flat;
    }
    free(rk);
    *node_of_out = node_of;
    return 0;
}

static int finish_edges(hs_graph *g, edge_table *t, const hs_graph_options *o)
{
    g->edges = malloc(((size_t)t->n + 1) * sizeof *g->edges);
    if (!g->edges) return -1;
    for (uint32_t i = 0; i < t->n; i++) {
        if (hs_abs64(t->edges[i].weight) < g->edge_cutoff || t->edges[i].weight == 0) {
            if (t->edges[i].weight != 0) g->dropped_edges++;
            continue;
        }
        g->edges[g->n_edges++] = t->edges[i];
    }
    if (g->n_edges > 1) qsort(g->edges, g->n_edges, sizeof *g->edges, cmp_edges);
    return 0;
}

/* pprof's RemoveRedundantEdges: a residual edge src -> dst is dropped when
 * dst can still be reached from src through other in-edges (a BFS walking
 * in-edges backwards from dst). Nodes are visited last to first, each
 * node's in-edges lightest first, stopping at the first non-residual one. */
static int remove_redundant(hs_graph *g)
{
    uint32_t nn = g->n_nodes, ne = g->n_edges;
    uint32_t *in_start = calloc((size_t)nn + 2, sizeof *in_start);
    uint32_t *in_edge = malloc(((size_t)ne + 1) * sizeof *in_edge);
    uint8_t *gone = calloc((size_t)ne + 1, 1);
    uint32_t *seen = calloc((size_t)nn + 1, sizeof *seen);
    uint32_t *queue = malloc(((size_t)nn + 1) * sizeof *queue);
    int rc = -1;
    if (!in_start || !in_edge || !gone || !seen || !queue) goto done;
    /* edges are sorted by |weight| desc, so each in-list is too */
    for (uint32_t i = 0; i < ne; i++) in_start[g->edges[i].dst + 1]++;
    for (uint32_t i = 0; i < nn; i++) in_start[i + 1] += in_start[i];
    for (uint32_t i = 0; i < nn; i++) queue[i] = in_start[i]; /* fill cursors */
    for (uint32_t i = 0; i < ne; i++) in_edge[queue[g->edges[i].dst]++] = i;
    uint32_t stamp = 0;
    for (uint32_t v = nn; v-- > 0;) {
        for (uint32_t k = in_start[v + 1]; k-- > in_start[v];) {
            uint32_t ei = in_edge[k];
            const hs_graph_edge *e = &g->edges[ei];
            if (!e->residual) break;
            /* BFS backwards from e->dst over the other live in-edges, looking for e->src */
            stamp++;
            uint32_t qh = 0, qt = 0;
            queue[qt++] = e->dst;
            seen[e->dst] = stamp;
            int found = 0;
            while (qh < qt && !found) {
                uint32_t n = queue[qh++];
                for (uint32_t m = in_start[n]; m < in_start[n + 1]; m++) {
                    uint32_t fi = in_edge[m];
                    uint32_t src = g->edges[fi].src;
                    if (fi == ei || gone[fi] || seen[src] == stamp) continue;
                    if (src == e->src) {
                        found = 1;
                        break;
                    }
                    seen[src] = stamp;
                    queue[qt++] = src;
                }
            }
            if (found) gone[ei] = 1;
        }
    }
    uint32_t w = 0;
    for (uint32_t i = 0; i < ne; i++)
        if (!gone[i]) g->edges[w++] = g->edges[i];
    g->n_edges = w;
    rc = 0;
done:
    free(in_start);
    free(in_edge);
    free(gone);
    free(seen);
    free(queue);
    return rc;
}

static int build(side *sides, int n_sides, hs_agg_by by, const hs_agg_filter *f,
                 const hs_graph_options *opt, hs_graph *g, hs_error *err)
{
    hs_graph_options defaults;
    if (!opt) {
        hs_graph_default_options(&defaults);
        opt = &defaults;
    }
    hs_accum acc = {0};
    edge_table t = {0};
    uint32_t *node_of = NULL;
    int rc = -1;
    for (int i = 0; i < n_sides; i++) {
        if (sides[i].vi >= sides[i].p->n_sample_types) {
            hs_error_set(err, NULL, HS_NO_OFFSET, "sample index out of range");
            goto done;
        }
        if (hs_frames_build(sides[i].p, by, &g->names, &sides[i].fr, err) ||
            hs_filter_compile(sides[i].p, f, &sides[i].flt, err))
            goto done;
    }
    if (hs_accum_init(&acc, g->names.n)) goto oom;
    for (int i = 0; i < n_sides; i++)
        if (hs_accum_add(&acc, sides[i].p, sides[i].vi, &sides[i].fr, &sides[i].flt,
                         sides[i].sign))
            goto oom;
    /* pprof: a diff's total is BEFORE's (the base samples') total. */
    g->total = hs_profile_total(sides[0].p, sides[0].vi);
    if (select_nodes(g, &acc, opt, &node_of)) goto oom;
    uint32_t gen = 0;
    for (int i = 0; i < n_sides; i++)
        if (add_edges(&sides[i], node_of, &t, &gen)) goto oom;
    if (finish_edges(g, &t, opt) || remove_redundant(g)) goto oom;
    rc = 0;
    goto done;
oom:
    hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory building the graph");
done:
    for (int i = 0; i < n_sides; i++) {
        hs_frames_free(&sides[i].fr);
        hs_filter_free(&sides[i].flt);
    }
    hs_accum_free(&acc);
    et_free(&t);
    free(node_of);
    return rc;
}

int hs_graph_build(const hs_profile *p, uint32_t sample_index, hs_agg_by by,
                   const hs_agg_filter *f, const hs_graph_options *o, hs_graph *out,
                   hs_error *err)
{
    memset(out, 0, sizeof *out);
    hs_strtab_init(&out->names);
    side s[1];
    memset(s, 0, sizeof s);
    s[0].p = p;
    s[0].vi = sample_index;
    s[0].sign = 1;
    if (build(s, 1, by, f, o, out, err)) {
        hs_graph_free(out);
        return -1;
    }
    return 0;
}

int hs_graph_build_diff(const hs_profile *before, uint32_t before_index, const hs_profile *after,
                        uint32_t after_index, hs_agg_by by, const hs_agg_filter *f,
                        const hs_graph_options *o, hs_graph *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    hs_strtab_init(&out->names);
    out->is_diff = 1;
    side s[2];
    memset(s, 0, sizeof s);
    s[0].p = before;
    s[0].vi = before_index;
    s[0].sign = -1;
    s[1].p = after;
    s[1].vi = after_index;
    s[1].sign = 1;
    if (build(s, 2, by, f, o, out, err)) {
        hs_graph_free(out);
        return -1;
    }
    return 0;
}

void hs_graph_free(hs_graph *g)
{
    hs_strtab_free(&g->names);
    free(g->nodes);
    free(g->edges);
    memset(g, 0, sizeof *g);
}
