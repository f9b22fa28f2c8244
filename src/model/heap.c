/* Heap model storage and its three-phase builder (see heap.h).
 * Objects are parallel arrays; hs_heap_index() sorts them by address and
 * rejects overlaps, which makes hs_heap_find() a binary search. References
 * arrive as (from, to) pairs in any order and become compressed sparse rows
 * by a counting sort in hs_heap_finish(): two passes, no per-object lists.
 * Or, grouped by ascending source, they are streamed into the rows directly:
 * edge_start[i] is final for every i below next_row_. Narrow columns (see
 * heap.h): sizes are 1- or 2-byte codes into the distinct sizes (widened
 * when those outgrow them, to the sizes themselves past 65535), >= 2^32 - 1
 * in the sorted size_big side table; the site and flags columns exist only
 * once a non-default value is set; types are (id, type) pairs until they
 * are many, then a column as wide as the largest id needs (all bits set:
 * none, so a code never reaches all bits set); reference offsets are never
 * stored when drop_ref_offsets is set; full addresses exist until indexing,
 * then they are low halves plus runs of ids sharing a high half. */
#include "heapscan/heap.h"
#include "model/heap_build.h"
#include "model/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PHASE_OBJECTS = 0, PHASE_REFS = 1, PHASE_DONE = 2, PHASE_NO_MEMORY = 3 };

/* The builders' state, private to this file: the heap points at it from
 * hs_heap_init to hs_heap_free. Without it (out of memory at init) every
 * builder fails. */
struct hs_heap_build {
    int phase;
    uint32_t *type_by_string; /* string id -> type id, for hs_heap_add_type */
    uint32_t cap_type_by_string;
    /* address -> first object index, by equal-width buckets over [addr[0], addr[n-1]] */
    uint32_t *bucket_first; /* n_buckets + 1 entries */
    uint32_t n_buckets;
    unsigned bucket_shift;
    hs_heap_pending_ref *pending;
    uint64_t n_pending, cap_pending;
    hs_heap_pending_ref *pending_roots;
    uint64_t n_pending_roots, cap_pending_roots;
    int streaming;     /* rows written by hs_heap_begin_refs_of / add_ref_next */
    uint32_t next_row; /* edge_start[i] is set for every i < next_row */
    uint64_t cap_edges; /* capacity of edge_target / edge_offset while streaming */
    uint32_t *size_slot; /* open addressing over size_value: code + 1, 0 = empty */
    uint32_t cap_size_slot, cap_size_values, last_size_code;
};

#define PHASE(h) ((h)->build_ ? (h)->build_->phase : PHASE_NO_MEMORY)

static int add_column(void **col, const hs_heap *h, size_t elem);
static int add_sparse_type(hs_heap *h, uint32_t i, uint32_t type);
static int cmp_id_value(const void *a, const void *b);

static int grow(void **arr, uint64_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap) return 0;
    uint64_t ncap = *cap ? *cap : 256;
    while (ncap < need) ncap *= 2;
    void *n = hs_mem_realloc(*arr, (size_t)ncap, elem);
    if (!n) return -1;
    *arr = n;
    *cap = ncap;
    return 0;
}

static int grow32(void **arr, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need >= UINT32_MAX) return -1;
    uint64_t c = *cap;
    if (grow(arr, &c, need, elem)) return -1;
    *cap = c > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)c;
    return 0;
}

/* ---- columns of 1, 2 or 4 bytes per object (sizes, types) ---- */

static uint32_t all_ones(unsigned width)
{
    return UINT32_MAX >> (32 - 8 * width);
}

/* The bytes per entry a column needs to hold v (all bits set stays free
 * for "none"). */
static unsigned width_for(uint32_t v)
{
    return v < 0xff ? 1 : v < 0xffff ? 2 : 4;
}

static void code_put(void *col, unsigned width, uint32_t i, uint32_t v)
{
    if (width == 1) ((uint8_t *)col)[i] = (uint8_t)v;
    else if (width == 2) ((uint16_t *)col)[i] = (uint16_t)v;
    else ((uint32_t *)col)[i] = v;
}

/* The first n entries of *col to `to` bytes each (room for cap), from the
 * back so that each moves up in place without overwriting one not yet
 * moved: through dict when given (size codes becoming sizes), else the
 * same values, all bits set (no type) staying all bits set. */
static int widen(void **col, uint8_t *width, unsigned to, uint32_t n, uint32_t cap,
                 const uint32_t *dict)
{
    void *c = hs_mem_realloc(*col, cap ? cap : 1, to);
    if (!c) return -1;
    for (uint32_t i = n; i-- > 0;) {
        uint32_t v = hs_heap_code_(c, *width, i);
        code_put(c, to, i, dict ? dict[v] : v == all_ones(*width) ? all_ones(to) : v);
    }
    *col = c, *width = (uint8_t)to;
    return 0;
}

/* Object i's type in the column, widened first when t needs more bytes. */
static int type_put(hs_heap *h, uint32_t i, uint32_t t)
{
    if (t != HS_NONE && t >= all_ones(h->type_width) &&
        widen(&h->type, &h->type_width, width_for(t), h->n_objects, h->cap_objects, NULL))
        return -1;
    code_put(h->type, h->type_width, i, t == HS_NONE ? all_ones(h->type_width) : t);
    return 0;
}

