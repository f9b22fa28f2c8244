/* heapscan heap model: an object graph (objects, references, roots).
 * Objects are numbered 0..n-1 in ascending address order and never overlap.
 * References are compressed sparse rows: the targets of object i are
 * edge_target[edge_start[i] .. edge_start[i+1]), 32-bit object ids.
 * Roots (a global, a stack frame, a register set, a finalizer, ...) each
 * point at objects the same way through root_edge_start/root_edge_target.
 *
 * Building happens in three phases, in this order:
 *   1. hs_heap_add_object() for every object (any order);
 *   2. hs_heap_index(): sort by address, reject overlaps; ids are final now,
 *      and hs_heap_find() maps any address inside an object to its id;
 *   3. hs_heap_add_ref() / hs_heap_add_root() / hs_heap_add_root_ref() with
 *      raw pointer values (interior pointers resolve to the containing
 *      object, others are dropped), then hs_heap_finish() builds the rows.
 * After finish the model is read-only.
 *
 * Columns are as narrow as the common case allows (a core of small chunks
 * needs every byte per object): an address is its low 32 bits, the high
 * ones shared by a run of consecutive ids (addr_seg, a handful of runs: one
 * per 4 GiB-aligned region the heap uses); size is a u32, and the rare object of 4 GiB
 * or more keeps HS_HEAP_SIZE_BIG there and its exact size in size_big, (id,
 * size) pairs sorted by id; site and flags are NULL until some object gets a
 * non-default value (cores set none); types are (id, type) pairs in
 * type_sparse while fewer than half the objects have one (a C core types
 * only a few libc structures), else the type column; reference offsets are not stored at all
 * when drop_ref_offsets was set before phase 3 (only `paths` shows them).
 * Read them through hs_heap_addr(), hs_heap_size(), hs_heap_type(), hs_heap_site(),
 * hs_heap_flags(). */
#ifndef HEAPSCAN_HEAP_H
#define HEAPSCAN_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "heapscan/error.h"
#include "heapscan/strtab.h"

#ifndef HS_NONE
#define HS_NONE UINT32_MAX
#endif

typedef enum hs_root_kind {
    HS_ROOT_GLOBAL = 0,
    HS_ROOT_STACK,
    HS_ROOT_REGISTER,
    HS_ROOT_FINALIZER,
    HS_ROOT_OTHER,
} hs_root_kind;

/* Object flags. */
#define HS_OBJ_SAMPLED 0x01u /* site is a real allocation stack */

typedef struct hs_heap_info_line {
    uint32_t key, value; /* string ids: "HeapAlloc" -> "123456" etc., shown by `info` */
} hs_heap_info_line;

/* Allocator bookkeeping a reader may know (glibc chunks, Go spans); shown by
 * `info`. Sizes count whole chunks/slots. valid = 0 when unknown. */
typedef struct hs_heap_alloc_stats {
    int valid;
    uint64_t used_count, used_bytes;
    uint64_t free_count, free_bytes;
    uint64_t mmapped_count, mmapped_bytes;
    uint64_t top_bytes;
    uint64_t tcache_count, fastbin_count, bin_count;
    uint32_t arenas;
} hs_heap_alloc_stats;

/* size[i] == HS_HEAP_SIZE_BIG: the size is in size_big (sizes >= 2^32 - 1). */
#define HS_HEAP_SIZE_BIG UINT32_MAX

typedef struct hs_heap_big_size {
    uint32_t id;
    uint64_t size;
} hs_heap_big_size;

/* Objects first .. (next segment's first) - 1 have addresses hi << 32 | addr_lo[i]. */
typedef struct hs_heap_addr_seg {
    uint32_t first, hi;
} hs_heap_addr_seg;

typedef struct hs_heap_id_value {
    uint32_t id, value;
} hs_heap_id_value;

typedef struct hs_heap_pending_ref {
    uint32_t from, to, offset;
} hs_heap_pending_ref;

