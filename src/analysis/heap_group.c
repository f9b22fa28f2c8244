/* Grouping of heap objects by allocation site, type, root label or object,
 * with count, shallow size and retained size. Group names are interned in the
 * result's own string table and the interned id is the row index, so grouping
 * is one pass with no hash of its own. Group retained size = sum of retained(v)
 * over members v with no other member among their dominators (MAT's rule):
 * one iterative walk of the dominator tree keeps, per group, how many members
 * are on the current tree path; a member adds its retained size when that
 * count is zero. Nothing is counted twice, so a group never retains more than
 * the super-root. An object's group is not stored per object: it is looked
 * up again from its type or site (a row per known one) or, for the
 * "unknown NB" groups, from its size in a small hash table. */
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

/* Which row an object belongs to, by type or site: known[key] once a known
 * type's or site's name has a row, else the "unknown NB" row of its size
 * (size_rows, open addressing; row HS_NONE = empty slot). */
typedef struct grouper {
    const hs_heap *h;
    hs_group_by by;
    const uint8_t *only;
    uint32_t *known, nk;
    uint64_t *size_key;
    uint32_t *size_row, size_cap, size_n; /* size_cap a power of two */
} grouper;

static uint32_t size_slot(const grouper *gr, uint64_t size)
{
    uint32_t mask = gr->size_cap - 1, k = (uint32_t)((size * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (gr->size_row[k] != HS_NONE && gr->size_key[k] != size)
        k = (k + 1) & mask;
    return k;
}

static int size_put(grouper *gr, uint64_t size, uint32_t row)
{
    if ((uint64_t)(gr->size_n + 1) * 2 > gr->size_cap) {
        grouper old = *gr;
        gr->size_cap = old.size_cap ? old.size_cap * 2 : 64;
        gr->size_key = malloc((size_t)gr->size_cap * sizeof *gr->size_key);
        gr->size_row = malloc((size_t)gr->size_cap * sizeof *gr->size_row);
        if (!gr->size_key || !gr->size_row || gr->size_cap < old.size_cap) {
            free(gr->size_key), free(gr->size_row);
            *gr = old;
            return -1;
        }
        memset(gr->size_row, 0xff, (size_t)gr->size_cap * sizeof *gr->size_row);
        for (uint32_t i = 0; i < old.size_cap; i++)
            if (old.size_row[i] != HS_NONE) {
                uint32_t k = size_slot(gr, old.size_key[i]);
                gr->size_key[k] = old.size_key[i], gr->size_row[k] = old.size_row[i];
            }
        free(old.size_key), free(old.size_row);
    }
    uint32_t k = size_slot(gr, size);
    if (gr->size_row[k] == HS_NONE) gr->size_n++;
    gr->size_key[k] = size, gr->size_row[k] = row;
    return 0;
}

/* Row of object i; valid once group_named's counting pass has seen every
 * object (before, a known type's first object would find no row). */
static uint32_t group_of(const grouper *gr, uint32_t i)
{
    if (gr->only && !gr->only[i]) return HS_NONE;
    uint32_t key = gr->by == HS_GROUP_TYPE ? hs_heap_type(gr->h, i) : hs_heap_site(gr->h, i);
    if (key < gr->nk && gr->known[key] != HS_NONE) return gr->known[key];
    if (!gr->size_cap) return HS_NONE;
    return gr->size_row[size_slot(gr, hs_heap_size(gr->h, i))];
}

/* Walk the dominator tree from the super-root with an explicit stack; add
 * retained(v) for members v with no member of their group above them. */
static int tree_retained(const hs_heap *h, const hs_dom *d, const grouper *gr, hs_groups *g,
                         hs_error *err)
{
    hs_dom_children c;
    if (hs_dom_children_build(d, &c, err)) return -1;
    uint32_t n = d->n_reached ? d->n_reached : 1;
    /* Stack of (vertex, child cursor, group); pages are touched only to the tree's depth. */
    uint32_t *sv = malloc((size_t)n * sizeof *sv), *sk = malloc((size_t)n * sizeof *sk);
    uint32_t *sg = malloc((size_t)n * sizeof *sg);
    uint32_t *active = calloc(g->n_rows ? g->n_rows : 1, sizeof *active);
    if (!sv || !sk || !sg || !active) {
        free(sv), free(sk), free(sg), free(active);
        hs_dom_children_free(&c);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory in group retained sizes");
    }
    uint32_t top = 0;
    sv[top] = 0, sk[top] = c.start[0], sg[top] = HS_NONE, top++;
    while (top) {
        uint32_t v = sv[top - 1], k = sk[top - 1];
        if (k == c.start[v + 1]) { /* leave v */
            top--;
            if (sg[top] != HS_NONE) active[sg[top]]--;
            continue;
        }
        sk[top - 1] = k + 1;
        uint32_t x = c.child[k], r = HS_NONE;
        if (hs_dom_is_object(d, x)) { /* enter x */
            r = group_of(gr, hs_dom_object_of(d, x));
            if (r != HS_NONE && active[r]++ == 0) g->rows[r].retained += d->retained[x];
        }
        sv[top] = x, sk[top] = c.start[x], sg[top] = r, top++;
    }
    (void)h;
    free(sv), free(sk), free(sg), free(active);
    hs_dom_children_free(&c);
    return 0;
}

static int group_named(const hs_heap *h, const hs_dom *d, hs_group_by by, const uint8_t *only,
                       hs_groups *g, uint32_t *cap, hs_error *err)
{
    uint32_t n = h->n_objects;
    /* Names of known types and sites, looked up once each. */
    grouper gr = {h,    by,   only, NULL, by == HS_GROUP_TYPE ? h->n_types : h->n_sites,
                  NULL, NULL, 0,    0};
    uint32_t nk = gr.nk;
    gr.known = malloc((size_t)(nk ? nk : 1) * sizeof *gr.known);
    if (!gr.known) goto oom;
    for (uint32_t i = 0; i < nk; i++)
        gr.known[i] = HS_NONE;
    char buf[64];
    for (uint32_t i = 0; i < n; i++) {
        if (only && !only[i]) continue;
        uint32_t key = by == HS_GROUP_TYPE ? hs_heap_type(h, i) : hs_heap_site(h, i);
        uint32_t r = key < nk ? gr.known[key] : HS_NONE;
        if (r == HS_NONE && key >= nk && gr.size_cap) /* "unknown NB": by size */
            r = gr.size_row[size_slot(&gr, hs_heap_size(h, i))];
        if (r == HS_NONE) {
            size_t len;
            const char *s = name_of(h, i, by, buf, sizeof buf, &len);
            r = row_for(g, s, len, cap);
            if (r == HS_NONE) goto oom;
            if (key < nk && s != buf)
                gr.known[key] = r;
            else if (s == buf && size_put(&gr, hs_heap_size(h, i), r))
                goto oom;
        }
        g->rows[r].members++;
        g->rows[r].count++;
        g->rows[r].size += hs_heap_size(h, i);
    }
    int rc = d ? tree_retained(h, d, &gr, g, err) : 0;
    free(gr.known), free(gr.size_key), free(gr.size_row);
    return rc;
oom:
    free(gr.known), free(gr.size_key), free(gr.size_row);
    return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory grouping objects");
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