static uint32_t size_hash(uint32_t s, uint32_t cap)
{
    s ^= s >> 16, s *= 0x45d9f3bu, s ^= s >> 16;
    return s & (cap - 1);
}

static int rehash_sizes(hs_heap *h)
{
    struct hs_heap_build *b = h->build_;
    uint32_t cap = b->cap_size_slot ? b->cap_size_slot * 2 : 256;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    for (uint32_t c = 0; c < h->n_size_values; c++) {
        uint32_t k = size_hash(h->size_value[c], cap);
        while (slot[k])
            k = (k + 1) & (cap - 1);
        slot[k] = c + 1;
    }
    free(b->size_slot);
    b->size_slot = slot, b->cap_size_slot = cap;
    return 0;
}

/* The sizes themselves in the column (past 65535 distinct ones). */
static int sizes_unpacked(hs_heap *h)
{
    if (widen(&h->size, &h->size_width, 4, h->n_objects, h->cap_objects, h->size_value)) return -1;
    free(h->size_value), free(h->build_->size_slot);
    h->size_value = h->build_->size_slot = NULL;
    h->n_size_values = h->build_->cap_size_slot = h->build_->cap_size_values = 0;
    return 0;
}

/* The size column's entry for size s (HS_HEAP_SIZE_BIG included): its
 * code among the distinct sizes, s added when new (objects come in runs of
 * one size: the last code is tried first); full codes widen the column. */
static int size_code(hs_heap *h, uint32_t s, uint32_t *code)
{
    struct hs_heap_build *b = h->build_;
    if (h->size_width == 4) return *code = s, 0;
    if (h->n_size_values && h->size_value[b->last_size_code] == s)
        return *code = b->last_size_code, 0;
    if (h->n_size_values * 2 >= b->cap_size_slot && rehash_sizes(h)) return -1;
    uint32_t k = size_hash(s, b->cap_size_slot);
    while (b->size_slot[k] && h->size_value[b->size_slot[k] - 1] != s)
        k = (k + 1) & (b->cap_size_slot - 1);
    if (b->size_slot[k]) return *code = b->last_size_code = b->size_slot[k] - 1, 0;
    uint32_t c = h->n_size_values;
    if (c == all_ones(h->size_width) - 1 && h->size_width == 2) /* codes full */
        return sizes_unpacked(h) ? -1 : (*code = s, 0);
    if (c == all_ones(h->size_width) - 1 &&
        widen(&h->size, &h->size_width, 2, h->n_objects, h->cap_objects, NULL))
        return -1;
    if (grow32((void **)&h->size_value, &b->cap_size_values, (uint64_t)c + 1, sizeof *h->size_value))
        return -1;
    h->size_value[c] = s, b->size_slot[k] = c + 1, h->n_size_values++;
    return *code = b->last_size_code = c, 0;
}

void hs_heap_init(hs_heap *h, const char *format)
{
    memset(h, 0, sizeof *h);
    hs_strtab_init(&h->strings);
    strncpy(h->format, format, sizeof h->format - 1);
    h->size_width = h->type_width = 1;
    h->build_ = calloc(1, sizeof *h->build_);
}

void hs_heap_free(hs_heap *h)
{
    hs_strtab_free(&h->strings);
    if (h->goroutines) hs_goroutines_free(h->goroutines);
    free(h->goroutines);
    free(h->addr_lo);
    free(h->addr_seg);
    free(h->addr_wide_);
    free(h->size);
    free(h->size_value);
    free(h->size_big);
    free(h->type);
    free(h->type_sparse);
    free(h->site);
    free(h->flags);
    free(h->edge_start);
    free(h->edge_target);
    free(h->edge_offset);
    free(h->root_edge_offset);
    free(h->root_kind);
    free(h->root_label);
    free(h->root_edge_start);
    free(h->root_edge_target);
    free(h->type_name);
    free(h->site_start);
    free(h->site_frames);
    free(h->info);
    if (h->build_) {
        free(h->build_->type_by_string);
        free(h->build_->bucket_first);
        free(h->build_->size_slot);
        free(h->build_->pending);
        free(h->build_->pending_roots);
        free(h->build_);
    }
    memset(h, 0, sizeof *h);
}

uint32_t hs_heap_intern(hs_heap *h, const char *s, size_t len)
{
    return hs_strtab_intern(&h->strings, s, len);
}

uint32_t hs_heap_add_type(hs_heap *h, const char *name)
{
    uint32_t sid = hs_heap_intern(h, name, strlen(name));
    if (sid == HS_STR_NONE || !h->build_) return HS_NONE;
    if (sid >= h->build_->cap_type_by_string) {
        uint32_t old = h->build_->cap_type_by_string;
        if (grow32((void **)&h->build_->type_by_string, &h->build_->cap_type_by_string, (uint64_t)sid + 1,
                   sizeof *h->build_->type_by_string))
            return HS_NONE;
        for (uint32_t i = old; i < h->build_->cap_type_by_string; i++) h->build_->type_by_string[i] = HS_NONE;
    }
    if (h->build_->type_by_string[sid] != HS_NONE) return h->build_->type_by_string[sid];
    if (grow32((void **)&h->type_name, &h->cap_types, (uint64_t)h->n_types + 1,
               sizeof *h->type_name))
        return HS_NONE;
    h->type_name[h->n_types] = sid;
    h->build_->type_by_string[sid] = h->n_types;
    return h->n_types++;
}

