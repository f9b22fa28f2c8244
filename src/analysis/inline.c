/* pprof's "(inline)" / "(partial-inline)" marks in -top. pprof marks an
 * entry inline when one of its incoming call-graph edges (kept after the
 * 0.1% edge cutoff) only ever came from inlining, i.e. caller and callee
 * were two lines of one location; partial-inline when it also has a kept
 * edge that was a real call. Only entries that appear as an inlined line
 * somewhere (has_intra) can get a mark, so only edges into them are kept:
 * an open-addressing hash of (caller, callee) with a weight counted once per
 * sample (stamp) and the AND of "this sample's first occurrence was inside a
 * location", as pprof's edge.Inline. */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

int hs_inline_init(hs_inline_track *t, uint32_t n_entries)
{
    memset(t, 0, sizeof *t);
    t->has_intra = calloc((size_t)n_entries + 1, 1);
    return t->has_intra ? 0 : -1;
}

void hs_inline_scan(hs_inline_track *t, const hs_frames *fr)
{
    /* Frames run innermost first: frame j is inlined into frame j+1. */
    for (uint32_t l = 0; l < fr->n_locations; l++)
        for (uint32_t j = fr->loc_start[l]; j + 1 < fr->loc_start[l + 1]; j++)
            if (fr->entry[j] != fr->entry[j + 1]) t->has_intra[fr->entry[j]] = t->any_intra = 1;
}

static uint32_t slot_of(const uint64_t *keys, uint32_t nslots, uint64_t key)
{
    uint32_t j = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (nslots - 1);
    while (keys[j] && keys[j] != key) j = (j + 1) & (nslots - 1);
    return j;
}

static int grow(hs_inline_track *t)
{
    uint32_t ns = t->nslots ? t->nslots * 2 : 256;
    uint64_t *keys = calloc(ns, sizeof *keys);
    int64_t *weight = malloc((size_t)ns * sizeof *weight);
    uint32_t *stamp = malloc((size_t)ns * sizeof *stamp);
    uint8_t *inl = malloc(ns);
    if (!keys || !weight || !stamp || !inl) {
        free(keys);
        free(weight);
        free(stamp);
        free(inl);
        return -1;
    }
    for (uint32_t i = 0; i < t->nslots; i++) {
        if (!t->keys[i]) continue;
        uint32_t j = slot_of(keys, ns, t->keys[i]);
        keys[j] = t->keys[i];
        weight[j] = t->weight[i];
        stamp[j] = t->stamp[i];
        inl[j] = t->inl[i];
    }
    free(t->keys);
    free(t->weight);
    free(t->stamp);
    free(t->inl);
    t->keys = keys;
    t->weight = weight;
    t->stamp = stamp;
    t->inl = inl;
    t->nslots = ns;
    return 0;
}

static int add_edge(hs_inline_track *t, uint32_t parent, uint32_t child, int intra, int64_t v,
                    uint32_t gen)
{
    if ((uint64_t)(t->n + 1) * 2 > t->nslots && grow(t)) return -1;
    uint64_t key = ((uint64_t)parent + 1) << 32 | child;
    uint32_t j = slot_of(t->keys, t->nslots, key);
    if (!t->keys[j]) {
        t->keys[j] = key;
        t->weight[j] = 0;
        t->stamp[j] = 0;
        t->inl[j] = 1;
        t->n++;
    }
    if (t->stamp[j] == gen) return 0; /* once per sample, as pprof's seenEdge */
    t->stamp[j] = gen;
    t->weight[j] += v;
    if (!intra) t->inl[j] = 0;
    return 0;
}

int hs_inline_sample(hs_inline_track *t, const hs_frames *fr, const uint32_t *st, uint32_t n,
                     int64_t v, uint32_t gen)
{
    if (!t->any_intra) return 0; /* nothing is ever inlined: no marks possible */
    uint32_t parent = HS_NONE;
    for (uint32_t k = n; k-- > 0;) { /* root to leaf, outermost line first */
        uint32_t loc = st[k];
        if (loc >= fr->n_locations) continue;
        uint32_t lo = fr->loc_start[loc], hi = fr->loc_start[loc + 1];
        for (uint32_t j = hi; j-- > lo;) {
            uint32_t c = fr->entry[j];
            if (parent != HS_NONE && c != parent && t->has_intra[c] &&
                add_edge(t, parent, c, j != hi - 1, v, gen))
                return -1;
            parent = c;
        }
    }
    return 0;
}

void hs_inline_flags(const hs_inline_track *t, int64_t flat_sum, uint8_t *flags)
{
    int64_t cutoff = (int64_t)((double)flat_sum * 0.001);
    if (cutoff < 0) cutoff = -cutoff;
    for (uint32_t i = 0; i < t->nslots; i++) {
        if (!t->keys[i]) continue;
        int64_t w = t->weight[i] < 0 ? -t->weight[i] : t->weight[i];
        if (w < cutoff) continue;
        uint32_t child = (uint32_t)t->keys[i];
        flags[child] |= t->inl[i] ? 1 : 2; /* bit 1: inline edge, bit 2: real call */
    }
    /* bits -> marks: inline only -> INLINE; both -> PARTIAL; real calls only -> none */
    for (uint32_t i = 0; i < t->nslots; i++) {
        if (!t->keys[i]) continue;
        uint32_t child = (uint32_t)t->keys[i];
        uint8_t f = flags[child];
        if (f & 0x80) continue;
        flags[child] = 0x80 | (f == 1 ? HS_AGG_INLINE : f == 3 ? HS_AGG_PARTIAL_INLINE : 0);
    }
    for (uint32_t i = 0; i < t->nslots; i++)
        if (t->keys[i]) flags[(uint32_t)t->keys[i]] &= 0x7f;
}

void hs_inline_free(hs_inline_track *t)
{
    free(t->has_intra);
    free(t->keys);
    free(t->weight);
    free(t->stamp);
    free(t->inl);
    memset(t, 0, sizeof *t);
}
