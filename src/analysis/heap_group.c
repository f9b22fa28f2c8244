/* Grouping of heap objects by allocation site, type, root label or object,
 * with count, shallow size and retained size. Group names are interned in the
 * result's own string table and the interned id is the row index, so grouping
 * is one pass with no hash of its own. Group retained size = sum of retained(v)
 * over members v with no other member among their dominators (MAT's rule):
 * one walk of the dominator tree's preorder keeps, per group, how many members
 * are on the current tree path (the idom chain: no stack, no children rows,
 * no group id per object); a member adds its retained size when that count is
 * zero. Nothing is counted twice, so a group never retains more than the
 * super-root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapscan/heap_analysis.h"

static const char *by_names[] = {"site", "type", "root", "object"};

const char *hs_group_by_name(hs_group_by by)
{
    return (unsigned)by < 4 ? by_names[by] : "?";
}

int hs_group_parse_by(const char *s, hs_group_by *by)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, by_names[i]) == 0) return *by = (hs_group_by)i, 0;
    return -1;
}

int hs_group_parse_sort(const char *s, hs_group_sort *sort)
{
    if (strcmp(s, "retained") == 0)
        *sort = HS_SORT_RETAINED;
    else if (strcmp(s, "size") == 0)
        *sort = HS_SORT_SIZE;
    else if (strcmp(s, "count") == 0)
        *sort = HS_SORT_COUNT;
    else
        return -1;
    return 0;
}

/* Length of a frame's function name: "f file.go:12" -> "f". */
static size_t frame_name_len(const char *s)
{
    const char *sp = strrchr(s, ' ');
    if (!sp) return strlen(s);
    const char *colon = strrchr(sp, ':');
    if (!colon || !colon[1]) return strlen(s);
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9') return strlen(s);
    return (size_t)(sp - s);
}

static const char *name_of(const hs_heap *h, uint32_t obj, hs_group_by by, char *buf, unsigned size,
                           size_t *len)
{
    if (by == HS_GROUP_SITE) {
        uint32_t s = hs_heap_site(h, obj);
        if (s != HS_NONE && s < h->n_sites && h->site_start[s] < h->site_start[s + 1]) {
            const char *f = hs_heap_str(h, h->site_frames[h->site_start[s]]);
            *len = frame_name_len(f);
            if (*len) return f;
        }
    } else if (by == HS_GROUP_TYPE) {
        uint32_t t = hs_heap_type(h, obj);
        if (t != HS_NONE && t < h->n_types) {
            const char *n = hs_heap_str(h, h->type_name[t]);
            *len = strlen(n);
            if (*len) return n;
        }
    } else { /* object: the type when known, else the site */
        const char *n = name_of(h, obj, HS_GROUP_TYPE, buf, size, len);
        if (strncmp(n, "unknown ", 8) != 0) return n;
        return name_of(h, obj, HS_GROUP_SITE, buf, size, len);
    }
    int k = snprintf(buf, size, "unknown %lluB", (unsigned long long)hs_heap_size(h, obj));
    *len = k < 0 ? 0 : (size_t)k >= size ? size - 1 : (size_t)k;
    return buf;
}

const char *hs_group_object_name(const hs_heap *h, uint32_t obj, hs_group_by by, char *buf,
                                 unsigned size)
{
    size_t len;
    const char *n = name_of(h, obj, by, buf, size, &len);
    if (n != buf) {
        size_t k = len < size - 1 ? len : size - 1;
        memmove(buf, n, k);
        buf[k] = 0;
    }
    return buf;
}

static int grow_rows(hs_groups *g, uint32_t need, uint32_t *cap)
{
    if (need <= *cap) return 0;
    uint32_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    hs_group_row *r = realloc(g->rows, (size_t)ncap * sizeof *r);
    if (!r) return -1;
    memset(r + *cap, 0, (size_t)(ncap - *cap) * sizeof *r);
    g->rows = r, *cap = ncap;
    return 0;
}

/* Intern name, make sure its row exists; returns the row index or HS_NONE. */
static uint32_t row_for(hs_groups *g, const char *s, size_t len, uint32_t *cap)
{
    uint32_t id = hs_strtab_intern(&g->names, s, len);
    if (id == HS_STR_NONE || grow_rows(g, id + 1, cap)) return HS_NONE;
    if (id >= g->n_rows) {
        for (uint32_t i = g->n_rows; i <= id; i++)
            g->rows[i].name = i, g->rows[i].object = HS_NONE;
        g->n_rows = id + 1;
    }
    return id;
}