uint32_t hs_heap_add_site(hs_heap *h, const uint32_t *frames, uint32_t n)
{
    if (grow32((void **)&h->site_start, &h->cap_sites, (uint64_t)h->n_sites + 2,
               sizeof *h->site_start) ||
        grow32((void **)&h->site_frames, &h->cap_site_frames, (uint64_t)h->n_site_frames + n,
               sizeof *h->site_frames))
        return HS_NONE;
    if (h->n_sites == 0) h->site_start[0] = 0;
    if (n) memcpy(h->site_frames + h->n_site_frames, frames, n * sizeof *frames);
    h->n_site_frames += n;
    h->site_start[h->n_sites + 1] = h->n_site_frames;
    return h->n_sites++;
}

int hs_heap_add_info(hs_heap *h, const char *key, const char *value)
{
    if (grow32((void **)&h->info, &h->cap_info, (uint64_t)h->n_info + 1, sizeof *h->info))
        return -1;
    h->info[h->n_info].key = hs_heap_intern(h, key, strlen(key));
    h->info[h->n_info].value = hs_heap_intern(h, value, strlen(value));
    h->n_info++;
    return 0;
}

int hs_heap_add_infof(hs_heap *h, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return hs_heap_add_info(h, key, buf);
}

int hs_heap_add_object(hs_heap *h, uint64_t addr, uint64_t size, uint32_t type, uint32_t site,
                       uint8_t flags, hs_error *err)
{
    if (PHASE(h) != PHASE_OBJECTS)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: object added after indexing");
    if (h->n_objects == h->cap_objects) {
        uint32_t cap = h->cap_objects;
        uint64_t need = (uint64_t)h->n_objects + 1;
        if (need >= UINT32_MAX - 1)
            return hs_error_set(err, NULL, HS_NO_OFFSET, "too many objects (limit 2^32-2)");
        uint32_t c1 = cap, c2 = cap, c3 = cap, c4 = cap;
        if (grow32((void **)&h->addr_wide_, &c1, need, sizeof *h->addr_wide_) ||
            (h->site && grow32((void **)&h->site, &c3, need, sizeof *h->site)) ||
            (h->flags && grow32((void **)&h->flags, &c4, need, sizeof *h->flags)) ||
            (h->type && grow32(&h->type, &c2, need, h->type_width)) ||
            grow32(&h->size, &cap, need, h->size_width))
            return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding objects");
        h->cap_objects = cap;
    }
    uint32_t i = h->n_objects;
    if ((site != HS_NONE && !h->site && add_column((void **)&h->site, h, sizeof *h->site)) ||
        (flags && !h->flags && add_column((void **)&h->flags, h, sizeof *h->flags)))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding objects");
    if (type != HS_NONE && !h->type && add_sparse_type(h, i, type))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding objects");
    if (size >= HS_HEAP_SIZE_BIG) {
        if (grow32((void **)&h->size_big, &h->cap_size_big, (uint64_t)h->n_size_big + 1,
                   sizeof *h->size_big))
            return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding objects");
        h->size_big[h->n_size_big++] = (hs_heap_big_size){i, size}; /* ids ascend */
    }
    uint32_t code;
    if (size_code(h, size >= HS_HEAP_SIZE_BIG ? HS_HEAP_SIZE_BIG : (uint32_t)size, &code) ||
        (h->type && type_put(h, i, type)))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding objects");
    h->n_objects++;
    h->addr_wide_[i] = addr;
    code_put(h->size, h->size_width, i, code);
    if (h->site) h->site[i] = site;
    if (h->flags) h->flags[i] = flags;
    return 0;
}

/* Index of the first entry whose id is >= i in a table sorted by id, each
 * entry `stride` bytes starting with its uint32_t id (the side tables). */
