/* heapscan heap analyses: pure functions from a finished hs_heap to results.
 *   hs_reach_  which objects the roots reach (live) and which they do not;
 *   hs_dom_    the dominator tree over a virtual super-root and retained sizes;
 *   hs_group_  rows by site, type, root or object with count, shallow and retained
 *              size, and the signed difference of two such row sets;
 *   hs_path_   the shortest path from a root to an object, and how many roots reach it.
 * Dominator vertices: 0 is the super-root, 1..n_roots are the roots (each root is
 * its own vertex pointing at its objects, as viewcore does), then the objects:
 * object i is vertex 1 + n_roots + i. Results never point into the heap's
 * mutable state; the heap must outlive only what says so. */
#ifndef HEAPSCAN_HEAP_ANALYSIS_H
#define HEAPSCAN_HEAP_ANALYSIS_H

#include <stdint.h>

#include "heapscan/error.h"
#include "heapscan/analysis.h"
#include "heapscan/heap.h"
#include "heapscan/strtab.h"

/* ---- reachability ------------------------------------------------------ */

typedef struct hs_reach {
    uint8_t *live; /* [n_objects]: 1 if some root reaches the object */
    uint32_t n_objects;
    uint64_t live_count, live_size;
    uint64_t dead_count, dead_size;
} hs_reach;

int hs_reach_compute(const hs_heap *h, hs_reach *r, hs_error *err);
void hs_reach_free(hs_reach *r);

/* Leak roots: unreachable objects that no other unreachable object points to,
 * in address order (*n_pure of them), followed by one object per unreachable
 * cycle that those do not reach (the lowest address of what is left). Every
 * unreachable object is reachable from the *n returned objects. */
int hs_reach_leak_roots(const hs_heap *h, const hs_reach *r, uint32_t **roots, uint32_t *n,
                        uint32_t *n_pure, hs_error *err);

/* ---- dominator tree ---------------------------------------------------- */

/* A graph in the shape the dominator code walks: the super-root points at
 * every root in order; root r points at root_target[root_start[r] ..
 * root_start[r+1]); object i at obj_target[obj_start[i] .. obj_start[i+1]). */
typedef struct hs_dom_graph {
    uint32_t n_roots;
    const uint32_t *root_start, *root_target;
    uint32_t n_objects;
    const uint32_t *obj_start, *obj_target;
    const uint64_t *size; /* [n_objects] shallow sizes, or NULL: */
    const hs_heap *heap;  /* ... hs_heap_size(heap, i) */
} hs_dom_graph;

typedef struct hs_dom {
    uint32_t n_vertices; /* 1 + n_roots + n_objects */
    uint32_t n_roots, n_objects;
    uint32_t n_reached; /* vertices reached from the super-root, itself included */
    uint32_t *idom;     /* [n_vertices]: immediate dominator; HS_NONE for 0 and unreached */
    uint64_t *retained; /* [n_vertices]: bytes freed if the vertex went away; 0 if unreached */
    uint32_t *order;    /* [n_reached]: a preorder of the dominator tree: order[0] = 0,
                           each subtree contiguous from its root on, so idom(v)
                           precedes v and the tree path to order[i] is its idom chain */
} hs_dom;

/* Simple Lengauer-Tarjan over the heap's roots and references, leaving out
 * the leaves (no successors, one predecessor), whose idom is that
 * predecessor. 16 bytes per vertex are kept (12 per vertex, 4 per reached
 * one), and usually nothing more is needed while building; the LT step needs
 * 24 bytes per non-leaf vertex + 4 per reference between non-leaves (see
 * src/analysis/dom.c for every phase). */
int hs_dom_build(const hs_heap *h, hs_dom *d, hs_error *err);
int hs_dom_build_graph(const hs_dom_graph *g, hs_dom *d, hs_error *err);
/* As hs_dom_build for a caller that follows no object reference afterwards
 * (top, dominators): h's references are dropped (hs_heap_drop_refs) on
 * return, success or not, and already during the build, as soon as it has
 * read them for the last time, so the result does not stack on them. */
