/* pprof's "(inline)" / "(partial-inline)" marks in -top. pprof marks an
 * entry inline when one of its incoming call-graph edges (kept after the
 * 0.1% edge cutoff) only ever came from inlining, i.e. caller and callee
 * were two lines of one location; partial-inline when it also has a kept
 * edge that was a real call. Only entries that appear as an inlined line
 * somewhere (has_intra) can get a mark, so only edges into them are kept.
 * Each edge has a dense id with a weight counted once per sample (stamp)
 * and the AND of "this sample's first occurrence was inside a location"
 * (pprof's edge.Inline). Edges inside locations are numbered before the
 * walk, so the walk hashes only at location boundaries into such entries. */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

static int reserve(hs_inline_track *t)
{
    if (t->edges.n <= t->cap) return 0;
    uint32_t cap = t->cap ? t->cap * 2 : 256;
    int64_t *weight = realloc(t->weight, (size_t)cap * sizeof *weight);
    if (!weight) return -1;
    t->weight = weight;
    uint32_t *stamp = realloc(t->stamp, (size_t)cap * sizeof *stamp);
    if (!stamp) return -1;
    t->stamp = stamp;
    uint8_t *inl = realloc(t->inl, cap);
    if (!inl) return -1;
    t->inl = inl;
    t->cap = cap;
    return 0;
}

/* Id of edge parent -> child, created if new; HS_NONE when out of memory. */
static uint32_t edge_id(hs_inline_track *t, uint32_t parent, uint32_t child)
{
    int added;
    uint32_t id = hs_pairmap_get(&t->edges, parent, child, &added);
    if (id == HS_NONE || !added) return id;
    if (reserve(t)) return HS_NONE;
    t->weight[id] = 0;
    t->stamp[id] = 0;
    t->inl[id] = 1;
    return id;
}

static int locate_ends(hs_inline_track *t, const hs_frames *fr)
{
    t->ends = malloc(((size_t)fr->n_locations + 1) * sizeof *t->ends);
    if (!t->ends) return -1;
    for (uint32_t l = 0; l < fr->n_locations; l++) {
        uint32_t lo = fr->loc_start[l], hi = fr->loc_start[l + 1];
        hs_loc_ends *e = &t->ends[l]; /* every location has >= 1 frame */
        e->inner = fr->entry[lo];
        e->outer = t->has_intra[fr->entry[hi - 1]] ? fr->entry[hi - 1] : HS_NONE;
        e->intra = 0;
        for (uint32_t j = lo; j < hi; j++)
            if (t->intra_edge[j] != HS_NONE) e->intra = 1;
    }
    return 0;
}

int hs_inline_init(hs_inline_track *t, const hs_frames *fr, uint32_t n_entries,
                   const uint8_t *want)
{
    memset(t, 0, sizeof *t);
    uint32_t n_frames = fr->loc_start[fr->n_locations];
    t->has_intra = calloc((size_t)n_entries + 1, 1);
    t->intra_edge = malloc(((size_t)n_frames + 1) * sizeof *t->intra_edge);
    if (!t->has_intra || !t->intra_edge) return -1;
    /* Frames run innermost first: frame j is inlined into frame j+1. */
    for (uint32_t l = 0; l < fr->n_locations; l++) {
        uint32_t lo = fr->loc_start[l], hi = fr->loc_start[l + 1];
        for (uint32_t j = lo; j < hi; j++) {
            t->intra_edge[j] = HS_NONE;
            if (j + 1 == hi || fr->entry[j] == fr->entry[j + 1]) continue;
            if (want && !want[fr->entry[j]]) continue;
            t->intra_edge[j] = edge_id(t, fr->entry[j + 1], fr->entry[j]);
            if (t->intra_edge[j] == HS_NONE) return -1;
            t->has_intra[fr->entry[j]] = t->any_intra = 1;
        }
    }
    return locate_ends(t, fr);
}

static void count(hs_inline_track *t, uint32_t id, int intra, int64_t v, uint32_t gen)
{
    if (t->stamp[id] == gen) return; /* once per sample, as pprof's seenEdge */
    t->stamp[id] = gen;
    t->weight[id] += v;
    if (!intra) t->inl[id] = 0;
}

int hs_inline_sample(hs_inline_track *t, const hs_frames *fr, const uint32_t *st, uint32_t n,
                     int64_t v, uint32_t gen)
{
    if (!t->any_intra) return 0; /* nothing is ever inlined: no marks possible */
    uint32_t parent = HS_NONE;
    for (uint32_t k = n; k-- > 0;) { /* root to leaf, outermost line first */
        uint32_t loc = st[k];
        if (loc >= fr->n_locations) continue;
        const hs_loc_ends *e = &t->ends[loc];
        if (e->outer != HS_NONE && parent != HS_NONE && e->outer != parent) {
            uint32_t id = edge_id(t, parent, e->outer); /* a real call */
            if (id == HS_NONE) return -1;
            count(t, id, 0, v, gen);
        }
        if (e->intra) {
            uint32_t lo = fr->loc_start[loc], hi = fr->loc_start[loc + 1];
            for (uint32_t j = hi - 1; j-- > lo;)
                if (t->intra_edge[j] != HS_NONE) count(t, t->intra_edge[j], 1, v, gen);
        }
        parent = e->inner;
    }
    return 0;
}

int hs_inline_merge(hs_inline_track *dst, const hs_inline_track *src)
{
    for (uint32_t id = 0; id < src->edges.n; id++) {
        if (src->stamp[id] == 0) continue; /* never counted in src */
        uint64_t key = src->edges.key[id];
        uint32_t to = edge_id(dst, (uint32_t)(key >> 32) - 1, (uint32_t)key);
        if (to == HS_NONE) return -1;
        dst->weight[to] += src->weight[id];
        dst->inl[to] &= src->inl[id];
        if (dst->stamp[to] == 0) dst->stamp[to] = 1; /* counted somewhere */
    }
    return 0;
}

void hs_inline_flags(const hs_inline_track *t, int64_t flat_sum, uint8_t *flags)
{
    int64_t cutoff = (int64_t)((double)flat_sum * 0.001);
    if (cutoff < 0) cutoff = -cutoff;
    /* bit 1: a kept inline edge, bit 2: a kept real call */
    for (uint32_t id = 0; id < t->edges.n; id++) {
        int64_t w = t->weight[id] < 0 ? -t->weight[id] : t->weight[id];
        if (t->stamp[id] == 0 || w < cutoff) continue; /* never on a kept sample, or cut */
        flags[hs_pairmap_second(&t->edges, id)] |= t->inl[id] ? 1 : 2;
    }
    for (uint32_t id = 0; id < t->edges.n; id++) {
        uint32_t child = hs_pairmap_second(&t->edges, id);
        uint8_t f = flags[child];
        if (f & 0x80) continue;
        flags[child] = 0x80 | (f == 1 ? HS_AGG_INLINE : f == 3 ? HS_AGG_PARTIAL_INLINE : 0);
    }
    for (uint32_t id = 0; id < t->edges.n; id++) flags[hs_pairmap_second(&t->edges, id)] &= 0x7f;
}

void hs_inline_free(hs_inline_track *t)
{
    free(t->has_intra);
    free(t->intra_edge);
    free(t->ends);
    hs_pairmap_free(&t->edges);
    free(t->weight);
    free(t->stamp);
    free(t->inl);
    memset(t, 0, sizeof *t);
}