static uint32_t first_id_at_least(const void *table, size_t stride, uint32_t n, uint32_t i)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, id;
        memcpy(&id, (const char *)table + (size_t)mid * stride, sizeof id);
        if (id < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t hs_heap_sparse_type_(const hs_heap *h, uint32_t i)
{
    uint32_t k = first_id_at_least(h->type_sparse, sizeof *h->type_sparse, h->n_type_sparse, i);
    return k < h->n_type_sparse && h->type_sparse[k].id == i ? h->type_sparse[k].value : HS_NONE;
}

uint64_t hs_heap_big_size_(const hs_heap *h, uint32_t i)
{
    uint32_t k = first_id_at_least(h->size_big, sizeof *h->size_big, h->n_size_big, i);
    return k < h->n_size_big && h->size_big[k].id == i ? h->size_big[k].size : HS_HEAP_SIZE_BIG;
}

int hs_heap_set_site(hs_heap *h, uint32_t obj, uint32_t site, hs_error *err)
{
    if (obj >= h->n_objects)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad object for a site");
    if (!h->site && site != HS_NONE && add_column((void **)&h->site, h, sizeof *h->site))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding sites");
    if (h->site) h->site[obj] = site;
    return 0;
}

int hs_heap_add_flags(hs_heap *h, uint32_t obj, uint8_t flags, hs_error *err)
{
    if (obj >= h->n_objects)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad object for flags");
    if (!h->flags && flags && add_column((void **)&h->flags, h, sizeof *h->flags))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding flags");
    if (h->flags) h->flags[obj] |= flags;
    return 0;
}

/* The (id, type) pairs become the type column (1 byte per object to begin
 * with, widened as the ids need). */
static int sparse_to_column(hs_heap *h)
{
    h->type_width = 1;
    if (add_column(&h->type, h, 1)) return -1;
    memset(h->type, 0xff, h->n_objects);
    for (uint32_t k = 0; k < h->n_type_sparse; k++)
        if (type_put(h, h->type_sparse[k].id, h->type_sparse[k].value)) return -1;
    free(h->type_sparse);
    h->type_sparse = NULL;
    h->n_type_sparse = h->cap_type_sparse = 0;
    return 0;
}

/* Types learnt after indexing (a naming pass over a finished heap): pairs
 * sorted by ascending id, each id once, replacing what the object had. The
 * (id, type) pairs are merged with the sparse ones, or written into the
 * column when there is one or the pairs would outnumber half the objects. */
int hs_heap_set_types(hs_heap *h, const hs_heap_id_value *pairs, uint32_t n, hs_error *err)
{
    for (uint32_t k = 0; k < n; k++)
        if (pairs[k].id >= h->n_objects || (k && pairs[k].id <= pairs[k - 1].id))
            return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad object for a type");
    uint64_t total = (uint64_t)h->n_type_sparse + n;
    if (!h->type && total > 4096 && total > h->n_objects / 2) {
        if (sparse_to_column(h))
            return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding types");
    }
    if (h->type) {
        for (uint32_t k = 0; k < n; k++)
            if (type_put(h, pairs[k].id, pairs[k].value))
                return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding types");
        return 0;
    }
    hs_heap_id_value *m = malloc((total ? total : 1) * sizeof *m);
    if (!m) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding types");
    uint32_t i = 0, j = 0, o = 0;
    while (i < h->n_type_sparse || j < n) {
        if (j == n || (i < h->n_type_sparse && h->type_sparse[i].id < pairs[j].id))
            m[o++] = h->type_sparse[i++];
        else {
            if (i < h->n_type_sparse && h->type_sparse[i].id == pairs[j].id) i++;
            m[o++] = pairs[j++];
        }
    }
    free(h->type_sparse);
    h->type_sparse = m;
    h->n_type_sparse = h->cap_type_sparse = o;
    return 0;
}

int hs_heap_set_types_dense(hs_heap *h, const uint32_t *types, hs_error *err)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        n += types[i] != HS_NONE;
    if (!n) return 0;
    uint64_t total = (uint64_t)h->n_type_sparse + n;
    if (h->type || (total > 4096 && total > h->n_objects / 2)) { /* straight into the column */
        if (!h->type && sparse_to_column(h))
            return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding types");
        for (uint32_t i = 0; i < h->n_objects; i++)
            if (types[i] != HS_NONE && type_put(h, i, types[i]))
                return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding types");
        return 0;
    }
    hs_heap_id_value *pairs = malloc(n * sizeof *pairs);
    if (!pairs) return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding types");
    n = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        if (types[i] != HS_NONE) pairs[n++] = (hs_heap_id_value){i, types[i]};
    int rc = hs_heap_set_types(h, pairs, n, err);
    free(pairs);
    return rc;
}

/* A 4-byte type column to the width its largest id needs: in place front
 * to back (each entry moves down, past none not yet read), then shrunk. */
static void narrow_types(hs_heap *h)
{
    const uint32_t *t = h->type;
    uint32_t max = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        if (t[i] != HS_NONE && t[i] > max) max = t[i];
    unsigned w = width_for(max);
    if (w == 4) return;
    for (uint32_t i = 0; i < h->n_objects; i++)
        code_put(h->type, w, i, t[i] == HS_NONE ? all_ones(w) : t[i]);
    h->type_width = (uint8_t)w;
    void *c = hs_mem_realloc(h->type, h->cap_objects > h->n_objects ? h->cap_objects : h->n_objects, w);
    if (c) h->type = c;
}

int hs_heap_give_types_dense(hs_heap *h, uint32_t *types, hs_error *err)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < h->n_objects; i++)
        n += types[i] != HS_NONE;
    uint64_t total = (uint64_t)h->n_type_sparse + n;
    if (h->type || total <= 4096 || total <= h->n_objects / 2) {
        int rc = hs_heap_set_types_dense(h, types, err);
        free(types);
        return rc;
    }
    /* Many: the array becomes the column, the sparse pairs written where
     * it has no type (the pairs first, so types[] wins, as it replaces). */
    uint32_t *col = realloc(types, (size_t)(h->cap_objects > h->n_objects ? h->cap_objects : h->n_objects) *
                                       sizeof *col);
    if (!col) {
        free(types);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding types");
    }
    for (uint32_t k = 0; k < h->n_type_sparse; k++)
        if (col[h->type_sparse[k].id] == HS_NONE) col[h->type_sparse[k].id] = h->type_sparse[k].value;
    free(h->type_sparse);
    h->type_sparse = NULL;
    h->n_type_sparse = h->cap_type_sparse = 0;
    h->type = col, h->type_width = 4;
    narrow_types(h);
    return 0;
}

