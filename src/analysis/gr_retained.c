/* Retained memory of goroutine groups in a Go core: one dominator tree
 * (dom.c) over the heap whose roots are rewritten: every root that is no
 * goroutine's stack is kept as it is, and the stack roots of each group's
 * goroutines become one root per group pointing at the union of their
 * targets. A group's root then dominates exactly what only its stacks keep
 * alive; an object two goroutines of one group share counts for the group,
 * one shared with another group or a global for neither. Cost: one
 * dominator pass, O(m log n), plus the rewritten root rows. */
#include <stdlib.h>
#include <string.h>

#include "heapscan/goroutine_analysis.h"
#include "heapscan/heap_analysis.h"

typedef struct roots {
    uint32_t n, *start, *target;
} roots;

/* Root rows: the kept heap roots in order, then group 0 .. n_groups-1
 * (a target twice in a group's row is harmless to the dominator pass).
 * root_group[r]: HS_NONE for a kept root. */
static int rewrite(const hs_heap *h, const uint32_t *root_group, uint32_t n_kept,
                   uint32_t n_groups, roots *out)
{
    out->n = n_kept + n_groups;
    out->start = calloc((size_t)out->n + 2, sizeof *out->start);
    out->target = malloc((size_t)(h->n_root_edges ? h->n_root_edges : 1) * sizeof *out->target);
    if (!out->start || !out->target) return -1;
    uint32_t *len = out->start + 1, slot = 0; /* counts first, then offsets */
    for (uint32_t r = 0; r < h->n_roots; r++) {
        uint32_t e = h->root_edge_start[r + 1] - h->root_edge_start[r];
        if (root_group[r] == HS_NONE) len[slot++] += e;
        else len[n_kept + root_group[r]] += e;
    }
    for (uint32_t i = 0; i < out->n; i++)
        out->start[i + 1] += out->start[i];
    uint32_t *fill = calloc((size_t)out->n + 1, sizeof *fill);
    if (!fill) return -1;
    memcpy(fill, out->start, (size_t)out->n * sizeof *fill);
    slot = 0;
    for (uint32_t r = 0; r < h->n_roots; r++) {
        uint32_t dst = root_group[r] == HS_NONE ? slot++ : n_kept + root_group[r];
        for (uint32_t e = h->root_edge_start[r]; e < h->root_edge_start[r + 1]; e++)
            out->target[fill[dst]++] = h->root_edge_target[e];
    }
    free(fill);
    return 0;
}

int hs_gr_report_add_retained(hs_gr_report *r, uint32_t file, const hs_heap *h,
                              const hs_goroutines *m, hs_error *err)
{
    uint64_t cells = (uint64_t)r->n_groups * r->n_files;
    if (!r->retained) {
        r->retained = malloc((size_t)(cells ? cells : 1) * sizeof *r->retained);
        if (!r->retained) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
        for (uint64_t i = 0; i < cells; i++)
            r->retained[i] = HS_GR_RETAINED_NONE;
    }
    for (uint32_t gi = 0; gi < r->n_groups; gi++)
        r->retained[(uint64_t)gi * r->n_files + file] = 0;
    if (!m->n_stack_roots || !h->n_roots) return 0;
    uint32_t *root_group = malloc((size_t)h->n_roots * sizeof *root_group), n_kept = h->n_roots;
    if (!root_group) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    for (uint32_t i = 0; i < h->n_roots; i++)
        root_group[i] = HS_NONE;
    for (uint32_t k = 0; k < m->n_stack_roots; k++) {
        uint32_t root = m->stack_roots[k].root, i = m->stack_roots[k].record;
        if (root >= h->n_roots || i >= m->n || root_group[root] != HS_NONE) continue;
        root_group[root] = r->record_group[r->record_start[file] + i];
        n_kept--;
    }
    roots rw = {0};
    hs_dom d;
    int rc = rewrite(h, root_group, n_kept, r->n_groups, &rw);
    if (rc) rc = hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory");
    static const uint32_t zero = 0;
    hs_dom_graph g = {rw.n, rw.start, rw.target, h->n_objects,
                      h->edge_start ? h->edge_start : &zero, h->edge_target, NULL, h};
    if (!rc) rc = hs_dom_build_graph(&g, &d, err);
    for (uint32_t gi = 0; !rc && gi < r->n_groups; gi++)
        r->retained[(uint64_t)gi * r->n_files + file] =
            d.retained[hs_dom_vertex_of_root(&d, n_kept + gi)];
    if (!rc) hs_dom_free(&d);
    free(root_group), free(rw.start), free(rw.target);
    return rc;
}