/* Group ids of objects without an array per object: a key (type or site)
 * maps to its row once its name is known, or to UNKNOWN_KEY when that name is
 * "unknown NB", whose row depends on the size alone and is cached by size in
 * a small direct-mapped table. Looking an object up twice gives one row. */
enum { UNKNOWN_KEY = HS_NONE - 1, SIZE_CACHE = 4096 };

typedef struct namer {
    const hs_heap *h;
    hs_group_by by;
    const uint8_t *only;
    uint32_t nk, *known;
    uint64_t csize[SIZE_CACHE];
    uint32_t crow[SIZE_CACHE];
} namer;

/* *row = object i's group (HS_NONE if only leaves it out); -1 if out of memory. */
static int group_of(namer *nm, hs_groups *g, uint32_t *cap, uint32_t i, uint32_t *row)
{
    const hs_heap *h = nm->h;
    hs_group_by by = nm->by;
    *row = HS_NONE;
    if (nm->only && !nm->only[i]) return 0;
    uint32_t key = by == HS_GROUP_TYPE ? hs_heap_type(h, i) : hs_heap_site(h, i);
    uint32_t r = key < nm->nk ? nm->known[key] : UNKNOWN_KEY;
    uint32_t slot = (uint32_t)((hs_heap_size(h, i) * 0x9e3779b97f4a7c15ull) >> 52) % SIZE_CACHE;
    if (r != HS_NONE && r != UNKNOWN_KEY) return *row = r, 0;
    if (r == UNKNOWN_KEY && nm->crow[slot] != HS_NONE && nm->csize[slot] == hs_heap_size(h, i))
        return *row = nm->crow[slot], 0;
    char buf[64];
    size_t len;
    const char *s = name_of(h, i, by, buf, sizeof buf, &len);
    if ((r = row_for(g, s, len, cap)) == HS_NONE) return -1;
    if (s != buf) {
        if (key < nm->nk) nm->known[key] = r;
    } else { /* "unknown NB": the same row for every object of that size */
        if (key < nm->nk) nm->known[key] = UNKNOWN_KEY;
        nm->csize[slot] = hs_heap_size(h, i), nm->crow[slot] = r;
    }
    return *row = r, 0;
}

/* Walk order[], a preorder of the dominator tree. The tree path from the
 * super-root to the previous vertex is that vertex's idom chain, so before
 * entering v the walk leaves the vertices of that chain up to idom(v): no
 * stack. active[gr] counts the members of gr on the path; a member adds its
 * retained size when it enters with no member of its group above it. */
static int tree_retained(namer *nm, const hs_dom *d, hs_groups *g, uint32_t *cap)
{
    uint32_t *active = calloc(g->n_rows ? g->n_rows : 1, sizeof *active), gr;
    if (!active) return -1;
    for (uint32_t i = 1; i < d->n_reached; i++) {
        uint32_t v = d->order[i];
        for (uint32_t x = d->order[i - 1]; x != d->idom[v] && x != 0; x = d->idom[x]) {
            if (!hs_dom_is_object(d, x)) continue; /* leave x */
            if (group_of(nm, g, cap, hs_dom_object_of(d, x), &gr)) goto oom;
            if (gr != HS_NONE) active[gr]--;
        }
        if (!hs_dom_is_object(d, v)) continue; /* enter v */
        if (group_of(nm, g, cap, hs_dom_object_of(d, v), &gr)) goto oom;
        if (gr != HS_NONE && active[gr]++ == 0) g->rows[gr].retained += d->retained[v];
    }
    free(active);
    return 0;
oom:
    free(active);
    return -1;
}

static int group_named(const hs_heap *h, const hs_dom *d, hs_group_by by, const uint8_t *only,
                       hs_groups *g, uint32_t *cap, hs_error *err)
{
    namer *nm = malloc(sizeof *nm);
    if (!nm) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory grouping objects");
    nm->h = h, nm->by = by, nm->only = only;
    /* Names of known types and sites, looked up once each. */
    nm->nk = by == HS_GROUP_TYPE ? h->n_types : h->n_sites;
    nm->known = malloc((size_t)(nm->nk ? nm->nk : 1) * sizeof *nm->known);
    int rc = nm->known ? 0 : -1;
    for (uint32_t i = 0; !rc && i < nm->nk; i++)
        nm->known[i] = HS_NONE;
    for (uint32_t i = 0; i < SIZE_CACHE; i++)
        nm->crow[i] = HS_NONE, nm->csize[i] = 0;
    for (uint32_t i = 0, r; !rc && i < h->n_objects; i++) {
        if ((rc = group_of(nm, g, cap, i, &r)) || r == HS_NONE) continue;
        g->rows[r].members++;
        g->rows[r].count++;
        g->rows[r].size += hs_heap_size(h, i);
    }
    if (!rc && d) rc = tree_retained(nm, d, g, cap);
    free(nm->known), free(nm);
    return rc ? hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory grouping objects") : 0;
}

