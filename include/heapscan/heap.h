/* heapscan heap model: an object graph (objects, references, roots).
 * Objects are numbered 0..n-1 in ascending address order and never overlap.
 * References are compressed sparse rows: the targets of object i are
 * edge_target[edge_start[i] .. edge_start[i+1]), 32-bit object ids.
 * Roots (a global, a stack frame, a register set, a finalizer, ...) each
 * point at objects the same way through root_edge_start/root_edge_target.
 *
 * Readers build it (src/model/heap_build.h, private to the library); what an
 * embedder gets from hs_load is finished and read-only.
 *
 * Columns are as narrow as the common case allows (a core of small chunks
 * needs every byte per object): an address is its low 32 bits, the high
 * ones shared by a run of consecutive ids (addr_seg, a handful of runs: one
 * per 4 GiB-aligned region the heap uses); size is a code of 1 or 2 bytes
 * into the heap's distinct sizes (size_value: a Go core has a few dozen, a
 * glibc core a few thousand), or past 65535 of them the u32 size itself, and
 * the rare object of 4 GiB or more keeps HS_HEAP_SIZE_BIG there and its exact
 * size in size_big, (id, size) pairs sorted by id; site and flags are NULL
 * until some object gets a non-default value (cores set none); types are
 * (id, type) pairs in type_sparse while fewer than half the objects have one
 * (a C core types only a few libc structures), else the type column, 1, 2 or
 * 4 bytes per object as the largest type id needs; reference offsets are not stored at all
 * when drop_ref_offsets was set before phase 3 (only `paths` shows them).
 * Read them through hs_heap_addr(), hs_heap_size(), hs_heap_type(), hs_heap_site(),
 * hs_heap_flags(). */
#ifndef HEAPSCAN_HEAP_H
#define HEAPSCAN_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "heapscan/error.h"
#include "heapscan/goroutines.h"
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

typedef struct hs_heap {
    char format[32]; /* "go-heapdump", "elf-core" */
    hs_strtab strings;

    uint32_t n_objects, cap_objects;
    /* Address of object i: hs_heap_addr(h, i). After indexing it is
     * addr_seg[the segment of i].hi << 32 | addr_lo[i]. */
    uint32_t *addr_lo;
    hs_heap_addr_seg *addr_seg; /* ascending by first and by hi */
    uint32_t n_addr_seg;
    /* Shallow sizes, read with hs_heap_size(): size_width (1, 2 or 4)
     * bytes per object; with 1 or 2 an index into size_value, with 4 the
     * size itself; a size is HS_HEAP_SIZE_BIG when it is in size_big. */
    void *size;
    uint32_t *size_value; /* the distinct sizes, while size_width < 4 */
    uint32_t n_size_values;
    uint8_t size_width;
    uint8_t type_width;         /* bytes per entry of the type column: 1, 2 or 4 */
    hs_heap_big_size *size_big; /* sizes >= 2^32 - 1, sorted by id */
    uint32_t n_size_big, cap_size_big;
    void *type; /* index into type_name, all bits set for none; NULL: see type_sparse (hs_heap_type) */
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
    /* The goroutines of a Go core, their stacks' roots among these roots;
     * NULL for every other heap. Owned by the heap. */
    hs_goroutines *goroutines;

    /* private: full addresses until indexing (hs_heap_addr reads them), and
     * the builders' state (src/model/heap_build.h), opaque to embedders */
    uint64_t *addr_wide_;
    struct hs_heap_build *build_;
} hs_heap;

void hs_heap_free(hs_heap *h);
static inline const char *hs_heap_str(const hs_heap *h, uint32_t id)
{
    return hs_strtab_get(&h->strings, id);
}

/* Entry i of a column of width (1, 2 or 4) bytes per entry. */
static inline uint32_t hs_heap_code_(const void *col, unsigned width, uint32_t i)
{
    return width == 1 ? ((const uint8_t *)col)[i]
         : width == 2 ? ((const uint16_t *)col)[i]
                      : ((const uint32_t *)col)[i];
}

/* Exact shallow size of object i (the side table for the few >= 2^32 - 1). */
uint64_t hs_heap_big_size_(const hs_heap *h, uint32_t i);
static inline uint64_t hs_heap_size(const hs_heap *h, uint32_t i)
{
    uint32_t c = hs_heap_code_(h->size, h->size_width, i);
    uint32_t s = h->size_width < 4 ? h->size_value[c] : c;
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
    if (!h->type) return h->n_type_sparse ? hs_heap_sparse_type_(h, i) : HS_NONE;
    uint32_t t = hs_heap_code_(h->type, h->type_width, i);
    return t != UINT32_MAX >> (32 - 8 * h->type_width) ? t : HS_NONE;
}
static inline uint32_t hs_heap_site(const hs_heap *h, uint32_t i)
{
    return h->site ? h->site[i] : HS_NONE;
}
static inline uint8_t hs_heap_flags(const hs_heap *h, uint32_t i)
{
    return h->flags ? h->flags[i] : 0;
}

/* Id of the object whose [addr, addr+size) contains p, or HS_NONE. */
uint32_t hs_heap_find(const hs_heap *h, uint64_t p);

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
