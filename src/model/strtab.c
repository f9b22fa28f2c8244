/* String interning for both models. Invariant: every id < n has its bytes at
 * data+off[id], NUL-terminated; slots is a power-of-two open-addressing
 * table (linear probing) over the ids added by intern, at most half full. */
#include "heapscan/strtab.h"

#include <stdlib.h>
#include <string.h>

/* Eight bytes per step (names are long: Go symbols run to 100 bytes and
 * more), then a final mix so that the low bits used as slot index depend on
 * every input byte. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h = len * k, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = ((h << 5 | h >> 59) ^ w) * k;
    }
    if (i < len) {
        w = 0;
        memcpy(&w, s + i, len - i);
        h = ((h << 5 | h >> 59) ^ w) * k;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    return h ^ (h >> 32);
}

void hs_strtab_init(hs_strtab *t)
{
    memset(t, 0, sizeof *t);
    hs_strtab_intern(t, "", 0);
}

void hs_strtab_free(hs_strtab *t)
{
    free(t->data);
    free(t->off);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* Byte length of string id (it may hold NUL bytes; its end is the next start). */
static size_t str_len(const hs_strtab *t, uint32_t id)
{
    uint64_t end = id + 1 < t->n ? t->off[id + 1] : t->len;
    return (size_t)(end - t->off[id] - 1);
}

static int rehash(hs_strtab *t, uint32_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots) return -1;
    for (uint32_t i = 0; i < t->nslots; i++) {
        uint32_t id1 = t->slots[i];
        if (!id1) continue;
        uint64_t h = hash_bytes(t->data + t->off[id1 - 1], str_len(t, id1 - 1));
        uint32_t j = (uint32_t)h & (nslots - 1);
        while (slots[j]) j = (j + 1) & (nslots - 1);
        slots[j] = id1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return 0;
}

uint32_t hs_strtab_append(hs_strtab *t, const char *s, size_t len)
{
    if (t->n == UINT32_MAX - 1) return HS_STR_NONE;
    if (t->n == t->ncap) {
        uint32_t ncap = t->ncap ? t->ncap * 2 : 256;
        uint64_t *off = realloc(t->off, (size_t)ncap * sizeof *off);
        if (!off) return HS_STR_NONE;
        t->off = off;
        t->ncap = ncap;
    }
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + len + 1) cap *= 2;
        char *d = realloc(t->data, cap);
        if (!d) return HS_STR_NONE;
        t->data = d;
        t->cap = cap;
    }
    if (len) memcpy(t->data + t->len, s, len);
    t->data[t->len + len] = 0;
    t->off[t->n] = t->len;
    t->len += len + 1;
    return t->n++;
}

uint32_t hs_strtab_intern(hs_strtab *t, const char *s, size_t len)
{
    if ((uint64_t)(t->n + 1) * 2 >= t->nslots && rehash(t, t->nslots ? t->nslots * 2 : 1024))
        return HS_STR_NONE;
    uint64_t h = hash_bytes(s, len);
    uint32_t j = (uint32_t)h & (t->nslots - 1);
    while (t->slots[j]) {
        uint32_t id = t->slots[j] - 1;
        if (str_len(t, id) == len && memcmp(t->data + t->off[id], s, len) == 0) return id;
        j = (j + 1) & (t->nslots - 1);
    }
    uint32_t id = hs_strtab_append(t, s, len);
    if (id != HS_STR_NONE) t->slots[j] = id + 1;
    return id;
}