/* Object i (the newest) has a type: one more (id, type) pair while they are
 * few, ids ascending; past 4096 pairs and half the objects the pairs cost
 * more than a column, so they become the type column. */
static int add_sparse_type(hs_heap *h, uint32_t i, uint32_t type)
{
    if (grow32((void **)&h->type_sparse, &h->cap_type_sparse, (uint64_t)h->n_type_sparse + 1,
               sizeof *h->type_sparse))
        return -1;
    h->type_sparse[h->n_type_sparse++] = (hs_heap_id_value){i, type};
    if (h->n_type_sparse <= 4096 || h->n_type_sparse <= (i + 1) / 2) return 0;
    return sparse_to_column(h);
}

static int cmp_id_value(const void *a, const void *b)
{
    const hs_heap_id_value *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* An optional column (site, flags) on first use: cap_objects entries, the
 * n_objects so far at their default (HS_NONE = all bits set, or 0). */
static int add_column(void **col, const hs_heap *h, size_t elem)
{
    size_t cap = h->cap_objects ? h->cap_objects : 1;
    *col = hs_mem_alloc(cap, elem);
    if (!*col) return -1;
    memset(*col, elem == 1 ? 0 : 0xff, (size_t)h->n_objects * elem);
    return 0;
}

typedef struct addr_index {
    uint64_t addr;
    uint32_t idx;
} addr_index;

static int cmp_addr(const void *a, const void *b)
{
    const addr_index *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Entries of a column (width bytes each) in the order of ix, through tmp
 * (room for n * width bytes). */
static void permute(void *col, unsigned width, const addr_index *ix, uint32_t n, void *tmp)
{
    for (uint32_t i = 0; i < n; i++)
        code_put(tmp, width, i, hs_heap_code_(col, width, ix[i].idx));
    memcpy(col, tmp, (size_t)n * width);
}

/* Reorder the parallel arrays by ascending address (only when needed). */
static int sort_objects(hs_heap *h, hs_error *err)
{
    uint32_t n = h->n_objects, sorted = 1;
    const uint64_t *addr = h->addr_wide_;
    for (uint32_t i = 1; i < n && sorted; i++) sorted = addr[i - 1] <= addr[i];
    if (sorted) return 0;
    addr_index *ix = hs_mem_alloc(n, sizeof *ix);
    uint32_t *tmp32 = hs_mem_alloc(n, sizeof *tmp32);
    hs_heap_big_size *big = malloc((h->n_size_big ? h->n_size_big : 1) * sizeof *big);
    if (!ix || !tmp32 || !big) {
        free(ix), free(tmp32), free(big);
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory sorting objects");
    }
    for (uint32_t i = 0; i < n; i++) ix[i] = (addr_index){addr[i], i};
    qsort(ix, n, sizeof *ix, cmp_addr);
    uint32_t nb = 0; /* the side table under the new ids, still ascending */
    for (uint32_t i = 0; i < n && nb < h->n_size_big; i++)
        if (hs_heap_size(h, ix[i].idx) >= HS_HEAP_SIZE_BIG)
            big[nb++] = (hs_heap_big_size){i, hs_heap_big_size_(h, ix[i].idx)};
    free(h->size_big);
    h->size_big = big, h->cap_size_big = h->n_size_big ? h->n_size_big : 1;
    permute(h->size, h->size_width, ix, n, tmp32);
    for (uint32_t i = 0; i < n; i++)
        h->addr_wide_[i] = ix[i].addr;
    if (h->type) {
        permute(h->type, h->type_width, ix, n, tmp32);
    } else if (h->n_type_sparse) { /* renumber the pairs: tmp32 = old id -> new id */
        for (uint32_t i = 0; i < n; i++)
            tmp32[ix[i].idx] = i;
        for (uint32_t k = 0; k < h->n_type_sparse; k++)
            h->type_sparse[k].id = tmp32[h->type_sparse[k].id];
        qsort(h->type_sparse, h->n_type_sparse, sizeof *h->type_sparse, cmp_id_value);
    }
    if (h->site) permute(h->site, sizeof *h->site, ix, n, tmp32);
    if (h->flags) permute(h->flags, sizeof *h->flags, ix, n, tmp32);
    free(ix), free(tmp32);
    return 0;
}

/* Equal-width buckets over the address span, about one per 8 objects, so
 * that hs_heap_find() binary-searches a handful of objects instead of all
 * (3 more steps than one bucket per object, for an eighth of the memory). For
 * sparse spans (a core's heap and its mmapped chunks far apart) most buckets
 * are empty and the search just covers the clustered ones. */
static int build_buckets(hs_heap *h)
{
    uint32_t n = h->n_objects;
    if (n < 64) return 0;
    const uint64_t *addr = h->addr_wide_;
    uint64_t span = addr[n - 1] - addr[0] + 1;
    unsigned shift = 0;
    uint64_t want = n / 8;
    while ((span >> shift) > want) shift++;
    uint64_t nb = (span >> shift) + 1;
    uint32_t *first = hs_mem_alloc((size_t)nb + 1, sizeof *first);
    if (!first) return -1;
    uint32_t i = 0;
    for (uint64_t b = 0; b <= nb; b++) {
        uint64_t base = b << shift;
        while (i < n && addr[i] - addr[0] < base) i++;
        first[b] = i;
    }
    h->build_->bucket_first = first;
    h->build_->n_buckets = (uint32_t)nb;
    h->build_->bucket_shift = shift;
    return 0;
}

/* Sorted addresses as low halves (addr_lo) plus runs of ids sharing the
 * high half (addr_seg); the full addresses are freed. */
static int narrow_addresses(hs_heap *h)
{
    uint32_t n = h->n_objects, ns = 0;
    const uint64_t *addr = h->addr_wide_;
    for (uint32_t i = 0; i < n; i++)
        ns += i == 0 || addr[i] >> 32 != addr[i - 1] >> 32;
    uint32_t *lo = hs_mem_alloc(n, sizeof *lo);
    hs_heap_addr_seg *seg = malloc((size_t)(ns ? ns : 1) * sizeof *seg);
    if (!lo || !seg) {
        free(lo), free(seg);
        return -1;
    }
    ns = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 || addr[i] >> 32 != addr[i - 1] >> 32)
            seg[ns++] = (hs_heap_addr_seg){i, (uint32_t)(addr[i] >> 32)};
        lo[i] = (uint32_t)addr[i];
    }
    free(h->addr_wide_);
    h->addr_wide_ = NULL;
    h->addr_lo = lo, h->addr_seg = seg, h->n_addr_seg = ns;
    return 0;
}

