/* libstdc++ containers recognised by their shape in a glibc core, without
 * debug info (chap's idea): a naming pass over a finished heap. Every word
 * of an owner (a heap object with references, or writable memory outside
 * the heap: globals, stacks) that holds the exact start of a glibc chunk is
 * tried, in this order, as the first pointer of an _Rb_tree header (map,
 * set), a _Hashtable (unordered_*), a _Deque_impl, a long std::string and a
 * std::vector triple. A shape names its chunks only when all its invariants
 * hold: pointers to chunk starts, counts equal to the nodes walked, chunk
 * sizes exactly what operator new gives for the capacity, links coming back
 * (a node's parent, a bucket to the before-begin node). Chunks typed by a
 * shared_ptr control block's vtable are renamed after the object they hold.
 * The first shape to claim a chunk names it; names say which typed owner
 * holds the container ("std::vector body (in Widget)"), resolved at the end
 * so an owner named by this pass counts too. Walks are iterative (a
 * worklist bounded by the heap's object count). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxxshapes.h"
#include "walker.h"
#include "model/heap_build.h"
#include "model/mem.h"

enum kind {
    K_TREE_NODE,
    K_HASH_BUCKETS,
    K_HASH_NODE,
    K_DEQUE_MAP,
    K_DEQUE_BLOCK,
    K_STRING,
    K_VECTOR,
    K_SHARED, /* fixed: a renamed control block type */
};

static const char *const kind_name[K_SHARED] = {
    "std::map/set node",         "std::unordered_map/set buckets",
    "std::unordered_map/set node", "std::deque map",
    "std::deque block",          "std::string body",
    "std::vector body",
};

/* Who named a chunk: a shape kind and the object holding the container
 * (HS_NONE: memory outside the heap, or unknown), or a fixed type. */
typedef struct group {
    uint32_t owner, type; /* type: a fixed type id (K_SHARED), else HS_NONE */
    uint8_t kind;
} group;

typedef struct shapes {
    const hs_core *c;
    hs_heap *h;
    hs_error *err;
    uint64_t heap_lo, heap_hi;
    uint32_t *name; /* object -> group index, or HS_NONE; NULL until the first match */
    group *groups;
    uint32_t n_groups, cap_groups;
    uint32_t *work; /* the nodes of the shape being checked (object ids) */
    uint32_t n_work, cap_work;
    uint64_t *sorted; /* node addresses, sorted, for the bucket check */
} shapes;

static int rd(const shapes *s, uint64_t a, uint64_t *v) { return hs_core_read64(s->c, a, v) == 0; }

static const hs_core_walker *walker_of(const hs_core *c, uint64_t a)
{
    uint32_t g = hs_core_seg_of(c, a);
    return g != HS_NONE && c->segs[g].walker ? hs_core_walkers[c->segs[g].walker - 1] : NULL;
}

/* The glibc object starting exactly at v, not yet named by this pass. */
static uint32_t chunk_at(const shapes *s, uint64_t v)
{
    if (v < s->heap_lo || v >= s->heap_hi || (v & 15)) return HS_NONE;
    uint32_t i = hs_heap_find(s->h, v);
    if (i == HS_NONE || hs_heap_addr(s->h, i) != v || (s->name && s->name[i] != HS_NONE))
        return HS_NONE;
    return walker_of(s->c, v) == &hs_walker_glibc ? i : HS_NONE;
}

/* Whether chunk i is what operator new(n) returns: the chunk size glibc
 * computes for n (request2size; or 16 more, a remainder too small to split
 * off), or for an mmapped chunk n and its header within one page. */
static int sized_for(const shapes *s, uint32_t i, uint64_t n)
{
    uint64_t a = hs_heap_addr(s->h, i), size = hs_heap_size(s->h, i), head;
    if (n == 0 || n > ((uint64_t)1 << 40) || !rd(s, a - 8, &head)) return 0;
    if (head & 2) return size >= n + 16 && size - (n + 16) < (s->c->page_size ? s->c->page_size : 4096);
    uint64_t want = (n + 8 + 15) & ~15ull;
    if (want < 32) want = 32;
    return size == want || size == want + 16;
}

static int push_work(shapes *s, uint32_t id)
{
    if (s->n_work == s->cap_work) {
        uint32_t cap = s->cap_work ? s->cap_work * 2 : 256;
        uint32_t *w = realloc(s->work, cap * sizeof *w);
        if (!w) return -1;
        s->work = w, s->cap_work = cap;
    }
    s->work[s->n_work++] = id;
    return 0;
}

