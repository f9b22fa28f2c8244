/* Reachability from roots: which objects some root reaches through references
 * (live) and which none does (unreachable: garbage or leaked). One iterative
 * depth-first marking with an explicit stack of object ids; every object is
 * pushed at most once (it is marked when pushed), so the stack never holds
 * more than n_objects entries. 1 byte per object kept, 4 while marking. */
#include <stdlib.h>
#include <string.h>

#include "heapscan/heap_analysis.h"

int hs_reach_compute(const hs_heap *h, hs_reach *r, hs_error *err)
{
    memset(r, 0, sizeof *r);
    uint32_t n = h->n_objects;
    r->n_objects = n;
    r->live = calloc(n ? n : 1, 1);
    uint32_t *stack = malloc((size_t)(n ? n : 1) * sizeof *stack);
    if (!r->live || !stack) {
        free(stack);
        hs_reach_free(r);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory marking live objects");
    }
    uint32_t top = 0;
    for (uint32_t k = 0; k < h->n_root_edges; k++) {
        uint32_t o = h->root_edge_target[k];
        if (!r->live[o]) r->live[o] = 1, stack[top++] = o;
        while (top) {
            uint32_t v = stack[--top];
            for (uint32_t e = h->edge_start[v]; e < h->edge_start[v + 1]; e++) {
                uint32_t t = h->edge_target[e];
                if (!r->live[t]) r->live[t] = 1, stack[top++] = t;
            }
        }
    }
    free(stack);
    for (uint32_t i = 0; i < n; i++) {
        if (r->live[i])
            r->live_count++, r->live_size += hs_heap_size(h, i);
        else
            r->dead_count++, r->dead_size += hs_heap_size(h, i);
    }
    return 0;
}

void hs_reach_free(hs_reach *r)
{
    free(r->live);
    memset(r, 0, sizeof *r);
}

/* Mark everything unreachable that start reaches, through unreachable objects only. */
static void cover(const hs_heap *h, const hs_reach *r, uint8_t *seen, uint32_t *stack,
                  uint32_t start)
{
    uint32_t top = 0;
    seen[start] = 1, stack[top++] = start;
    while (top) {
        uint32_t v = stack[--top];
        for (uint32_t e = h->edge_start[v]; e < h->edge_start[v + 1]; e++) {
            uint32_t t = h->edge_target[e];
            if (!r->live[t] && !seen[t]) seen[t] = 1, stack[top++] = t;
        }
    }
}

int hs_reach_leak_roots(const hs_heap *h, const hs_reach *r, uint32_t **roots, uint32_t *n,
                        uint32_t *n_pure, hs_error *err)
{
    uint32_t no = h->n_objects, k = 0;
    *roots = NULL, *n = *n_pure = 0;
    uint8_t *seen = calloc(no ? no : 1, 1);
    uint32_t *stack = malloc((size_t)(no ? no : 1) * sizeof *stack);
    uint32_t *out = malloc((size_t)(r->dead_count ? r->dead_count : 1) * sizeof *out);
    if (!seen || !stack || !out) {
        free(seen), free(stack), free(out);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory finding leak roots");
    }
    /* seen[] first means "an unreachable object other than itself points here". */
    for (uint32_t v = 0; v < no; v++) {
        if (r->live[v]) continue;
        for (uint32_t e = h->edge_start[v]; e < h->edge_start[v + 1]; e++) {
            uint32_t t = h->edge_target[e];
            if (t != v && !r->live[t]) seen[t] = 1;
        }
    }
    for (uint32_t v = 0; v < no; v++)
        if (!r->live[v] && !seen[v]) out[k++] = v;
    *n_pure = k;
    memset(seen, 0, no);
    for (uint32_t j = 0; j < k; j++)
        cover(h, r, seen, stack, out[j]);
    for (uint32_t v = 0; v < no; v++)
        if (!r->live[v] && !seen[v]) out[k++] = v, cover(h, r, seen, stack, v);
    free(seen), free(stack);
    *roots = out, *n = k;
    return 0;
}
