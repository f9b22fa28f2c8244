/* Id maps for readers: ids a file uses (nonzero uint64: pprof's location
 * ids, a text profile's addresses) -> dense indices 0, 1, 2, ... in the
 * order they were added.
 * While every id so far equals its index + 1 (what Go's pprof writer does)
 * the map is the identity and stores nothing; the first other id moves all
 * entries into an open-addressing hash table sized from the hint (pprof
 * gives the count; a text reader, a guess), which doubles when it is half
 * full. Once complete, a hashed map whose ids are
 * small (at most 4n + 64: ids written out of order) can become a direct
 * array, so a lookup is one load. */
#ifndef HEAPSCAN_FORMATS_IDMAP_H
#define HEAPSCAN_FORMATS_IDMAP_H

#include <stdint.h>

typedef struct hs_idmap {
    uint32_t n, hint;
    int identity;
    uint64_t *keys; /* 0 = empty slot (ids are nonzero) */
    uint32_t *vals;
    uint32_t mask;
    uint64_t max_id;
    uint32_t *direct; /* direct[id] = index or HS_NONE, for id <= max_id; or NULL */
} hs_idmap;

void hs_idmap_init(hs_idmap *m, uint32_t hint);
void hs_idmap_free(hs_idmap *m);
/* Add id -> m->n: 0 if added, 1 if present already (nothing added), -1 when
 * out of memory. */
int hs_idmap_add(hs_idmap *m, uint64_t id);
/* The same, and *index is id's index (new or present). */
int hs_idmap_add_get(hs_idmap *m, uint64_t id, uint32_t *index);
/* Index of id, or HS_NONE. */
uint32_t hs_idmap_get(const hs_idmap *m, uint64_t id);
/* After the last add: a hashed map of small ids becomes an array (out of
 * memory only leaves the hash in use). */
void hs_idmap_make_direct(hs_idmap *m);

#endif