static int group_roots(const hs_heap *h, const hs_dom *d, hs_groups *g, uint32_t *cap,
                       hs_error *err)
{
    uint32_t *cnt = NULL, *stamp = calloc(h->n_objects ? h->n_objects : 1, sizeof *stamp);
    if (!stamp) goto oom;
    if (d) { /* objects in each subtree, accumulated like retained sizes */
        cnt = calloc(d->n_vertices, sizeof *cnt);
        if (!cnt) goto oom;
        for (uint32_t i = d->n_reached; i-- > 1;) {
            uint32_t v = d->order[i];
            if (hs_dom_is_object(d, v)) cnt[v]++;
            cnt[d->idom[v]] += cnt[v];
        }
    }
    for (uint32_t r = 0; r < h->n_roots; r++) {
        const char *s = hs_heap_str(h, h->root_label[r]);
        uint32_t gr = row_for(g, s, strlen(s), cap);
        if (gr == HS_NONE) goto oom;
        g->rows[gr].members++;
        for (uint32_t e = h->root_edge_start[r]; e < h->root_edge_start[r + 1]; e++) {
            uint32_t o = h->root_edge_target[e];
            if (stamp[o] != r + 1) stamp[o] = r + 1, g->rows[gr].size += hs_heap_size(h, o);
        }
        if (d) {
            uint32_t v = hs_dom_vertex_of_root(d, r);
            g->rows[gr].count += cnt[v];
            g->rows[gr].retained += d->retained[v];
        }
    }
    free(cnt), free(stamp);
    return 0;
oom:
    free(cnt), free(stamp);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory grouping roots");
}

static int group_objects(const hs_heap *h, const hs_dom *d, const uint8_t *only, hs_groups *g,
                         hs_error *err)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        n += !only || only[i];
    g->rows = calloc(n ? n : 1, sizeof *g->rows);
    if (!g->rows) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory grouping objects");
    char buf[64];
    for (uint32_t i = 0; i < h->n_objects; i++) {
        if (only && !only[i]) continue;
        size_t len;
        const char *s = name_of(h, i, HS_GROUP_OBJECT, buf, sizeof buf, &len);
        uint32_t id = hs_strtab_intern(&g->names, s, len);
        if (id == HS_STR_NONE)
            return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory grouping objects");
        hs_group_row *r = &g->rows[g->n_rows++];
        r->name = id, r->object = i, r->members = 1, r->count = 1, r->size = hs_heap_size(h, i);
        r->retained = d ? d->retained[hs_dom_vertex_of_object(d, i)] : 0;
    }
    return 0;
}

static int cmp_rows(const hs_group_row *a, const hs_group_row *b, hs_group_sort sort,
                    const hs_strtab *names)
{
    uint64_t x = sort == HS_SORT_COUNT ? a->count : sort == HS_SORT_SIZE ? a->size : a->retained;
    uint64_t y = sort == HS_SORT_COUNT ? b->count : sort == HS_SORT_SIZE ? b->size : b->retained;
    if (x != y) return x > y ? -1 : 1;
    if (sort != HS_SORT_SIZE && a->size != b->size) return a->size > b->size ? -1 : 1;
    if (a->object != HS_NONE || b->object != HS_NONE) /* object rows: address order */
        return a->object < b->object ? -1 : a->object > b->object;
    return strcmp(hs_strtab_get(names, a->name), hs_strtab_get(names, b->name));
}

/* Does object x rank before object y under sort (the order of cmp_rows)? */
static int obj_before(const hs_heap *h, const hs_dom *d, hs_group_sort sort, uint32_t x, uint32_t y)
{
    if (sort == HS_SORT_RETAINED && d) {
        uint64_t rx = d->retained[hs_dom_vertex_of_object(d, x)];
        uint64_t ry = d->retained[hs_dom_vertex_of_object(d, y)];
        if (rx != ry) return rx > ry;
    }
    if (hs_heap_size(h, x) != hs_heap_size(h, y)) return hs_heap_size(h, x) > hs_heap_size(h, y);
    return x < y;
}

static void sift_down(const hs_heap *h, const hs_dom *d, hs_group_sort sort, uint32_t *heap,
                      uint32_t n, uint32_t i)
{
    for (;;) { /* heap[0] is the kept object that ranks last */
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && obj_before(h, d, sort, heap[m], heap[l])) m = l;
        if (r < n && obj_before(h, d, sort, heap[m], heap[r])) m = r;
        if (m == i) return;
        uint32_t t = heap[i];
        heap[i] = heap[m], heap[m] = t, i = m;
    }
}