typedef struct hs_heap {
    char format[32]; /* "go-heapdump", "elf-core" */
    hs_strtab strings;

    uint32_t n_objects, cap_objects;
    /* Address of object i: hs_heap_addr(h, i). After indexing it is
     * addr_seg[the segment of i].hi << 32 | addr_lo[i]. */
    uint32_t *addr_lo;
    hs_heap_addr_seg *addr_seg; /* ascending by first and by hi */
    uint32_t n_addr_seg;
    uint32_t *size;             /* shallow size, or HS_HEAP_SIZE_BIG; read with hs_heap_size() */
    hs_heap_big_size *size_big; /* sizes >= 2^32 - 1, sorted by id */
    uint32_t n_size_big, cap_size_big;
    uint32_t *type; /* index into type_name, or HS_NONE; NULL: see type_sparse (hs_heap_type) */
    hs_heap_id_value *type_sparse; /* while type is NULL: (id, type) of the typed objects,
                                    * sorted by id; the others have none */
    uint32_t n_type_sparse, cap_type_sparse;
    uint32_t *site; /* index into sites, or HS_NONE; NULL = all HS_NONE (hs_heap_site) */
    uint8_t *flags; /* HS_OBJ_*; NULL = all 0 (hs_heap_flags) */

    uint32_t *edge_start; /* n_objects + 1 */
    uint32_t *edge_target;
    uint32_t *edge_offset; /* byte offset of the pointer in the source object, or HS_NONE;
                            * NULL when drop_ref_offsets */
    uint32_t n_edges;

    uint32_t n_roots, cap_roots;
    uint8_t *root_kind;   /* hs_root_kind */
    uint32_t *root_label; /* string id */
    uint32_t *root_edge_start; /* n_roots + 1 */
    uint32_t *root_edge_target;
    uint32_t *root_edge_offset; /* offset of the pointer in the root's region, or HS_NONE;
                                 * NULL when drop_ref_offsets */
    uint32_t n_root_edges;
    /* Set before phase 3 (hs_load does, from hs_load_options): keep no
     * reference offsets (4 bytes per reference less); hs_heap_ref_offset()
     * and hs_heap_root_ref_offset() return HS_NONE then. */
    int drop_ref_offsets;

    uint32_t n_types, cap_types;
    uint32_t *type_name; /* string id */

    /* Allocation sites: frames of site s are site_frames[site_start[s] .. site_start[s+1]),
     * innermost first, each a string id ("func" or "func file:line"). */
    uint32_t n_sites, cap_sites;
    uint32_t *site_start;
    uint32_t *site_frames;
    uint32_t n_site_frames, cap_site_frames;

    hs_heap_info_line *info;
    uint32_t n_info, cap_info;
    hs_heap_alloc_stats alloc;

    /* private: build state */
    uint64_t *addr_wide_; /* full addresses until hs_heap_index() */
    int phase_;
    uint32_t *type_by_string_; /* string id -> type id, for hs_heap_add_type */
    uint32_t cap_type_by_string_;
    /* address -> first object index, by equal-width buckets over [addr[0], addr[n-1]] */
    uint32_t *bucket_first_; /* n_buckets_ + 1 entries */
    uint32_t n_buckets_;
    unsigned bucket_shift_;
    hs_heap_pending_ref *pending_;
    uint64_t n_pending_, cap_pending_;
    hs_heap_pending_ref *pending_roots_;
    uint64_t n_pending_roots_, cap_pending_roots_;
    int streaming_;       /* rows written by hs_heap_begin_refs_of / add_ref_next */
    uint32_t next_row_;   /* edge_start[i] is set for every i < next_row_ */
    uint64_t cap_edges_;  /* capacity of edge_target / edge_offset while streaming */
} hs_heap;

void hs_heap_init(hs_heap *h, const char *format);
void hs_heap_free(hs_heap *h);
uint32_t hs_heap_intern(hs_heap *h, const char *s, size_t len);
static inline const char *hs_heap_str(const hs_heap *h, uint32_t id)
{
    return hs_strtab_get(&h->strings, id);
}

uint32_t hs_heap_add_type(hs_heap *h, const char *name); /* interned: same name, same id */
uint32_t hs_heap_add_site(hs_heap *h, const uint32_t *frames, uint32_t n);
int hs_heap_add_info(hs_heap *h, const char *key, const char *value);

