/* Memory hints for large arrays. A profile or an inflated file is written
 * once front to back; on Linux, transparent huge pages cut the page faults
 * of that first touch by 512x (about a tenth of `top`'s time on a large
 * profile). Hints never change contents and failures are ignored. */
#ifndef HEAPSCAN_MEM_H
#define HEAPSCAN_MEM_H

#include <stddef.h>

/* Ask for huge pages for the block [p, p + n) of malloc, if n is large
 * enough to matter (>= 4 MiB, so the block is a mapping of its own). */
void hs_mem_hint_huge(void *p, size_t n);

#endif
