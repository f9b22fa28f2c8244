/* heapscan string table: interned, NUL-terminated strings named by dense
 * 32-bit ids. Id 0 is always "". Strings live in one growing byte buffer;
 * an open-addressing hash of ids makes interning O(1) expected. */
#ifndef HEAPSCAN_STRTAB_H
#define HEAPSCAN_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#define HS_STR_NONE UINT32_MAX

typedef struct hs_strtab {
    char *data;
    size_t len, cap;
    uint64_t *off; /* off[id] = start of string id in data */
    uint32_t n, ncap;
    uint32_t *slots; /* hash slots holding id+1, 0 = empty */
    uint32_t nslots;
} hs_strtab;

void hs_strtab_init(hs_strtab *t); /* interns "" as id 0 */
void hs_strtab_free(hs_strtab *t);
/* Interned id of s[0..len), or HS_STR_NONE when out of memory. */
uint32_t hs_strtab_intern(hs_strtab *t, const char *s, size_t len);
/* Appends without de-duplication (a file's own string table keeps its indices). */
uint32_t hs_strtab_append(hs_strtab *t, const char *s, size_t len);
static inline const char *hs_strtab_get(const hs_strtab *t, uint32_t id)
{
    return id < t->n ? t->data + t->off[id] : "";
}

#endif