/* Exact shallow size of object i (the side table for the few >= 2^32 - 1). */
uint64_t hs_heap_big_size_(const hs_heap *h, uint32_t i);
static inline uint64_t hs_heap_size(const hs_heap *h, uint32_t i)
{
    uint32_t s = h->size[i];
    return s != HS_HEAP_SIZE_BIG ? s : hs_heap_big_size_(h, i);
}
uint32_t hs_heap_addr_hi_(const hs_heap *h, uint32_t i);
static inline uint64_t hs_heap_addr(const hs_heap *h, uint32_t i)
{
    if (h->addr_wide_) return h->addr_wide_[i]; /* before indexing */
    uint32_t hi = h->n_addr_seg == 1 || i < h->addr_seg[1].first ? h->addr_seg[0].hi
                                                                  : hs_heap_addr_hi_(h, i);
    return (uint64_t)hi << 32 | h->addr_lo[i];
}
uint32_t hs_heap_sparse_type_(const hs_heap *h, uint32_t i);
static inline uint32_t hs_heap_type(const hs_heap *h, uint32_t i)
{
    return h->type ? h->type[i] : h->n_type_sparse ? hs_heap_sparse_type_(h, i) : HS_NONE;
}
static inline uint32_t hs_heap_site(const hs_heap *h, uint32_t i)
{
    return h->site ? h->site[i] : HS_NONE;
}
static inline uint8_t hs_heap_flags(const hs_heap *h, uint32_t i)
{
    return h->flags ? h->flags[i] : 0;
}

/* Phase 1. Returns 0, or -1 with err. */
int hs_heap_add_object(hs_heap *h, uint64_t addr, uint64_t size, uint32_t type, uint32_t site,
                       uint8_t flags, hs_error *err);
/* Phase 2. Sorts; duplicate or overlapping objects are an error naming both addresses. */
int hs_heap_index(hs_heap *h, hs_error *err);
/* Id of the object whose [addr, addr+size) contains p, or HS_NONE. Valid after index. */
uint32_t hs_heap_find(const hs_heap *h, uint64_t p);
/* Phase 3. */
int hs_heap_add_ref(hs_heap *h, uint32_t from, uint64_t pointer, hs_error *err);
uint32_t hs_heap_add_root(hs_heap *h, hs_root_kind kind, uint32_t label);
int hs_heap_add_root_ref(hs_heap *h, uint32_t root, uint64_t pointer, hs_error *err);
/* The same, remembering where the pointer sits: offset is the byte offset of
 * the pointer word inside the source object (or the root's region: frame,
 * segment, register file), shown by `paths`. */
int hs_heap_add_ref_at(hs_heap *h, uint32_t from, uint64_t offset, uint64_t pointer,
                       hs_error *err);
int hs_heap_add_root_ref_at(hs_heap *h, uint32_t root, uint64_t offset, uint64_t pointer,
                            hs_error *err);
/* When the reader has already resolved the target object id itself. */
int hs_heap_add_ref_id(hs_heap *h, uint32_t from, uint64_t offset, uint32_t to, hs_error *err);
int hs_heap_add_root_ref_id(hs_heap *h, uint32_t root, uint64_t offset, uint32_t to,
                            hs_error *err);
/* Streaming references, for a reader whose references arrive grouped by
 * source object in ascending id order (a core scan): they go straight into
 * the rows, with no pending (from, to, offset) triples (12 bytes per
 * reference less at the peak, and no sort). hs_heap_begin_refs_of() opens
 * object from's row (from greater than any row opened before);
 * hs_heap_add_ref_next() appends to the open row. A heap uses either this
 * or hs_heap_add_ref*, not both (error). Roots are unaffected. */
int hs_heap_begin_refs_of(hs_heap *h, uint32_t from, hs_error *err);
int hs_heap_add_ref_next(hs_heap *h, uint64_t offset, uint32_t to, hs_error *err);
int hs_heap_finish(hs_heap *h, hs_error *err);
/* Set object obj's site, or add flags to it, after indexing (a reader that
 * learns sites late, e.g. from Go's alloc samples). Allocates the column on
 * first use; -1 with err when out of memory. */
int hs_heap_set_site(hs_heap *h, uint32_t obj, uint32_t site, hs_error *err);
int hs_heap_add_flags(hs_heap *h, uint32_t obj, uint8_t flags, hs_error *err);

/* Offset of the first reference from object (or root) to object to, or
 * HS_NONE when there is none or its offset is unknown. Valid after finish. */
uint32_t hs_heap_ref_offset(const hs_heap *h, uint32_t from, uint32_t to);
uint32_t hs_heap_root_ref_offset(const hs_heap *h, uint32_t root, uint32_t to);

/* Free the objects' reference rows (edge_start, edge_target, edge_offset;
 * 8 to 12 bytes per reference and 4 per object) of a finished heap whose
 * caller is done with them, e.g. once the dominator tree is built; roots
 * keep theirs. Afterwards edge_start is NULL and n_edges 0: nothing that
 * walks object references (hs_reach_*, hs_path_*, hs_dom_*) may run on h. */
void hs_heap_drop_refs(hs_heap *h);

#endif
