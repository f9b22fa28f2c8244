/* The call tree of goroutine groups (goroutine_analysis.h): each group's
 * stack is walked from its outermost frame in, and a frame becomes the
 * child of the node before it keyed by (parent, function), so groups that
 * start alike share their first nodes and fork where their stacks differ.
 * The pair map hands out node ids in order of first insertion, which keeps
 * every parent before its children; a group's leaf is added after its
 * frames. Counts add up along the way: a node counts the goroutines of
 * every group that passes through it. */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "heapscan/goroutine_analysis.h"

typedef struct builder {
    hs_gr_tree *t;
    uint32_t cap;
    hs_pairmap children; /* (parent, function) -> pair id; node = id + 1 */
} builder;

static uint32_t push(builder *b, uint32_t parent, uint32_t function, uint32_t group)
{
    hs_gr_tree *t = b->t;
    if (t->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 64;
        hs_gr_tree_node *v = cap > b->cap ? realloc(t->nodes, (size_t)cap * sizeof *v) : NULL;
        if (!v) return HS_NONE;
        t->nodes = v;
        b->cap = cap;
    }
    t->nodes[t->n] = (hs_gr_tree_node){parent, function, group, 0, 0};
    return t->n++;
}

/* The child of parent for function, made when new. Frame nodes and leaves
 * share one index space, so the map gives a key's first-seen order and the
 * node index is kept beside it. */
static uint32_t child(builder *b, uint32_t *node_of, uint32_t parent, uint32_t function)
{
    int added = 0;
    uint32_t id = hs_pairmap_get(&b->children, parent, function, &added);
    if (id == HS_NONE) return HS_NONE;
    if (added) node_of[id] = push(b, parent, function, HS_NONE);
    return node_of[id];
}

static void add_counts(hs_gr_tree *t, uint32_t node, uint64_t last, uint64_t first)
{
    for (uint32_t v = node; v != HS_NONE; v = t->nodes[v].parent) {
        t->nodes[v].count += last;
        t->nodes[v].first += first;
    }
}

int hs_gr_tree_build(const hs_gr_report *r, uint32_t limit, hs_gr_tree *t, hs_error *err)
{
    memset(t, 0, sizeof *t);
    uint32_t shown = limit && limit < r->n_groups ? limit : r->n_groups;
    builder b = {t, 0, {0}};
    /* at most one pair id per frame of a shown group */
    uint32_t *node_of = malloc(((size_t)r->n_frames + 1) * sizeof *node_of);
    int ok = node_of && push(&b, HS_NONE, HS_STR_NONE, HS_NONE) == 0;
    for (uint32_t g = 0; ok && g < shown; g++) {
        const hs_gr_group *grp = &r->groups[g];
        uint32_t v = 0;
        for (uint32_t k = grp->n_frames; ok && k-- > 0;) {
            v = child(&b, node_of, v, r->frames[grp->frame_start + k].function);
            ok = v != HS_NONE;
        }
        uint32_t leaf = ok ? push(&b, v, HS_STR_NONE, g) : HS_NONE;
        ok = leaf != HS_NONE;
        if (ok) add_counts(t, leaf, hs_gr_count(r, g, r->n_files - 1), hs_gr_count(r, g, 0));
    }
    free(node_of);
    hs_pairmap_free(&b.children);
    if (!ok) {
        hs_gr_tree_free(t);
        return hs_error_set(err, "", HS_NO_OFFSET, "goroutine tree: out of memory");
    }
    t->groups = shown;
    return 0;
}

void hs_gr_tree_free(hs_gr_tree *t)
{
    free(t->nodes);
    memset(t, 0, sizeof *t);
}