uint32_t hs_heap_addr_hi_(const hs_heap *h, uint32_t i)
{
    uint32_t lo = 0, hi = h->n_addr_seg; /* last segment whose first id is <= i */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (h->addr_seg[mid].first <= i) lo = mid;
        else hi = mid;
    }
    return h->addr_seg[lo].hi;
}

int hs_heap_index(hs_heap *h, hs_error *err)
{
    if (PHASE(h) != PHASE_OBJECTS)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: heap indexed twice");
    if (sort_objects(h, err)) return -1;
    const uint64_t *addr = h->addr_wide_;
    for (uint32_t i = 1; i < h->n_objects; i++) {
        uint64_t end = addr[i - 1] + hs_heap_size(h, i - 1);
        if (addr[i] == addr[i - 1])
            return hs_error_set(err, NULL, HS_NO_OFFSET, "duplicate object at 0x%llx",
                                (unsigned long long)addr[i]);
        if (end > addr[i] || end < addr[i - 1])
            return hs_error_set(
                err, NULL, HS_NO_OFFSET, "objects overlap: 0x%llx (%llu bytes) and 0x%llx",
                (unsigned long long)addr[i - 1], (unsigned long long)hs_heap_size(h, i - 1),
                (unsigned long long)addr[i]);
    }
    free(h->build_->size_slot); /* no object is added any more */
    h->build_->size_slot = NULL, h->build_->cap_size_slot = 0;
    if (build_buckets(h) || narrow_addresses(h))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory indexing objects");
    h->build_->phase = PHASE_REFS;
    return 0;
}

uint32_t hs_heap_find(const hs_heap *h, uint64_t p)
{
    uint32_t n = h->n_objects;
    if (n == 0 || !h->addr_lo) return HS_NONE; /* not indexed yet */
    uint64_t a0 = (uint64_t)h->addr_seg[0].hi << 32 | h->addr_lo[0];
    if (p < a0) return HS_NONE;
    uint32_t lo = 0, hi = n; /* the last object with addr <= p is in [lo - 1, hi - 1] */
    uint64_t rel = p - a0;
    if (h->build_->bucket_first && (rel >> h->build_->bucket_shift) < h->build_->n_buckets) {
        uint64_t b = rel >> h->build_->bucket_shift;
        lo = h->build_->bucket_first[b] ? h->build_->bucket_first[b] - 1 : 0;
        hi = h->build_->bucket_first[b + 1] < n ? h->build_->bucket_first[b + 1] + 1 : n;
    }
    /* The last segment whose high half is <= p's (segment 0 holds a0 <= p). */
    uint32_t phi = (uint32_t)(p >> 32), s = 0, t = h->n_addr_seg;
    while (t - s > 1) {
        uint32_t mid = s + (t - s) / 2;
        if (h->addr_seg[mid].hi <= phi) s = mid;
        else t = mid;
    }
    uint32_t sb = h->addr_seg[s].first, se = s + 1 < h->n_addr_seg ? h->addr_seg[s + 1].first : n;
    uint32_t r = se; /* first object with addr > p */
    if (h->addr_seg[s].hi == phi) { /* search the low halves of segment s */
        uint32_t plo = (uint32_t)p, a = lo > sb ? lo : sb, z = hi < se ? hi : se;
        if (z < a) z = a;
        while (a < z) {
            uint32_t mid = a + (z - a) / 2;
            if (h->addr_lo[mid] <= plo) a = mid + 1;
            else z = mid;
        }
        r = a;
    }
    if (r == 0) return HS_NONE;
    uint32_t i = r - 1;
    uint64_t ai = i >= sb ? (uint64_t)h->addr_seg[s].hi << 32 | h->addr_lo[i] : hs_heap_addr(h, i);
    if (p == ai || p - ai < hs_heap_size(h, i)) return i;
    return HS_NONE;
}

