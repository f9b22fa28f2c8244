/* A map from (a, b) pairs of 32-bit ids (call-graph edges caller -> callee)
 * to dense ids 0, 1, 2 ... in order of first insertion, shared by the graph
 * builder and the inline marks. Open addressing with linear probing over
 * slots holding the key and id + 1 (0 = empty), so a probe reads one cache
 * line (this lookup runs per frame of every sample); keys are also kept per
 * id. Invariant: at most half the slots are used, so every probe ends. */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

static uint32_t slot_of(const hs_pairmap *m, uint64_t key)
{
    uint32_t j = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (m->nslots - 1);
    while (m->slots[j].id1 && m->slots[j].key != key) j = (j + 1) & (m->nslots - 1);
    return j;
}

static int rehash(hs_pairmap *m)
{
    uint32_t ns = m->nslots ? m->nslots * 2 : 256;
    hs_pairmap_slot *slots = calloc(ns, sizeof *slots);
    if (!slots) return -1;
    free(m->slots);
    m->slots = slots;
    m->nslots = ns;
    for (uint32_t id = 0; id < m->n; id++) {
        uint32_t j = slot_of(m, m->key[id]);
        m->slots[j] = (hs_pairmap_slot){m->key[id], id + 1};
    }
    return 0;
}

uint32_t hs_pairmap_get(hs_pairmap *m, uint32_t a, uint32_t b, int *added)
{
    *added = 0;
    if ((uint64_t)(m->n + 1) * 2 > m->nslots && rehash(m)) return HS_NONE;
    uint64_t key = ((uint64_t)a + 1) << 32 | b;
    uint32_t j = slot_of(m, key);
    if (m->slots[j].id1) return m->slots[j].id1 - 1;
    if (m->n == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 256;
        uint64_t *k = realloc(m->key, (size_t)cap * sizeof *k);
        if (!k) return HS_NONE;
        m->key = k;
        m->cap = cap;
    }
    uint32_t id = m->n++;
    m->key[id] = key;
    m->slots[j] = (hs_pairmap_slot){key, id + 1};
    *added = 1;
    return id;
}

void hs_pairmap_free(hs_pairmap *m)
{
    free(m->slots);
    free(m->key);
    memset(m, 0, sizeof *m);
}
