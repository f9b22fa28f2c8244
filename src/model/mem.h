/* Memory hints for large arrays. A profile or an inflated file is written
 * once front to back, a heap model filled and walked at random; on Linux,
 * transparent huge pages cut the page faults of the first touch by 512x
 * (about a tenth of `top`'s time on a large profile, a quarter on a large
 * core) and the TLB misses of random access. Hints never change contents
 * and failures are ignored. */
#ifndef HEAPSCAN_MEM_H
#define HEAPSCAN_MEM_H

#include <stddef.h>

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

#endif