static int push_pending(hs_heap_pending_ref **arr, uint64_t *n, uint64_t *cap, uint32_t from,
                        uint32_t to, uint64_t offset, hs_error *err)
{
    if (*n >= UINT32_MAX - 1)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "too many references (limit 2^32-2)");
    if (grow((void **)arr, cap, *n + 1, sizeof **arr))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding references");
    (*arr)[(*n)++] =
        (hs_heap_pending_ref){from, to, offset >= HS_NONE ? HS_NONE : (uint32_t)offset};
    return 0;
}

int hs_heap_add_ref(hs_heap *h, uint32_t from, uint64_t pointer, hs_error *err)
{
    return hs_heap_add_ref_at(h, from, HS_NONE, pointer, err);
}

int hs_heap_add_ref_at(hs_heap *h, uint32_t from, uint64_t offset, uint64_t pointer,
                       hs_error *err)
{
    if (PHASE(h) != PHASE_REFS || from >= h->n_objects || h->build_->streaming)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad reference source");
    uint32_t to = hs_heap_find(h, pointer);
    if (to == HS_NONE) return 0;
    return push_pending(&h->build_->pending, &h->build_->n_pending, &h->build_->cap_pending, from, to, offset, err);
}

int hs_heap_add_ref_id(hs_heap *h, uint32_t from, uint64_t offset, uint32_t to, hs_error *err)
{
    if (PHASE(h) != PHASE_REFS || from >= h->n_objects || to >= h->n_objects || h->build_->streaming)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad reference");
    return push_pending(&h->build_->pending, &h->build_->n_pending, &h->build_->cap_pending, from, to, offset, err);
}

int hs_heap_add_root_ref_id(hs_heap *h, uint32_t root, uint64_t offset, uint32_t to,
                            hs_error *err)
{
    if (PHASE(h) != PHASE_REFS || root >= h->n_roots || to >= h->n_objects)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad root reference");
    return push_pending(&h->build_->pending_roots, &h->build_->n_pending_roots, &h->build_->cap_pending_roots, root,
                        to, offset, err);
}

/* Set the row starts of objects next_row_ .. upto-1 to the current edge count. */
static void close_rows(hs_heap *h, uint32_t upto)
{
    for (uint32_t i = h->build_->next_row; i < upto; i++)
        h->edge_start[i] = h->n_edges;
    if (upto > h->build_->next_row) h->build_->next_row = upto;
}

int hs_heap_begin_refs_of(hs_heap *h, uint32_t from, hs_error *err)
{
    if (PHASE(h) != PHASE_REFS || from >= h->n_objects || h->build_->n_pending ||
        (h->build_->streaming && from < h->build_->next_row))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: references out of order");
    if (!h->build_->streaming) {
        h->edge_start = hs_mem_alloc((size_t)h->n_objects + 1, sizeof *h->edge_start);
        if (!h->edge_start)
            return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding references");
        h->build_->streaming = 1;
    }
    close_rows(h, from + 1); /* from's row starts here */
    return 0;
}

int hs_heap_add_ref_next(hs_heap *h, uint64_t offset, uint32_t to, hs_error *err)
{
    if (!h->build_->streaming || PHASE(h) != PHASE_REFS || to >= h->n_objects)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad reference");
    if (h->n_edges >= UINT32_MAX - 1)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "too many references (limit 2^32-2)");
    if ((uint64_t)h->n_edges == h->build_->cap_edges) {
        uint64_t c1 = h->build_->cap_edges, c2 = h->build_->cap_edges;
        if (grow((void **)&h->edge_target, &c1, (uint64_t)h->n_edges + 1, sizeof *h->edge_target) ||
            (!h->drop_ref_offsets &&
             grow((void **)&h->edge_offset, &c2, (uint64_t)h->n_edges + 1, sizeof *h->edge_offset)))
            return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory adding references");
        h->build_->cap_edges = h->drop_ref_offsets || c1 < c2 ? c1 : c2;
    }
    h->edge_target[h->n_edges] = to;
    if (h->edge_offset) h->edge_offset[h->n_edges] = offset >= HS_NONE ? HS_NONE : (uint32_t)offset;
    h->n_edges++;
    return 0;
}

/* Finish streamed rows: close the rest and give back the unused capacity. */
static int finish_stream(hs_heap *h)
{
    close_rows(h, h->n_objects + 1);
    size_t m = h->n_edges ? h->n_edges : 1;
    uint32_t *t = realloc(h->edge_target, m * sizeof *t);
    if (t) h->edge_target = t;
    if (h->drop_ref_offsets) return h->edge_target ? 0 : -1;
    uint32_t *o = realloc(h->edge_offset, m * sizeof *o);
    if (o) h->edge_offset = o;
    return h->edge_target && h->edge_offset ? 0 : -1;
}

