/* Paths from roots to an object: one breadth-first search backwards from the
 * target over predecessor rows (objects and roots that point at each object,
 * built by a counting sort). next[v] is the vertex one hop closer to the
 * target, so the first root the search meets starts a shortest path, and the
 * search run to the end counts every root that reaches the target. Vertices
 * are numbered as in the dominator tree (1 + root, 1 + n_roots + object).
 * Memory: 8 bytes per vertex + 4 per reference, freed before returning. */
#include <stdlib.h>
#include <string.h>

#include "heapscan/heap_analysis.h"

int hs_path_find(const hs_heap *h, uint32_t obj, hs_path *p, hs_error *err)
{
    memset(p, 0, sizeof *p);
    p->root = HS_NONE;
    uint32_t no = h->n_objects, nr = h->n_roots, base = 1 + nr;
    if (obj >= no) return hs_error_set(err, NULL, HS_NO_OFFSET, "no such object");
    uint64_t nv = 1ull + nr + no, m = (uint64_t)h->n_edges + h->n_root_edges;
    if (nv >= UINT32_MAX || m >= UINT32_MAX)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "heap too large for paths");
    uint32_t *pstart = calloc((size_t)no + 1, sizeof *pstart);
    uint32_t *pred = malloc((size_t)(m ? m : 1) * sizeof *pred);
    uint32_t *next = malloc((size_t)nv * sizeof *next);
    uint32_t *queue = malloc((size_t)nv * sizeof *queue);
    if (!pstart || !pred || !next || !queue) goto oom;
    for (uint32_t e = 0; e < h->n_edges; e++)
        pstart[h->edge_target[e] + 1]++;
    for (uint32_t e = 0; e < h->n_root_edges; e++)
        pstart[h->root_edge_target[e] + 1]++;
    for (uint32_t i = 0; i < no; i++)
        pstart[i + 1] += pstart[i];
    for (uint32_t r = 0; r < nr; r++)
        for (uint32_t e = h->root_edge_start[r]; e < h->root_edge_start[r + 1]; e++)
            pred[pstart[h->root_edge_target[e]]++] = 1 + r;
    for (uint32_t i = 0; i < no; i++)
        for (uint32_t e = h->edge_start[i]; e < h->edge_start[i + 1]; e++)
            pred[pstart[h->edge_target[e]]++] = base + i;
    for (uint32_t i = no; i > 0; i--)
        pstart[i] = pstart[i - 1];
    pstart[0] = 0;

    for (uint64_t v = 0; v < nv; v++)
        next[v] = HS_NONE;
    uint32_t head = 0, tail = 0, t = base + obj;
    next[t] = t, queue[tail++] = t;
    while (head < tail) {
        uint32_t o = queue[head++] - base;
        for (uint32_t k = pstart[o]; k < pstart[o + 1]; k++) {
            uint32_t u = pred[k];
            if (next[u] != HS_NONE) continue;
            next[u] = base + o;
            if (u < base) { /* a root: paths end here */
                if (p->root == HS_NONE) p->root = u - 1;
                p->n_roots_reaching++;
            } else {
                queue[tail++] = u;
            }
        }
    }
    free(pstart), free(pred), free(queue);
    pstart = pred = queue = NULL;
    if (p->root != HS_NONE) {
        uint32_t n = 1;
        for (uint32_t v = 1 + p->root; v != t; v = next[v])
            n++;
        p->hops = malloc((size_t)n * sizeof *p->hops);
        if (!p->hops) goto oom;
        n = 0;
        for (uint32_t v = 1 + p->root;; v = next[v]) {
            p->hops[n++] = v;
            if (v == t) break;
        }
        p->n_hops = n;
    }
    free(next);
    return 0;
oom:
    free(pstart), free(pred), free(next), free(queue);
    hs_path_free(p);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory finding paths");
}

void hs_path_free(hs_path *p)
{
    free(p->hops);
    memset(p, 0, sizeof *p);
    p->root = HS_NONE;
}

uint32_t hs_path_hop_offset(const hs_heap *h, const hs_path *p, uint32_t i)
{
    uint32_t from = p->hops[i - 1], to = p->hops[i] - 1 - h->n_roots;
    if (from <= h->n_roots) return hs_heap_root_ref_offset(h, from - 1, to);
    return hs_heap_ref_offset(h, from - 1 - h->n_roots, to);
}