static uint32_t new_group(shapes *s, uint32_t owner, uint8_t kind, uint32_t type)
{
    if (s->n_groups == s->cap_groups) {
        uint32_t cap = s->cap_groups ? s->cap_groups * 2 : 64;
        group *g = realloc(s->groups, cap * sizeof *g);
        if (!g) return HS_NONE;
        s->groups = g, s->cap_groups = cap;
    }
    s->groups[s->n_groups] = (group){owner, type, kind};
    return s->n_groups++;
}

static int ensure_names(shapes *s)
{
    if (s->name) return 0;
    s->name = malloc((size_t)(s->h->n_objects ? s->h->n_objects : 1) * sizeof *s->name);
    if (!s->name) return -1;
    memset(s->name, 0xff, (size_t)s->h->n_objects * sizeof *s->name);
    return 0;
}

/* Name object ids with one new group; -1 when out of memory. */
static int name_all(shapes *s, const uint32_t *ids, uint32_t n, uint32_t owner, uint8_t kind)
{
    uint32_t g;
    if (ensure_names(s) || (g = new_group(s, owner, kind, HS_NONE)) == HS_NONE) return -1;
    for (uint32_t k = 0; k < n; k++)
        s->name[ids[k]] = g;
    return 0;
}

/* The words of an owner: [lo, hi) readable, the candidate word at o. */
typedef struct owner_ctx {
    uint64_t lo, hi;
    uint32_t owner;
} owner_ctx;

static int fits(const owner_ctx *w, uint64_t from, uint64_t to) { return from >= w->lo && to <= w->hi; }

/* _Rb_tree_impl: compare (padded to 8), then the header H: color (int),
 * parent (the root), left (leftmost), right (rightmost), node count. o is
 * H + 8. A node: color, parent, left, right, value (_Rb_tree_node_base). */