uint32_t hs_heap_add_root(hs_heap *h, hs_root_kind kind, uint32_t label)
{
    if (h->n_roots == h->cap_roots) {
        uint32_t cap = h->cap_roots;
        uint64_t need = (uint64_t)h->n_roots + 1;
        if (grow32((void **)&h->root_kind, &cap, need, sizeof *h->root_kind)) return HS_NONE;
        cap = h->cap_roots;
        if (grow32((void **)&h->root_label, &cap, need, sizeof *h->root_label)) return HS_NONE;
        h->cap_roots = cap;
    }
    h->root_kind[h->n_roots] = (uint8_t)kind;
    h->root_label[h->n_roots] = label;
    return h->n_roots++;
}

int hs_heap_add_root_ref(hs_heap *h, uint32_t root, uint64_t pointer, hs_error *err)
{
    return hs_heap_add_root_ref_at(h, root, HS_NONE, pointer, err);
}

int hs_heap_add_root_ref_at(hs_heap *h, uint32_t root, uint64_t offset, uint64_t pointer,
                            hs_error *err)
{
    if (PHASE(h) != PHASE_REFS || root >= h->n_roots)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: bad root");
    uint32_t to = hs_heap_find(h, pointer);
    if (to == HS_NONE) return 0;
    return push_pending(&h->build_->pending_roots, &h->build_->n_pending_roots, &h->build_->cap_pending_roots, root,
                        to, offset, err);
}

/* Counting sort of (from, to, offset) triples into start[n+1] / target[m] / offset[m]
 * (offsets only when offset is not NULL). */
static int build_rows(const hs_heap_pending_ref *pairs, uint64_t m, uint32_t n, uint32_t **start,
                      uint32_t **target, uint32_t **offset)
{
    uint32_t *s = hs_mem_zalloc((size_t)n + 1, sizeof *s);
    uint32_t *t = hs_mem_alloc((size_t)m, sizeof *t);
    uint32_t *o = offset ? hs_mem_alloc((size_t)m, sizeof *o) : NULL;
    if (!s || !t || (offset && !o)) {
        free(s), free(t), free(o);
        return -1;
    }
    for (uint64_t i = 0; i < m; i++) s[pairs[i].from + 1]++;
    for (uint32_t i = 0; i < n; i++) s[i + 1] += s[i];
    /* Fill using s[from] as a cursor, then shift back. */
    for (uint64_t i = 0; i < m; i++) {
        uint32_t k = s[pairs[i].from]++;
        t[k] = pairs[i].to;
        if (o) o[k] = pairs[i].offset;
    }
    for (uint32_t i = n; i > 0; i--) s[i] = s[i - 1];
    s[0] = 0;
    *start = s;
    *target = t;
    if (offset) *offset = o;
    return 0;
}

int hs_heap_finish(hs_heap *h, hs_error *err)
{
    if (PHASE(h) == PHASE_OBJECTS && hs_heap_index(h, err)) return -1;
    if (PHASE(h) != PHASE_REFS)
        return hs_error_set(err, NULL, HS_NO_OFFSET, "internal: heap finished twice");
    if ((h->build_->streaming
             ? finish_stream(h)
             : build_rows(h->build_->pending, h->build_->n_pending, h->n_objects, &h->edge_start, &h->edge_target,
                          h->drop_ref_offsets ? NULL : &h->edge_offset)) ||
        build_rows(h->build_->pending_roots, h->build_->n_pending_roots, h->n_roots, &h->root_edge_start,
                   &h->root_edge_target, h->drop_ref_offsets ? NULL : &h->root_edge_offset))
        return hs_error_set(err, NULL, HS_NO_OFFSET, "out of memory building references");
    if (!h->build_->streaming) h->n_edges = (uint32_t)h->build_->n_pending;
    h->n_root_edges = (uint32_t)h->build_->n_pending_roots;
    free(h->build_->pending);
    free(h->build_->pending_roots);
    h->build_->pending = h->build_->pending_roots = NULL;
    h->build_->n_pending = h->build_->n_pending_roots = h->build_->cap_pending = h->build_->cap_pending_roots = 0;
    h->build_->phase = PHASE_DONE;
    return 0;
}

static uint32_t row_offset(const uint32_t *start, const uint32_t *target, const uint32_t *offset,
                           uint32_t n, uint32_t from, uint32_t to)
{
    if (!start || !offset || from >= n) return HS_NONE;
    for (uint32_t e = start[from]; e < start[from + 1]; e++)
        if (target[e] == to) return offset[e];
    return HS_NONE;
}

uint32_t hs_heap_ref_offset(const hs_heap *h, uint32_t from, uint32_t to)
{
    return row_offset(h->edge_start, h->edge_target, h->edge_offset, h->n_objects, from, to);
}

uint32_t hs_heap_root_ref_offset(const hs_heap *h, uint32_t root, uint32_t to)
{
    return row_offset(h->root_edge_start, h->root_edge_target, h->root_edge_offset, h->n_roots,
                      root, to);
}

void hs_heap_drop_refs(hs_heap *h)
{
    free(h->edge_start), free(h->edge_target), free(h->edge_offset);
    h->edge_start = h->edge_target = h->edge_offset = NULL;
    h->n_edges = 0;
    h->build_->cap_edges = 0;
}