int hs_group_top_objects(const hs_heap *h, const hs_dom *d, const uint8_t *only, hs_group_sort sort,
                         uint32_t limit, hs_groups *g, hs_error *err)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        n += !only || only[i];
    if (limit == 0 || limit >= n) {
        if (hs_group_compute(h, d, HS_GROUP_OBJECT, only, g, err)) return -1;
        hs_group_sort_rows(g, sort);
        return 0;
    }
    memset(g, 0, sizeof *g);
    g->by = HS_GROUP_OBJECT;
    hs_strtab_init(&g->names);
    g->total_retained = d ? d->retained[0] : 0;
    uint32_t *heap = malloc((size_t)limit * sizeof *heap), k = 0;
    g->rows = calloc(limit, sizeof *g->rows);
    if (!heap || !g->rows) goto oom;
    for (uint32_t i = 0; i < h->n_objects; i++) {
        if (only && !only[i]) continue;
        g->total_count++, g->total_size += hs_heap_size(h, i);
        if (k < limit) {
            heap[k++] = i;
            for (uint32_t c = k - 1; c && obj_before(h, d, sort, heap[(c - 1) / 2], heap[c]);
                 c = (c - 1) / 2) {
                uint32_t t = heap[c];
                heap[c] = heap[(c - 1) / 2], heap[(c - 1) / 2] = t;
            }
        } else if (obj_before(h, d, sort, i, heap[0])) {
            heap[0] = i;
            sift_down(h, d, sort, heap, k, 0);
        }
    }
    char buf[64];
    for (uint32_t j = 0; j < k; j++) {
        uint32_t i = heap[j];
        size_t len;
        const char *s = name_of(h, i, HS_GROUP_OBJECT, buf, sizeof buf, &len);
        uint32_t id = hs_strtab_intern(&g->names, s, len);
        if (id == HS_STR_NONE) goto oom;
        hs_group_row *r = &g->rows[g->n_rows++];
        r->name = id, r->object = i, r->members = 1, r->count = 1, r->size = hs_heap_size(h, i);
        r->retained = d ? d->retained[hs_dom_vertex_of_object(d, i)] : 0;
    }
    free(heap);
    hs_group_sort_rows(g, sort);
    return 0;
oom:
    free(heap);
    hs_group_free(g);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory selecting objects");
}

static int cmp_retained(const void *a, const void *b, void *ctx)
{
    return cmp_rows(a, b, HS_SORT_RETAINED, ctx);
}
static int cmp_size(const void *a, const void *b, void *ctx)
{
    return cmp_rows(a, b, HS_SORT_SIZE, ctx);
}
static int cmp_count(const void *a, const void *b, void *ctx)
{
    return cmp_rows(a, b, HS_SORT_COUNT, ctx);
}

void hs_group_sort_rows(hs_groups *g, hs_group_sort sort)
{
    int (*cmp)(const void *, const void *, void *) = sort == HS_SORT_COUNT  ? cmp_count
                                                     : sort == HS_SORT_SIZE ? cmp_size
                                                                            : cmp_retained;
    if (g->n_rows > 1) qsort_r(g->rows, g->n_rows, sizeof *g->rows, cmp, &g->names);
}

int hs_group_compute(const hs_heap *h, const hs_dom *d, hs_group_by by, const uint8_t *only,
                     hs_groups *g, hs_error *err)
{
    memset(g, 0, sizeof *g);
    g->by = by;
    hs_strtab_init(&g->names);
    for (uint32_t i = 0; i < h->n_objects; i++)
        if (!only || only[i]) g->total_count++, g->total_size += hs_heap_size(h, i);
    g->total_retained = d ? d->retained[0] : 0;
    uint32_t cap = 0;
    int rc;
    if (by == HS_GROUP_OBJECT)
        rc = group_objects(h, d, only, g, err);
    else if (by == HS_GROUP_ROOT)
        rc = group_roots(h, d, g, &cap, err);
    else
        rc = group_named(h, d, by, only, g, &cap, err);
    if (rc) {
        hs_group_free(g);
        return -1;
    }
    /* Drop rows without members (the "" row made by the string table). */
    uint32_t k = 0;
    for (uint32_t i = 0; i < g->n_rows; i++)
        if (g->rows[i].members) g->rows[k++] = g->rows[i];
    g->n_rows = k;
    hs_group_sort_rows(g, HS_SORT_RETAINED);
    return 0;
}

void hs_group_free(hs_groups *g)
{
    hs_strtab_free(&g->names);
    free(g->rows);
    memset(g, 0, sizeof *g);
}