static int try_tree(shapes *s, const owner_ctx *w, uint64_t o, uint32_t root)
{
    uint64_t H = o - 8, color, leftmost, rightmost, count, parent;
    if (!fits(w, H, o + 32) || !rd(s, H, &color) || (uint32_t)color > 1 ||
        !rd(s, o + 8, &leftmost) || !rd(s, o + 16, &rightmost) || !rd(s, o + 24, &count) ||
        !rd(s, hs_heap_addr(s->h, root) + 8, &parent) || parent != H || count == 0 ||
        count > s->h->n_objects)
        return 0;
    uint64_t size = hs_heap_size(s->h, root);
    if (size < 48) return 0;
    s->n_work = 0;
    if (push_work(s, root)) return -1;
    int leftmost_seen = 0, rightmost_seen = 0;
    for (uint32_t k = 0; k < s->n_work; k++) { /* work grows as children are found */
        uint64_t n = hs_heap_addr(s->h, s->work[k]), col, kid[2];
        if (s->n_work > count || hs_heap_size(s->h, s->work[k]) != size || !rd(s, n, &col) ||
            (uint32_t)col > 1 || !rd(s, n + 16, &kid[0]) || !rd(s, n + 24, &kid[1]))
            return 0;
        leftmost_seen |= n == leftmost && !kid[0];
        rightmost_seen |= n == rightmost && !kid[1];
        for (int j = 0; j < 2; j++) {
            if (!kid[j]) continue;
            uint32_t id = chunk_at(s, kid[j]);
            if (id == HS_NONE || !rd(s, kid[j] + 8, &parent) || parent != n) return 0;
            if (push_work(s, id)) return -1;
        }
    }
    if (s->n_work != count || !leftmost_seen || !rightmost_seen) return 0;
    return name_all(s, s->work, s->n_work, w->owner, K_TREE_NODE) ? -1 : 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Each bucket is empty, the before-begin node bb (exactly one bucket, when
 * there are nodes) or a node of the list (s->work). */
static int buckets_ok(shapes *s, uint64_t buckets, uint64_t n, uint64_t bb)
{
    const uint8_t *p = hs_core_ptr(s->c, buckets, n * 8);
    if (!p) return 0;
    uint64_t *a = realloc(s->sorted, (s->n_work ? s->n_work : 1) * sizeof *a);
    if (!a) return -1;
    s->sorted = a;
    for (uint32_t k = 0; k < s->n_work; k++)
        a[k] = hs_heap_addr(s->h, s->work[k]);
    qsort(a, s->n_work, sizeof *a, cmp_u64);
    uint64_t to_bb = 0;
    for (uint64_t k = 0; k < n; k++) {
        uint64_t v;
        memcpy(&v, p + k * 8, 8);
        if (!v) continue;
        if (v == bb)
            to_bb++;
        else if (!bsearch(&v, a, s->n_work, sizeof *a, cmp_u64))
            return 0;
    }
    return to_bb == (s->n_work > 0);
}

/* _Hashtable: buckets, bucket count, before-begin (its next: the first
 * node), element count, rehash policy (float max load factor, next resize),
 * single bucket. Nodes: next, then the value (and maybe a cached hash). */
static int try_hashtable(shapes *s, const owner_ctx *w, uint64_t o, uint32_t buckets)
{
    uint64_t n_buckets, first, count, policy;
    if (!fits(w, o, o + 56) || !rd(s, o + 8, &n_buckets) || n_buckets < 2 ||
        n_buckets > s->heap_hi - s->heap_lo || !sized_for(s, buckets, n_buckets * 8) ||
        !rd(s, o + 16, &first) || !rd(s, o + 24, &count) || !rd(s, o + 32, &policy) ||
        count > s->h->n_objects || (!count) != (!first))
        return 0;
    float load;
    uint32_t bits = (uint32_t)policy;
    memcpy(&load, &bits, sizeof load);
    if (!(load > 0.0f && load <= 1e6f)) return 0;
    s->n_work = 0;
    uint64_t size = 0;
    for (uint64_t n = first; n;) {
        uint32_t id = chunk_at(s, n);
        if (s->n_work >= count || id == HS_NONE || (size && hs_heap_size(s->h, id) != size) ||
            hs_heap_size(s->h, id) < 32 || !rd(s, n, &n))
            return 0;
        size = hs_heap_size(s->h, id);
        if (push_work(s, id)) return -1;
    }
    if (s->n_work != count) return 0;
    int ok = buckets_ok(s, hs_heap_addr(s->h, buckets), n_buckets, o + 16);
    if (ok <= 0) return ok;
    if (name_all(s, &buckets, 1, w->owner, K_HASH_BUCKETS)) return -1;
    return name_all(s, s->work, s->n_work, w->owner, K_HASH_NODE) ? -1 : 1;
}

/* _Deque_impl: map, map size, start and finish iterators (cur, first,
 * last, node). Blocks are the map's entries from start.node to
 * finish.node, each holding last - first bytes. */
static int try_deque(shapes *s, const owner_ctx *w, uint64_t o, uint32_t map)
{
    uint64_t n_map, it[8];
    if (!fits(w, o, o + 80) || !rd(s, o + 8, &n_map) || n_map == 0 ||
        n_map > s->heap_hi - s->heap_lo || !sized_for(s, map, n_map * 8))
        return 0;
    for (int k = 0; k < 8; k++)
        if (!rd(s, o + 16 + 8 * (uint64_t)k, &it[k])) return 0;
    uint64_t A = hs_heap_addr(s->h, map), bytes = it[2] - it[1], first;
    if (it[3] < A || it[7] < it[3] || it[7] >= A + n_map * 8 || (it[3] - A) % 8 ||
        (it[7] - A) % 8 || it[2] <= it[1] || it[6] - it[5] != bytes || it[0] < it[1] ||
        it[0] >= it[2] || it[4] < it[5] || it[4] >= it[6] || (it[7] - it[3]) / 8 >= s->h->n_objects)
        return 0;
    s->n_work = 0;
    for (uint64_t n = it[3]; n <= it[7]; n += 8) {
        uint32_t id;
        if (!rd(s, n, &first) || (id = chunk_at(s, first)) == HS_NONE || !sized_for(s, id, bytes) ||
            (n == it[3] && first != it[1]) || (n == it[7] && first != it[5]))
            return 0;
        if (push_work(s, id)) return -1;
    }
    if (name_all(s, &map, 1, w->owner, K_DEQUE_MAP)) return -1;
    return name_all(s, s->work, s->n_work, w->owner, K_DEQUE_BLOCK) ? -1 : 1;
}

/* A long std::string (C++11 ABI): pointer, length, allocated capacity
 * (more than the 15 bytes of the local buffer); NUL after the length. */
static int try_string(shapes *s, const owner_ctx *w, uint64_t o, uint32_t body)
{
    uint64_t len, cap;
    const uint8_t *nul;
    if (!fits(w, o, o + 32) || !rd(s, o + 8, &len) || !rd(s, o + 16, &cap) || cap < 16 ||
        len > cap || !sized_for(s, body, cap + 1) ||
        !(nul = hs_core_ptr(s->c, hs_heap_addr(s->h, body) + len, 1)) || *nul)
        return 0;
    return name_all(s, &body, 1, w->owner, K_STRING) ? -1 : 1;
}

/* std::vector: begin, end, end of storage, begin <= end <= end of storage,
 * the chunk exactly as large as the capacity. */
static int try_vector(shapes *s, const owner_ctx *w, uint64_t o, uint32_t body)
{
    uint64_t A = hs_heap_addr(s->h, body), end, cap;
    if (!fits(w, o, o + 24) || !rd(s, o + 8, &end) || !rd(s, o + 16, &cap) || end < A ||
        cap < end || cap == A || !sized_for(s, body, cap - A))
        return 0;
    return name_all(s, &body, 1, w->owner, K_VECTOR) ? -1 : 1;
}

typedef int (*shape_fn)(shapes *, const owner_ctx *, uint64_t, uint32_t);
static const shape_fn shape_order[] = {try_tree, try_hashtable, try_deque, try_string, try_vector};

/* Every word of [lo, hi) that is a chunk's start, tried as each shape. */
static int scan_owner(shapes *s, const owner_ctx *w, hs_core_window *win)
{
    const uint8_t *p = hs_core_ptr(s->c, w->lo, w->hi - w->lo);
    if (!p) return 0;
    hs_core_window_pass(s->c, win, p);
    const uint64_t lo = s->heap_lo, span = s->heap_hi - s->heap_lo, len = w->hi - w->lo;
    for (uint64_t off = 0; off + 8 <= len; off += 8) {
        uint64_t v;
        if ((off = hs_mem_skip_zeros(p, off, len)) + 8 > len) break;
        memcpy(&v, p + off, 8);
        if (v - lo >= span) continue; /* most words (chunk_at's first test, inline) */
        uint32_t t = chunk_at(s, v);
        if (t == HS_NONE || t == w->owner) continue;
        if (w->owner == HS_NONE && hs_heap_find(s->h, w->lo + off) != HS_NONE) continue;
        for (size_t k = 0; k < sizeof shape_order / sizeof *shape_order; k++) {
            int r = shape_order[k](s, w, w->lo + off, t);
            if (r < 0) return -1;
            if (r) break;
        }
    }
    return 0;
}

/* Owners: heap objects with a reference, then writable memory outside
 * the claimed heap (globals, stacks). */
static int scan_owners(shapes *s)
{
    const hs_heap *h = s->h;
    hs_core_window win = {0};
    for (uint32_t i = 0; i < h->n_objects; i++) {
        if (h->edge_start && h->edge_start[i] == h->edge_start[i + 1]) continue;
        uint64_t a = hs_heap_addr(h, i);
        const hs_core_walker *wk = walker_of(s->c, a);
        owner_ctx w = {a, a + (wk ? wk->user_bytes(s->c, a, hs_heap_size(h, i)) : 0), i};
        if (w.hi > w.lo && scan_owner(s, &w, &win)) return -1;
    }
    for (uint32_t g = 0; g < s->c->n_segs; g++) {
        const hs_core_seg *sg = &s->c->segs[g];
        if (!(sg->flags & HS_CORE_SEG_W) || !sg->avail) continue;
        /* a thread's stack from its stack pointer on, as its roots: the
         * words below are what returned calls left */
        uint64_t end = sg->vaddr + sg->avail, live = hs_core_live_from(s->c, g);
        uint64_t cut_lo = hs_core_seg_claimed(sg) ? sg->claim_lo : end;
        uint64_t cut_hi = hs_core_seg_claimed(sg) ? sg->claim_hi : end;
        owner_ctx a = {live, cut_lo < end ? cut_lo : end, HS_NONE};
        owner_ctx b = {cut_hi, end, HS_NONE};
        if ((a.hi > a.lo && scan_owner(s, &a, &win)) || (b.hi > b.lo && scan_owner(s, &b, &win)))
            return -1;
    }
    return 0;
}

/* "T" from "std::_Sp_counted_ptr_inplace<T, ...>": the first template
 * argument, brackets balanced; 0 when the name is not one. */
static size_t first_arg(const char *name, const char *prefix, const char **arg)
{
    size_t n = strlen(prefix), depth = 0;
    if (strncmp(name, prefix, n)) return 0;
    *arg = name + n;
    for (const char *p = *arg; *p; p++) {
        if (*p == '<' || *p == '(') depth++;
        if ((*p == '>' || *p == ')') && depth) depth--;
        else if ((*p == ',' || *p == '>') && !depth) return (size_t)(p - *arg);
    }
    return 0;
}

/* make_shared's control blocks hold the object: named "T (in std::shared_ptr
 * control block)" instead of the control block's class. */
static int rename_shared(shapes *s)
{
    hs_heap *h = s->h;
    uint32_t last_old = HS_NONE, last_group = HS_NONE;
    for (uint32_t i = 0; i < h->n_objects; i++) {
        uint32_t t = hs_heap_type(h, i);
        if (t == HS_NONE || (s->name && s->name[i] != HS_NONE)) continue;
        if (t != last_old) {
            const char *arg, *name = hs_heap_str(h, h->type_name[t]);
            size_t n = first_arg(name, "std::_Sp_counted_ptr_inplace<", &arg);
            last_old = t, last_group = HS_NONE;
            if (!n) continue;
            char buf[512];
            snprintf(buf, sizeof buf, "%.*s (in std::shared_ptr control block)", (int)n, arg);
            uint32_t type = hs_heap_add_type(h, buf);
            if (type == HS_NONE || (last_group = new_group(s, HS_NONE, K_SHARED, type)) == HS_NONE)
                return -1;
        }
        if (last_group == HS_NONE) continue;
        if (ensure_names(s)) return -1;
        s->name[i] = last_group;
    }
    return 0;
}

/* The group's type: its kind's name, with the owner's type when known. */
static uint32_t group_type(shapes *s, group *g)
{
    if (g->type != HS_NONE) return g->type;
    const char *owner = NULL;
    if (g->owner != HS_NONE && s->name[g->owner] != HS_NONE) {
        const group *og = &s->groups[s->name[g->owner]];
        owner = og->kind < K_SHARED ? kind_name[og->kind] : hs_heap_str(s->h, s->h->type_name[og->type]);
    }
    if (!owner && g->owner != HS_NONE && hs_heap_type(s->h, g->owner) != HS_NONE)
        owner = hs_heap_str(s->h, s->h->type_name[hs_heap_type(s->h, g->owner)]);
    char buf[512];
    if (owner)
        snprintf(buf, sizeof buf, "%s (in %s)", kind_name[g->kind], owner);
    else
        snprintf(buf, sizeof buf, "%s", kind_name[g->kind]);
    return g->type = hs_heap_add_type(s->h, buf);
}

/* Each group's type (from the owners' groups), then each named object's
 * group becomes its type, in place, and the heap's. */
static int apply(shapes *s)
{
    for (uint32_t g = 0; g < s->n_groups; g++)
        if (group_type(s, &s->groups[g]) == HS_NONE)
            return hs_error_set(s->err, s->c->name, HS_NO_OFFSET, "out of memory");
    for (uint32_t i = 0; i < s->h->n_objects; i++)
        if (s->name[i] != HS_NONE) s->name[i] = s->groups[s->name[i]].type;
    return hs_heap_set_types_dense(s->h, s->name, s->err);
}

/* libstdc++ is mapped, or the executable has the C++ runtime's type_info
 * vtable (a static C++ program): C programs pay nothing. */
static int is_cxx(const hs_core *c)
{
    for (uint32_t i = 0; i < c->n_files; i++)
        if (strstr(c->files[i].name, "libstdc++")) return 1;
    return hs_core_lookup_exe(c, "_ZTVN10__cxxabiv117__class_type_infoE") != 0;
}

int hs_cxx_name_shapes(const hs_core *c, hs_heap *h, hs_error *err)
{
    if (!hs_core_uses_walker(c, &hs_walker_glibc) || !h->n_objects || !is_cxx(c)) return 0;
    shapes s = {.c = c, .h = h, .err = err};
    s.heap_lo = hs_heap_addr(h, 0);
    s.heap_hi = hs_heap_addr(h, h->n_objects - 1) + hs_heap_size(h, h->n_objects - 1);
    int rc = scan_owners(&s) || rename_shared(&s);
    if (rc)
        hs_error_set(err, c->name, HS_NO_OFFSET, "out of memory");
    else if (s.name)
        rc = apply(&s);
    hs_core_release_all(c);
    free(s.name);
    free(s.groups);
    free(s.work);
    free(s.sorted);
    return rc ? -1 : 0;
}
