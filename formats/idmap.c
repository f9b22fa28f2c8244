/* Id maps (see idmap.h). */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

#include "heapscan/profile.h" /* HS_NONE */

void hs_idmap_init(hs_idmap *m, uint32_t hint)
{
    memset(m, 0, sizeof *m);
    m->identity = 1;
    m->hint = hint;
}

void hs_idmap_free(hs_idmap *m)
{
    free(m->keys);
    free(m->vals);
    free(m->direct);
}

void hs_idmap_make_direct(hs_idmap *m)
{
    if (m->identity || m->max_id > (uint64_t)m->n * 4 + 64) return;
    uint32_t *d = malloc((size_t)(m->max_id + 1) * sizeof *d);
    if (!d) return;
    for (uint64_t id = 0; id <= m->max_id; id++)
        d[id] = HS_NONE;
    for (uint64_t j = 0; j <= m->mask; j++)
        if (m->keys[j]) d[m->keys[j]] = m->vals[j];
    m->direct = d;
}

static uint32_t slot_of(const hs_idmap *m, uint64_t id)
{
    uint64_t h = id * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 32) & m->mask;
}

uint32_t hs_idmap_get(const hs_idmap *m, uint64_t id)
{
    if (m->identity) return id >= 1 && id <= m->n ? (uint32_t)(id - 1) : HS_NONE;
    if (m->direct) return id <= m->max_id ? m->direct[id] : HS_NONE;
    if (id == 0) return HS_NONE;
    for (uint32_t j = slot_of(m, id);; j = (j + 1) & m->mask) {
        if (m->keys[j] == id) return m->vals[j];
        if (m->keys[j] == 0) return HS_NONE;
    }
}

/* 1 if present already (*val set to its value), 0 if put. */
static int hash_put(hs_idmap *m, uint64_t id, uint32_t *val)
{
    uint32_t j = slot_of(m, id);
    while (m->keys[j]) {
        if (m->keys[j] == id) {
            *val = m->vals[j];
            return 1;
        }
        j = (j + 1) & m->mask;
    }
    m->keys[j] = id;
    m->vals[j] = *val;
    return 0;
}

/* Double the table (a hint is only where it starts). */
static int grow(hs_idmap *m)
{
    uint64_t slots = ((uint64_t)m->mask + 1) * 2;
    uint64_t *old_keys = m->keys;
    uint32_t *old_vals = m->vals;
    uint64_t old_slots = (uint64_t)m->mask + 1;
    if (slots > (uint64_t)1 << 32) return -1; /* the mask is 32-bit */
    m->keys = calloc(slots, sizeof *m->keys);
    m->vals = malloc(slots * sizeof *m->vals);
    if (!m->keys || !m->vals) {
        free(m->keys);
        free(m->vals);
        m->keys = old_keys;
        m->vals = old_vals;
        return -1;
    }
    m->mask = (uint32_t)(slots - 1);
    for (uint64_t j = 0; j < old_slots; j++)
        if (old_keys[j]) hash_put(m, old_keys[j], &old_vals[j]);
    free(old_keys);
    free(old_vals);
    return 0;
}

int hs_idmap_add_get(hs_idmap *m, uint64_t id, uint32_t *index)
{
    if (m->identity) {
        if (id == (uint64_t)m->n + 1) {
            *index = m->n++;
            return 0;
        }
        if (id >= 1 && id <= m->n) {
            *index = (uint32_t)(id - 1);
            return 1;
        }
        uint64_t slots = 16;
        uint64_t want = (uint64_t)(m->hint > m->n ? m->hint : m->n + 1) * 2;
        while (slots < want)
            slots *= 2;
        m->keys = calloc(slots, sizeof *m->keys);
        m->vals = malloc(slots * sizeof *m->vals);
        if (!m->keys || !m->vals) return -1;
        m->mask = (uint32_t)(slots - 1);
        m->identity = 0;
        for (uint32_t i = 0; i < m->n; i++)
            hash_put(m, (uint64_t)i + 1, &i);
        m->max_id = m->n;
    }
    if ((uint64_t)m->n + 1 > ((uint64_t)m->mask + 1) / 2 && grow(m)) return -1;
    *index = m->n;
    int r = hash_put(m, id, index);
    if (r == 0) m->n++;
    if (id > m->max_id) m->max_id = id;
    return r;
}

int hs_idmap_add(hs_idmap *m, uint64_t id)
{
    uint32_t index;
    return hs_idmap_add_get(m, id, &index);
}