int hs_dom_build_consume(hs_heap *h, hs_dom *d, hs_error *err);
/* As hs_dom_build with n_extra more roots after the heap's own, root
 * h->n_roots + j pointing at object extra[j] alone (e.g. leak roots). */
int hs_dom_build_with(const hs_heap *h, const uint32_t *extra, uint32_t n_extra, hs_dom *d,
                      hs_error *err);
void hs_dom_free(hs_dom *d);

static inline uint32_t hs_dom_vertex_of_root(const hs_dom *d, uint32_t r)
{
    (void)d;
    return 1 + r;
}
static inline uint32_t hs_dom_vertex_of_object(const hs_dom *d, uint32_t obj)
{
    return 1 + d->n_roots + obj;
}
static inline int hs_dom_is_object(const hs_dom *d, uint32_t v)
{
    return v > d->n_roots && v < d->n_vertices;
}
static inline uint32_t hs_dom_object_of(const hs_dom *d, uint32_t v)
{
    return v - 1 - d->n_roots;
}

/* The dominator tree's children as compressed rows over vertices:
 * children of v are child[start[v] .. start[v+1]), in the order of d->order.
 * 8 bytes per vertex; walks in preorder need none (see hs_dom.order). */
typedef struct hs_dom_children {
    uint32_t *start; /* [n_vertices + 1] */
    uint32_t *child; /* [n_reached - 1] */
} hs_dom_children;
int hs_dom_children_build(const hs_dom *d, hs_dom_children *c, hs_error *err);
void hs_dom_children_free(hs_dom_children *c);

/* ---- grouping ---------------------------------------------------------- */

typedef enum hs_group_by {
    HS_GROUP_SITE = 0, /* innermost frame of the allocation site, else "unknown NB" */
    HS_GROUP_TYPE,     /* type name, else "unknown NB" */
    HS_GROUP_ROOT,     /* root label; one row per label */
    HS_GROUP_OBJECT,   /* one row per object */
} hs_group_by;

typedef enum hs_group_sort {
    HS_SORT_RETAINED = 0,
    HS_SORT_SIZE,
    HS_SORT_COUNT,
} hs_group_sort;

/* One row. For site and type groups: count and shallow size of every member
 * (live or not) and the group's retained size: the sum of retained(v) over
 * members v that no other member dominates (so nothing is counted twice; as
 * Eclipse MAT's "retained heap" of a class). For a root label: count is the
 * number of objects its roots dominate, size the shallow bytes of the objects
 * they point at directly, retained the sum of the roots' retained sizes. */
typedef struct hs_group_row {
    uint32_t name;    /* id in hs_groups.names */
    uint32_t object;  /* HS_GROUP_OBJECT: the object id; else HS_NONE */
    uint32_t members; /* objects in the group; for HS_GROUP_ROOT, roots with the label */
    uint64_t count, size, retained;
} hs_group_row;

typedef struct hs_groups {
    hs_group_by by;
    hs_strtab names;
    hs_group_row *rows;
    uint32_t n_rows;
    uint64_t total_count, total_size; /* every object considered (see only) */
    uint64_t total_retained;          /* retained by the super-root: reachable bytes */
} hs_groups;

/* Name of object i as grouping by site or type would name it, into buf. */
const char *hs_group_object_name(const hs_heap *h, uint32_t obj, hs_group_by by, char *buf,
                                 unsigned size);
/* only: NULL for every object, or a per-object 0/1 filter (e.g. unreachable ones).
 * d may be NULL (retained then 0). Rows come out sorted by retained size,
 * largest first, then by shallow size, then by name (object rows: by address). */
int hs_group_compute(const hs_heap *h, const hs_dom *d, hs_group_by by, const uint8_t *only,
                     hs_groups *g, hs_error *err);
