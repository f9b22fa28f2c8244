/* Memory hints (see heapscan/mem.h): madvise(MADV_HUGEPAGE) on every page
 * of a large block, ends included: a large malloc block is a mapping of its
 * own, and advising only part of it would split it, after which realloc can
 * no longer grow it in place by mremap (it copies instead). A no-op where
 * the call does not exist. */
#include "model/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

void hs_mem_hint_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t page = 4096;
    if (!p || n < ((size_t)4 << 20)) return;
    uintptr_t b = (uintptr_t)p & ~(page - 1);
    uintptr_t e = ((uintptr_t)p + n + page - 1) & ~(page - 1);
    (void)madvise((void *)b, e - b, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

static int too_big(size_t n, size_t elem)
{
    return elem && n > SIZE_MAX / elem;
}

void *hs_mem_alloc(size_t n, size_t elem)
{
    if (too_big(n ? n : 1, elem)) return NULL;
    void *p = malloc((n ? n : 1) * elem);
    hs_mem_hint_huge(p, n * elem);
    return p;
}

void *hs_mem_zalloc(size_t n, size_t elem)
{
    void *p = calloc(n ? n : 1, elem);
    hs_mem_hint_huge(p, p ? n * elem : 0);
    return p;
}

void *hs_mem_realloc(void *p, size_t n, size_t elem)
{
    if (too_big(n ? n : 1, elem)) return NULL;
    void *q = realloc(p, (n ? n : 1) * elem);
    hs_mem_hint_huge(q, n * elem);
    return q;
}

void hs_mem_drop(void *block, size_t block_size, size_t from, size_t to)
{
#ifdef MADV_DONTNEED
    const uintptr_t page = 4096;
    if (!block || block_size < ((size_t)64 << 20) || to > block_size || from >= to) return;
    uintptr_t b = ((uintptr_t)block + from + page - 1) & ~(page - 1);
    uintptr_t e = ((uintptr_t)block + to) & ~(page - 1);
    if (b < e) (void)madvise((void *)b, e - b, MADV_DONTNEED);
#else
    (void)block, (void)block_size, (void)from, (void)to;
#endif
}
