/* Profiles whose stacks are bare addresses (legacy CPU and thread
 * profiles): the records as read, pprof's clean-ups of them, then one
 * location per address, named from the mapped files of the memory map
 * after them (procmap.c), and one sample per record. */
#ifndef HEAPSCAN_FORMATS_ADDRPROF_H
#define HEAPSCAN_FORMATS_ADDRPROF_H

#include <stdint.h>

#include "heapscan/reader.h"

typedef struct hs_addrrec {
    int64_t v[2];      /* values, in the profile's sample-type order */
    int64_t bytes;     /* the "bytes" label, when the profile has it */
    uint32_t start, n; /* run in pcs, leaf first */
} hs_addrrec;

/* Names a PC's location: 1 and its function and line, 0 unnamed, -1 out
 * of memory. */
typedef int (*hs_addr_namer)(void *ctx, uint64_t pc, uint32_t *fn, int64_t *line);

typedef struct hs_addrprof {
    int label_bytes; /* each sample gets pprof's numeric label "bytes" (its record's) */
    int strip_named; /* a named location's address is 0 (pprof's Java profiles) */
    hs_addrrec *recs;
    uint32_t n_recs, cap_recs;
    uint64_t *pcs;
    uint32_t n_pcs, cap_pcs;
} hs_addrprof;

/* A record of n PCs (unset) with values v: its PCs to fill, or NULL when
 * out of memory or past 32-bit indices. */
uint64_t *hs_addrprof_add(hs_addrprof *a, const int64_t v[2], uint64_t n);
/* Drop the second PC of record r. */
void hs_addrprof_drop_second(hs_addrprof *a, hs_addrrec *r);
/* pprof's cleanupDuplicateLocations: a leaf written again (as a return
 * address, so one more than the caller's adjusted PC) is dropped. */
void hs_addrprof_drop_repeated_leaf(hs_addrprof *a);
/* Locations and samples into p (whose sample types are set), the map read
 * from the text map[0, map_len) (none when map_len is 0) naming addresses
 * from its files. -1 when out of memory (err set, naming src). */
int hs_addrprof_build(hs_addrprof *a, hs_profile *p, const hs_load_options *opt, const char *map,
                      size_t map_len, const hs_source *src, hs_error *err);
/* The same with names from namer instead of a memory map. */
int hs_addrprof_build_named(hs_addrprof *a, hs_profile *p, hs_addr_namer namer, void *ctx,
                            const hs_source *src, hs_error *err);
void hs_addrprof_free(hs_addrprof *a);

#endif
