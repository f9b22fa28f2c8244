/* Memory hints for large arrays. A profile or an inflated file is written
 * once front to back, a heap model filled and walked at random; on Linux,
 * transparent huge pages cut the page faults of the first touch by 512x
 * (about a tenth of `top`'s time on a large profile, a quarter on a large
 * core) and the TLB misses of random access. Hints never change contents
 * and failures are ignored. */
#ifndef HEAPSCAN_MEM_H
#define HEAPSCAN_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Ask for huge pages for the block [p, p + n) of malloc, if n is large
 * enough to matter (>= 4 MiB, so the block is a mapping of its own). */
void hs_mem_hint_huge(void *p, size_t n);

/* malloc, calloc and realloc of arrays that may be large (the heap model's
 * columns, edges and the dominator tree's arrays: tens to hundreds of MiB
 * touched at random), with the hint above; NULL when out of memory or when
 * n * elem overflows. A core of 10^7 Go objects loads about a quarter
 * faster with them (page faults and TLB misses). */
void *hs_mem_alloc(size_t n, size_t elem);
void *hs_mem_zalloc(size_t n, size_t elem);
void *hs_mem_realloc(void *p, size_t n, size_t elem);

/* Gives back the whole pages inside [p, p + n) of a block of at least
 * 64 MiB (a mapping of its own in every malloc) whose bytes there will not
 * be read again before it is freed: an array copied out front to back
 * need not stay resident beside its copy. Smaller blocks are left alone. */
void hs_mem_drop(void *block, size_t block_size, size_t from, size_t to);

/* The first offset from off on (in steps of 8, below end) whose 8-byte
 * word at p + off is not zero, else end: memory never touched (most of a
 * core) is passed over 32 bytes at a time. */
static inline uint64_t hs_mem_skip_zeros(const uint8_t *p, uint64_t off, uint64_t end)
{
    uint64_t w[4];
    while (off + 32 <= end) {
        memcpy(w, p + off, 32);
        if (w[0] | w[1] | w[2] | w[3]) break;
        off += 32;
    }
    while (off + 8 <= end) {
        memcpy(w, p + off, 8);
        if (w[0]) break;
        off += 8;
    }
    return off + 8 <= end ? off : end;
}

#endif