void hs_group_sort_rows(hs_groups *g, hs_group_sort sort);
/* HS_GROUP_OBJECT rows of only the first limit objects under sort (0 = all),
 * selected with a heap of limit entries: memory grows with limit, not with
 * the object count. Totals still cover every object (see only). */
int hs_group_top_objects(const hs_heap *h, const hs_dom *d, const uint8_t *only, hs_group_sort sort,
                         uint32_t limit, hs_groups *g, hs_error *err);
void hs_group_free(hs_groups *g);
int hs_group_parse_by(const char *s, hs_group_by *by);
int hs_group_parse_sort(const char *s, hs_group_sort *sort);
const char *hs_group_by_name(hs_group_by by);

/* Signed difference of two groupings keyed by name. */
typedef struct hs_group_delta {
    int64_t before, after, delta;
} hs_group_delta;

typedef struct hs_group_diff_row {
    uint32_t name; /* id in hs_group_diff.names */
    hs_group_delta count, size, retained;
    int is_new, is_gone; /* present only after / only before ("vanished") */
} hs_group_diff_row;

/* Rows sorted by |delta| of the sort column desc, then changed before
 * unchanged, then name; so rows[0 .. n_changed) are the groups that are new,
 * vanished or changed in some column (the ones a report shows, as a profile
 * diff does), and the rest only matter to level gates. */
typedef struct hs_group_diff {
    hs_strtab names;
    hs_group_diff_row *rows;
    uint32_t n_rows, n_changed;
    uint32_t n_new, n_gone;
    hs_group_delta total_count, total_size, total_retained;
} hs_group_diff;

int hs_group_diff_compute(const hs_groups *a, const hs_groups *b, hs_group_sort sort,
                          hs_group_diff *out, hs_error *err);
void hs_group_diff_free(hs_group_diff *df);

/* --fail-if on a heap diff: the gate grammar of analysis.h with the columns
 * size (the default), count and retained; hs_gate.column indexes these. */
extern const char *const hs_group_gate_columns[3];
#define HS_GROUP_GATE_COLUMNS 3
/* Total gates compare the column's totals, any gates every row (changed or
 * not); -1 with err when the gate's unit does not suit the column. */
int hs_gate_eval_groups(const hs_gate *g, const hs_group_diff *df, hs_gate_result *out,
                        hs_error *err);

/* ---- paths to roots ---------------------------------------------------- */

typedef struct hs_path {
    uint32_t *hops; /* dominator-style vertices (1+root, 1+n_roots+obj): root first, target last */
    uint32_t n_hops;
    uint32_t root;             /* the root the path starts at, HS_NONE if none reaches */
    uint32_t n_roots_reaching; /* roots from which the target is reachable */
} hs_path;

/* Shortest path (fewest references) from any root to object obj, found by one
 * breadth-first search backwards from obj over predecessor rows. */
int hs_path_find(const hs_heap *h, uint32_t obj, hs_path *p, hs_error *err);
void hs_path_free(hs_path *p);
/* Byte offset of the pointer from hop i-1 to hop i (i >= 1) inside its
 * source (root variable or object), or HS_NONE when the reader did not keep it. */
uint32_t hs_path_hop_offset(const hs_heap *h, const hs_path *p, uint32_t i);

/* ---- names and arguments ----------------------------------------------- */

/* "global", "stack", "register", "finalizer", "other". */
const char *hs_heap_root_kind_name(unsigned kind);
/* A dominator vertex as reports name it: "<all roots>", "main.cache (global)",
 * "0x1040 T", "leak root 3" (extra roots of hs_dom_build_with). */
const char *hs_dom_vertex_name(const hs_heap *h, uint32_t v, char *buf, unsigned size);
/* ADDR (0x..., an address inside an object means that object) or a type or
 * site name (the member with the largest retained size in d; d may be NULL)
 * to an object id; -1 with err naming file when nothing matches. */
