/* Private pieces shared by the profile analyses (agg, graph).
 * frames: every location of a profile expands to one frame per line
 * (innermost inlined frame first; a location without lines is one frame),
 * and every frame is mapped ONCE to an entry id = the id of its printable
 * name in a caller-supplied string table. Hot loops then index flat arrays
 * by entry id and never hash strings per frame.
 * filter: --focus/--ignore/--tag compiled to per-location and per-string
 * flags, so testing a sample is a walk over its stack and labels. */
#ifndef HS_ANALYSIS_INTERNAL_H
#define HS_ANALYSIS_INTERNAL_H

#include <regex.h>
#include <stdint.h>
#include <string.h>

#include "heapscan/analysis.h"

typedef struct hs_frames {
    uint32_t *loc_start; /* n_locations + 1: frames of location l are [loc_start[l], loc_start[l+1]) */
    uint32_t *entry;     /* entry id of each frame, innermost first */
    uint32_t n_locations;
} hs_frames;

/* Names go into `names` (interned, so the same name gets the same id even
 * across two profiles sharing one table). */
int hs_frames_build(const hs_profile *p, hs_agg_by by, hs_strtab *names, hs_frames *out,
                    hs_error *err);
void hs_frames_free(hs_frames *fr);

enum { HS_LOC_FOCUS = 1, HS_LOC_IGNORE = 2 };

typedef struct hs_filter {
    int active;          /* 0: keep every sample */
    int by_name;         /* focus or ignore given */
    uint8_t *loc_flags;  /* HS_LOC_* per location */
    uint32_t n_tags;
    uint64_t *str_flags; /* per string id: bit t = key of tag t, bit 32+t = value of tag t */
    int64_t tag_num[32];
    uint8_t tag_is_num[32];
    uint32_t n_strings;
} hs_filter;

int hs_filter_compile(const hs_profile *p, const hs_agg_filter *f, hs_filter *out, hs_error *err);
int hs_filter_keep(const hs_filter *flt, const hs_profile *p, const hs_sample *s);
void hs_filter_free(hs_filter *flt);

/* (a, b) -> dense id in insertion order (pairmap.c); key[id] is
 * (a + 1) << 32 | b. hs_pairmap_get returns the id, *added = 1 when it is
 * new (then id == n - 1), HS_NONE when out of memory. Zero-initialise. */
typedef struct hs_pairmap_slot {
    uint64_t key; /* beside the id: a probe touches one cache line */
    uint32_t id1; /* id + 1, 0 = empty */
} hs_pairmap_slot;
typedef struct hs_pairmap {
    hs_pairmap_slot *slots;
    uint32_t nslots;
    uint64_t *key;
    uint32_t n, cap;
} hs_pairmap;
uint32_t hs_pairmap_get(hs_pairmap *m, uint32_t a, uint32_t b, int *added);
static inline uint32_t hs_pairmap_second(const hs_pairmap *m, uint32_t id)
{
    return (uint32_t)m->key[id];
}
void hs_pairmap_free(hs_pairmap *m);

/* pprof's "(inline)" marks (see inline.c). Only call edges into entries
 * that are ever inlined (has_intra) are tracked. Edges have dense ids; the
 * edges inside locations are numbered up front (intra_edge per frame), the
 * others found through the pair map (caller, callee) -> id. */
typedef struct hs_loc_ends {
    uint32_t inner; /* entry of the location's innermost line */
    uint32_t outer; /* entry of its outermost line if that has_intra, else HS_NONE */
    uint8_t intra;  /* some intra_edge of its lines is tracked */
} hs_loc_ends;

typedef struct hs_inline_track {
    uint8_t *has_intra;  /* per entry: callee of some intra-location pair */
    uint32_t *intra_edge; /* per frame: edge to it from the next (outer) line, or HS_NONE */
    hs_loc_ends *ends;    /* per location: what the walk needs of it, in one load */
    hs_pairmap edges;     /* edge ids */
    int64_t *weight;      /* per edge id */
    uint32_t *stamp;      /* sample generation that last added to the edge */
    uint8_t *inl;         /* every counted occurrence was inside one location */
    uint32_t cap;         /* of weight, stamp, inl */
    uint8_t any_intra;
} hs_inline_track;

/* Number the intra-location edges of fr's frames; only edges into entries
 * with want[entry] set are tracked (want NULL = all). */
int hs_inline_init(hs_inline_track *t, const hs_frames *fr, uint32_t n_entries,
                   const uint8_t *want);
/* One kept sample of value v and generation gen; -1 when out of memory. */
int hs_inline_sample(hs_inline_track *t, const hs_frames *fr, const uint32_t *st, uint32_t n,
                     int64_t v, uint32_t gen);
/* Add src's counts into dst (after both are done counting): weights add,
 * inline-only is the AND; -1 when out of memory. */
int hs_inline_merge(hs_inline_track *dst, const hs_inline_track *src);
/* flags[entry] = HS_AGG_INLINE / HS_AGG_PARTIAL_INLINE / 0, counting only edges
 * with |weight| >= 0.1% of flat_sum (pprof's default edge fraction). */
void hs_inline_flags(const hs_inline_track *t, int64_t flat_sum, uint8_t *flags);
void hs_inline_free(hs_inline_track *t);

/* Per-sample accumulation into arrays indexed by entry id. `stamp` has one
 * slot per entry id and *gen is the running sample generation, so several
 * calls (the two sides of a diff) can share them. */
typedef struct hs_accum {
    int64_t *flat, *cum;
    uint32_t *stamp;
    uint32_t n, gen;
    int64_t kept_total;
    uint64_t n_kept;
    hs_inline_track *track; /* optional */
    const uint8_t *track_want; /* the entries track was made for (parts make their own) */
    int track_failed;
    int marks_only; /* count only into track: flat and cum are not updated */
} hs_accum;

int hs_accum_init(hs_accum *a, uint32_t n);
void hs_accum_free(hs_accum *a);
/* Add sign * value of every kept sample. Large profiles are cut into parts
 * (hs_par_parts) counted on threads into accumulators (and inline trackers)
 * of their own, then merged into a; the sums are the serial ones. Returns
 * -1 when out of memory (a is then incomplete). */
int hs_accum_add(hs_accum *a, const hs_profile *p, uint32_t vi, const hs_frames *fr,
                 const hs_filter *flt, int sign);
/* The next sample generation (restarts the stamps when it wraps). */
uint32_t hs_accum_next_gen(hs_accum *a);

/* pprof's total: sum of |value| over all samples. */
int64_t hs_profile_total(const hs_profile *p, uint32_t vi);

/* Order helpers shared by agg and graph (pprof's tie rules). */
static inline int64_t hs_abs64(int64_t v) { return v < 0 ? -v : v; }

/* The order of report rows and graph nodes: |key| desc, then name, then
 * |tie| desc (key is flat or cum, tie the other). */
static inline int hs_order_abs_name(int64_t kl, int64_t kr, const char *nl, const char *nr,
                                    int64_t tl, int64_t tr)
{
    int64_t a = hs_abs64(kl), b = hs_abs64(kr);
    if (a != b) return a > b ? -1 : 1;
    int c = strcmp(nl, nr);
    if (c) return c;
    a = hs_abs64(tl), b = hs_abs64(tr);
    return a != b ? (a > b ? -1 : 1) : 0;
}

#endif
