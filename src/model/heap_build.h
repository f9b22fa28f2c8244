/* Building a heap model (private to the library: the readers in formats/
 * and the tests use it; an embedder only reads finished heaps through
 * heapscan/heap.h). Three phases, in this order:
 *   1. hs_heap_add_object() for every object (any order);
 *   2. hs_heap_index(): sort by address, reject overlaps; ids are final now,
 *      and hs_heap_find() maps any address inside an object to its id;
 *   3. hs_heap_add_ref*() / hs_heap_add_root() / hs_heap_add_root_ref*()
 *      (or the streaming hs_heap_begin_refs_of / hs_heap_add_ref_next), then
 *      hs_heap_finish() builds the rows. After finish the model is read-only.
 * The builders' own state lives in struct hs_heap_build (src/model/heap.c). */
#ifndef HEAPSCAN_HEAP_BUILD_H
#define HEAPSCAN_HEAP_BUILD_H

#include "heapscan/heap.h"

typedef struct hs_heap_pending_ref {
    uint32_t from, to, offset;
} hs_heap_pending_ref;

/* format names the reader ("go-heapdump", "elf-core"). */
void hs_heap_init(hs_heap *h, const char *format);
uint32_t hs_heap_intern(hs_heap *h, const char *s, size_t len);
uint32_t hs_heap_add_type(hs_heap *h, const char *name); /* interned: same name, same id */
uint32_t hs_heap_add_site(hs_heap *h, const uint32_t *frames, uint32_t n);
int hs_heap_add_info(hs_heap *h, const char *key, const char *value);
/* The same with a printf format (the value is cut at 511 bytes). */
int hs_heap_add_infof(hs_heap *h, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Phase 1. Returns 0, or -1 with err. */
int hs_heap_add_object(hs_heap *h, uint64_t addr, uint64_t size, uint32_t type, uint32_t site,
                       uint8_t flags, hs_error *err);
/* Phase 2. Sorts; duplicate or overlapping objects are an error naming both addresses. */
int hs_heap_index(hs_heap *h, hs_error *err);
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
/* Replace the types of objects pairs[k].id by pairs[k].value (ids ascending,
 * each once), after indexing or on a finished heap (a naming pass). */
int hs_heap_set_types(hs_heap *h, const hs_heap_id_value *pairs, uint32_t n, hs_error *err);
/* The same from a column of n_objects types, HS_NONE where unchanged. */
int hs_heap_set_types_dense(hs_heap *h, const uint32_t *types, hs_error *err);
/* The same, taking types (malloc'd, n_objects entries; freed or kept): when
 * most objects get a type it becomes the type column, with no copy. */
int hs_heap_give_types_dense(hs_heap *h, uint32_t *types, hs_error *err);

#endif