int hs_heap_resolve(const hs_heap *h, const hs_dom *d, const char *file, const char *arg,
                    uint32_t *obj, hs_error *err);
/* --by's default: site when the heap has allocation stacks (Go dumps) and
 * prefer_type is 0, type otherwise (cores; leaks). */
hs_group_by hs_group_default_by(const hs_heap *h, int prefer_type);
const char *hs_group_sort_name(hs_group_sort sort);
/* How many rows grouping by site makes ("of N sites" in top --by site): the
 * distinct innermost frames of the allocation stacks; 0 when the heap has
 * no allocation stacks (h->n_sites counts the stacks). */
int hs_heap_site_groups(const hs_heap *h, uint32_t *n, hs_error *err);

/* ---- reports: top and leaks -------------------------------------------- */

/* `top`: the dominator tree and the groups, sorted. Drops the heap's
 * references while the tree is built (hs_dom_build_consume: nothing after
 * it follows them), so the heap can no longer be walked. limit bounds
 * object rows (0 = all). */
typedef struct hs_heap_top {
    hs_dom dom;
    hs_groups groups;
    uint64_t live_count; /* reachable objects */
} hs_heap_top;
int hs_heap_top_compute(hs_heap *h, hs_group_by by, hs_group_sort sort, uint32_t limit,
                        hs_heap_top *out, hs_error *err);
void hs_heap_top_free(hs_heap_top *t);

/* `leaks`: unreachable objects grouped (by must not be root), and the leak
 * roots of hs_reach_leak_roots ordered by the retained size each holds among
 * the garbage (one dominator tree in which they are extra roots). Drops the
 * heap's references like hs_heap_top_compute. */
typedef struct hs_leaks {
    hs_reach reach;
    hs_dom dom;
    hs_groups groups;
    uint32_t *roots; /* [n] objects: n_pure leak roots, then one per unreachable cycle */
    uint32_t *order; /* [n] indices into roots, largest retained first */
    uint32_t n, n_pure;
} hs_leaks;
int hs_leaks_compute(hs_heap *h, hs_group_by by, hs_group_sort sort, uint32_t limit,
                     hs_leaks *out, hs_error *err);
/* What leak root j (an index into roots) alone keeps among the garbage. */
uint64_t hs_leaks_retained(const hs_leaks *l, const hs_heap *h, uint32_t j);
void hs_leaks_free(hs_leaks *l);

/* ---- the dominator tree as reports show it ---------------------------- */

/* The tree in display order down to depth levels below the super-root:
 * children largest retained first, those retaining less than min (or 0)
 * summed in one "more" node after their shown siblings. Built with an
 * explicit stack, no recursion. */
typedef struct hs_domtree_node {
    uint32_t v; /* vertex, or HS_NONE for a "more" node */
    uint32_t depth;
    uint64_t more_count, more_bytes;
} hs_domtree_node;

typedef struct hs_domtree {
    hs_domtree_node *nodes;
    uint32_t n, cap;
    uint32_t depth;
    uint64_t min_retained;
} hs_domtree;
int hs_domtree_build(const hs_dom *d, uint32_t depth, uint64_t min_retained, hs_domtree *out,
                     hs_error *err);
void hs_domtree_free(hs_domtree *t);
/* --min-retained: a size ("64KiB") or a share of reachable bytes ("0.5%"). */
int hs_domtree_parse_min(const char *s, uint64_t reachable, uint64_t *min);

/* The k vertices (not the super-root) with the largest retained size, each
 * with its nearest selected dominator (the super-root when none), as a graph
 * draws them; direct[i] is 0 when undrawn vertices lie in between. */
typedef struct hs_dom_top {
    uint32_t *v, *parent;
    uint8_t *direct;
    uint32_t n, n_all; /* drawn, and vertices there were to draw */
} hs_dom_top;
int hs_dom_top_build(const hs_dom *d, uint32_t k, hs_dom_top *out, hs_error *err);
void hs_dom_top_free(hs_dom_top *t);

#endif
